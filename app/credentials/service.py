"""Credentials: issue Open Badges once per learner and achievement, serve each form, verify, revoke."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit_service
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.core.events import publish
from app.credentials import openbadges as ob
from app.credentials.achievements import Achievement, get_achievements
from app.credentials.baking import bake_png, bake_svg
from app.credentials.certificate import (
    CpdActivity,
    certificate_pdf,
    cpd_record_csv,
    cpd_record_pdf,
    format_date,
)
from app.credentials.events import CredentialIssued, CredentialRevoked
from app.credentials.exceptions import HolderErased
from app.credentials.keys import KeyRing, SigningKey
from app.credentials.models import Credential, CredentialSubject
from app.credentials.schemas import (
    CheckPublic,
    CredentialLinks,
    CredentialPublic,
    IssuerPublic,
    Status,
    VerificationPublic,
)
from app.outbox import service as outbox_service
from app.progress import service as progress_service
from app.progress.models import ModuleProgress

log = logging.getLogger(__name__)


ISSUER_NAME = "QI Academy"
_EXTRA_CHECK_LABELS = {
    "record": "The credential matches QI Academy's record of it",
    "current": "This is the holder's current credential for this achievement",
}


# --- keys -----------------------------------------------------------------------------------


@dataclass
class _RingCache:
    stamp: tuple[str, str, int] | None = None
    ring: KeyRing | None = None


_ring_cache = _RingCache()
_ring_lock = threading.Lock()


def keyring() -> KeyRing:
    """The signing keys, created on first use and reloaded whenever the key directory changes.

    A rotation (`qi-academy keys rotate`, another process) renames files in the directory, which
    changes its mtime: every worker then publishes and signs with the new set without a restart.
    """
    settings = get_settings()
    with _ring_lock:
        stamp = (str(settings.keys_dir), settings.base_url, _dir_stamp(settings.keys_dir))
        if _ring_cache.ring is None or _ring_cache.stamp != stamp:
            ring = KeyRing.load(keys_dir=settings.keys_dir, base_url=settings.base_url)
            _ring_cache.ring = ring
            # Loading may have created the directory and a first key: stamp what is there now.
            _ring_cache.stamp = (
                str(settings.keys_dir),
                settings.base_url,
                _dir_stamp(settings.keys_dir),
            )
        return _ring_cache.ring


def _dir_stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def rotate_keys() -> SigningKey:
    """A new active signing key; the old ones stay published so their credentials still verify."""
    return keyring().rotate()


def jwks() -> dict[str, list[dict[str, str]]]:
    return keyring().jwks()


def public_key(thumbprint: str) -> dict[str, str]:
    key = keyring().by_thumbprint(thumbprint)
    if key is None:
        raise NotFound("QI Academy has no signing key with this id.")
    return key.public_jwk()


# --- achievements and issuer ----------------------------------------------------------------


def _base_url() -> str:
    return get_settings().base_url


def issuer() -> ob.IssuerProfile:
    return ob.IssuerProfile.qi_academy(base_url=_base_url())


def issuer_document() -> dict[str, Any]:
    return ob.issuer_document(issuer())


def achievement(slug: str) -> Achievement:
    found = get_achievements().get(slug)
    if found is None:
        raise NotFound(f"There is no achievement called '{slug[:40]}'.")
    return found


def achievement_for_tier(tier: str) -> Achievement:
    for candidate in get_achievements().values():
        if candidate.tier == tier:
            return candidate
    raise NotFound(f"There is no achievement for the {tier[:20]} tier.")


def achievement_document(slug: str) -> dict[str, Any]:
    definition = achievement(slug).definition(base_url=_base_url())
    return ob.achievement_document(definition, base_url=_base_url())


def achievement_image(slug: str, *, kind: str) -> Path:
    found = achievement(slug)
    return found.png if kind == "png" else found.image


# --- reading credentials --------------------------------------------------------------------


def get(session: Session, *, credential_id: uuid.UUID, load: Sequence[str] = ()) -> Credential:
    """One credential by id, with the named deferred columns (document, jwt, certificate_pdf)."""
    options = [undefer(getattr(Credential, name)) for name in load]
    found = session.scalar(
        select(Credential).where(Credential.id == credential_id).options(*options)
    )
    if found is None:
        raise NotFound(
            "No QI Academy credential has this id. Check the link: it should end with the "
            "credential id exactly as it was shared."
        )
    return found


def holder_erased(session: Session, *, credential: Credential) -> bool:
    """Whether the holder deleted their account: then their name and the forms that carry it
    (JSON, JWT, badges, certificate) are no longer shown, though the record still verifies."""
    deleted_at = session.scalar(select(User.deleted_at).where(User.id == credential.user_id))
    return deleted_at is not None


def check_published(session: Session, *, credential: Credential) -> None:
    if holder_erased(session, credential=credential):
        raise HolderErased()


def status_of(credential: Credential, *, now: datetime) -> Status:
    if credential.status == "revoked":
        return "revoked"
    if credential.status == "superseded":
        return "superseded"
    if credential.valid_until is not None and as_utc(credential.valid_until) <= now:
        return "expired"
    return "active"


def links(credential_id: uuid.UUID) -> CredentialLinks:
    url = ob.credential_url(base_url=_base_url(), credential_id=credential_id)
    return CredentialLinks(
        json_=url,
        jwt=f"{url}.jwt",
        png=f"{url}.png",
        svg=f"{url}.svg",
        pdf=f"{url}.pdf",
        verify=ob.verification_url(base_url=_base_url(), credential_id=credential_id),
    )


def to_public(credential: Credential, *, now: datetime) -> CredentialPublic:
    definition = get_achievements().get(credential.achievement)
    return CredentialPublic(
        id=credential.id,
        achievement=credential.achievement,
        achievement_name=definition.name if definition else credential.achievement,
        tier=definition.tier if definition else "",
        cpd_hours=definition.cpd_hours if definition else 0.0,
        issued_at=as_utc(credential.issued_at),
        awarded_at=as_utc(credential.awarded_at),
        valid_until=as_utc(credential.valid_until) if credential.valid_until else None,
        status=status_of(credential, now=now),
        revocation_reason=credential.revocation_reason,
        links=links(credential.id),
    )


def list_for_user(session: Session, *, user_id: int) -> list[CredentialPublic]:
    """Every credential a learner holds or held, newest first: one query."""
    now = utcnow()
    rows = session.scalars(
        select(Credential)
        .where(Credential.user_id == user_id)
        .order_by(Credential.issued_at.desc(), Credential.id)
    )
    return [to_public(row, now=now) for row in rows]


# --- issuing --------------------------------------------------------------------------------


def subject_id_for(session: Session, *, user_id: int) -> str:
    """The learner's credentialSubject.id: made once, the same in every credential they hold."""
    query = select(CredentialSubject.subject_id).where(CredentialSubject.user_id == user_id)
    existing = session.scalar(query)
    if existing is not None:
        return existing
    row = CredentialSubject(
        user_id=user_id, subject_id=f"urn:uuid:{uuid.uuid4()}", created_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same learner's first two credentials at the same moment
        return session.scalars(query).one()
    return row.subject_id


def _active(session: Session, *, user_id: int, slug: str) -> Credential | None:
    return session.scalar(
        select(Credential).where(
            Credential.user_id == user_id,
            Credential.achievement == slug,
            Credential.status == "active",
        )
    )


def earned_modules(
    registry: ContentRegistry, rows: dict[int, ModuleProgress], tier: str
) -> list[dict[str, Any]]:
    """The completed modules of a tier as the credential records them (its certificate's table)."""
    earned = []
    for module in registry.tier(tier):
        row = rows.get(module.module_id)
        if row is None or row.completed_at is None:
            continue
        earned.append(
            {
                "slug": module.slug,
                "title": module.meta.title,
                "tier": module.tier,
                "version_id": row.completed_version_id,
                "completed_at": ob.format_datetime(as_utc(row.completed_at)),
                "cpd_minutes": row.cpd_minutes if row.cpd_minutes is not None else 0,
            }
        )
    return earned


def _from_activities(activities: Sequence[CpdActivity]) -> list[dict[str, Any]]:
    return [
        {
            "slug": None,
            "title": a.title,
            "tier": a.tier,
            "version_id": None,
            "completed_at": ob.format_datetime(
                datetime.combine(a.completed_on, datetime.min.time(), UTC)
            ),
            "cpd_minutes": a.cpd_minutes,
        }
        for a in activities
    ]


def _basis(modules: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """What makes two awards the same: the same module versions (not when they were passed)."""
    return sorted((str(m.get("slug")), int(m.get("version_id") or 0)) for m in modules)


def same_basis(credential: Credential, modules: Sequence[dict[str, Any]]) -> bool:
    """Whether `credential` records exactly these module versions."""
    return _basis(credential.modules) == _basis(modules)


def history(session: Session, *, user_id: int, slug: str) -> list[Credential]:
    """Every credential of one achievement a learner has held, newest first."""
    return list(
        session.scalars(
            select(Credential)
            .where(Credential.user_id == user_id, Credential.achievement == slug)
            .order_by(Credential.issued_at.desc())
        )
    )


def _activities(modules: Sequence[dict[str, Any]]) -> list[CpdActivity]:
    return [
        CpdActivity(
            completed_on=ob.parse_datetime(m["completed_at"]).date(),
            title=m["title"],
            tier=m["tier"],
            cpd_minutes=int(m["cpd_minutes"]),
        )
        for m in modules
    ]


class _Superseded(Exception):
    """Another request superseded the same credential first."""


def issue(
    session: Session,
    *,
    user_id: int,
    achievement_slug: str,
    registry: ContentRegistry,
    reissue: bool = False,
    activities: Sequence[CpdActivity] | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Credential:
    """Issue `achievement_slug` to a learner; the caller has checked they earned it.

    Idempotent: with an active credential for the achievement already, returns it unchanged,
    unless `reissue` (renewal, or re-completion after content changed), which issues a new one
    and marks the old one superseded. Race-safe: a partial unique index allows one active
    credential per learner and achievement; a request that loses the race returns the winner's.
    `activities` is what the certificate lists (default: the learner's completed modules in the
    achievement's tier). `actor_id` is who awarded it, for the audit log (None: automatic).
    Only flushes; the caller's unit of work commits.
    """
    definition = achievement(achievement_slug)
    current = _active(session, user_id=user_id, slug=definition.slug)
    if current is not None and not reissue:
        return current
    if activities is not None:
        modules = _from_activities(activities)
    else:
        rows = progress_service.rows_for(session, user_id=user_id)
        modules = earned_modules(registry, rows, definition.tier)
    return create(
        session,
        user_id=user_id,
        definition=definition,
        modules=modules,
        current=current,
        actor_id=actor_id,
        now=now,
    )


def create(
    session: Session,
    *,
    user_id: int,
    definition: Achievement,
    modules: list[dict[str, Any]],
    current: Credential | None,
    actor_id: int | None,
    now: datetime | None,
) -> Credential:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no learner with that id.")
    base_url = _base_url()
    issued_at = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    awarded_at = as_utc(current.awarded_at) if current is not None else issued_at
    valid_until = definition.valid_until(issued_at)
    credential_id = uuid.uuid4()
    holder = ob.Holder.from_email(
        subject_id=subject_id_for(session, user_id=user_id),
        email=user.email,
        display_name=user.full_name,
    )
    document = ob.build_credential(
        base_url=base_url,
        credential_id=credential_id,
        achievement=definition.definition(base_url=base_url),
        holder=holder,
        issuer=issuer(),
        valid_from=issued_at,
        valid_until=valid_until,
        awarded_at=awarded_at,
    )
    row = Credential(
        id=credential_id,
        user_id=user_id,
        achievement=definition.slug,
        status="active",
        holder_name=user.full_name,
        issued_at=issued_at,
        valid_until=valid_until,
        awarded_at=awarded_at,
        modules=modules,
        supersedes_id=current.id if current is not None else None,
        document=document,
        jwt=ob.sign_credential(document, keyring()),
    )
    try:
        with session.begin_nested():
            if current is not None:
                # Conditional, so two renewals at once cannot both supersede the same credential.
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(Credential)
                        .where(Credential.id == current.id, Credential.status == "active")
                        .values(status="superseded")
                    ),
                )
                if result.rowcount != 1:
                    raise _Superseded()
            session.add(row)
    except (IntegrityError, _Superseded):
        winner = _active(session, user_id=user_id, slug=definition.slug)
        if winner is None:
            raise Conflict(
                "Another change to this learner's credentials happened at the same moment. "
                "Try again."
            ) from None
        return winner
    # Only the request that won makes the certificate; it is served from the row from now on.
    row.certificate_pdf = render_certificate(row, definition=definition)
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="credential.issue",
        target_type="credential",
        target_id=str(credential_id),
        detail={
            "user_id": user_id,
            "achievement": definition.slug,
            "supersedes": str(current.id) if current is not None else None,
        },
    )
    _email_holder(session, user=user, credential=row, definition=definition)
    log.info("issued %s credential %s to user %s", definition.slug, credential_id, user_id)
    publish(
        session,
        CredentialIssued(
            credential_id=credential_id,
            user_id=user_id,
            achievement=definition.slug,
            supersedes_id=current.id if current is not None else None,
        ),
    )
    return row


