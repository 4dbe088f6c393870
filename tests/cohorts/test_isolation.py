"""Cohort isolation: every cohort route refuses trainers of other cohorts and learners who are not in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.awards import router as awards_router
from app.cohorts import router as cohorts_router
from app.cohorts import service
from app.cohorts.models import Cohort, CohortTrainer, Enrolment, Team, WorkshopSession
from tests.cohorts.factories import make_cohort, make_learner, make_session, make_trainer
from tests.factories import bearer, csrf_token, make_user, sign_in

# Every route that reads or changes one cohort, with a request that would succeed for the right person.
TRAINER_PAGES = [
    ("GET", "/trainer/cohorts/{c}"),
    ("GET", "/trainer/cohorts/{c}/export.csv"),
    ("GET", "/trainer/cohorts/{c}/members"),
    ("POST", "/trainer/cohorts/{c}/members/import"),
    ("GET", "/trainer/cohorts/{c}/members/{u}"),
    ("POST", "/trainer/cohorts/{c}/members/{u}/team"),
    ("POST", "/trainer/cohorts/{c}/members/{u}/move"),
    ("POST", "/trainer/cohorts/{c}/members/{u}/remove"),
    ("POST", "/trainer/cohorts/{c}/teams"),
    ("POST", "/trainer/cohorts/{c}/teams/{t}/delete"),
    ("POST", "/trainer/cohorts/{c}/trainers"),
    ("POST", "/trainer/cohorts/{c}/trainers/{co}/remove"),
    ("POST", "/trainer/cohorts/{c}/invite"),
    ("GET", "/trainer/cohorts/{c}/sessions"),
    ("POST", "/trainer/cohorts/{c}/sessions"),
    ("POST", "/trainer/cohorts/{c}/sessions/{s}/delete"),
    ("GET", "/trainer/cohorts/{c}/sessions/{s}/register"),
    ("POST", "/trainer/cohorts/{c}/sessions/{s}/register"),
]
TRAINER_API = [
    ("GET", "/api/v1/cohorts/{c}/members"),
    ("GET", "/api/v1/cohorts/{c}/dashboard"),
    ("POST", "/api/v1/cohorts/{c}/sessions"),
    ("GET", "/api/v1/cohorts/{c}/sessions/{s}/attendance"),
    ("PUT", "/api/v1/cohorts/{c}/sessions/{s}/attendance"),
]
LEARNER_PAGES = [("GET", "/cohorts/{c}")]
LEARNER_API = [("GET", "/api/v1/cohorts/{c}/me")]
MEMBER_PAGES = [("GET", "/cohorts/{c}/sessions.ics"), ("GET", "/cohorts/{c}/sessions/{s}.ics")]
MEMBER_API = [("GET", "/api/v1/cohorts/{c}"), ("GET", "/api/v1/cohorts/{c}/sessions")]
# Routes not about one cohort: each shows only the caller's own cohorts or takes an invite code.
UNSCOPED = {
    ("GET", "/trainer/cohorts"),
    ("GET", "/trainer/cohorts/new"),
    ("POST", "/trainer/cohorts/new"),
    ("GET", "/cohorts"),
    ("POST", "/cohorts/join"),
    ("GET", "/cohorts/join/{code}"),
    ("POST", "/cohorts/join/{code}"),
    ("GET", "/api/v1/cohorts"),
    ("POST", "/api/v1/cohorts"),
    ("POST", "/api/v1/cohorts/join"),
}
SCOPED = TRAINER_PAGES + TRAINER_API + LEARNER_PAGES + LEARNER_API + MEMBER_PAGES + MEMBER_API


@dataclass
class World:
    cohort: Cohort
    lead: User
    co: User
    learner: User
    team_id: int
    session_id: int
    other_trainer: User
    other_learner: User
    other_cohort: Cohort


@pytest.fixture
def world(db: Session) -> World:
    lead = make_trainer(db, name="Lead Trainer")
    co = make_trainer(db, name="Co Trainer")
    cohort = make_cohort(db, lead=lead, kind="teams", co_trainers=[co.email], name="Cohort A")
    learner = make_learner(db, cohort, name="Secret Learner")
    team = service.create_team(db, cohort=cohort, name="Ward 7")
    workshop = make_session(db, cohort)
    other_trainer = make_trainer(db, name="Other Trainer")
    other_cohort = make_cohort(db, lead=other_trainer, name="Cohort B")
    other_learner = make_learner(db, other_cohort, name="Other Learner")
    return World(
        cohort, lead, co, learner, team.id, workshop.id, other_trainer, other_learner, other_cohort
    )


def _url(template: str, w: World) -> str:
    return template.format(c=w.cohort.id, u=w.learner.id, t=w.team_id, s=w.session_id, co=w.co.id)


def _send(client: TestClient, method: str, template: str, w: World, *, api: bool, who: User) -> Any:
    url = _url(template, w)
    if api:
        h = bearer(client, who.email)
        body: dict[str, Any] | None = None
        if method == "POST":
            body = {
                "title": "Sneaky",
                "starts_at": "2027-01-01T10:00:00Z",
                "ends_at": "2027-01-01T11:00:00Z",
                "venue": "Here",
            }
        elif method == "PUT":
            body = {"marks": [{"user_id": w.learner.id, "status": "absent"}]}
        return client.request(method, url, json=body, headers=h)
    client.cookies.clear()
    sign_in(client, who.email)
    if method == "GET":
        return client.get(url)
    data = {
        "csrf_token": csrf_token(client, "/cohorts"),
        "name": "New team",
        "email": who.email,
        "team_id": "",
        "cohort_id": str(w.other_cohort.id),
        "title": "Sneaky",
        "date": "2027-01-01",
        "start_time": "10:00",
        "end_time": "11:00",
        "venue": "Here",
        "online_url": "",
        f"mark-{w.learner.id}": "absent",
    }
    files = {"file": ("x.csv", b"sneaky@example.nhs.uk,Sneaky\n", "text/csv")}
    return client.post(url, data=data, files=files if url.endswith("/import") else None)


def _unchanged(db: Session, w: World) -> None:
    enrolment = db.scalars(select(Enrolment).where(Enrolment.user_id == w.learner.id)).one()
    db.refresh(enrolment)
    assert (enrolment.status, enrolment.cohort_id) == ("active", w.cohort.id)
    assert db.scalar(select(Team.id).where(Team.id == w.team_id)) is not None
    assert db.scalar(select(WorkshopSession.id).where(WorkshopSession.id == w.session_id))
    assert (
        db.scalars(
            select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == w.cohort.id)
        ).all()
        != []
    )
    assert len(service.sessions_for(db, cohort_id=w.cohort.id)) == 1
    assert len(service.teams(db, cohort_id=w.cohort.id)) == 1


def _refused(r: Any, *, api: bool) -> None:
    assert r.status_code == 403, (r.status_code, r.text[:300])
    assert "Secret Learner" not in r.text
    if api:
        assert r.json()["error"] == "Forbidden"


TRAINER_ROUTES = [(m, p, False) for m, p in TRAINER_PAGES] + [(m, p, True) for m, p in TRAINER_API]


@pytest.mark.parametrize(("method", "path", "api"), TRAINER_ROUTES)
def test_trainer_routes_refuse_another_cohorts_trainer(
    client: TestClient, db: Session, world: World, method: str, path: str, api: bool
) -> None:
    _refused(_send(client, method, path, world, api=api, who=world.other_trainer), api=api)
    _unchanged(db, world)


@pytest.mark.parametrize(("method", "path", "api"), TRAINER_ROUTES)
def test_trainer_routes_refuse_the_cohorts_own_learners(
    client: TestClient, db: Session, world: World, method: str, path: str, api: bool
) -> None:
    r = _send(client, method, path, world, api=api, who=world.learner)
    assert r.status_code == 403, (r.status_code, r.text[:300])
    _unchanged(db, world)


LEARNER_ROUTES = [(m, p, False) for m, p in LEARNER_PAGES + MEMBER_PAGES] + [
    (m, p, True) for m, p in LEARNER_API + MEMBER_API
]


@pytest.mark.parametrize(("method", "path", "api"), LEARNER_ROUTES)
def test_learner_routes_refuse_learners_of_other_cohorts(
    client: TestClient, db: Session, world: World, method: str, path: str, api: bool
) -> None:
    _refused(_send(client, method, path, world, api=api, who=world.other_learner), api=api)
    _refused(_send(client, method, path, world, api=api, who=make_user(db)), api=api)
    assert _send(client, method, path, world, api=api, who=world.learner).status_code == 200


@pytest.mark.parametrize(("method", "path", "api"), TRAINER_ROUTES + LEARNER_ROUTES)
def test_cohort_routes_need_a_signed_in_user(
    client: TestClient, world: World, method: str, path: str, api: bool
) -> None:
    client.cookies.clear()
    r = client.request(method, _url(path, world), follow_redirects=False)
    if method == "GET" and not api:
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")
    else:
        assert r.status_code in (401, 403), r.status_code
    assert "Secret Learner" not in r.text


def test_both_trainers_of_a_cohort_may_use_its_trainer_routes(
    client: TestClient, world: World
) -> None:
    for who in (world.lead, world.co):
        for method, path in TRAINER_PAGES:
            if method == "GET":
                r = _send(client, method, path, world, api=False, who=who)
                assert r.status_code == 200, (path, r.status_code)
        for method, path in TRAINER_API:
            if method == "GET":
                assert _send(client, method, path, world, api=True, who=who).status_code == 200


def test_lists_show_only_your_own_cohorts(client: TestClient, world: World) -> None:
    sign_in(client, world.other_trainer.email)
    mine = client.get("/trainer/cohorts").text
    assert "Cohort B" in mine
    assert "Cohort A" not in mine
    api = client.get("/api/v1/cohorts", headers=bearer(client, world.other_learner.email)).json()
    assert [c["name"] for c in api["data"]] == ["Cohort B"]
    client.cookies.clear()
    sign_in(client, world.other_learner.email)
    page = client.get("/cohorts").text
    assert "Cohort B" in page
    assert "Cohort A" not in page


def test_moving_a_learner_needs_both_cohorts(client: TestClient, db: Session, world: World) -> None:
    """The lead of A cannot move a learner into B, which they do not train."""
    r = _send(
        client, "POST", "/trainer/cohorts/{c}/members/{u}/move", world, api=False, who=world.lead
    )
    assert r.status_code == 422
    assert "Choose one of your other cohorts" in r.text
    _unchanged(db, world)


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The routes of a router, and of the routers it includes (the cohort pages come in parts)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (inner := getattr(route, "original_router", None)) is not None:
            found += _api_routes(inner.routes)
    return found


def test_every_cohort_route_is_covered_here() -> None:
    """A new route must be added to one of the lists above (and so be tested for isolation)."""
    listed = {(m, p.replace("{c}", "{cohort_id}")) for m, p in SCOPED}
    names = {"{u}": "{user_id}", "{t}": "{team_id}", "{s}": "{session_id}", "{co}": "{user_id}"}
    normalised = set()
    for method, path in listed:
        for short, long in names.items():
            path = path.replace(short, long)
        normalised.add((method, path))
    routes = {
        (method, route.path)
        for module in (
            cohorts_router.pages,
            cohorts_router.api,
            awards_router.pages,
            awards_router.api,
        )
        for route in _api_routes(module.routes)
        for method in route.methods
    }
    cohort_routes = {(m, p) for m, p in routes if "cohort" in p}  # awards has other routes too
    assert cohort_routes - UNSCOPED == normalised
