"""Portfolio timings at scale: 100,000 projects in one organisation (the worst case for a QI
lead's views), generated on PostgreSQL with set-based SQL, then every dashboard table and the
registry lists and the project library's search timed through their service calls (median of 5
warm runs). Every project is published (70% to the community, 30% to its organisation's library),
so the library searches all 100,000.

    .venv/bin/python bench/portfolio.py                    # 100,000 projects
    .venv/bin/python bench/portfolio.py --projects 20000   # a smaller run
    .venv/bin/python bench/portfolio.py --reuse            # time again without regenerating

Prints a Markdown table for bench/README.md ("Portfolio at 100,000 projects").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
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
from app.accounts.constants import STAFF_GROUPS  # noqa: E402
from app.core.db import make_engine  # noqa: E402
from app.portfolio import dashboard, library, service  # noqa: E402
from app.portfolio.constants import SCALE, THEMES  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/qia_portfolio_bench"
TARGET_MS = 100.0
# Services as trusts name them: 13 names, 3 teams each, so 39 divisions (the library searches them).
DIVISIONS = [
    "Emergency department",
    "Acute medicine",
    "Care of older people",
    "General surgery",
    "Maternity",
    "Paediatrics",
    "Critical care",
    "Stroke services",
    "Community nursing",
    "Mental health",
    "Outpatients",
    "Pharmacy",
    "Radiology",
]


def _recreate(url: str) -> None:
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def _migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    os.environ["QIA_DATABASE_URL"] = url
    from app.core.config import get_settings

    get_settings.cache_clear()
    command.upgrade(cfg, "head")


def generate(engine: Engine, *, projects: int, learners: int = 2000) -> None:
    """One big organisation, `learners` accounts (the first 2,000 are the projects' leads and
    teams; one in 50 belongs to a second organisation), `projects` projects with 1-3 themes, a
    team of 2, a spread of statuses and confirmed scores, over three years."""
    themes = list(THEMES)
    groups = list(STAFF_GROUPS)
    levels = [float(s) for s in SCALE]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, name_key, kind) VALUES "
                "(1, 'Big Trust', 'big trust', 'nhs_trust'), (2, 'Other', 'other', 'other')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO user_account (id, email, full_name, organisation_id, staff_group, is_active, token_version)"
                " SELECT g, 'u' || g || '@example.nhs.uk', 'Person ' || g, 1 + (g % 50 = 0)::int,"
                " (CAST(:groups AS text[]))[1 + g % :ng], true, 0 FROM generate_series(1, :learners) g"
            ),
            {"groups": groups, "ng": len(groups), "learners": max(learners, 2000)},
        )
        conn.execute(
            text(
                "INSERT INTO portfolio_project (id, organisation_id, kind, title, aim, division, status,"
                " lead_id, lead_staff_group, answers, score, created_at, updated_at, approved_at)"
                " SELECT g, 1, (ARRAY['qi','qi','qi','audit','service_evaluation'])[1 + g % 5],"
                " 'Project ' || g, 'Aim of project ' || g,"
                " (CAST(:divisions AS text[]))[1 + g % :nd] || ' ' || (1 + g % 3),"
                " (ARRAY['awaiting_approval','returned','active','active','active','active','completed','stopped'])[1 + g % 8],"
                " 1 + g % 2000, (CAST(:groups AS text[]))[1 + (g * 7) % :ng], CAST('{}' AS JSON),"
                " CASE WHEN g % 3 = 0 THEN NULL ELSE (CAST(:levels AS float8[]))[1 + g % 10] END,"
                " now() - make_interval(days => g % 1095), now() - make_interval(days => (g * 13) % 200),"
                " CASE WHEN g % 8 < 2 THEN NULL ELSE now() - make_interval(days => g % 1000) END"
                " FROM generate_series(1, :n) g"
            ),
            {
                "n": projects,
                "groups": groups,
                "ng": len(groups),
                "levels": levels,
                "divisions": DIVISIONS,
                "nd": len(DIVISIONS),
            },
        )
        conn.execute(
            text(
                "INSERT INTO portfolio_theme (project_id, organisation_id, theme)"
                " SELECT DISTINCT p.id, p.organisation_id, (CAST(:themes AS text[]))[1 + (p.id * k) % :nt]"
                " FROM portfolio_project p CROSS JOIN generate_series(1, 1 + p.id % 3) k"
            ).bindparams(),
            {"themes": themes, "nt": len(themes)},
        )
        conn.execute(
            text(
                "INSERT INTO portfolio_member (project_id, user_id)"
                " SELECT id, lead_id FROM portfolio_project UNION"
                " SELECT id, 1 + (id * 3) % 2000 FROM portfolio_project"
            )
        )
        conn.execute(
            text(
                "INSERT INTO portfolio_publication (id, project_id, organisation_id, scope, status,"
                " lessons, proposed_at, published_at, title, aim, division, lead_staff_group,"
                " topic, setting, measure_names)"
                " SELECT id, id, organisation_id,"
                " CASE WHEN id % 10 < 7 THEN 'community' ELSE 'organisation' END, 'published',"
                " 'Lessons of project ' || id, updated_at, updated_at, title, aim, division,"
                " lead_staff_group, lower(title || chr(10) || aim), lower(division),"
                " CASE WHEN id % 4 = 0 THEN 'falls per 1,000 bed days' ELSE 'length of stay' END"
                " FROM portfolio_project"
            )
        )
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('portfolio_project', 'id'), :n)"),
            {"n": projects},
        )
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('user_account', 'id'), :n)"),
            {"n": max(learners, 2000)},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _time(engine: Engine, fn: Callable[[Session], Any]) -> tuple[float, int]:
    statements = 0

    def count(*_a: Any) -> None:
        nonlocal statements
        statements += 1

    runs = []
    with Session(engine) as session:
        fn(session)  # warm
        event.listen(engine, "before_cursor_execute", count)
        for _ in range(5):
            statements = 0
            start = time.perf_counter()
            fn(session)
            runs.append((time.perf_counter() - start) * 1000)
            session.rollback()
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(runs), statements


def groups_first() -> str:
    return next(iter(STAFF_GROUPS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not args.reuse:
        started = time.perf_counter()
        _recreate(args.database_url)
        _migrate(args.database_url)
        engine = make_engine(args.database_url)
        generate(engine, projects=args.projects, learners=args.learners)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    else:
        engine = make_engine(args.database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM portfolio_project")).scalar_one()
        t = conn.execute(text("SELECT count(*) FROM portfolio_theme")).scalar_one()
        people = conn.execute(text("SELECT count(*) FROM user_account")).scalar_one()
    cases: list[tuple[str, Callable[[Session], Any]]] = [
        (
            f"dashboard view: {key} (page and CSV)",
            lambda s, k=key: dashboard.table(s, organisation_id=1, key=k),
        )
        for key in dashboard.TABLES
    ]
    cases += [
        (
            "registry: the organisation's latest 200",
            lambda s: service.organisation_projects(s, organisation_id=1),
        ),
        (
            "registry: waiting for the QI lead",
            lambda s: service.waiting_for(s, organisation_ids=[1]),
        ),
    ]
    # A learner of another organisation: the library's community scope, the widest search.
    viewer: Any = SimpleNamespace(organisation_id=2)
    own: Any = SimpleNamespace(organisation_id=1)
    searches = [
        ("library: first page, another organisation", viewer, library.LibraryQuery()),
        ("library: first page, the organisation's own", own, library.LibraryQuery()),
        ("library: page 500", viewer, library.LibraryQuery(page=500)),
        ("library: topic 'project 12'", viewer, library.LibraryQuery(topic="project 12")),
        ("library: setting 'emergency'", viewer, library.LibraryQuery(setting="emergency")),
        ("library: staff group", viewer, library.LibraryQuery(staff_group=groups_first())),
        ("library: measure 'falls'", viewer, library.LibraryQuery(measure="falls")),
        (
            "library: all four filters",
            viewer,
            library.LibraryQuery(
                topic="aim", setting="surgery", staff_group=groups_first(), measure="stay"
            ),
        ),
    ]
    cases += [
        (label, lambda s, v=who, q=query: library.search(s, viewer=v, query=q))
        for label, who, query in searches
    ]
    print(f"Scale: {n:,} projects in one organisation, {t:,} theme rows, {people:,} accounts.\n")
    print("| View | Median (ms) | SQL statements | Under 100 ms |")
    print("|---|---:|---:|:---:|")
    for label, fn in cases:
        ms, statements = _time(engine, fn)
        print(f"| {label} | {ms:.1f} | {statements} | {'yes' if ms < TARGET_MS else 'no'} |")
    engine.dispose()


if __name__ == "__main__":
    main()
