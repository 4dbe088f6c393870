"""Silver completion: every Silver module passed, attendance met and the project signed off."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.awards import silver as awards_silver
from app.cohorts import service
from app.cohorts.models import Cohort
from app.content.registry import ContentRegistry
from app.credentials.models import Credential
from app.projects import service as projects_service
from app.projects.schemas import ProjectStart, ProjectUpdate, ReviewCreate
from tests.cohorts.factories import (
    make_cohort,
    make_learner,
    make_session,
    make_trainer,
    pass_silver,
)
from tests.factories import answers, bearer, csrf_token, sign_in


@pytest.mark.parametrize(
    ("attended", "total", "required", "met"),
    [
        (3, 4, 75, True),
        (2, 3, 67, False),  # 66.7% is short of 67%: no rounding up
        (2, 3, 66, True),
        (0, 0, 0, True),
        (0, 0, 80, False),  # no sessions yet: an attendance requirement cannot be met
        (0, 5, 0, True),
    ],
)
def test_attendance_requirement_is_an_exact_percentage(
    attended: int, total: int, required: int, met: bool
) -> None:
    assert awards_silver.attendance_met(attended=attended, total=total, required=required) is met


APPROVE = ReviewCreate(
    aim="met",
    measurement="met",
    testing="met",
    learning="met",
    sustainability="met",
    decision="approve",
)


def _sign_off(db: Session, cohort: Cohort, lead: User, learner: User) -> None:
    """The learner's own project, started, submitted and signed off through the projects service."""
    project = projects_service.start_project(
        db, user=learner, data=ProjectStart(cohort_id=cohort.id, title="Fewer missed doses")
    )
    mine = projects_service.access(db, project_id=project.id, user=learner)
    projects_service.update_project(
        db,
        access=mine,
        data=ProjectUpdate(aim="Increase on-time doses on Ward 7 from 62% to 90% by March 2027"),
    )
    projects_service.submit(db, access=mine)
    lead_access = projects_service.access(db, project_id=project.id, user=lead)
    projects_service.review(db, access=lead_access, data=APPROVE)


def _silver_credentials(db: Session, user_id: int) -> list[Credential]:
    return list(
        db.scalars(
            select(Credential).where(
                Credential.user_id == user_id, Credential.achievement.like("%silver%")
            )
        )
    )


def test_signed_off_project_completes_silver_and_issues_the_credential(
    db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=50)
    workshop = make_session(db, cohort)
    ready = make_learner(db, cohort, name="Ready Learner")
    short = make_learner(db, cohort, name="Short Of Modules")
    pass_silver(db, registry, ready)
    pass_silver(db, registry, short, count=3)
    service.record_attendance(
        db,
        cohort=cohort,
        session_id=workshop.id,
        marks={ready.id: "present", short.id: "present"},
        actor_id=lead.id,
    )
    before = awards_silver.status(db, cohort_id=cohort.id, user_id=ready.id)
    assert (before.modules_met, before.attendance_met, before.project_signed_off) == (
        True,
        True,
        False,
    )
    assert before.complete is False
    assert _silver_credentials(db, ready.id) == []

    _sign_off(db, cohort, lead, ready)
    _sign_off(db, cohort, lead, short)
    [credential] = _silver_credentials(db, ready.id)
    assert credential.status == "active"
    assert _silver_credentials(db, short.id) == []
    after = awards_silver.status(db, cohort_id=cohort.id, user_id=ready.id)
    assert after.complete is True
    assert after.project == "signed off"
    # Checking again never issues a second credential.
    done = awards_silver.check_completion(
        db, cohort_id=cohort.id, user_ids=[ready.id, short.id], registry=registry, actor_id=lead.id
    )
    assert done == [ready.id]
    assert len(_silver_credentials(db, ready.id)) == 1


def test_attendance_short_of_the_requirement_blocks_completion(
    db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=100)
    make_session(db, cohort)
    learner = make_learner(db, cohort)
    pass_silver(db, registry, learner)
    _sign_off(db, cohort, lead, learner)
    assert awards_silver.status(db, cohort_id=cohort.id, user_id=learner.id).project_signed_off
    assert _silver_credentials(db, learner.id) == []


def test_removed_learners_are_not_completed(db: Session, registry: ContentRegistry) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=0)
    learner = make_learner(db, cohort)
    pass_silver(db, registry, learner)
    _sign_off(db, cohort, lead, learner)
    service.remove_learner(db, cohort=cohort, user_id=learner.id, actor_id=lead.id)
    assert (
        awards_silver.check_completion(
            db, cohort_id=cohort.id, user_ids=[learner.id], registry=registry
        )
        == []
    )


