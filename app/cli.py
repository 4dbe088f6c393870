"""The qi-academy command: content check/quality/sync/export-scorm, users create, keys, demo accounts, database upgrade."""

from __future__ import annotations

import argparse
import getpass
import logging
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _content_check(_: argparse.Namespace) -> int:
    from app.content.loader import load_content
    from app.core.config import get_settings

    result = load_content(get_settings().content_dir)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for err in result.errors:
        print(err, file=sys.stderr)
    if result.errors:
        print(f"{len(result.errors)} problem(s) in content.", file=sys.stderr)
        return 1
    print(f"content ok: {len(result.modules)} modules")
    return 0


def _content_quality(_: argparse.Namespace) -> int:
    from app.content.loader import load_content
    from app.content.quality import assess
    from app.core.config import get_settings

    result = load_content(get_settings().content_dir)
    failures = 0
    for m in result.modules:
        report = assess(m.tier, m.body, m.meta.model_dump(mode="json"))
        mark = "ok " if not report.problems else "BAD"
        print(
            f"{mark} {m.tier:6} {m.slug:40} {report.words:5} words  ease {report.reading_ease:5.1f}"
        )
        for problem in report.problems:
            print(f"      - {problem}")
        failures += bool(report.problems)
    for err in result.errors:
        print(err, file=sys.stderr)
    return 1 if failures or result.errors else 0


def _content_sync(_: argparse.Namespace) -> int:
    from app.content import service
    from app.content.registry import ContentInvalid, load_or_fail
    from app.core.config import get_settings
    from app.core.db import get_sessionmaker

    try:
        modules = load_or_fail(get_settings().content_dir)
    except ContentInvalid as exc:
        print(exc, file=sys.stderr)
        return 1
    with get_sessionmaker()() as session, session.begin():
        registry = service.sync(session, modules=modules)
    print(f"content synced: {len(registry)} modules")
    return 0


def _content_export_scorm(args: argparse.Namespace) -> int:
    """Write one module as a SCORM 1.2 zip for an LMS or the Electronic Staff Record."""
    from app.content import scorm
    from app.content.loader import load_content
    from app.core.config import get_settings

    result = load_content(get_settings().content_dir)
    if result.errors:
        print("\n".join(result.errors), file=sys.stderr)
        print("fix the content first: qi-academy content check", file=sys.stderr)
        return 1
    module = next((m for m in result.modules if m.slug == args.slug), None)
    if module is None:
        slugs = ", ".join(m.slug for m in result.modules)
        print(f"error: no module has the slug '{args.slug}'. Slugs: {slugs}", file=sys.stderr)
        return 2
    try:
        path = scorm.write_package(module, Path(args.out), result.glossary)
    except OSError as exc:
        print(
            f"error: cannot write to {args.out}: {exc.strerror}. Give --out a folder.",
            file=sys.stderr,
        )
        return 1
    print(f"SCORM 1.2 package: {path}")
    return 0


def _db_upgrade(_: argparse.Namespace) -> int:
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from app.accounts import service
    from app.accounts.constants import STAFF_GROUPS, Role
    from app.accounts.schemas import check_password
    from app.core.db import get_sessionmaker
    from app.core.errors import AppError

    password = args.password
    if password is None:
        if not sys.stdin.isatty():
            print("error: give --password, or run in a terminal to be prompted", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
    try:
        check_password(password)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.staff_group not in STAFF_GROUPS:
        print(f"error: --staff-group must be one of {', '.join(STAFF_GROUPS)}", file=sys.stderr)
        return 2
    try:
        with get_sessionmaker()() as session, session.begin():
            user = service.create_user(
                session,
                email=args.email,
                password=password,
                full_name=args.name,
                organisation=args.organisation,
                staff_group=args.staff_group,
                roles=[Role(args.role)],
            )
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"created {user.email} ({', '.join(sorted(user.role_names))})")
    return 0


