"""Withdrawing a submission before the trainer decides: who may, what the project and its history
become, what the trainer then sees, the audit entry and the database rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.projects import service
from app.projects.models import Submission
from app.projects.schemas import ProjectUpdate, ReviewCreate
from tests.factories import bearer, csrf_token, sign_in
from tests.projects.factories import (
    access,
    fill,
    make_cohort,
    make_learner,
    make_team,
    make_trainer,
    start,
)

ALL_MET = dict.fromkeys(("aim", "measurement", "testing", "learning", "sustainability"), "met")


def _post(client: TestClient, path: str, page: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page)}, follow_redirects=False)


def _statuses(db: Session, project_id: int) -> list[str]:
    """The project's submissions, oldest first."""
    return list(
        db.scalars(
            select(Submission.status)
            .where(Submission.project_id == project_id)
            .order_by(Submission.submitted_at, Submission.id)
        )
    )


def _withdrawals(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "project.withdrawn")))


def test_withdraw_then_change_and_resubmit_keeps_every_submission_in_the_history(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    _lead, _cohort, ann, project = submitted
    sign_in(client, ann.email)
    history = f"/projects/{project.id}/history"
    page = client.get(history).text
    assert "Withdraw your submission" in page
    assert "will no longer see it waiting for their decision until you submit again" in page
    assert f'action="/projects/{project.id}/withdraw"' in page
    assert "Withdraw your submission" in client.get(f"/projects/{project.id}/submit").text

    r = _post(client, f"/projects/{project.id}/withdraw", history)
    assert r.status_code == 303
    assert r.headers["location"] == f"{history}?done=withdrawn"
    page = client.get(r.headers["location"]).text
    assert "Your submission has been withdrawn" in page
    assert "Withdrawn by Ann Lee on " in page
    assert f'action="/projects/{project.id}/withdraw"' not in page  # nothing left to withdraw
    db.refresh(project)
    assert project.status == "draft"

    # Open for changes again, then submitted again.
    h = bearer(client, ann.email)
    changed = client.patch(
        f"/api/v1/projects/{project.id}", json={"title": "Fixed title"}, headers=h
    )
    assert changed.status_code == 200
    assert client.post(f"/api/v1/projects/{project.id}/submissions", headers=h).status_code == 201
    assert _statuses(db, project.id) == ["withdrawn", "submitted"]
    listed = client.get(f"/api/v1/projects/{project.id}/submissions", headers=h).json()
    assert [s["status"] for s in listed] == ["submitted", "withdrawn"]
    withdrawn = listed[1]
    assert withdrawn["withdrawn_by"] == "Ann Lee"
    assert withdrawn["withdrawn_at"] is not None
    assert (withdrawn["decided_at"], withdrawn["decided_by"], withdrawn["scores"]) == (
        None,
        None,
        None,
    )
    resubmitted = db.scalar(select(Submission).where(Submission.id == listed[0]["id"]))
    assert resubmitted is not None
    assert resubmitted.snapshot["title"] == "Fixed title"
    # Newest first: the new submission waiting, then the withdrawn one.
    page = client.get(history).text
    assert page.index("Waiting for the trainer") < page.index("Withdrawn by Ann Lee")


def test_withdrawing_after_a_request_for_changes_leaves_that_request_standing(
    client: TestClient,
    db: Session,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, _cohort, ann, project = submitted
    trainer = access(db, project, lead)
    decision = ReviewCreate.model_validate(
        ALL_MET
        | {"sustainability": "not_yet_met", "comment": "Name an owner.", "decision": "changes"}
    )
    service.review(db, access=trainer, data=decision)
    a = access(db, project, ann)
    service.update_project(db, access=a, data=ProjectUpdate(sustainability="Owner: link nurse."))
    service.submit(db, access=a)
    db.flush()
    r = client.post(
        f"/api/v1/projects/{project.id}/submissions/withdraw", headers=bearer(client, ann.email)
    )
    assert r.status_code == 200
    body = r.json()
    assert body["project"]["status"] == "changes_requested"
    assert body["submission"]["status"] == "withdrawn"
    assert _statuses(db, project.id) == ["changes_requested", "withdrawn"]
    sign_in(client, ann.email)
    assert "Changes requested" in client.get(f"/projects/{project.id}").text


def test_the_trainer_cannot_review_a_withdrawn_submission_and_sees_nothing_waiting(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, ann, project = submitted
    sign_in(client, lead.email)
    assert "1 project waiting" in client.get(f"/trainer/cohorts/{cohort.id}/projects").text
    r = client.post(
        f"/api/v1/projects/{project.id}/submissions/withdraw", headers=bearer(client, ann.email)
    )
    assert r.status_code == 200
    body = ALL_MET | {"comment": "", "decision": "approve"}
    review = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, lead.email)
    )
    assert review.status_code == 409
    assert "no submission waiting" in review.json()["detail"]
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}"
    token = csrf_token(client, path)
    form = client.post(f"{path}/review", data={**body, "csrf_token": token}, follow_redirects=False)
    assert form.status_code == 409
    assert "no submission waiting" in form.text
    db.refresh(project)
    assert project.status == "draft"
    assert _statuses(db, project.id) == ["withdrawn"]

    listed = client.get(f"/trainer/cohorts/{cohort.id}/projects").text
    assert "waiting for your decision" not in listed
    assert "Draft" in listed
    assert "Not yet" in listed  # a withdrawn submission never reached the trainer
    page = client.get(path).text
    assert "There is no submission waiting for your decision" in page
    assert "Record the decision" not in page
    assert "Withdrawn by Ann Lee" in page
    rows = client.get(
        f"/api/v1/cohorts/{cohort.id}/projects", headers=bearer(client, lead.email)
    ).json()
    assert [(r["status"], r["submitted_at"]) for r in rows] == [("draft", None)]