def test_removed_learner_loses_silver_access(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    silver = registry.tier("silver")[0]
    sign_in(client, learner.email)
    assert client.get(f"/modules/{silver.slug}/sections/1").status_code == 200
    client.cookies.clear()
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/remove", data={"csrf_token": token}
    )
    assert "Learner removed from the cohort" in r.text
    assert learner.full_name not in r.text.split("<h2>Learners")[1].split("<h2>")[0]
    client.cookies.clear()
    sign_in(client, learner.email)
    locked = client.get(f"/modules/{silver.slug}/sections/1")
    assert locked.status_code == 403
    assert "join a Silver cohort" in locked.text
    assert client.get(f"/cohorts/{cohort.id}").status_code == 403


def test_bronze_module_page_still_costs_at_most_four_statements(
    client: TestClient, db: Session, registry: ContentRegistry, count_queries
) -> None:
    cohort = make_cohort(db, lead=make_trainer(db))
    learner = make_learner(db, cohort)
    bronze = registry.tier("bronze")[0]
    silver = registry.tier("silver")[0]
    sign_in(client, learner.email)
    client.get(f"/modules/{bronze.slug}/sections/1")
    client.get(f"/modules/{silver.slug}/sections/1")
    with count_queries() as page:
        assert client.get(f"/modules/{bronze.slug}/sections/1").status_code == 200
    assert page.count <= 4, page.statements
    assert not any("enrolment" in s for s in page.statements)
    with count_queries() as silver_page:
        assert client.get(f"/modules/{silver.slug}/sections/1").status_code == 200
    assert any("enrolment" in s for s in silver_page.statements)


def test_signing_off_a_project_in_the_projects_workspace_completes_silver(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    """The whole chain with the real projects service: sign-off -> Silver credential -> dashboard."""
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=0)
    learner = make_learner(db, cohort, name="Priya Shah")
    pass_silver(db, registry, learner)
    project = projects_service.start_project(
        db, user=learner, data=ProjectStart(cohort_id=cohort.id, title="Faster doses")
    )
    mine = projects_service.access(db, project_id=project.id, user=learner)
    projects_service.update_project(
        db,
        access=mine,
        data=ProjectUpdate(aim="Increase on-time doses on Ward 7 from 62% to 90% by March 2027"),
    )
    projects_service.submit(db, access=mine)
    sign_in(client, lead.email)
    before = client.get(f"/trainer/cohorts/{cohort.id}").text
    assert "submitted" in before
    assert _silver_credentials(db, learner.id) == []
    projects_service.review(
        db,
        access=projects_service.access(db, project_id=project.id, user=lead),
        data=ReviewCreate(
            aim="met",
            measurement="met",
            testing="met",
            learning="met",
            sustainability="met",
            decision="approve",
        ),
    )
    db.flush()
    [credential] = _silver_credentials(db, learner.id)
    assert credential.status == "active"
    page = client.get(f"/trainer/cohorts/{cohort.id}").text
    assert "signed off" in page
    assert "<strong>1 of 1</strong> learner has completed Silver" in page


def test_passing_the_last_silver_module_after_sign_off_completes_silver_at_once(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, attendance_required=0)
    learner = make_learner(db, cohort, name="Late Finisher")
    silver = registry.tier("silver")
    pass_silver(db, registry, learner, count=len(silver) - 1)
    project = projects_service.start_project(
        db, user=learner, data=ProjectStart(cohort_id=cohort.id, title="Fewer falls")
    )
    mine = projects_service.access(db, project_id=project.id, user=learner)
    projects_service.update_project(
        db,
        access=mine,
        data=ProjectUpdate(aim="Reduce falls on Ward 3 from 8 to 4 a month by June 2027"),
    )
    projects_service.submit(db, access=mine)
    projects_service.review(
        db,
        access=projects_service.access(db, project_id=project.id, user=lead),
        data=ReviewCreate(
            aim="met",
            measurement="met",
            testing="met",
            learning="met",
            sustainability="met",
            decision="approve",
        ),
    )
    db.flush()
    assert _silver_credentials(db, learner.id) == []  # one Silver module still to pass

    last = silver[-1]
    headers = bearer(client, learner.email)
    wrong = client.post(
        f"/api/v1/modules/{last.slug}/attempts",
        json={"answers": answers(last, correct=False)},
        headers=headers,
    )
    assert wrong.json()["passed"] is False
    assert _silver_credentials(db, learner.id) == []
    right = client.post(
        f"/api/v1/modules/{last.slug}/attempts", json={"answers": answers(last)}, headers=headers
    )
    assert right.json()["passed"] is True
    [credential] = _silver_credentials(db, learner.id)
    assert credential.status == "active"