def _keys_rotate(_: argparse.Namespace) -> int:
    """A new credential signing key; old public keys stay published so old credentials verify."""
    from app.credentials import service
    from app.credentials.keys import KeyStoreError

    try:
        key = service.rotate_keys()
    except KeyStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    published = len(service.jwks()["keys"])
    print(f"new active signing key {key.thumbprint} ({published} public keys published)")
    return 0


def _keys_init(_: argparse.Namespace) -> int:
    """Make the first signing keys if the key store has none (the deploy step runs this)."""
    from app.credentials import service, signing
    from app.credentials.keys import KeyStoreError

    try:
        signing.ed_keyring()  # the Data Integrity key too: never left for instances to race for
        published = service.jwks()["keys"]
    except KeyStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(published)} signing key(s) ready; active {published[0]['kid']}")
    return 0


def _keys_export(args: argparse.Namespace) -> int:
    """Every signing key, retired ones too, to a new directory (for a Secret) or a PEM bundle."""
    from app.credentials import key_sources, signing
    from app.credentials.keys import KeyStoreError, write_private

    out = Path(args.path)
    try:
        keys = key_sources.KeySet(
            rsa=tuple(k.private_key for k in signing.keyring().keys),
            ed=tuple(k.private_key for k in signing.ed_keyring().keys),
        )
        if args.pem:
            if out.exists():
                raise KeyStoreError(f"{out} already exists: export to a new file")
            write_private(out, key_sources.to_pem_bundle(keys))
        else:
            key_sources.write_directory(keys, out)
    except KeyStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"exported {len(keys.rsa)} RSA and {len(keys.ed)} Ed25519 key(s) to {out} "
        "(private keys: keep it as safe as the key store)"
    )
    return 0


def _keys_import(args: argparse.Namespace) -> int:
    """Add exported keys to this machine's key store (QIA_KEYS_DIR)."""
    from app.core.config import get_settings
    from app.credentials import key_sources
    from app.credentials.keys import KeyStoreError

    try:
        keys = key_sources.read(Path(args.path))
        result = key_sources.import_into_store(keys, get_settings().keys_dir, force=args.force)
    except KeyStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    active = "now active" if result.activated else "active keys unchanged"
    print(f"imported {result.added} new key(s) into {get_settings().keys_dir}; {active}")
    return 0


def _outbox_deliver(_: argparse.Namespace) -> int:
    """Send every due email and task (xAPI statements) now, as the delivery loop does every few
    seconds."""
    import app.workers  # noqa: F401  (registers each task kind's sender)
    from app.core.config import get_settings
    from app.core.db import get_sessionmaker
    from app.outbox import service, worker
    from app.outbox.schemas import DeliveryReport
    from app.outbox.transport import transport_for

    settings = get_settings()
    factory = get_sessionmaker()
    transport = transport_for(settings)
    report = DeliveryReport()
    while True:  # one pass takes a batch; keep going while whole batches were waiting
        one = worker.deliver_due(factory, transport=transport, settings=settings)
        report.add(one)
        if one.claimed < service.BATCH:
            break
    while True:
        done = worker.deliver_tasks(factory)
        report.add(done)
        if done.claimed < service.BATCH:
            break
    purged = worker.purge(factory)
    for error in report.errors:
        print(error, file=sys.stderr)
    print(
        f"outbox: {report.sent} sent, {report.retrying} to retry later, {report.failed} failed "
        f"for good, {purged} old sent messages purged"
    )
    return 1 if report.retrying or report.failed else 0


DEMO_ACCOUNTS = [
    ("learner@demo.qi-academy.nhs.uk", "Demo Learner", "learner", "nursing_midwifery"),
    ("trainer@demo.qi-academy.nhs.uk", "Demo Trainer", "trainer", "allied_health_professionals"),
    ("leader@demo.qi-academy.nhs.uk", "Demo Leader", "leader", "medical_dental"),
    ("admin@demo.qi-academy.nhs.uk", "Demo Admin", "admin", "administrative_clerical"),
]


