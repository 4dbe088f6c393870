"""Race safety with real threads and real commits on a database of its own: twenty completions of
the last Bronze module at once, and twenty simultaneous issue() calls, leave one credential."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.constants import Role
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.content import registry as registry_module
from app.content import service as content_service
from app.content.registry import ContentRegistry, install, load_or_fail
from app.core.config import get_settings
from app.core.db import get_db, make_engine, unit_of_work
from app.core.deps import isolated_sessions
from app.credentials import service, status_lists
from app.credentials.models import Credential, StatusList
from app.main import create_app
from tests.credentials.factories import complete_modules
from tests.dbutil import fresh_database, migrate
from tests.factories import answers, bearer, make_user

RACERS = 20


@pytest.fixture(scope="module")
def race(database_url: str) -> Iterator[tuple[Engine, ContentRegistry]]:  # noqa: ARG001 (drops ours too)
    """A migrated database no test transaction wraps, so every commit is real."""
    url = fresh_database("concurrency")
    migrate(url)
    engine = make_engine(url, pool_size=RACERS + 5, max_overflow=5)
    with Session(engine) as session, session.begin():
        registry = content_service.sync(session, modules=load_or_fail(get_settings().content_dir))
    before = registry_module._current
    install(registry)  # the event handlers read the process's catalogue, as in the app
    yield engine, registry
    registry_module._current = before
    engine.dispose()


def _learner(
    engine: Engine, registry: ContentRegistry, *, email: str, tier: str, skip_last: bool
) -> int:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        user = make_user(session, email=email)
        complete_modules(
            session, user_id=user.id, registry=registry, tier=tier, skip_last=skip_last
        )
        return user.id


def _counts(engine: Engine, *, user_id: int) -> tuple[int, int, int]:
    with Session(engine) as session:
        total = session.scalar(
            select(func.count()).select_from(Credential).where(Credential.user_id == user_id)
        )
        active = session.scalar(
            select(func.count())
            .select_from(Credential)
            .where(Credential.user_id == user_id, Credential.status == "active")
        )
        ids = session.scalars(select(Credential.id).where(Credential.user_id == user_id)).all()
        issued = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "credential.issue",
                AuditEvent.target_id.in_([str(i) for i in ids] or [""]),
            )
        )
        return total or 0, active or 0, issued or 0


def test_twenty_simultaneous_last_bronze_passes_issue_one_credential(
    race: tuple[Engine, ContentRegistry],
) -> None:
    engine, registry = race
    email = "racer-http@example.nhs.uk"
    user_id = _learner(engine, registry, email=email, tier="bronze", skip_last=True)
    app = create_app()
    app.state.content = registry

    def per_request() -> Iterator[Session]:
        yield from unit_of_work(Session(bind=engine, expire_on_commit=False, autoflush=False))

    app.dependency_overrides[get_db] = per_request
    app.dependency_overrides[isolated_sessions] = lambda: sessionmaker(bind=engine)
    last = registry.tier("bronze")[-1]
    start = threading.Barrier(RACERS)

    with TestClient(app) as client:
        headers = bearer(client, email)

        def submit(_: int) -> Any:
            start.wait()
            return client.post(
                f"/api/v1/modules/{last.slug}/attempts",
                json={"answers": answers(last)},
                headers=headers,
            )

        with ThreadPoolExecutor(RACERS) as pool:
            responses = list(pool.map(submit, range(RACERS)))
        listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]

    assert [r.status_code for r in responses] == [201] * RACERS
    assert _counts(engine, user_id=user_id) == (1, 1, 1)
    assert [c["status"] for c in listed] == ["active"]


def test_twenty_simultaneous_issues_return_the_one_credential_that_won(
    race: tuple[Engine, ContentRegistry],
) -> None:
    engine, registry = race
    user_id = _learner(
        engine, registry, email="racer-issue@example.nhs.uk", tier="gold", skip_last=False
    )
    with Session(engine) as session, session.begin():
        service.subject_id_for(session, user_id=user_id)  # so the race is on the credential itself
    start = threading.Barrier(RACERS)

    def issue(_: int) -> str:
        start.wait()
        with Session(engine, expire_on_commit=False, autoflush=False) as session, session.begin():
            credential = service.issue(
                session, user_id=user_id, achievement_slug="gold", registry=registry
            )
            return str(credential.id)

    with ThreadPoolExecutor(RACERS) as pool:
        ids = set(pool.map(issue, range(RACERS)))

    assert len(ids) == 1
    assert _counts(engine, user_id=user_id) == (1, 1, 1)


def test_twenty_simultaneous_renewals_leave_one_active_credential(
    race: tuple[Engine, ContentRegistry],
) -> None:
    engine, registry = race
    user_id = _learner(
        engine, registry, email="racer-renew@example.nhs.uk", tier="gold", skip_last=False
    )
    with Session(engine) as session, session.begin():
        first = service.issue(session, user_id=user_id, achievement_slug="gold", registry=registry)
        first_id = first.id
    renewals = 8  # on SQLite they queue, and each one that wins makes a certificate
    start = threading.Barrier(renewals)

    def renew(_: int) -> str:
        start.wait()
        with Session(engine, expire_on_commit=False, autoflush=False) as session, session.begin():
            credential = service.issue(
                session, user_id=user_id, achievement_slug="gold", registry=registry, reissue=True
            )
            return str(credential.id)

    with ThreadPoolExecutor(renewals) as pool:
        list(pool.map(renew, range(renewals)))

    total, active, _ = _counts(engine, user_id=user_id)
    assert active == 1
    with Session(engine) as session:
        chain = session.execute(
            select(Credential.id, Credential.supersedes_id, Credential.status)
        ).all()
    mine = [row for row in chain if row.id == first_id or row.supersedes_id is not None]
    assert total >= 2
    # Every credential but the active one was superseded exactly once: a single chain, no fork.
    superseded = {row.supersedes_id for row in mine if row.supersedes_id is not None}
    assert len(superseded) == total - 1


def test_simultaneous_revocations_all_reach_the_stored_status_list(
    race: tuple[Engine, ContentRegistry],
) -> None:
    engine, registry = race
    revokers = 6
    with Session(engine, expire_on_commit=False) as session, session.begin():
        admin_id = make_user(session, email="racer-admin@example.nhs.uk", roles=[Role.ADMIN]).id
    issued: list[tuple[uuid.UUID, int]] = []
    for n in range(revokers):
        user_id = _learner(
            engine,
            registry,
            email=f"racer-revoke-{n}@example.nhs.uk",
            tier="bronze",
            skip_last=False,
        )
        with Session(engine, expire_on_commit=False) as session, session.begin():
            credential = service.issue(
                session, user_id=user_id, achievement_slug="bronze", registry=registry
            )
            assert credential.status_list_index is not None
            issued.append((credential.id, credential.status_list_index))
    start = threading.Barrier(revokers)

    def revoke(item: tuple[uuid.UUID, int]) -> None:
        start.wait()
        with Session(engine, expire_on_commit=False, autoflush=False) as session, session.begin():
            credential = session.get(Credential, item[0])
            actor = session.get(User, admin_id)
            assert credential is not None
            assert actor is not None
            service.revoke(session, credential=credential, actor=actor, reason="Race test")

    with ThreadPoolExecutor(revokers) as pool:
        list(pool.map(revoke, issued))

    with Session(engine) as session:
        row = session.get(StatusList, "revocation")
        assert row is not None
        assert row.document is not None
        bits = status_lists.decode_bits(row.document["credentialSubject"]["encodedList"])
    # Each revocation re-signed the list holding its row: none was lost to a stale read.
    assert [status_lists.is_set(bits, index) for _, index in issued] == [True] * revokers