def _email_holder(
    session: Session, *, user: User, credential: Credential, definition: Achievement
) -> None:
    """Tell the holder their credential is ready: queued, so sent only if the issue commits."""
    base_url = _base_url()
    expiry = (
        f"It is valid until {as_utc(credential.valid_until):%d %B %Y}.\n\n"
        if credential.valid_until is not None
        else ""
    )
    body = (
        f"Hello {user.full_name},\n\nCongratulations: you have earned {definition.name}, "
        f"worth {definition.cpd_hours:g} CPD hours. {expiry}"
        f"Download your CPD certificate (PDF), your badge, and the signed credential for a "
        f"digital wallet or staff passport from My achievements:\n{base_url}/achievements\n\n"
        f"Anyone can check it, without an account, here:\n{base_url}/verify/{credential.id}\n\n"
        "QI Academy\n"
    )
    try:
        outbox_service.enqueue(
            session, to=user.email, subject=f"You have earned {definition.name}", body=body
        )
    except InvalidInput:  # an address the outbox cannot send to must not undo the award
        log.warning("no credential email for user %s: unusable address", user.id)


# --- the forms a credential is served in ----------------------------------------------------


def render_certificate(credential: Credential, *, definition: Achievement) -> bytes:
    return certificate_pdf(
        learner_name=credential.holder_name,
        achievement_name=definition.name,
        tier=definition.tier,
        modules=_activities(credential.modules),
        issued_on=as_utc(credential.issued_at).date(),
        issuer_name=ISSUER_NAME,
        certificate_id=str(credential.id),
        verification_url=ob.verification_url(base_url=_base_url(), credential_id=credential.id),
        badge_image=definition.png,
    )