def _demo_password() -> str:
    return "-".join(secrets.choice(_WORDS) for _ in range(3)) + str(secrets.randbelow(90) + 10)


def _demo(args: argparse.Namespace) -> int:
    """Create the demo accounts once (dev only) and print their passwords; --show prints them again.

    Passwords are never stored in plain text, so --show gives the demo accounts new ones.
    """
    from sqlalchemy import select

    from app.accounts import service
    from app.accounts.constants import Role
    from app.accounts.models import User
    from app.core.config import get_settings
    from app.core.db import get_sessionmaker
    from app.core.security import hash_password

    if get_settings().env != "dev":
        print("demo accounts are created in dev only (QIA_ENV=dev)", file=sys.stderr)
        return 1
    shown = []
    with get_sessionmaker()() as session, session.begin():
        for email, name, role, group in DEMO_ACCOUNTS:
            user = session.scalar(select(User).where(User.email == email))
            if user is not None and not args.show:
                continue
            password = _demo_password()
            if user is None:
                service.create_user(
                    session,
                    email=email,
                    password=password,
                    full_name=name,
                    organisation="QI Academy Demo Trust",
                    staff_group=group,
                    roles=[Role(role)],
                )
            else:
                user.password_hash = hash_password(password)
            shown.append((email, role, password))
    if shown:
        print("Demo accounts (passwords are not stored; `qi-academy demo --show` gives new ones):")
        for email, role, password in shown:
            print(f"  {role:8} {email:36} {password}")
    else:
        print(
            "Demo accounts exist. To see them with new passwords: .venv/bin/qi-academy demo --show"
        )
    return 0


_WORDS = [
    "kettle",
    "harbour",
    "meadow",
    "lantern",
    "pebble",
    "violet",
    "walnut",
    "thistle",
    "orchard",
    "saddle",
    "copper",
    "willow",
    "biscuit",
    "canal",
    "heron",
    "maple",
    "quartz",
    "tundra",
]


def _gold_expire(_: argparse.Namespace) -> int:
    import app.models  # noqa: F401  (every mapper, as the server has)
    from app.gold import worker

    result = worker.sweep()
    print(
        f"gold: trainer role removed from {result.roles_removed}, "
        f"{result.reminders} expiry reminder(s) queued"
    )
    return 0


def _reports_refresh(args: argparse.Namespace) -> int:
    import app.models  # noqa: F401  (every mapper, as the server has)
    from app.core.db import get_sessionmaker
    from app.reports import service

    with get_sessionmaker()() as session, session.begin():
        result = service.refresh(session, full=args.full)
    scope = "every month" if result.from_month is None else f"from {result.from_month}"
    print(f"reports: rollups rebuilt {scope} in {result.duration_ms} ms")
    return 0


def _certificates_rerender(args: argparse.Namespace) -> int:
    """Make every stored certificate PDF again (tagged, with XMP), one transaction per batch."""
    import app.models  # noqa: F401  (every mapper, as the server has)
    from app.core.db import get_sessionmaker
    from app.credentials import rendering
    from app.main import load_catalogue

    load_catalogue()
    done, after = 0, None
    while True:
        with get_sessionmaker()() as session, session.begin():
            ids = rendering.rerender_stored(session, after=after, limit=args.batch)
        if not ids:
            break
        done, after = done + len(ids), ids[-1]
        print(f"certificates: {done} made again", flush=True)
    print(f"certificates: {done} stored certificates made again as tagged PDFs")
    return 0


