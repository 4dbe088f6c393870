"""Credential timings: what issuing costs, and why certificates are stored rather than made per download.

Times, in-process on this machine (median and 95th percentile of --runs): making a Bronze CPD
certificate PDF and a CPD record PDF of 20 activities (both tagged PDF/UA-1, Typst); signing a credential (RS256, 3072-bit key); verifying one; baking it into the
PNG and the SVG badge; and through the app, downloading the stored certificate and issuing
(the last Bronze pass, which also makes and stores the certificate). Not a test: run it and copy
the table into bench/README.md under "Credentials".

    .venv/bin/python bench/credentials.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median and p95 wall-clock ms, and median CPU ms (which a busy machine inflates far less)."""
    fn()  # warm: fonts, key and artwork load once per process
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return summary(wall, cpu)


def summary(wall: list[float], cpu: list[float]) -> tuple[float, float, float]:
    ordered = sorted(wall)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(wall), p95, statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qia-bench-credentials-"))
    os.environ.update(
        {
            "QIA_ENV": "test",
            "QIA_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "QIA_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
            "QIA_BASE_URL": "http://testserver",
            "QIA_KEYS_DIR": str(work / "keys"),
        }
    )

    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from app.content.registry import load_or_fail
    from app.core.config import get_settings
    from app.core.db import get_engine
    from app.credentials import service
    from app.credentials.achievements import get_achievements
    from app.credentials.baking import bake_png, bake_svg
    from app.credentials.certificate import CpdActivity, certificate_pdf, cpd_record_pdf
    from app.credentials.openbadges import Holder, build_credential
    from app.credentials.vc_jwt import sign_credential, verify_jwt
    from app.main import create_app
    from app.progress import service as progress_service
    from tests.dbutil import migrate
    from tests.factories import answers, bearer, make_user

    migrate(os.environ["QIA_DATABASE_URL"])
    bronze = get_achievements()["bronze"]
    registry_modules = load_or_fail(get_settings().content_dir)
    modules = [
        CpdActivity(
            completed_on=date(2026, 11, 1),
            title=m.meta.title,
            tier="bronze",
            cpd_minutes=m.meta.cpd_minutes,
        )
        for m in registry_modules
        if m.tier == "bronze"
    ]
    base = get_settings().base_url
    ring = service.keyring()
    credential = build_credential(
        base_url=base,
        credential_id=uuid.uuid4(),
        achievement=bronze.definition(base_url=base),
        holder=Holder.from_email(
            subject_id=f"urn:uuid:{uuid.uuid4()}", email="a@example.org", display_name="Asha Patel"
        ),
        issuer=service.issuer(),
        valid_from=datetime.now(UTC),
    )
    token = sign_credential(credential, ring)
    png, svg = bronze.png.read_bytes(), bronze.image.read_bytes()
    rows: list[tuple[str, tuple[float, float, float]]] = [
        (
            "certificate PDF, made (engine: Typst, tagged PDF/UA-1)",
            timed(
                lambda: certificate_pdf(
                    learner_name=f"Asha Patel {uuid.uuid4()}",
                    achievement_name=bronze.name,
                    tier="bronze",
                    modules=modules,
                    issued_on=date(2026, 11, 21),
                    issuer_name="QI Academy",
                    certificate_id=str(uuid.uuid4()),
                    verification_url=f"{base}/verify/{uuid.uuid4()}",
                    badge_image=bronze.image,
                ),
                args.runs,
            ),
        ),
        (
            "CPD record PDF, 20 activities, made (engine: Typst, tagged PDF/UA-1)",
            timed(
                lambda: cpd_record_pdf(
                    learner_name=f"Asha Patel {uuid.uuid4()}",
                    activities=(modules * 20)[:20],
                    generated_on=date(2026, 11, 21),
                    issuer_name="QI Academy",
                ),
                args.runs,
            ),
        ),
        (
            "sign credential (RS256, 3072-bit)",
            timed(lambda: sign_credential(credential, ring), args.runs),
        ),
        (
            "verify credential (our verifier)",
            timed(lambda: verify_jwt(token, ring.jwks()), args.runs),
        ),
        ("bake PNG", timed(lambda: bake_png(png, credential=token), args.runs)),
        ("bake SVG", timed(lambda: bake_svg(svg, credential=token), args.runs)),
    ]

    app = create_app()
    with TestClient(app) as client:
        registry = app.state.content
        last = registry.tier("bronze")[-1]
        issue_wall: list[float] = []
        issue_cpu: list[float] = []
        pdf_urls: list[tuple[str, dict[str, str]]] = []
        for i in range(min(args.runs, 15)):
            with Session(get_engine()) as session, session.begin():
                user = make_user(session, email=f"bench{i}@example.nhs.uk")
                progress = progress_service.rows_for(session, user_id=user.id)
                for module in registry.tier("bronze")[:-1]:
                    progress_service.record_quiz_result(
                        session,
                        user_id=user.id,
                        module=module,
                        score=100,
                        passed=True,
                        rows=progress,
                    )
                email = user.email
            headers = bearer(client, email)
            start, start_cpu = time.perf_counter(), time.process_time()
            r = client.post(
                f"/api/v1/modules/{last.slug}/attempts",
                json={"answers": answers(last)},
                headers=headers,
            )
            issue_cpu.append((time.process_time() - start_cpu) * 1000)
            issue_wall.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 201, r.text
            listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
            pdf_urls.append((listed[0]["links"]["pdf"].removeprefix(base), headers))
        rows.append(
            ("last Bronze quiz pass, issuing included (app)", summary(issue_wall, issue_cpu))
        )
        url, headers = pdf_urls[0]
        rows.append(
            (
                "certificate PDF, stored, downloaded (app)",
                timed(lambda: client.get(url, headers=headers).raise_for_status(), args.runs),
            )
        )

    cpu = platform.processor() or platform.machine()
    print(
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite, "
        f"in-process, {args.runs} runs each.\n"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Load average while measuring: {load}.\n")
    print("| operation | median ms | p95 ms | median CPU ms |\n|---|---:|---:|---:|")
    for name, (p50, p95, cpu_ms) in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu_ms:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
