"""Withdrawal with real commits on databases of their own: a withdrawal and a trainer's decision at
the same moment never both win, and the migration's downgrade drops withdrawn submissions only."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.core.db import make_engine
from app.core.errors import AppError
from app.projects import service
from app.projects.models import Project, Submission
from app.projects.schemas import ReviewCreate
from tests.dbutil import downgrade, fresh_database, migrate
from tests.projects.factories import fill, make_cohort, make_learner, make_trainer, start

BEFORE_WITHDRAWN = "3c1d5e7a9b20"
ROUNDS = 6
CHANGES = ReviewCreate.model_validate(
    dict.fromkeys(("aim", "measurement", "testing", "learning", "sustainability"), "met")
    | {"comment": "Say who owns the change.", "decision": "changes"}
)


@pytest.fixture
def own_database(database_url: str) -> Iterator[Callable[[str], tuple[str, Engine]]]:  # noqa: ARG001 (drops ours too)
    """A migrated database no test transaction wraps, so every commit is real."""
    engines: list[Engine] = []

    def make(purpose: str) -> tuple[str, Engine]:
        url = fresh_database(purpose)
        migrate(url)
        engines.append(make_engine(url))
        return url, engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def _submitted_project(engine: Engine) -> tuple[int, int, int]:
    """A learner's filled-in project, submitted, committed: (project, learner, trainer) ids."""
    with Session(engine, expire_on_commit=False) as db, db.begin():
        lead = make_trainer(db)
        cohort = make_cohort(db, lead=lead)
        ann = make_learner(db, cohort, name="Ann Lee")
        project = start(db, ann, cohort)
        service.submit(db, access=fill(db, project, ann))
        return project.id, ann.id, lead.id


def _as(engine: Engine, user_id: int, project_id: int, act: Callable[..., object]) -> str:
    """Run one person's action in its own transaction; what happened, in a word."""
    try:
        with Session(engine, expire_on_commit=False, autoflush=False) as db, db.begin():
            user = db.get(User, user_id)
            assert user is not None
            act(db, service.access(db, project_id=project_id, user=user))
    except AppError as exc:
        return type(exc).__name__
    return "won"


def _at_once(
    engine: Engine, project_id: int, *turns: tuple[int, Callable[..., object]]
) -> list[str]:
    """Each (user id, action) in a thread of its own, all released at the same moment."""
    together = threading.Barrier(len(turns))

    def go(turn: tuple[int, Callable[..., object]]) -> str:
        together.wait()
        return _as(engine, turn[0], project_id, turn[1])

    with ThreadPoolExecutor(len(turns)) as pool:
        return list(pool.map(go, turns))


def test_a_withdrawal_and_a_decision_at_the_same_moment_never_both_win(
    own_database: Callable[[str], tuple[str, Engine]],
) -> None:
    _url, engine = own_database("withdraw_race")
    project_id, ann_id, lead_id = _submitted_project(engine)

    def withdraw(db: Session, a: service.ProjectAccess) -> None:
        service.withdraw(db, access=a)

    def decide(db: Session, a: service.ProjectAccess) -> None:
        service.review(db, access=a, data=CHANGES)

    winners = []
    for round_ in range(ROUNDS):
        if round_:
            assert (
                _as(engine, ann_id, project_id, lambda db, a: service.submit(db, access=a)) == "won"
            )
        learner, trainer = _at_once(engine, project_id, (ann_id, withdraw), (lead_id, decide))
        assert sorted([learner, trainer]) in (
            ["NothingToReview", "won"],
            ["NothingToWithdraw", "won"],
        ), (learner, trainer)
        assert (learner == "won") == (trainer == "NothingToReview")
        winners.append("withdrawn" if learner == "won" else "changes_requested")

    with Session(engine) as db:
        statuses = db.scalars(
            select(Submission.status)
            .where(Submission.project_id == project_id)
            .order_by(Submission.submitted_at, Submission.id)
        ).all()
        assert statuses == winners
        project = db.get(Project, project_id)
        assert project is not None
        # Back to draft only while no trainer has ever asked for changes.
        expected = "changes_requested" if "changes_requested" in winners else "draft"
        assert project.status == expected
        events = db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "project", AuditEvent.target_id == str(project_id))
            .order_by(AuditEvent.id)
        ).all()
        assert events == [
            "project.withdrawn" if w == "withdrawn" else "project.changes_requested"
            for w in winners
        ]


def test_downgrade_deletes_withdrawn_submissions_and_keeps_the_rest(
    own_database: Callable[[str], tuple[str, Engine]],
) -> None:
    url, engine = own_database("withdraw_downgrade")
    project_id, ann_id, lead_id = _submitted_project(engine)
    assert (
        _as(
            engine,
            lead_id,
            project_id,
            lambda db, a: service.review(db, access=a, data=CHANGES),
        )
        == "won"
    )
    for act in (service.submit, service.withdraw, service.submit):
        assert _as(engine, ann_id, project_id, lambda db, a, f=act: f(db, access=a)) == "won"

    def statuses() -> list[str]:
        with Session(engine) as db:
            return list(
                db.scalars(
                    select(Submission.status)
                    .where(Submission.project_id == project_id)
                    .order_by(Submission.id)
                )
            )

    assert statuses() == ["changes_requested", "withdrawn", "submitted"]
    engine.dispose()
    downgrade(url, BEFORE_WITHDRAWN)
    assert statuses() == ["changes_requested", "submitted"]
    with Session(engine) as db:
        assert db.scalar(select(Project.status).where(Project.id == project_id)) == "submitted"
    # The older rule is back: "withdrawn" is not a status there.
    with Session(engine) as db, pytest.raises(IntegrityError), db.begin():
        db.execute(
            update(Submission)
            .where(Submission.project_id == project_id, Submission.status == "submitted")
            .values(status="withdrawn", decided_at=func.now())
        )
    engine.dispose()
    migrate(url)
    assert statuses() == ["changes_requested", "submitted"]