def _worker(_: argparse.Namespace) -> int:
    """The background loops in their own process; set QIA_WORKERS_IN_APP=false on the web app."""
    import asyncio

    import app.events  # noqa: F401  (handlers wired: jobs publish events too)
    from app.main import load_catalogue
    from app.workers import serve_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    load_catalogue()
    asyncio.run(serve_forever())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qi-academy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    content = sub.add_parser(
        "content", help="check, measure and sync course content"
    ).add_subparsers(dest="action", required=True)
    content.add_parser(
        "check", help="validate every module; errors as file:line: what is wrong"
    ).set_defaults(func=_content_check)
    content.add_parser("quality", help="words, reading ease and the curriculum bar").set_defaults(
        func=_content_quality
    )
    content.add_parser("sync", help="record module versions in the database").set_defaults(
        func=_content_sync
    )
    export = content.add_parser("export-scorm", help="write one module as a SCORM 1.2 zip")
    export.add_argument("slug", help="the module's slug, e.g. pdsa-cycles")
    export.add_argument("--out", default=".", help="the folder to write the zip to (default: here)")
    export.set_defaults(func=_content_export_scorm)

    sub.add_parser("db", help="database").add_subparsers(dest="action", required=True).add_parser(
        "upgrade", help="apply migrations"
    ).set_defaults(func=_db_upgrade)

    users = sub.add_parser("users", help="manage users").add_subparsers(
        dest="action", required=True
    )
    create = users.add_parser("create", help="create a user non-interactively")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["learner", "trainer", "leader", "admin"])
    create.add_argument("--password", help="prompted for when omitted")
    create.add_argument("--organisation", default=None)
    create.add_argument("--staff-group", default="other")
    create.set_defaults(func=_users_create)

    keys = sub.add_parser("keys", help="credential signing keys").add_subparsers(
        dest="action", required=True
    )
    keys.add_parser("rotate", help="make a new active key; old keys stay published").set_defaults(
        func=_keys_rotate
    )
    keys.add_parser(
        "init", help="make the first key if there is none; else change nothing"
    ).set_defaults(func=_keys_init)
    export_keys = keys.add_parser(
        "export", help="write every key, retired ones too, to a new directory or PEM file"
    )
    export_keys.add_argument("path", help="a new directory (for a Secret), or a file with --pem")
    export_keys.add_argument(
        "--pem", action="store_true", help="one PEM bundle file (for QIA_SIGNING_KEYS_PEM)"
    )
    export_keys.set_defaults(func=_keys_export)
    import_keys = keys.add_parser("import", help="add exported keys to the key store")
    import_keys.add_argument("path", help="a directory or PEM file that keys export wrote")
    import_keys.add_argument(
        "--force", action="store_true", help="make the imported keys active even if others are"
    )
    import_keys.set_defaults(func=_keys_import)

    sub.add_parser("gold", help="Gold trainer certifications").add_subparsers(
        dest="action", required=True
    ).add_parser(
        "expire", help="remove the trainer role from lapsed Gold; remind those lapsing in 90 days"
    ).set_defaults(func=_gold_expire)

    sub.add_parser("outbox", help="email outbox").add_subparsers(
        dest="action", required=True
    ).add_parser("deliver", help="send every due email now, retrying failures later").set_defaults(
        func=_outbox_deliver
    )

    refresh = (
        sub.add_parser("reports", help="leaders' reports")
        .add_subparsers(dest="action", required=True)
        .add_parser("refresh", help="bring the report rollups up to date")
    )
    refresh.add_argument("--full", action="store_true", help="rebuild every month (nightly)")
    refresh.set_defaults(func=_reports_refresh)

    rerender = (
        sub.add_parser("certificates", help="certificate PDFs")
        .add_subparsers(dest="action", required=True)
        .add_parser("rerender", help="make every stored certificate again (tagged PDF, XMP)")
    )
    rerender.add_argument("--batch", type=int, default=100, help="credentials per transaction")
    rerender.set_defaults(func=_certificates_rerender)

    demo = sub.add_parser("demo", help="create demo accounts (dev only)")
    demo.add_argument("--show", action="store_true", help="print them again, with new passwords")
    demo.set_defaults(func=_demo)
    sub.add_parser(
        "worker", help="run the background jobs (outbox, report rollups, Gold sweep) alone"
    ).set_defaults(func=_worker)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