def test_any_member_of_a_team_can_withdraw_the_teams_submission(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    dan, eve = (make_learner(db, cohort, name=n) for n in ("Dan One", "Eve Two"))
    make_team(db, cohort, dan, eve)
    project = start(db, dan, cohort)
    service.submit(db, access=fill(db, project, dan))
    db.flush()
    r = client.post(
        f"/api/v1/projects/{project.id}/submissions/withdraw", headers=bearer(client, eve.email)
    )
    assert r.status_code == 200
    assert r.json()["submission"]["submitted_by"] == "Dan One"
    assert r.json()["submission"]["withdrawn_by"] == "Eve Two"
    assert r.json()["project"]["status"] == "draft"


def test_trainers_and_non_members_cannot_withdraw(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, _ann, project = submitted
    bob = make_learner(db, cohort, name="Bob Classmate")
    other_lead = make_trainer(db, name="Other Trainer")
    make_cohort(db, lead=other_lead)
    api = f"/api/v1/projects/{project.id}/submissions/withdraw"
    page = f"/projects/{project.id}/withdraw"

    r = client.post(api, headers=bearer(client, lead.email))
    assert r.status_code == 403
    assert "Only the project's learner" in r.json()["detail"]
    sign_in(client, lead.email)
    history = client.get(f"/projects/{project.id}/history").text
    assert f'action="{page}"' not in history  # the cohort's trainer gets no withdraw button
    assert _post(client, page, "/projects").status_code == 403

    for outsider in (bob, other_lead):
        assert client.post(api, headers=bearer(client, outsider.email)).status_code == 404
        sign_in(client, outsider.email)
        assert _post(client, page, "/projects").status_code == 404

    db.refresh(project)
    assert project.status == "submitted"
    assert _statuses(db, project.id) == ["submitted"]
    assert _withdrawals(db) == []


def test_withdrawing_with_nothing_waiting_is_a_conflict(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann, project = submitted
    h = bearer(client, ann.email)
    api = f"/api/v1/projects/{project.id}/submissions/withdraw"
    assert client.post(api, headers=h).status_code == 200
    again = client.post(api, headers=h)
    assert again.status_code == 409
    assert "nothing to withdraw" in again.json()["detail"]
    sign_in(client, ann.email)
    history = f"/projects/{project.id}/history"
    r = _post(client, f"/projects/{project.id}/withdraw", history)
    assert r.status_code == 409
    assert "nothing to withdraw" in r.text
    # A project never submitted has nothing to withdraw either.
    cat = make_learner(db, cohort, name="Cat New")
    draft = start(db, cat, cohort)
    r = client.post(
        f"/api/v1/projects/{draft.id}/submissions/withdraw", headers=bearer(client, cat.email)
    )
    assert r.status_code == 409
    assert r.json()["error"] == "NothingToWithdraw"
    assert db.scalar(select(func.count()).where(Submission.project_id == draft.id)) == 0
    assert len(_withdrawals(db)) == 1


def test_a_withdrawal_is_audited(client: TestClient, db: Session, submitted) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann, project = submitted
    sign_in(client, ann.email)
    history = f"/projects/{project.id}/history"
    assert _post(client, f"/projects/{project.id}/withdraw", history).status_code == 303
    [event] = _withdrawals(db)
    submission = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert submission is not None
    assert (event.actor_id, event.target_type, event.target_id) == (
        ann.id,
        "project",
        str(project.id),
    )
    assert event.detail == {
        "cohort_id": cohort.id,
        "submission_id": submission.id,
        "status": "draft",
    }
    assert (submission.status, submission.decided_by_id) == ("withdrawn", ann.id)
    assert submission.decided_at is not None


def test_a_withdrawn_submission_can_hold_no_assessment(db: Session, submitted) -> None:  # type: ignore[no-untyped-def]
    _lead, _cohort, ann, project = submitted
    service.withdraw(db, access=access(db, project, ann))
    db.flush()
    row = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert row is not None
    for values in ({"aim_score": "met"}, {"comment": "Looks good."}, {"decided_at": None}):
        with pytest.raises(IntegrityError), db.begin_nested():
            db.execute(update(Submission).where(Submission.id == row.id).values(**values))