def certificate(session: Session, *, credential: Credential) -> bytes:
    """The stored certificate PDF (made again only if making it at issue failed)."""
    stored = session.scalar(
        select(Credential.certificate_pdf).where(Credential.id == credential.id)
    )
    if stored is not None:
        return stored
    return render_certificate(credential, definition=achievement(credential.achievement))


@lru_cache(maxsize=16)
def _artwork(path: Path) -> bytes:
    return path.read_bytes()


def baked(credential: Credential, *, kind: str) -> bytes:
    """The badge image with the signed credential inside it (OB 3.0 baking), PNG or SVG."""
    definition = achievement(credential.achievement)
    if kind == "png":
        return bake_png(_artwork(definition.png), credential=credential.jwt)
    return bake_svg(_artwork(definition.image), credential=credential.jwt)


def download_name(credential: Credential, *, suffix: str) -> str:
    return f"qi-academy-{credential.achievement}-{credential.id}.{suffix}"


# --- status list and verification -----------------------------------------------------------


def revocation_list(session: Session) -> dict[str, Any]:
    """The 1EdTech revocation list every credential's credentialStatus points at."""
    base_url = _base_url()
    revoked = session.execute(
        select(Credential.id, Credential.revocation_reason).where(Credential.status == "revoked")
    )
    entries = [
        ob.RevocationEntry(
            credential_id=ob.credential_url(base_url=base_url, credential_id=cid),
            revoked=True,
            reason=reason,
        )
        for cid, reason in revoked
    ]
    return ob.build_revocation_list(base_url=base_url, issuer_id=issuer().id, entries=entries)


