"""Submission and sign-off: the rubric rule (every criterion at least met), history, audit,
project states for the cohort, Silver completion and the Silver credential."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.awards import silver as awards_silver
from app.content.registry import ContentRegistry
from app.credentials import service as credentials_service
from app.progress import service as progress_service
from app.projects import service
from app.projects.models import Submission
from app.projects.schemas import ProjectUpdate
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


def _review_form(client: TestClient, path: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, path.removesuffix("/review"))
    return client.post(path, data={**fields, "csrf_token": token}, follow_redirects=False)


def _pass_silver(db: Session, registry: ContentRegistry, user: User) -> None:
    rows = progress_service.rows_for(db, user_id=user.id)
    for module in registry.tier("silver"):
        progress_service.record_quiz_result(
            db, user_id=user.id, module=module, score=90, passed=True, rows=rows
        )
    db.flush()


def test_submitting_keeps_a_snapshot_and_waits_for_the_trainer(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort)
    fill(db, project, ann)
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/submit"
    page = client.get(path).text
    assert "Testing of changes:</strong> done" in page
    r = client.post(path, data={"csrf_token": csrf_token(client, path)}, follow_redirects=False)
    assert r.status_code == 303
    assert "submitted for sign-off" in client.get(r.headers["location"]).text
    db.refresh(project)
    assert project.status == "submitted"
    row = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert row is not None
    assert row.submitted_by_id == ann.id
    assert row.snapshot["aim"].startswith("Increase the percentage")
    assert len(row.snapshot["measures"][0]["data"]) == 22
    again = client.post(path, data={"csrf_token": csrf_token(client, path)}, follow_redirects=False)
    assert again.status_code == 409
    assert service.states_for(db, cohort_id=cohort.id) == {ann.id: "submitted"}
    listed = client.get(f"/trainer/cohorts/{cohort.id}/projects")
    assert listed.status_code == 403  # a learner is not the cohort's trainer
    sign_in(client, lead.email)
    trainer_list = client.get(f"/trainer/cohorts/{cohort.id}/projects").text
    assert "1 project waiting for your decision" in trainer_list
    assert "Ann Lee" in trainer_list


def test_a_project_without_an_aim_cannot_be_submitted(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort)
    project = start(db, ann, cohort)
    r = client.post(f"/api/v1/projects/{project.id}/submissions", headers=bearer(client, ann.email))
    assert r.status_code == 409
    assert "Write your aim" in r.json()["detail"]
    assert db.scalar(select(func.count()).select_from(Submission)) == 0


def test_sign_off_needs_every_criterion_at_least_met(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, _ann, project = submitted
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    scores = ALL_MET | {"aim": "exceeded", "testing": "exceeded", "sustainability": "not_yet_met"}
    r = _review_form(client, path, **scores, comment="Strong work.", decision="approve")
    assert r.status_code == 422
    assert "every criterion is at least met; not yet met: sustainability" in r.text
    db.refresh(project)
    assert project.status == "submitted"
    no_comment = _review_form(client, path, **scores, comment="", decision="changes")
    assert no_comment.status_code == 422
    assert "Write a comment" in no_comment.text
    missing = _review_form(client, path, comment="x", decision="approve")
    assert missing.status_code == 422
    assert "Choose a level for learning and reflection" in missing.text
    # The database holds the rule too, whatever the code path.
    open_row = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert open_row is not None
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(
            update(Submission)
            .where(Submission.id == open_row.id)
            .values(
                status="signed_off",
                decided_at=func.now(),
                **{f"{c}_score": v for c, v in scores.items()},
            )
        )


def test_asking_for_changes_then_resubmitting_keeps_the_history(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, ann, project = submitted
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    comment = "Sustainability (not yet met): name an owner and say how it will be measured."
    scores = ALL_MET | {"sustainability": "not_yet_met", "learning": "exceeded"}
    r = _review_form(client, path, **scores, comment=comment, decision="changes")
    assert r.status_code == 303
    db.refresh(project)
    assert project.status == "changes_requested"
    # The learner can edit again, and resubmit.
    a = access(db, project, ann)
    service.update_project(db, access=a, data=ProjectUpdate(sustainability="Owner: link nurse."))
    service.submit(db, access=a)
    db.flush()
    h = bearer(client, ann.email)
    history = client.get(f"/api/v1/projects/{project.id}/submissions", headers=h).json()
    assert [s["status"] for s in history] == ["submitted", "changes_requested"]
    assert history[1]["scores"]["sustainability"] == "not_yet_met"
    assert history[1]["total"] == 5
    assert history[1]["comment"] == comment
    assert history[1]["decided_by"] == "Tomasz Nowak"
    sign_in(client, ann.email)
    page = client.get(f"/projects/{project.id}/history").text
    assert "Changes requested" in page
    assert "name an owner" in page
    assert "5 out of 10" in page
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "project")).all()
    assert events == ["project.changes_requested"]


def test_only_a_trainer_of_the_cohort_can_decide(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, _cohort, ann, project = submitted
    body = ALL_MET | {"comment": "", "decision": "approve"}
    r = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, ann.email)
    )
    assert r.status_code == 403
    other = make_trainer(db, name="Other Trainer")
    make_cohort(db, lead=other)
    r = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, other.email)
    )
    assert r.status_code == 404
    db.refresh(project)
    assert project.status == "submitted"
    r = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, lead.email)
    )
    assert r.status_code == 200
    again = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, lead.email)
    )
    assert again.status_code == 409
    assert "no submission waiting" in again.json()["detail"]


def test_sign_off_completes_silver_and_issues_the_credential(
    client: TestClient,
    db: Session,
    registry: ContentRegistry,
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, cohort, ann, project = submitted
    _pass_silver(db, registry, ann)
    assert not credentials_service.list_for_user(db, user_id=ann.id)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    r = _review_form(client, path, **ALL_MET, comment="Well done.", decision="approve")
    assert r.status_code == 303
    assert "Your decision has been recorded" in client.get(r.headers["location"]).text
    db.refresh(project)
    assert project.status == "signed_off"
    assert project.signed_off_at is not None
    held = credentials_service.list_for_user(db, user_id=ann.id)
    assert [c.tier for c in held] == ["silver"]
    assert service.is_signed_off(db, cohort_id=cohort.id, user_id=ann.id)
    assert service.states_for(db, cohort_id=cohort.id) == {ann.id: "signed off"}
    status = awards_silver.status(db, cohort_id=cohort.id, user_id=ann.id)
    assert status.complete
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "project.signed_off"))
    assert event is not None
    assert event.actor_id == lead.id
    assert event.detail["scores"] == ALL_MET
    assert event.detail["total"] == 5
    # Signed off means finished: no more changes.
    r = client.patch(
        f"/api/v1/projects/{project.id}", json={"title": "x"}, headers=bearer(client, ann.email)
    )
    assert r.status_code == 409
    assert "signed off" in r.json()["detail"]


def test_sign_off_alone_does_not_complete_silver(
    client: TestClient, db: Session, submitted
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, ann, project = submitted
    body = ALL_MET | {"comment": "", "decision": "approve"}
    assert (
        client.post(
            f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, lead.email)
        ).status_code
        == 200
    )
    assert service.is_signed_off(db, cohort_id=cohort.id, user_id=ann.id)
    assert credentials_service.list_for_user(db, user_id=ann.id) == []  # modules not yet passed


def test_a_team_project_signs_off_every_member(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    ann, bob, cat = (make_learner(db, cohort, name=n) for n in ("Ann Lee", "Bob Roy", "Cat Day"))
    make_team(db, cohort, ann, bob)
    make_team(db, cohort, cat)
    for learner in (ann, bob, cat):
        _pass_silver(db, registry, learner)
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    service.submit(db, access=a)
    start(db, cat, cohort)
    db.flush()
    assert service.states_for(db, cohort_id=cohort.id) == {
        ann.id: "submitted",
        bob.id: "submitted",
        cat.id: "draft",
    }
    body = ALL_MET | {"comment": "", "decision": "approve"}
    r = client.post(
        f"/api/v1/projects/{project.id}/reviews", json=body, headers=bearer(client, lead.email)
    )
    assert r.status_code == 200
    assert service.is_signed_off(db, cohort_id=cohort.id, user_id=bob.id)
    assert not service.is_signed_off(db, cohort_id=cohort.id, user_id=cat.id)
    assert [c.tier for c in credentials_service.list_for_user(db, user_id=bob.id)] == ["silver"]
    assert credentials_service.list_for_user(db, user_id=cat.id) == []
    rows = client.get(
        f"/api/v1/cohorts/{cohort.id}/projects", headers=bearer(client, lead.email)
    ).json()
    assert sorted(r["status"] for r in rows) == ["draft", "signed off"]


def test_one_open_submission_per_project_is_a_database_rule(db: Session, submitted) -> None:  # type: ignore[no-untyped-def]
    _lead, _cohort, ann, project = submitted
    second = {
        "project_id": project.id,
        "status": "submitted",
        "submitted_at": func.now(),
        "submitted_by_id": ann.id,
        "snapshot": {},
    }
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(insert(Submission).values(**second))
    assert db.scalar(select(func.count()).where(Submission.project_id == project.id)) == 1


def test_trainer_list_and_states_make_a_fixed_number_of_queries(
    client: TestClient,
    db: Session,
    count_queries,  # type: ignore[no-untyped-def]
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    first = make_learner(db, cohort)
    start(db, first, cohort)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects"

    def counts() -> tuple[int, int]:
        with count_queries() as page:
            assert client.get(path).status_code == 200
        with count_queries() as states:
            service.states_for(db, cohort_id=cohort.id)
        return page.count, states.count

    before = counts()
    for i in range(4):
        learner = make_learner(db, cohort, name=f"Learner {i}")
        if i % 2:
            start(db, learner, cohort)
    db.flush()
    assert counts() == before
