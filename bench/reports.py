"""Leaders' report timings at scale: generate learners, progress, attempts and credentials on
PostgreSQL with set-based SQL, then time every report query (median of 5) and show its plan.

    .venv/bin/python bench/reports.py                      # 1,000,000 learners, 20,000,000 rows
    .venv/bin/python bench/reports.py --learners 100000    # a smaller run
    .venv/bin/python bench/reports.py --reuse              # time again without regenerating

Writes the timings to bench/README.md under "Reports at 1M learners" (only that section) and the
EXPLAIN (ANALYZE, BUFFERS) plans to bench/evidence/reports_explain.txt.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QIA_ENV", "test")
os.environ.setdefault("QIA_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import Engine, create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import app.models  # noqa: E402, F401
from app.content import service as content_service  # noqa: E402
from app.content.registry import load_or_fail  # noqa: E402
from app.core.config import get_settings  # noqa: E402
from app.core.db import make_engine, utcnow  # noqa: E402
from app.gold import service as gold_service  # noqa: E402
from app.reports import lineage, service  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/qia_reports_bench"
README = ROOT / "bench" / "README.md"
EXPLAIN = ROOT / "bench" / "evidence" / "reports_explain.txt"
HEADING = "## Reports at 1M learners"
ORGS = 200
REGIONS = [
    "London",
    "South East",
    "South West",
    "Midlands",
    "East of England",
    "North East and Yorkshire",
    "North West",
]
STAFF = [
    "add_prof_scientific_technical",
    "additional_clinical_services",
    "administrative_clerical",
    "allied_health_professionals",
    "estates_ancillary",
    "healthcare_scientists",
    "medical_dental",
    "nursing_midwifery",
    "students",
    "social_care",
    "other",
]
DAYS = 3 * 365  # learners registered over three years


def _recreate(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def _step(conn: Any, label: str, sql: str, **params: Any) -> None:
    started = time.perf_counter()
    result = conn.execute(text(sql), params)
    print(
        f"  {label:28} {result.rowcount:>11,} rows {time.perf_counter() - started:7.1f} s",
        flush=True,
    )


BULK_TABLES = ("user_account", "module_progress", "quiz_attempt", "credential")


def _drop_indexes(conn: Any) -> list[str]:
    """Secondary indexes of the bulk tables: dropped for the load, rebuilt once after it."""
    rows = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "LEFT JOIN pg_constraint c ON c.conname = i.indexname "
            "WHERE i.schemaname = 'public' AND i.tablename = ANY(CAST(:t AS text[])) "
            "AND c.conname IS NULL"
        ),
        {"t": list(BULK_TABLES)},
    ).all()
    for name, _ in rows:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]


def generate(engine: Engine, *, learners: int, per_learner: int) -> None:
    """Set-based inserts: each table is one INSERT ... SELECT over generate_series."""
    with Session(engine) as session, session.begin():
        registry = content_service.sync(session, modules=load_or_fail(get_settings().content_dir))
    module_ids = [m.module_id for m in registry.all()]
    progress_modules = module_ids[: max(per_learner, 1)]
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        # The rows are made consistent by construction: skip the per-row foreign-key triggers.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        indexes = _drop_indexes(conn)
        _step(
            conn,
            "organisation",
            "INSERT INTO organisation (name, name_key, kind, region, created_at) "
            "SELECT 'Trust ' || g, 'trust ' || g, 'nhs_trust', (CAST(:regions AS text[]))[1 + g % 7], now() "
            "FROM generate_series(1, :n) g",
            n=ORGS,
            regions=REGIONS,
        )
        _step(
            conn,
            "user_account",
            "INSERT INTO user_account (email, full_name, organisation_id, staff_group, is_active, "
            "token_version, created_at) "
            "SELECT 'learner' || g || '@bench.nhs.uk', 'Learner ' || g, 1 + (g * 7919) % :orgs, "
            "(CAST(:staff AS text[]))[1 + ((g * 31) % 11)::int], true, 0, "
            "now() - make_interval(days => ((g * 37) % :days)::int, secs => (g * 13) % 86400) "
            "FROM generate_series(1::bigint, :n) g",
            n=learners,
            orgs=ORGS,
            staff=STAFF,
            days=DAYS,
        )
        # Progress: per learner, the first `per_learner` modules in curriculum order; about
        # seven in ten completed, later modules less often (a realistic drop-off).
        _step(
            conn,
            "module_progress",
            "INSERT INTO module_progress (user_id, module_id, status, last_section, best_score, "
            "started_at, updated_at, completed_at, cpd_minutes) "
            "SELECT u.id, m.id, CASE WHEN c THEN 'completed' ELSE 'in_progress' END, 1, "
            "CASE WHEN c THEN 80 + (u.id + m.k) % 21 ELSE 40 END, "
            "u.created_at, u.created_at + make_interval(days => m.k * 3), "
            "CASE WHEN c THEN u.created_at + make_interval(days => m.k * 3) END, "
            "CASE WHEN c THEN 30 END "
            "FROM user_account u "
            "CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM module "
            "            WHERE id = ANY(CAST(:mods AS int[]))) m "
            "CROSS JOIN LATERAL (SELECT ((u.id * 17 + m.k * 11) % 100) < 90 - m.k * 4 AS c) x",
            mods=progress_modules,
        )
        # Attempts: `per_learner` per learner across the same modules, 65% pass.
        _step(
            conn,
            "quiz_attempt",
            "INSERT INTO quiz_attempt (user_id, module_id, module_version_id, score, passed, "
            "answers, created_at) "
            "SELECT u.id, m.id, v.id, s.score, s.score >= 80, '{}'::json, "
            "u.created_at + make_interval(days => m.k * 3, secs => m.k * 60) "
            "FROM user_account u "
            "CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM module "
            "            WHERE id = ANY(CAST(:mods AS int[]))) m "
            "JOIN (SELECT module_id, max(id) AS id FROM module_version GROUP BY module_id) v "
            "  ON v.module_id = m.id "
            "CROSS JOIN LATERAL (SELECT 40 + ((u.id * 29 + m.k * 7) % 61) AS score) s",
            mods=progress_modules,
        )
        # Credentials: Bronze for 40% of learners, Silver for 5%, Gold for 0.5%.
        for achievement, modulo, share in (
            ("bronze", 100, 40),
            ("silver", 100, 5),
            ("gold", 1000, 5),
        ):
            _step(
                conn,
                f"credential ({achievement})",
                "INSERT INTO credential (id, user_id, achievement, status, holder_name, issued_at, "
                "valid_until, awarded_at, modules, document, jwt) "
                "SELECT gen_random_uuid(), u.id, CAST(:a AS varchar), 'active', u.full_name, "
                "u.created_at + interval '40 days', "
                "CASE WHEN CAST(:a AS varchar) = 'gold' THEN u.created_at + interval '3 years 40 days' END, "
                "u.created_at + interval '40 days', '[]'::json, '{}'::json, '' "
                "FROM user_account u WHERE (u.id * 53) % :modulo < :share "
                "AND u.created_at + interval '40 days' < now()",
                a=achievement,
                modulo=modulo,
                share=share,
            )
        cohorts = max(learners // 500, 10)
        _step(
            conn,
            "cohort",
            "INSERT INTO cohort (name, kind, organisation_id, starts_on, ends_on, capacity, "
            "attendance_required, invite_code, invite_expires_at, created_at) "
            "SELECT 'Cohort ' || g, 'individuals', 1 + g % :orgs, "
            "current_date - (g * 7) % :days, current_date - (g * 7) % :days + 120, 40, 75, "
            "'bench' || g, now(), now() FROM generate_series(1, :n) g",
            n=cohorts,
            orgs=ORGS,
            days=DAYS,
        )
        _step(
            conn,
            "cohort_trainer",
            "INSERT INTO cohort_trainer (cohort_id, user_id, role, added_at) "
            "SELECT c.id, 1 + (c.id * 97) % :n, 'lead', now() FROM cohort c "
            "UNION ALL SELECT c.id, 1 + (c.id * 89 + 1) % :n, 'co', now() FROM cohort c",
            n=min(learners, 5000),
        )
        _step(
            conn,
            "enrolment",
            "INSERT INTO enrolment (cohort_id, user_id, status, enrolled_at) "
            "SELECT 1 + (u.id % :cohorts), u.id, 'active', u.created_at FROM user_account u "
            "WHERE (u.id * 53) % 100 < 8",
            cohorts=cohorts,
        )
        started = time.perf_counter()
        for definition in indexes:
            conn.execute(text(definition))
        print(
            f"  {len(indexes)} indexes rebuilt {time.perf_counter() - started:27.1f} s", flush=True
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _statements(engine: Engine, fn: Callable[[], Any]) -> list[tuple[str, Any]]:
    captured: list[tuple[str, Any]] = []

    def on(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", on)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", on)
    return captured


def measure(engine: Engine) -> list[tuple[str, float, int]]:
    session = Session(engine)
    today = utcnow().date()
    year = service.filters(organisation_id=None, staff_group=None, date_from=None, date_to=None)
    org = service.filters(organisation_id=7, staff_group=None, date_from=None, date_to=None)
    staff = service.filters(
        organisation_id=None, staff_group="nursing_midwifery", date_from=None, date_to=None
    )
    three = service.filters(
        organisation_id=None,
        staff_group=None,
        date_from=today - timedelta(days=DAYS),
        date_to=today,
    )
    started = time.perf_counter()
    with Session(engine) as s, s.begin():
        service.refresh(s, full=True)
    full_ms = (time.perf_counter() - started) * 1000
    print(f"  {'rollups: full rebuild':36} {full_ms:8.1f} ms", flush=True)

    def incremental() -> None:
        """A busy minute's new activity (100 registrations, 2,000 attempts), then a refresh."""
        with Session(engine) as s, s.begin():
            s.execute(
                text(
                    "INSERT INTO user_account (email, full_name, organisation_id, staff_group, "
                    "is_active, token_version, created_at) SELECT 'new' || gen_random_uuid() || "
                    "'@bench.nhs.uk', 'New learner', 1 + g % 200, 'other', true, 0, now() "
                    "FROM generate_series(1, 100) g"
                )
            )
            s.execute(
                text(
                    "INSERT INTO quiz_attempt (user_id, module_id, module_version_id, score, "
                    "passed, answers, created_at) SELECT 1 + g * 397 % 1000000, v.module_id, v.id, "
                    "70 + g % 31, 70 + g % 31 >= 80, '{}'::json, now() "
                    "FROM generate_series(1, 2000) g JOIN (SELECT module_id, max(id) AS id FROM "
                    "module_version GROUP BY module_id ORDER BY module_id LIMIT 1) v ON true"
                )
            )
        with Session(engine) as s, s.begin():
            service.refresh(s)

    reports: list[tuple[str, Callable[[], Any]]] = [
        ("summary (12 months)", lambda: service.summary(session, year)),
        ("registrations (12 months)", lambda: service.registrations(session, year)),
        ("registrations (3 years)", lambda: service.registrations(session, three)),
        ("registrations (one organisation)", lambda: service.registrations(session, org)),
        ("completions (12 months)", lambda: service.completions(session, year)),
        ("completions (one staff group)", lambda: service.completions(session, staff)),
        ("funnel (12 months)", lambda: service.funnel(session, year)),
        ("funnel (one organisation)", lambda: service.funnel(session, org)),
        ("cohorts running (12 months)", lambda: service.cohorts_running(session, year)),
        ("projects signed off", lambda: service.projects(session, year)),
        ("quiz pass rates (12 months)", lambda: service.quiz_pass_rates(session, year)),
        ("quiz pass rates (one organisation)", lambda: service.quiz_pass_rates(session, org)),
        ("trainer lineage", lambda: lineage.lineage(session)),
        ("trainer directory", lambda: gold_service.directory(session)),
        ("background: incremental rollup refresh after a busy minute (every minute)", incremental),
    ]
    results = []
    plans = []
    for name, fn in reports:
        fn()  # warm the cache, as a dashboard in use would be
        times = []
        for _ in range(5):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
        statements = _statements(engine, fn)
        results.append((name, statistics.median(times), len(statements)))
        print(
            f"  {name:36} {statistics.median(times):8.1f} ms  ({len(statements)} queries)",
            flush=True,
        )
        with engine.connect() as conn:
            for statement, params in statements:
                plan = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                ).scalars()
                plans.append(f"== {name}\n{statement}\n\n" + "\n".join(plan) + "\n")
    session.close()
    results.append(("background: full rollup rebuild (daily)", full_ms, 0))
    EXPLAIN.parent.mkdir(parents=True, exist_ok=True)
    EXPLAIN.write_text("\n".join(plans))
    return results


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in (
                "user_account",
                "module_progress",
                "quiz_attempt",
                "credential",
                "cohort",
                "enrolment",
            )
        }


