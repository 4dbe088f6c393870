"""Portfolio isolation, route by route: a project is open only to its team, its coach, its
organisation's QI leads and leaders; an organisation's settings only to its QI leads and leaders.
Another organisation's people, another project's coach and signed-out visitors learn nothing and
change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.notifications.models import Notification
from app.portfolio import router as portfolio_router
from app.portfolio.models import (
    Adaptation,
    CoachRequest,
    PortfolioComment,
    PortfolioMember,
    PortfolioProject,
    PortfolioReview,
    ProgressScore,
    Publication,
    QiLead,
)
from tests.factories import csrf_token, sign_in
from tests.portfolio.factories import (
    YORK,
    approve,
    person,
    publish,
    qi_lead,
    register,
    score,
    scored,
)

P = "/portfolio/projects/{project_id}"
PROJECT_ROUTES = [
    ("GET", P),
    ("GET", P + "/edit"),
    ("POST", P + "/edit"),
    ("POST", P + "/review"),
    ("POST", P + "/scores"),
    ("POST", P + "/scores/{score_id}/confirm"),
    ("POST", P + "/coach"),
    ("POST", P + "/coach-request"),
    ("POST", P + "/comments"),
    ("POST", P + "/status"),
    ("POST", P + "/publish"),
    ("POST", P + "/consent"),
    ("POST", P + "/withdraw"),
]
# The library's page of a project and "Adapt this project": open only while it is published, and
# then only within its scope (tested below for an organisation-scope project).
LIB = "/portfolio/library/{project_id}"
LIBRARY_ROUTES = [("GET", LIB), ("POST", LIB + "/adapt")]
ORG = "/portfolio/organisations/{organisation_id}"
ORG_ROUTES = [
    ("GET", ORG),
    ("POST", ORG + "/qi-leads"),
    ("POST", ORG + "/qi-leads/{user_id}/delete"),
    ("POST", ORG + "/research-office"),
    ("GET", ORG + "/dashboard"),
    ("GET", ORG + "/dashboard/{table}.csv"),
]
LEADER_ROUTES = [("GET", "/portfolio/organisations")]
# Not about one project or organisation: each acts on the signed-in person's own (tested elsewhere).
OWN_ROUTES = {
    ("GET", "/portfolio"),
    ("GET", "/portfolio/check"),
    ("GET", "/portfolio/new"),
    ("POST", "/portfolio/new"),
    ("GET", "/notifications"),
    ("POST", "/notifications/read"),
    ("POST", "/notifications/settings"),
    ("GET", "/portfolio/library"),
    ("GET", "/coaches"),  # the coach directory: the same for everyone signed in
}
FORM = {
    "title": "Hijacked",
    "aim": "Hijacked aim",
    "division": "Hijacked",
    "themes": "falls",
    "decision": "approved",
    "comment": "x",
    "score": "5.0",
    "scored_on": "2026-10-01",
    "email": "someone@example.nhs.uk",
    "body": "Hijacked comment",
    "note": "Hijacked request",
    "status": "stopped",
    "research_office_url": "https://evil.example",
    "research_office_email": "",
    "scope": "community",
    "lessons": "Hijacked lessons",
    "consent": "yes",
}


def test_every_portfolio_route_is_in_the_isolation_table() -> None:
    ours = {
        (method, route.path)
        for route in portfolio_router.pages.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    ours |= {
        (m, r.path)
        for r in portfolio_router.api.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    assert ours == set(PROJECT_ROUTES + ORG_ROUTES + LEADER_ROUTES + LIBRARY_ROUTES) | OWN_ROUTES


@pytest.fixture
def world(db: Session) -> dict[str, Any]:
    """A Leeds project with a team, a coach, a QI lead and a score; people who must not touch it."""
    nurse, mate, coach = person(db, name="Nia Nurse"), person(db), person(db, name="Cora Coach")
    lead = qi_lead(db)
    project = register(db, nurse, team=[mate], title="Leeds falls project")
    approve(db, project, lead)
    project.coach_id = coach.id
    other = register(db, mate, title="Another Leeds project")
    other_coach = person(db, name="Other Coach")
    other.coach_id = other_coach.id
    sid = score(db, project, nurse, "2.0", "2026-10-01")
    db.flush()
    return {
        "project": project,
        "ids": {
            "project_id": project.id,
            "score_id": sid,
            "organisation_id": project.organisation_id,
            "user_id": lead.id,
            "table": "stale",
        },
        "users": {
            "colleague": person(db, name="Col League"),  # same organisation, not on the team
            "foreign_learner": person(db, organisation=YORK, name="York Learner"),
            "foreign_lead": qi_lead(db, organisation=YORK, name="York Lead"),
            "foreign_coach": other_coach,  # coaches another project of the same organisation
        },
    }


def _fingerprint(db: Session, project_id: int) -> tuple[Any, ...]:
    db.expire_all()
    p = db.get(PortfolioProject, project_id)
    assert p is not None

    def n(model: type) -> int:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)

    return (
        p.title,
        p.status,
        p.score,
        p.coach_id,
        n(PortfolioReview),
        n(ProgressScore),
        n(QiLead),
        n(PortfolioComment),
        n(CoachRequest),
        n(Notification),
        n(Publication),
        n(Adaptation),
        n(PortfolioProject),
    )


def _call(client: TestClient, method: str, template: str, ids: dict[str, Any], token: str):  # type: ignore[no-untyped-def]
    path = template.format(**ids)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**FORM, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("who", ["colleague", "foreign_learner", "foreign_lead", "foreign_coach"])
def test_outsiders_get_not_found_or_forbidden_and_change_nothing(
    client: TestClient, db: Session, world: dict[str, Any], who: str
) -> None:
    project, ids = world["project"], world["ids"]
    before = _fingerprint(db, project.id)
    sign_in(client, world["users"][who].email)
    token = csrf_token(client, "/portfolio")
    wrong = []
    for method, template in PROJECT_ROUTES + LIBRARY_ROUTES:  # not published: 404 everywhere
        r = _call(client, method, template, ids, token)
        if r.status_code != 404 or project.title in r.text:
            wrong.append(f"{method} {template}: {r.status_code}")
    for method, template in ORG_ROUTES + LEADER_ROUTES:
        r = _call(client, method, template, ids, token)
        if r.status_code != 403 or project.title in r.text:
            wrong.append(f"{method} {template}: {r.status_code}")
    assert wrong == []
    assert _fingerprint(db, project.id) == before
    assert project.title not in client.get("/portfolio").text


def test_signed_out_visitors_are_sent_to_sign_in_and_change_nothing(
    client: TestClient, db: Session, world: dict[str, Any]
) -> None:
    project, ids = world["project"], world["ids"]
    before = _fingerprint(db, project.id)
    token = csrf_token(client, "/login")
    wrong = []
    routes = PROJECT_ROUTES + ORG_ROUTES + LEADER_ROUTES + LIBRARY_ROUTES + sorted(OWN_ROUTES)
    for method, template in routes:
        r = _call(client, method, template, ids, token)
        to_login = r.status_code in (302, 303) and r.headers["location"].startswith("/login")
        if not (r.status_code == 401 or to_login) or project.title in r.text:
            wrong.append(f"{method} {template}: {r.status_code}")
    assert wrong == []
    assert _fingerprint(db, project.id) == before


def test_the_coach_reads_the_project_but_cannot_change_or_decide_it(
    client: TestClient, db: Session, world: dict[str, Any]
) -> None:
    project, ids = world["project"], world["ids"]
    coach_id = project.coach_id
    coach = next(u for u in [db.get(type(world["users"]["colleague"]), coach_id)] if u)
    sign_in(client, coach.email)
    token = csrf_token(client, "/portfolio")
    assert client.get(P.format(**ids)).status_code == 200
    for template in (
        P + "/edit",
        P + "/review",
        P + "/scores",
        P + "/coach",
        P + "/coach-request",
        P + "/status",
        P + "/publish",
        P + "/consent",
        P + "/withdraw",
    ):
        assert _call(client, "POST", template, ids, token).status_code == 403, template


@pytest.mark.parametrize("who", ["foreign_learner", "foreign_lead"])
def test_another_organisation_cannot_read_or_adapt_an_organisation_scope_publication(
    client: TestClient, db: Session, world: dict[str, Any], who: str
) -> None:
    project, ids = world["project"], world["ids"]
    lead = db.get(type(world["users"]["colleague"]), ids["user_id"])
    assert lead is not None
    scored(db, project, project_member(db, project), lead, "4.0")
    publish(db, project, scope="organisation")
    before = _fingerprint(db, project.id)
    sign_in(client, world["users"][who].email)
    token = csrf_token(client, "/portfolio")
    for method, template in LIBRARY_ROUTES:
        r = _call(client, method, template, ids, token)
        assert r.status_code == 404, template
        assert project.title not in r.text
    assert project.title not in client.get("/portfolio/library").text
    assert _fingerprint(db, project.id) == before
    # The colleague of the same organisation who is not on the team can read it.
    client.cookies.clear()
    sign_in(client, world["users"]["colleague"].email)
    assert client.get(LIB.format(**ids)).status_code == 200


def project_member(db: Session, project: PortfolioProject) -> Any:
    ids = list(
        db.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == project.id))
    )
    return accounts_service.users_by_id(db, user_ids=ids)[ids[0]]
