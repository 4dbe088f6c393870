"""Emails that keep a project moving, queued with the change they tell of."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.outbox.models import OutboxMessage
from app.projects import service
from app.projects.schemas import ReviewCreate
from tests.projects.factories import access

CRITERIA = ("aim", "measurement", "testing", "learning", "sustainability")


def _mail(db: Session, to: str) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == to)))


def test_submitting_tells_the_trainer_with_a_link_to_the_review(
    db: Session,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, cohort, ann, project = submitted
    (mail,) = _mail(db, lead.email)
    assert mail.subject == f"Project ready for sign-off: {project.title}"
    assert f"/trainer/cohorts/{cohort.id}/projects/{project.id}" in mail.body
    assert ann.full_name in mail.body


def test_a_decision_tells_the_learner_with_the_trainers_comment(
    db: Session,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, _cohort, ann, project = submitted
    changes = ReviewCreate.model_validate(
        dict.fromkeys(CRITERIA, "met")
        | {"sustainability": "not_yet_met", "comment": "Name an owner.", "decision": "changes"}
    )
    service.review(db, access=access(db, project, lead), data=changes)
    db.flush()
    (mail,) = _mail(db, ann.email)
    assert mail.subject == f"Changes requested: {project.title}"
    assert "Name an owner." in mail.body
    assert f"/projects/{project.id}" in mail.body


def test_withdrawing_tells_the_trainer_it_no_longer_needs_review(
    db: Session,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, _cohort, ann, project = submitted
    service.withdraw(db, access=access(db, project, ann))
    db.flush()
    subjects = [m.subject for m in _mail(db, lead.email)]
    assert subjects[-1] == f"Project withdrawn: {project.title}"
