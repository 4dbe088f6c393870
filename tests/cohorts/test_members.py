"""Managing learners: teams, moving between a trainer's cohorts, removing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.cohorts import service
from app.cohorts.models import Enrolment, Team
from app.projects import service as projects_service
from app.projects.schemas import ProjectStart
from tests.cohorts.factories import make_cohort, make_learner, make_trainer
from tests.factories import csrf_token, sign_in


def test_trainer_forms_teams_and_puts_learners_in_them(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    learner = make_learner(db, cohort, name="Ann Lee")
    sign_in(client, lead.email)
    base = f"/trainer/cohorts/{cohort.id}"
    token = csrf_token(client, f"{base}/members")
    r = client.post(f"{base}/teams", data={"name": "  Ward   7 falls ", "csrf_token": token})
    assert "Team added" in r.text
    team = db.scalars(select(Team).where(Team.cohort_id == cohort.id)).one()
    assert team.name == "Ward 7 falls"
    dup = client.post(f"{base}/teams", data={"name": "ward 7 FALLS", "csrf_token": token})
    assert dup.status_code == 409
    assert "already has a team called" in dup.text
    page = client.get(f"{base}/members/{learner.id}")
    assert page.status_code == 200
    assert "Change team" in page.text
    r = client.post(
        f"{base}/members/{learner.id}/team", data={"team_id": str(team.id), "csrf_token": token}
    )
    assert "Team changed" in r.text
    enrolment = db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).one()
    db.refresh(enrolment)
    assert enrolment.team_id == team.id
    assert service.team_of(db, cohort_id=cohort.id, user_id=learner.id).name == "Ward 7 falls"  # type: ignore[union-attr]
    assert service.team_member_ids(db, team_id=team.id) == [learner.id]
    r = client.post(f"{base}/teams/{team.id}/delete", data={"csrf_token": token})
    assert "Team deleted" in r.text
    db.refresh(enrolment)
    assert enrolment.team_id is None
    assert enrolment.status == "active"


def test_a_team_of_another_cohort_cannot_be_used(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    other = make_cohort(db, lead=lead, kind="teams")
    foreign = service.create_team(db, cohort=other, name="Elsewhere")
    learner = make_learner(db, cohort)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/team",
        data={"team_id": str(foreign.id), "csrf_token": token},
    )
    assert r.status_code == 422
    assert "Choose a team of this cohort" in r.text


def test_individuals_cohorts_have_no_teams(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="individuals")
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(f"/trainer/cohorts/{cohort.id}/teams", data={"name": "A", "csrf_token": token})
    assert r.status_code == 422
    assert "no teams" in r.text


def test_trainer_moves_a_learner_to_another_of_their_cohorts(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    spring = make_cohort(db, lead=lead, name="Spring")
    autumn = make_cohort(db, lead=lead, name="Autumn")
    learner = make_learner(db, spring)
    sign_in(client, lead.email)
    page = client.get(f"/trainer/cohorts/{spring.id}/members/{learner.id}")
    assert "Autumn" in page.text
    token = csrf_token(client, f"/trainer/cohorts/{spring.id}/members")
    r = client.post(
        f"/trainer/cohorts/{spring.id}/members/{learner.id}/move",
        data={"cohort_id": str(autumn.id), "csrf_token": token},
    )
    assert "Learner moved to the other cohort" in r.text
    rows = {
        e.cohort_id: e.status
        for e in db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id))
    }
    assert rows == {spring.id: "removed", autumn.id: "active"}
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.learner_move"))


def test_removing_a_learner_keeps_their_record(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/remove", data={"csrf_token": token}
    )
    enrolment = db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).one()
    db.refresh(enrolment)
    assert enrolment.status == "removed"
    assert enrolment.removed_at is not None
    assert client.get(f"/trainer/cohorts/{cohort.id}/members/{learner.id}").status_code == 404
    again = client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/remove", data={"csrf_token": token}
    )
    assert again.status_code == 404


def test_a_team_with_a_project_cannot_be_deleted(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    learner = make_learner(db, cohort)
    team = service.create_team(db, cohort=cohort, name="Ward 7")
    service.move_to_team(db, cohort=cohort, user_id=learner.id, team_id=team.id)
    projects_service.start_project(
        db, user=learner, data=ProjectStart(cohort_id=cohort.id, title="Falls")
    )
    db.flush()
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(
        f"/trainer/cohorts/{cohort.id}/teams/{team.id}/delete", data={"csrf_token": token}
    )
    assert r.status_code == 409
    assert "has an improvement project" in r.text
    assert db.scalar(select(Team.id).where(Team.id == team.id)) == team.id