def verify(
    session: Session, *, credential_id: uuid.UUID, now: datetime | None = None
) -> VerificationPublic:
    """Check the stored signed credential against the published keys and revocation list."""
    credential = get(session, credential_id=credential_id, load=("jwt",))
    now = now or utcnow()
    result = ob.verify_jwt(
        credential.jwt, jwks(), now=now, revocation_list=revocation_list(session)
    )
    return _verification(session, result=result, credential=credential, now=now)


def verify_token(
    session: Session, *, token: str, now: datetime | None = None
) -> VerificationPublic:
    """Check a credential someone was given (a VC-JWT) and look up what QI Academy knows of it."""
    now = now or utcnow()
    result = ob.verify_jwt(token, jwks(), now=now, revocation_list=revocation_list(session))
    credential = None
    if result.credential is not None:  # only a payload whose signature verified is looked up
        credential_id = _credential_id(result.credential.get("id"))
        if credential_id is not None:
            credential = session.get(Credential, credential_id)
    return _verification(session, result=result, credential=credential, now=now)


def _credential_id(url: Any) -> uuid.UUID | None:
    prefix = f"{ob.credential_url(base_url=_base_url(), credential_id=uuid.UUID(int=0))[:-36]}"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    try:
        return uuid.UUID(url[len(prefix) :])
    except ValueError:
        return None


