"""Every path that completes a tier goes through an event to awards, inside the request's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.events import AccountAnonymised, EmailVerified, OrganisationsMerged
from app.accounts.models import UserRole
from app.cohorts import service as cohorts_service
from app.cohorts.events import AttendanceRecorded
from app.content.registry import ContentRegistry
from app.core.events import Event, NotWired, bus
from app.credentials.models import Credential
from app.events import HANDLERS
from app.gold.events import CertificationDecided
from app.progress.events import ModuleStarted
from app.progress.models import ModuleProgress
from app.projects.events import ProjectSignedOff, ProjectStarted
from app.quizzes.events import ModulePassed, QuizAttempted
from app.quizzes.models import QuizAttempt
from tests.awards.test_silver import _sign_off
from tests.cohorts.factories import (
    make_cohort,
    make_learner,
    make_session,
    make_trainer,
    pass_silver,
)
from tests.credentials.factories import complete_modules, pass_quiz
from tests.factories import answers, bearer, make_user
from tests.gold.factories import certify


@contextmanager
def recorded(event_type: type[Event]) -> Iterator[list[Any]]:
    seen: list[Any] = []
    with bus.extra(event_type, lambda _session, event: seen.append(event)):
        yield seen


def _held(db: Session, user_id: int, achievement: str) -> list[Credential]:
    query = select(Credential).where(
        Credential.user_id == user_id, Credential.achievement == achievement
    )
    return list(db.scalars(query))


def test_every_event_has_its_place_in_the_one_table() -> None:
    assert set(HANDLERS) == {
        ModuleStarted,
        QuizAttempted,
        ModulePassed,
        AttendanceRecorded,
        ProjectSignedOff,
        ProjectStarted,
        CertificationDecided,
        AccountAnonymised,
        EmailVerified,
        OrganisationsMerged,
        *(e for e in HANDLERS if e.__module__ == "app.credentials.events"),
    }
    assert all(callable(h) for handlers in HANDLERS.values() for h in handlers)


def test_a_quiz_pass_that_completes_bronze_goes_through_module_passed(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    last = registry.tier("bronze")[-1]
    with recorded(ModulePassed) as seen:
        pass_quiz(client, bearer(client, user.email), registry=registry, slug=last.slug)
    assert [(e.user_id, e.slug, e.tier) for e in seen] == [(user.id, last.slug, "bronze")]
    assert [c.status for c in _held(db, user.id, "bronze")] == ["active"]


def test_a_register_that_completes_silver_goes_through_attendance_recorded(
    db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=100)
    workshop = make_session(db, cohort)
    learner = make_learner(db, cohort)
    pass_silver(db, registry, learner)
    _sign_off(db, cohort, lead, learner)  # attendance still short: no Silver yet
    assert _held(db, learner.id, "silver") == []
    with recorded(AttendanceRecorded) as seen:
        cohorts_service.record_attendance(
            db,
            cohort=cohort,
            session_id=workshop.id,
            marks={learner.id: "present"},
            actor_id=lead.id,
        )
    assert [(e.cohort_id, e.user_ids) for e in seen] == [(cohort.id, (learner.id,))]
    assert len(_held(db, learner.id, "silver")) == 1


def test_a_sign_off_that_completes_silver_goes_through_project_signed_off(
    db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=0)
    learner = make_learner(db, cohort)
    pass_silver(db, registry, learner)
    with recorded(ProjectSignedOff) as seen:
        _sign_off(db, cohort, lead, learner)
    assert [(e.cohort_id, e.user_ids, e.actor_id) for e in seen] == [
        (cohort.id, (learner.id,), lead.id)
    ]
    assert len(_held(db, learner.id, "silver")) == 1


def test_a_gold_decision_goes_through_certification_decided(
    db: Session, registry: ContentRegistry
) -> None:
    with recorded(CertificationDecided) as seen:
        trainer, cert, leader = certify(db, registry)
    assert [(e.user_id, e.certified, e.actor_id) for e in seen] == [(trainer.id, True, leader.id)]
    [gold] = _held(db, trainer.id, "gold")
    assert cert.credential_id == str(gold.id)
    role = db.get(UserRole, (trainer.id, "trainer"))  # awards called gold back to grant it
    assert role is not None
    assert role.expires_at is not None


def test_a_failing_handler_rolls_the_whole_request_back(
    app: FastAPI, db: Session, registry: ContentRegistry
) -> None:
    """The attempt, the progress row and any credential go together, or not at all."""
    client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    last = registry.tier("bronze")[-1]
    headers = bearer(client, user.email)

    def attempts() -> int:
        return db.scalar(select(func.count()).where(QuizAttempt.user_id == user.id)) or 0

    def boom(_session: Session, _event: ModulePassed) -> None:
        raise RuntimeError("a handler failed")

    with bus.extra(ModulePassed, boom):
        r = client.post(
            f"/api/v1/modules/{last.slug}/attempts",
            json={"answers": answers(last)},
            headers=headers,
        )
    assert r.status_code == 500
    assert r.json()["error"] == "ServerError"
    db.expire_all()
    assert attempts() == 0
    row = db.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_id == last.module_id
        )
    )
    assert row is None or row.completed_at is None
    assert _held(db, user.id, "bronze") == []
    # Without the failing handler the same request succeeds and Bronze is issued.
    pass_quiz(client, headers, registry=registry, slug=last.slug)
    assert attempts() == 1
    assert len(_held(db, user.id, "bronze")) == 1


def test_publishing_before_the_handlers_are_wired_is_a_loud_error() -> None:
    from app.core.events import EventBus

    fresh = EventBus()
    with pytest.raises(NotWired):
        fresh.publish(None, ModulePassed(user_id=1, module_id=1, slug="x", tier="bronze", score=1))  # type: ignore[arg-type]
