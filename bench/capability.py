"""The capability report at 1 million learners: time one organisation's report (median of 20).

The report reads only the report rollups (learners per month and staff group, awards per month,
staff group and tier) and the organisation's plan, so its cost depends on organisations x months
x staff groups, not on learners. This fills the rollups with the shape bench/reports.py makes
(1,000,000 learners in 200 organisations over three years, 11 staff groups; Bronze 40%, Silver
5%, Gold 0.5%) directly, without the learners' rows (the refresh that builds the rollups from
them is timed by bench/reports.py), sets a full plan for every organisation, and times
`capability.report` for one of them, counting its SQL statements.

    .venv/bin/python bench/capability.py                              # PostgreSQL
    .venv/bin/python bench/capability.py --database-url sqlite:////tmp/capability_bench.db
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QIA_ENV", "test")
os.environ.setdefault("QIA_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import create_engine, event, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import app.models  # noqa: E402, F401
from app.accounts.constants import STAFF_GROUPS  # noqa: E402
from app.accounts.models import Organisation  # noqa: E402
from app.core.db import make_engine, utcnow  # noqa: E402
from app.reports import capability  # noqa: E402
from app.reports.models import (  # noqa: E402
    CapabilityTarget,
    ReportCompletionMonth,
    ReportLearnerMonth,
    ReportRefresh,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/qia_capability_bench"
ORGS = 200
MONTHS = 36
SHARES = {"bronze": 0.40, "silver": 0.05, "gold": 0.005}


def _recreate(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
        admin.dispose()
    elif u.database and Path(u.database).exists():
        Path(u.database).unlink()
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")


def _months(today: date) -> list[str]:
    out, year, month = [], today.year, today.month
    for _ in range(MONTHS):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def generate(url: str, learners: int) -> None:
    engine = make_engine(url)
    per_cell = learners / (ORGS * MONTHS * len(STAFF_GROUPS))
    months = _months(date.today())
    with Session(engine) as session, session.begin():
        session.execute(
            insert(Organisation),
            [{"name": f"Trust {i}", "name_key": f"trust {i}"} for i in range(1, ORGS + 1)],
        )
        ids = list(session.scalars(text("SELECT id FROM organisation ORDER BY id")))
        cells = [(o, m, g) for o in ids for m in months for g in STAFF_GROUPS]
        session.execute(
            insert(ReportLearnerMonth),
            [
                {"month": m, "organisation_id": o, "staff_group": g, "registered": round(per_cell)}
                for o, m, g in cells
            ],
        )
        session.execute(
            insert(ReportCompletionMonth),
            [
                {
                    "month": m,
                    "organisation_id": o,
                    "staff_group": g,
                    "achievement": t,
                    "completions": max(1, round(per_cell * share)),
                }
                for o, m, g in cells
                for t, share in SHARES.items()
            ],
        )
        now = utcnow()
        session.execute(
            insert(CapabilityTarget),
            [
                {
                    "organisation_id": o,
                    "staff_group": g,
                    "tier": t,
                    "hundredths": h,
                    "updated_at": now,
                }
                for o in ids
                for g in STAFF_GROUPS
                for t, h in (("bronze", 10000), ("silver", 1000), ("gold", 100))
            ],
        )
        session.add(
            ReportRefresh(
                id=1,
                refreshed_at=now,
                full_at=now,
                from_month="",
                duration_ms=0,
                last_user_id=0,
                last_attempt_id=0,
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def time_report(url: str) -> tuple[float, float, int, int]:
    engine = make_engine(url)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with Session(engine) as session:
        org = session.get(Organisation, ORGS // 2)
        assert org is not None
        capability.report(session, organisation=org, today=date.today())  # warm
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            capability.report(session, organisation=org, today=date.today())
            timings.append((time.perf_counter() - started) * 1000)
        event.listen(engine, "before_cursor_execute", count)
        r = capability.report(session, organisation=org, today=date.today())
        event.remove(engine, "before_cursor_execute", count)
        staff = sum(c.staff for c in r.coverage if c.tier == "bronze")
    engine.dispose()
    return statistics.median(timings), max(timings), statements, staff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--learners", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    _recreate(args.database_url)
    generate(args.database_url, args.learners)
    print(f"generated in {time.perf_counter() - started:.1f} s")
    median, worst, statements, staff = time_report(args.database_url)
    engine = make_url(args.database_url).get_backend_name()
    print(
        f"{engine}: capability report for one organisation ({staff:,} staff of "
        f"{args.learners:,} learners): median {median:.1f} ms, max {worst:.1f} ms, "
        f"{statements} SQL statements"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