def _verification(
    session: Session,
    *,
    result: ob.VerificationResult,
    credential: Credential | None,
    now: datetime,
) -> VerificationPublic:
    checks = [
        CheckPublic(name=c.name, label=c.label, passed=c.passed, detail=c.detail)
        for c in result.checks
    ]
    profile = issuer()
    issuer_public = IssuerPublic(id=profile.id, name=profile.name, url=profile.url)
    if credential is None:
        checks.append(_check("record", False, "QI Academy has no record of this credential"))
        return VerificationPublic(
            id=None,
            valid=False,
            status=None,
            reason=_first_failure(checks),
            holder_name=None,
            achievement=None,
            achievement_name=None,
            issued_at=None,
            valid_until=None,
            issuer=issuer_public,
            checks=checks,
        )
    checks.append(_record_check(credential, result.credential))
    status = status_of(credential, now=now)
    replaced_by = None
    if status == "superseded":
        newer = session.scalar(
            select(Credential.id).where(Credential.supersedes_id == credential.id)
        )
        if newer is not None:
            replaced_by = ob.verification_url(base_url=_base_url(), credential_id=newer)
        checks.append(_check("current", False, "replaced by a newer credential"))
    else:
        checks.append(_check("current", True, "not replaced"))
    valid = all(c.passed for c in checks) and status == "active"
    definition = get_achievements().get(credential.achievement)
    erased = holder_erased(session, credential=credential)
    return VerificationPublic(
        id=credential.id,
        valid=valid,
        status=status,
        reason=None if valid else _reason(credential, status=status, checks=checks),
        holder_name=None if erased else credential.holder_name,
        achievement=credential.achievement,
        achievement_name=definition.name if definition else credential.achievement,
        issued_at=as_utc(credential.issued_at),
        valid_until=as_utc(credential.valid_until) if credential.valid_until else None,
        revoked_at=as_utc(credential.revoked_at) if credential.revoked_at else None,
        replaced_by=replaced_by,
        issuer=issuer_public,
        checks=checks,
    )


def _check(name: str, passed: bool, detail: str) -> CheckPublic:
    return CheckPublic(name=name, label=_EXTRA_CHECK_LABELS[name], passed=passed, detail=detail)


def _record_check(credential: Credential, payload: dict[str, Any] | None) -> CheckPublic:
    if payload is None:
        return _check("record", False, "not checked: the signature did not verify")
    base_url = _base_url()
    expected_id = ob.credential_url(base_url=base_url, credential_id=credential.id)
    expected_achievement = ob.achievement_url(base_url=base_url, slug=credential.achievement)
    subject = payload.get("credentialSubject")
    got_achievement = (
        subject.get("achievement", {}).get("id") if isinstance(subject, dict) else None
    )
    if payload.get("id") != expected_id or got_achievement != expected_achievement:
        return _check(
            "record", False, "the signed credential is not the one recorded under this id"
        )
    return _check("record", True, "id and achievement match")


def _first_failure(checks: Sequence[CheckPublic]) -> str | None:
    failed = next((c for c in checks if not c.passed), None)
    return f"{failed.label}: no ({failed.detail})" if failed else None


