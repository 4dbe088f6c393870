"""The project registry: the classifier, registering, QI leads' decisions, cohort projects."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.portfolio import classifier, service
from app.portfolio.models import PortfolioMember, PortfolioProject, PortfolioReview, PortfolioTheme
from tests.factories import csrf_token, sign_in
from tests.portfolio.factories import (
    LEEDS,
    QI,
    RESEARCH,
    YORK,
    approve,
    person,
    qi_lead,
    register,
)
from tests.projects.factories import make_cohort, make_learner, make_team, make_trainer, start


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


# --- the classifier ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("randomised", "changes_care", "generalisable"),
    [c for c in itertools.product(("yes", "no"), repeat=3) if "yes" in c],
)
@pytest.mark.parametrize("purpose", ["improve", "standard", "evaluate"])
def test_any_yes_to_the_hra_questions_is_research(
    randomised: str, changes_care: str, generalisable: str, purpose: str
) -> None:
    outcome = classifier.classify(
        randomised=randomised,  # type: ignore[arg-type]
        changes_care=changes_care,  # type: ignore[arg-type]
        generalisable=generalisable,  # type: ignore[arg-type]
        purpose=purpose,  # type: ignore[arg-type]
    )
    assert outcome.kind == "research"
    assert len(outcome.reasons) == [randomised, changes_care, generalisable].count("yes")
    assert "research office" in outcome.explanation


@pytest.mark.parametrize(
    ("purpose", "kind"),
    [("improve", "qi"), ("standard", "audit"), ("evaluate", "service_evaluation")],
)
def test_with_no_yes_the_purpose_decides(purpose: str, kind: str) -> None:
    outcome = classifier.classify(
        randomised="no",
        changes_care="no",
        generalisable="no",
        purpose=purpose,  # type: ignore[arg-type]
    )
    assert outcome.kind == kind


def test_the_check_page_explains_research_and_links_the_research_office(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    acc_org = nurse.organisation_id
    assert acc_org is not None
    assert lead.organisation_id == acc_org
    from app.portfolio.schemas import ResearchOfficeUpdate

    service.set_research_office(
        db,
        organisation_id=acc_org,
        data=ResearchOfficeUpdate(research_office_url="https://rd.example.nhs.uk/start"),
    )
    sign_in(client, nurse.email)
    r = client.get("/portfolio/check", params=RESEARCH)
    assert r.status_code == 200
    assert "Your answers suggest this is research" in r.text
    assert 'href="https://rd.example.nhs.uk/start"' in r.text
    assert "Register this project" not in r.text
    r = client.get("/portfolio/check", params=QI)
    assert "Your answers suggest this is quality improvement" in r.text
    assert "/portfolio/new?randomised=no" in r.text


def test_a_half_answered_check_says_what_is_missing(client: TestClient, db: Session) -> None:
    nurse = person(db)
    sign_in(client, nurse.email)
    r = client.get("/portfolio/check", params={"randomised": "no"})
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert "Choose an answer about changes to care" in r.text


# --- registering ------------------------------------------------------------------------------


def _form(token: str, **extra: object) -> dict[str, object]:
    return {
        "csrf_token": token,
        **QI,
        "title": "Drinks at the 3pm round",
        "aim": "Increase residents offered a drink at 3pm from 60% to 95% by June 2027",
        "division": "Care homes",
        "themes": ["nutrition", "patient_safety"],
        "team": "",
        **extra,
    }


def test_a_nurse_registers_a_project_that_waits_for_the_qi_lead(
    client: TestClient, db: Session
) -> None:
    nurse = person(db, name="Nia Nurse")
    colleague = person(db, name="Cal Colleague")
    sign_in(client, nurse.email)
    token = csrf_token(client, "/portfolio/new?" + "&".join(f"{k}={v}" for k, v in QI.items()))
    r = client.post(
        "/portfolio/new", data=_form(token, team=colleague.email), follow_redirects=False
    )
    assert r.status_code == 303, r.text
    project = db.scalar(select(PortfolioProject).where(PortfolioProject.lead_id == nurse.id))
    assert project is not None
    assert (project.status, project.kind, project.division) == (
        "awaiting_approval",
        "qi",
        "Care homes",
    )
    assert project.organisation_id == nurse.organisation_id
    assert project.lead_staff_group == "nursing_midwifery"
    members = set(
        db.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == project.id))
    )
    assert members == {nurse.id, colleague.id}
    themes = set(
        db.scalars(select(PortfolioTheme.theme).where(PortfolioTheme.project_id == project.id))
    )
    assert themes == {"nutrition", "patient_safety"}
    page = client.get(r.headers["location"])
    assert "Your project has been registered" in page.text
    assert "Waiting for approval" in page.text
    assert "Cal Colleague" in page.text


def test_research_cannot_be_registered(client: TestClient, db: Session) -> None:
    nurse = person(db)
    sign_in(client, nurse.email)
    token = csrf_token(client, "/portfolio")
    before = _count(db, PortfolioProject)
    r = client.post("/portfolio/new", data=_form(token, **RESEARCH), follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/portfolio/check"
    assert client.get("/portfolio/new", params=RESEARCH, follow_redirects=False).status_code == 303
    assert _count(db, PortfolioProject) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter a title"),
        ("division", "", "Enter the division or service"),
        ("themes", [], "Choose at least one theme"),
        ("aim", "Mrs Smith, NHS number 943 476 5919, fell", "NHS number"),
    ],
)
def test_a_bad_registration_says_what_to_fix_and_writes_nothing(
    client: TestClient, db: Session, field: str, value: object, message: str
) -> None:
    nurse = person(db)
    sign_in(client, nurse.email)
    token = csrf_token(client, "/portfolio")
    before = _count(db, PortfolioProject)
    r = client.post("/portfolio/new", data=_form(token, **{field: value}))
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert message in r.text
    assert _count(db, PortfolioProject) == before


def test_a_colleague_from_another_organisation_cannot_be_added(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    outsider = person(db, organisation=YORK)
    sign_in(client, nurse.email)
    token = csrf_token(client, "/portfolio")
    before = _count(db, PortfolioProject)
    r = client.post("/portfolio/new", data=_form(token, team=outsider.email))
    assert r.status_code == 422
    assert f"No one with the email {outsider.email} has an account in your organisation" in r.text
    assert _count(db, PortfolioProject) == before


# --- review -----------------------------------------------------------------------------------


def test_the_qi_lead_approves_and_the_team_sees_it(client: TestClient, db: Session) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, lead.email)
    home = client.get("/portfolio")
    assert "Waiting for your approval" in home.text
    assert project.title in home.text
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    r = client.post(
        f"/portfolio/projects/{project.id}/review",
        data={"csrf_token": token, "decision": "approved", "comment": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.refresh(project)
    assert project.status == "active"
    assert project.approved_at is not None
    sign_in(client, nurse.email)
    page = client.get(f"/portfolio/projects/{project.id}")
    assert "Approved</strong> by Quinn Lead" in page.text
    assert "Record a score" in page.text


def test_returning_needs_a_comment_and_the_team_sends_it_again(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    url = f"/portfolio/projects/{project.id}/review"
    r = client.post(url, data={"csrf_token": token, "decision": "returned", "comment": ""})
    assert r.status_code == 422
    assert "Enter what the team needs to change" in r.text
    assert _count(db, PortfolioReview) == 0
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "decision": "returned",
            "comment": "Say how you will measure it",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.refresh(project)
    assert project.status == "returned"
    sign_in(client, nurse.email)
    page = client.get(f"/portfolio/projects/{project.id}")
    assert "Say how you will measure it" in page.text
    token = csrf_token(client, f"/portfolio/projects/{project.id}/edit")
    r = client.post(
        f"/portfolio/projects/{project.id}/edit",
        data={
            "csrf_token": token,
            "title": "Drinks, measured weekly",
            "aim": "More drinks",
            "division": "Medicine",
            "themes": ["nutrition"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "resubmitted" in r.headers["location"]
    db.refresh(project)
    assert (project.status, project.title) == ("awaiting_approval", "Drinks, measured weekly")


def test_a_decided_registration_cannot_be_decided_again(client: TestClient, db: Session) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    url = f"/portfolio/projects/{project.id}/review"
    client.post(url, data={"csrf_token": token, "decision": "approved"})
    r = client.post(url, data={"csrf_token": token, "decision": "returned", "comment": "x"})
    assert r.status_code == 409
    assert "not waiting for a decision" in r.text
    assert _count(db, PortfolioReview) == 1


def test_only_a_qi_lead_of_the_organisation_may_decide(client: TestClient, db: Session) -> None:
    nurse = person(db)
    teammate = person(db)
    project = register(db, nurse, team=[teammate])
    sign_in(client, teammate.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    r = client.post(
        f"/portfolio/projects/{project.id}/review",
        data={"csrf_token": token, "decision": "approved"},
    )
    assert r.status_code == 403
    assert "Only a QI lead" in r.text
    db.refresh(project)
    assert project.status == "awaiting_approval"


# --- QI leads and settings --------------------------------------------------------------------


def test_a_leader_names_a_qi_lead_of_the_organisation(client: TestClient, db: Session) -> None:
    leader = person(db, roles=[Role.LEADER], organisation=YORK)
    nurse = person(db)
    outsider = person(db, organisation=YORK)
    org = nurse.organisation_id
    sign_in(client, leader.email)
    token = csrf_token(client, f"/portfolio/organisations/{org}")
    url = f"/portfolio/organisations/{org}/qi-leads"
    r = client.post(url, data={"csrf_token": token, "email": outsider.email})
    assert r.status_code == 422
    assert "has an account in this organisation" in r.text
    r = client.post(url, data={"csrf_token": token, "email": nurse.email}, follow_redirects=False)
    assert r.status_code == 303
    assert service.is_qi_lead(db, user_id=nurse.id, organisation_id=org)  # type: ignore[arg-type]
    r = client.post(f"{url}/{nurse.id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert not service.is_qi_lead(db, user_id=nurse.id, organisation_id=org)  # type: ignore[arg-type]


def test_a_qi_lead_sets_the_research_office_but_cannot_name_qi_leads(
    client: TestClient, db: Session
) -> None:
    lead = qi_lead(db)
    nurse = person(db)
    org = lead.organisation_id
    sign_in(client, lead.email)
    token = csrf_token(client, f"/portfolio/organisations/{org}")
    r = client.post(
        f"/portfolio/organisations/{org}/research-office",
        data={
            "csrf_token": token,
            "research_office_url": "http://plain",
            "research_office_email": "",
        },
    )
    assert r.status_code == 422
    assert "starting https://" in r.text
    r = client.post(
        f"/portfolio/organisations/{org}/research-office",
        data={
            "csrf_token": token,
            "research_office_url": "https://rd.example.nhs.uk",
            "research_office_email": "rd@example.nhs.uk",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    office = service.research_office(db, organisation_id=org)  # type: ignore[arg-type]
    assert office.research_office_email == "rd@example.nhs.uk"
    r = client.post(
        f"/portfolio/organisations/{org}/qi-leads", data={"csrf_token": token, "email": nurse.email}
    )
    assert r.status_code == 403


# --- cohort projects --------------------------------------------------------------------------


def test_a_cohort_project_joins_its_organisations_registry_when_started(db: Session) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer, kind="teams")
    dan, eve = make_learner(db, cohort, name="Dan"), make_learner(db, cohort, name="Eve")
    make_team(db, cohort, dan, eve)
    project = start(db, dan, cohort, title="Falls on Ward 3")
    row = db.scalar(
        select(PortfolioProject).where(PortfolioProject.cohort_project_id == project.id)
    )
    assert row is not None
    assert (row.title, row.status, row.lead_id) == ("Falls on Ward 3", "active", dan.id)
    assert row.organisation_id == cohort.organisation_id
    members = set(
        db.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == row.id))
    )
    assert members == {dan.id, eve.id}
    rows = service.my_projects(db, user=eve)
    assert [r.title for r in rows] == ["Falls on Ward 3"]
    assert LEEDS  # the cohort factory's organisation, the same as the registry's


def test_the_team_marks_an_approved_project_completed_and_not_before(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, nurse.email)
    url = f"/portfolio/projects/{project.id}"
    token = csrf_token(client, url)
    r = client.post(f"{url}/status", data={"csrf_token": token, "status": "completed"})
    assert r.status_code == 409
    assert "once a QI lead has approved it" in r.text
    approve(db, project, lead)
    bad = client.post(f"{url}/status", data={"csrf_token": token, "status": "awaiting_approval"})
    assert bad.status_code == 422
    r = client.post(
        f"{url}/status", data={"csrf_token": token, "status": "completed"}, follow_redirects=False
    )
    assert r.status_code == 303
    db.refresh(project)
    assert project.status == "completed"
