"""Schemathesis, a client nobody here wrote, holds the API to its OpenAPI document.

A real uvicorn server on a fresh database (SQLite in the SQLite pass, PostgreSQL in the PostgreSQL
pass), seeded with a learner, a trainer with a cohort and a project, and an admin. Schemathesis
walks every operation in /openapi.json three times (no token, the learner's, the admin's) with
these checks, and any failure fails the test. Bounded so that it stays a few minutes per engine:
a fixed seed, at most MAX_EXAMPLES cases per operation and a time cap per pass. A new route is in
the document, so it is fuzzed without being listed here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.cohorts import service as cohorts_service
from app.cohorts.schemas import CohortCreate
from app.core.db import make_engine
from app.projects import service as projects_service
from app.projects.schemas import ProjectStart
from tests.dbutil import fresh_database, migrate
from tests.servers import Server, running

CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
    ]
)
MAX_EXAMPLES = int(os.environ.get("QIA_FUZZ_EXAMPLES", "8"))
SECONDS_PER_PASS = int(os.environ.get("QIA_FUZZ_SECONDS", "80"))
SEED = 20261202
PASSWORD = "fuzzing horse battery staple"
ST = Path(sys.executable).with_name("st")


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        people = {}
        for who, role in (
            ("learner", Role.LEARNER),
            ("trainer", Role.TRAINER),
            ("admin", Role.ADMIN),
        ):
            people[who] = accounts_service.create_user(
                session,
                email=f"{who}@fuzz.example.nhs.uk",
                password=PASSWORD,
                full_name=f"Fuzz {who.title()}",
                organisation="Fuzz Trust",
                staff_group="nursing_midwifery",
                roles=[role],
            )
        cohort = cohorts_service.create_cohort(
            session,
            data=CohortCreate(
                name="Fuzz cohort",
                kind="individuals",
                organisation="Fuzz Trust",
                starts_on=date(2026, 1, 5),
                ends_on=date(2026, 12, 18),
                capacity=30,
                attendance_required=50,
            ),
            creator=people["trainer"],
        )
        cohorts_service.join_by_code(session, code=cohort.invite_code, user=people["learner"])
        projects_service.start_project(
            session,
            user=people["learner"],
            data=ProjectStart(cohort_id=cohort.id, title="Fewer missed doses"),
        )
    engine.dispose()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    url = fresh_database("fuzz")
    migrate(url)
    _seed(url)
    with running(url, env={"QIA_REGISTER_MAX_PER_IP_PER_HOUR": "1000000"}) as live:
        yield live


def _token(server: Server, who: str) -> str:
    r = httpx.post(
        f"{server.base}/api/v1/auth/token",
        data={"username": f"{who}@fuzz.example.nhs.uk", "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.mark.parametrize("who", ["anonymous", "learner", "admin"])
def test_every_operation_keeps_to_the_openapi_document(server: Server, who: str) -> None:
    headers = [] if who == "anonymous" else ["-H", f"Authorization: Bearer {_token(server, who)}"]
    cmd = [
        str(ST),
        "run",
        f"{server.base}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--phases",
        "coverage,fuzzing",
        "--max-time",
        str(SECONDS_PER_PASS),
        # One worker: CPython 3.11.7's ast.parse is not thread-safe ("AST constructor recursion
        # depth mismatch"), and Hypothesis parses lambdas' source while describing strategies.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--warnings",
        "off",
        *headers,
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=SECONDS_PER_PASS + 240, check=False
    )
    out = result.stdout + result.stderr
    tested = re.search(r"Tested:\s+(\d+)", out)
    cases = re.search(r"(\d+) generated", out)
    print(
        f"schemathesis ({who}): {tested.group(1) if tested else '?'} operations, "
        f"{cases.group(1) if cases else '?'} test cases, exit {result.returncode}"
    )
    assert result.returncode == 0, out[-20000:]
    assert tested is not None
    assert int(tested.group(1)) > 90