def _reason(credential: Credential, *, status: Status, checks: Sequence[CheckPublic]) -> str | None:
    token_checks = [c for c in checks if c.name not in ("status", "expiry", "current")]
    broken = _first_failure(token_checks)
    if broken:
        return broken
    if status == "revoked":
        return credential.revocation_reason
    if status == "expired" and credential.valid_until is not None:
        return f"This credential expired on {format_date(as_utc(credential.valid_until).date())}."
    if status == "superseded":
        return "This credential was replaced by a newer one for the same achievement."
    return _first_failure(checks)


# --- revoking -------------------------------------------------------------------------------


def may_manage(session: Session, *, actor: User | None, holder_id: int) -> bool:
    """Admins manage every credential; a leader those of learners in their own organisation."""
    if actor is None:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    if not actor.has_role(Role.LEADER) or actor.organisation_id is None:
        return False
    holder_org = session.scalar(select(User.organisation_id).where(User.id == holder_id))
    return holder_org == actor.organisation_id


def may_revoke(session: Session, *, actor: User | None, credential_id: uuid.UUID) -> bool:
    """Whether to offer `actor` the revoke button on a credential's verification page."""
    if actor is None or not actor.has_role(Role.ADMIN, Role.LEADER):
        return False  # most viewers: no query
    holder_id = session.scalar(
        select(Credential.user_id).where(
            Credential.id == credential_id, Credential.status != "revoked"
        )
    )
    return holder_id is not None and may_manage(session, actor=actor, holder_id=holder_id)


def check_may_manage(session: Session, *, actor: User, credential: Credential) -> None:
    if not may_manage(session, actor=actor, holder_id=credential.user_id):
        raise Forbidden(
            "Only an admin, or a leader in the holder's organisation, can manage this credential."
        )


def revoke(session: Session, *, credential: Credential, actor: User, reason: str) -> Credential:
    """Revoke for good, with the reason verifiers will see; recorded in the audit log."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Enter the reason for revoking this credential.", field="reason")
    previous = credential.status
    now = utcnow()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Credential)
            .where(Credential.id == credential.id, Credential.status != "revoked")
            .values(
                status="revoked", revoked_at=now, revoked_by_id=actor.id, revocation_reason=reason
            )
        ),
    )
    if result.rowcount != 1:
        raise Conflict("This credential has already been revoked.")
    audit_service.record(
        session,
        actor_id=actor.id,
        action="credential.revoke",
        target_type="credential",
        target_id=str(credential.id),
        detail={
            "reason": reason,
            "holder_user_id": credential.user_id,
            "achievement": credential.achievement,
            "previous_status": previous,
        },
    )
    publish(
        session,
        CredentialRevoked(
            credential_id=credential.id,
            user_id=credential.user_id,
            achievement=credential.achievement,
            actor_id=actor.id,
            reason=reason,
        ),
    )
    return credential


# --- CPD record -----------------------------------------------------------------------------


def cpd_activities(
    session: Session, *, user_id: int, registry: ContentRegistry
) -> list[CpdActivity]:
    """Everything the learner completed, oldest first, with the CPD it was worth when passed."""
    activities = []
    for row in progress_service.rows_for(session, user_id=user_id).values():
        if row.completed_at is None:
            continue
        module = registry.by_id(row.module_id)
        activities.append(
            CpdActivity(
                completed_on=as_utc(row.completed_at).date(),
                title=module.meta.title if module else "A module no longer offered",
                tier=module.tier if module else "",
                cpd_minutes=row.cpd_minutes or 0,
            )
        )
    return sorted(activities, key=lambda a: (a.completed_on, a.title))


def cpd_record(
    session: Session, *, user_id: int, full_name: str, registry: ContentRegistry, kind: str
) -> bytes:
    activities = cpd_activities(session, user_id=user_id, registry=registry)
    if kind == "csv":
        return cpd_record_csv(activities=activities)
    return cpd_record_pdf(
        learner_name=full_name,
        activities=activities,
        generated_on=utcnow().date(),
        issuer_name=ISSUER_NAME,
    )


def cpd_record_name(*, kind: str, on: date | None = None) -> str:
    return f"qi-academy-cpd-record-{(on or utcnow().date()).isoformat()}.{kind}"