def write_readme(
    results: list[tuple[str, float, int]], rows: dict[str, int], seconds: float | None
) -> str:
    scale = (
        f"{rows['user_account']:,} learners, {rows['module_progress']:,} progress rows and "
        f"{rows['quiz_attempt']:,} quiz attempts ({rows['module_progress'] + rows['quiz_attempt']:,} "
        f"progress + attempt rows), {rows['credential']:,} credentials, {rows['cohort']:,} cohorts, "
        f"{rows['enrolment']:,} enrolments"
    )
    lines = [
        HEADING,
        "",
        "`bench/reports.py` generates the data on PostgreSQL with set-based SQL (`INSERT ... SELECT "
        "generate_series`) into its own database, then times each report's service call (every SQL "
        "statement it runs, plus building the rows), median of 5 warm runs. The plans are in "
        "`bench/evidence/reports_explain.txt`. Target: under 300 ms each.",
        "",
        f"Scale: {scale}." + (f" Generating took {seconds / 60:.1f} minutes." if seconds else ""),
        "",
        "| Report | Median (ms) | SQL statements | Under 300 ms |",
        "|---|---:|---:|:---:|",
    ]
    lines += [
        f"| {n} | {ms:.1f} | {q} | "
        + ("not a request" if n.startswith("background") else "yes" if ms < 300 else "no")
        + " |"
        for n, ms, q in results
    ]
    lines += [
        "",
        "The two background rows are not reports: the refresher in the app's lifespan",
        "(`app/reports/worker.py`) runs them, so no leader's request waits for them. Rollups:",
        "`report_learner_month`, `report_completion_month`, `report_quiz_month`, `report_project`",
        "and `report_cohort` (learners and Silver holders per cohort, for cohorts running and the",
        "trainer lineage). PostgreSQL connections run with `jit=off`: JIT compilation had cost",
        "1.2 s of a 1.4 s query here.",
    ]
    section = "\n".join(lines) + "\n"
    text_ = README.read_text() if README.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
    text_ = (
        pattern.sub(section, text_) if pattern.search(text_) else text_.rstrip() + "\n\n" + section
    )
    README.write_text(text_)
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument(
        "--per-learner", type=int, default=10, help="progress rows and attempts per learner"
    )
    parser.add_argument("--reuse", action="store_true", help="time the existing data")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    seconds = None
    if not args.reuse:
        print(f"generating {args.learners:,} learners on {make_url(args.database_url).database}")
        started = time.perf_counter()
        _recreate(args.database_url)
        engine = make_engine(args.database_url)
        generate(engine, learners=args.learners, per_learner=args.per_learner)
        seconds = time.perf_counter() - started
    else:
        engine = make_engine(args.database_url)
    rows = counts(engine)
    print("timing reports (median of 5):")
    results = measure(engine)
    if not args.no_readme:
        print(write_readme(results, rows, seconds))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
