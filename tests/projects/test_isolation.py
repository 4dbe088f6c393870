"""Cohort and project isolation, route by route: nobody but a project's learner (or team) and its
cohort's trainers can read it, a trainer can never change it, and outsiders learn nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts import service as cohorts_service
from app.projects import api as projects_api
from app.projects import router as projects_router
from app.projects import service
from app.projects.models import ProjectComment, Submission
from app.projects.schemas import MemberCreate, RebaseCreate
from tests.factories import bearer, csrf_token, sign_in
from tests.projects.factories import (
    FIRST_WEEK,
    access,
    fill,
    make_cohort,
    make_learner,
    make_team,
    make_trainer,
    start,
)

# Every project route: (method, path). "member" routes change the project; the rest read it.
PAGE_ROUTES: list[tuple[str, str]] = [
    ("GET", "/projects/{project_id}"),
    ("POST", "/projects/{project_id}"),
    ("GET", "/projects/{project_id}/team"),
    ("POST", "/projects/{project_id}/team"),
    ("POST", "/projects/{project_id}/team/{member_id}/delete"),
    ("GET", "/projects/{project_id}/drivers"),
    ("POST", "/projects/{project_id}/drivers"),
    ("POST", "/projects/{project_id}/drivers/{node_id}"),
    ("POST", "/projects/{project_id}/drivers/{node_id}/delete"),
    ("GET", "/projects/{project_id}/measures"),
    ("POST", "/projects/{project_id}/measures"),
    ("GET", "/projects/{project_id}/measures/{measure_id}"),
    ("POST", "/projects/{project_id}/measures/{measure_id}"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/delete"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/data"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/data/import"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/data/{period}/delete"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/rebase"),
    ("POST", "/projects/{project_id}/measures/{measure_id}/rebase/{rebase_id}/delete"),
    ("GET", "/projects/{project_id}/charts"),
    ("GET", "/projects/{project_id}/measures/{measure_id}/chart"),
    ("GET", "/projects/{project_id}/measures/{measure_id}/chart.png"),
    ("GET", "/projects/{project_id}/pdsa"),
    ("POST", "/projects/{project_id}/pdsa"),
    ("GET", "/projects/{project_id}/pdsa/{cycle_id}"),
    ("POST", "/projects/{project_id}/pdsa/{cycle_id}"),
    ("POST", "/projects/{project_id}/pdsa/{cycle_id}/delete"),
    ("GET", "/projects/{project_id}/submit"),
    ("POST", "/projects/{project_id}/submit"),
    ("POST", "/projects/{project_id}/withdraw"),
    ("GET", "/projects/{project_id}/history"),
    ("POST", "/projects/{project_id}/comments"),
    ("GET", "/projects/{project_id}/export"),
    ("GET", "/projects/{project_id}/export.md"),
    ("GET", "/projects/{project_id}/export.pdf"),
]
API = "/api/v1/projects/{project_id}"
API_ROUTES: list[tuple[str, str]] = [
    ("GET", API),
    ("PATCH", API),
    ("POST", API + "/members"),
    ("DELETE", API + "/members/{member_id}"),
    ("GET", API + "/drivers"),
    ("POST", API + "/drivers"),
    ("PATCH", API + "/drivers/{node_id}"),
    ("DELETE", API + "/drivers/{node_id}"),
    ("GET", API + "/measures"),
    ("POST", API + "/measures"),
    ("GET", API + "/measures/{measure_id}"),
    ("PUT", API + "/measures/{measure_id}"),
    ("DELETE", API + "/measures/{measure_id}"),
    ("POST", API + "/measures/{measure_id}/data"),
    ("POST", API + "/measures/{measure_id}/data.csv"),
    ("DELETE", API + "/measures/{measure_id}/data/{period}"),
    ("POST", API + "/measures/{measure_id}/rebases"),
    ("DELETE", API + "/measures/{measure_id}/rebases/{rebase_id}"),
    ("GET", API + "/measures/{measure_id}/chart"),
    ("GET", API + "/pdsa"),
    ("POST", API + "/pdsa"),
    ("PUT", API + "/pdsa/{cycle_id}"),
    ("DELETE", API + "/pdsa/{cycle_id}"),
    ("GET", API + "/submissions"),
    ("POST", API + "/submissions"),
    ("POST", API + "/submissions/withdraw"),
    ("POST", API + "/reviews"),
    ("GET", API + "/comments"),
    ("POST", API + "/comments"),
]
TRAINER_ROUTES: list[tuple[str, str]] = [
    ("GET", "/trainer/cohorts/{cohort_id}/projects"),
    ("GET", "/trainer/cohorts/{cohort_id}/projects/{project_id}"),
    ("POST", "/trainer/cohorts/{cohort_id}/projects/{project_id}/review"),
    ("GET", "/api/v1/cohorts/{cohort_id}/projects"),
]
# Not about one project: each acts only on the signed-in learner's own cohorts (tested elsewhere).
OWN_ROUTES = {
    ("GET", "/projects"),
    ("POST", "/projects"),
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("POST", "/api/v1/projects/aim-check"),
}
READ_ONLY = {"GET"}
# Trainers may comment, and review; every other write belongs to the project's learners.
TRAINER_WRITES = {
    ("POST", "/projects/{project_id}/comments"),
    ("POST", API + "/comments"),
    ("POST", API + "/reviews"),
}
MEMBER_FORBIDDEN = {("POST", API + "/reviews")}

FORM: dict[str, str] = {
    "title": "Hijacked",
    "problem": "x",
    "background": "",
    "setting": "",
    "aim": "x",
    "reflection": "",
    "sustainability": "",
    "name": "Someone",
    "role": "x",
    "text": "Hijacked box",
    "kind": "process",
    "definition": "Counted weekly.",
    "unit": "%",
    "direction": "increase",
    "method": "run_anhoej",
    "period": "2026-09-07",
    "value": "1",
    "csv": "2026-09-07,1",
    "starts_on": "2026-09-07",
    "reason": "x",
    "body": "Hijacked comment",
    "comment": "x",
    "decision": "approve",
    "aim_score": "met",
    **dict.fromkeys(("measurement", "testing", "learning", "sustainability"), "met"),
}
MEASURE = {
    "kind": "process",
    "name": "Hijack",
    "definition": "x",
    "unit": "%",
    "direction": "increase",
}


def _body(method: str, path: str, ids: dict[str, Any]) -> dict[str, Any] | None:
    if method in ("GET", "DELETE") or path.endswith(("/submissions", "/withdraw", "data.csv")):
        return None
    tail = path.removeprefix(API)
    bodies: dict[str, Any] = {
        "": {"title": "Hijacked"},
        "/members": {"name": "Someone"},
        "/drivers": {"parent_id": ids["node_id"], "text": "x"},
        "/drivers/{node_id}": {"text": "x"},
        "/measures": MEASURE,
        "/measures/{measure_id}": MEASURE,
        "/measures/{measure_id}/data": {"points": [{"period": "2026-09-07", "value": 1}]},
        "/measures/{measure_id}/rebases": {"starts_on": "2026-09-07", "reason": "x"},
        "/pdsa": {"title": "x", "starts_on": "2026-09-07"},
        "/pdsa/{cycle_id}": {"title": "x", "starts_on": "2026-09-07"},
        "/reviews": dict.fromkeys(
            ("aim", "measurement", "testing", "learning", "sustainability"), "met"
        )
        | {"decision": "approve"},
        "/comments": {"body": "x"},
    }
    return bodies[tail]


def _call(
    client: TestClient,
    method: str,
    template: str,
    ids: dict[str, Any],
    auth: dict[str, str] | None,
    token: str | None,
):  # type: ignore[no-untyped-def]
    path = template.format(**ids)
    if path.startswith("/api/"):
        headers = dict(auth or {})
        if template.endswith("data.csv"):
            return client.request(
                method,
                path,
                content=b"2026-09-07,1\n",
                headers={**headers, "content-type": "text/csv"},
            )
        return client.request(method, path, json=_body(method, template, ids), headers=headers)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**FORM, "csrf_token": token or ""}, follow_redirects=False)


@pytest.fixture
def world(db: Session) -> dict[str, Any]:
    """Two individual cohorts and a team cohort, with a full project to attack."""
    lead_a, lead_b, lead_t = (make_trainer(db, name=n) for n in ("Lead A", "Lead B", "Lead T"))
    cohort_a = make_cohort(db, lead=lead_a)
    cohort_b = make_cohort(db, lead=lead_b)
    teams = make_cohort(db, lead=lead_t, kind="teams")
    ann = make_learner(db, cohort_a, name="Ann Owner")
    bob = make_learner(db, cohort_a, name="Bob Classmate")
    start(db, bob, cohort_a, title="Bob's own")
    cat = make_learner(db, cohort_b, name="Cat Elsewhere")
    dan, eve, fay = (make_learner(db, teams, name=n) for n in ("Dan One", "Eve One", "Fay Two"))
    make_team(db, teams, dan, eve)
    make_team(db, teams, fay)
    project = start(db, ann, cohort_a)
    a = fill(db, project, ann)
    team_project = start(db, dan, teams)
    fill(db, team_project, dan)
    member = service.add_member(db, access=a, data=MemberCreate(name="Grace Mensah"))
    rebase = service.add_rebase(
        db,
        access=a,
        measure_id=service.measures(db, project_id=project.id)[0].id,
        data=RebaseCreate(starts_on=FIRST_WEEK, reason="x"),
    )
    db.flush()

    def ids(p: Any) -> dict[str, Any]:
        measure = service.measures(db, project_id=p.id)[0]
        return {
            "project_id": p.id,
            "cohort_id": p.cohort_id,
            "measure_id": measure.id,
            "node_id": service.nodes(db, project_id=p.id)[1].id,
            "member_id": member.id,
            "cycle_id": service.cycles(db, project_id=p.id)[0].id,
            "rebase_id": rebase.id,
            "period": measure.data[0].period.isoformat(),
        }

    return {
        "db": db,
        "project": project,
        "team_project": team_project,
        "ids": ids(project),
        "team_ids": ids(team_project),
        "users": {
            "ann": ann,
            "bob": bob,
            "cat": cat,
            "lead_a": lead_a,
            "lead_b": lead_b,
            "dan": dan,
            "eve": eve,
            "fay": fay,
        },
        "cohort_b": cohort_b,
        "access": a,
    }


def _fingerprint(db: Session, project: Any, user: Any) -> dict[str, Any]:
    db.expire_all()
    detail = service.detail(db, access=access(db, project, user)).model_dump(exclude={"updated_at"})
    detail["submissions"] = db.scalar(select(func.count()).select_from(Submission))
    detail["comments"] = db.scalar(select(func.count()).select_from(ProjectComment))
    return detail


def _attack(
    client: TestClient, world: dict[str, Any], who: str, target: str = "project"
) -> list[str]:
    """Every project route as `who`; returns what was not refused as expected."""
    user = world["users"][who]
    ids = world["ids"] if target == "project" else world["team_ids"]
    auth = bearer(client, user.email)
    sign_in(client, user.email)
    token = csrf_token(client, "/projects")
    wrong = []
    for method, template in PAGE_ROUTES + API_ROUTES:
        r = _call(client, method, template, ids, auth, token)
        if r.status_code != 404 or world["project"].title in r.text:
            wrong.append(f"{method} {template}: {r.status_code}")
    for method, template in TRAINER_ROUTES:
        r = _call(client, method, template, ids, auth, token)
        if r.status_code != 403:
            wrong.append(f"{method} {template}: {r.status_code}")
    return wrong


def test_every_project_route_is_in_the_isolation_table() -> None:
    routes = [*projects_router.pages.routes, *projects_api.api.routes]
    ours = {
        (method, route.path)
        for route in routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert ours == set(PAGE_ROUTES + API_ROUTES + TRAINER_ROUTES) | OWN_ROUTES


@pytest.mark.parametrize("who", ["bob", "cat", "lead_b"])
def test_outsiders_get_not_found_on_every_route_and_change_nothing(
    client: TestClient, world: dict[str, Any], who: str
) -> None:
    db, project, ann = world["db"], world["project"], world["users"]["ann"]
    before = _fingerprint(db, project, ann)
    assert _attack(client, world, who) == []
    assert _fingerprint(db, project, ann) == before


def test_another_team_cannot_read_or_change_a_team_project(
    client: TestClient, world: dict[str, Any]
) -> None:
    db, project, dan = world["db"], world["team_project"], world["users"]["dan"]
    before = _fingerprint(db, project, dan)
    world = {**world, "project": project}
    wrong = _attack(client, world, "fay", target="team")
    # Fay is in the team cohort but not the team; the trainer pages are for cohort trainers.
    assert wrong == []
    assert _fingerprint(db, project, dan) == before


def test_a_trainer_of_another_cohort_cannot_reach_it_through_their_own_cohort(
    client: TestClient, world: dict[str, Any]
) -> None:
    lead_b, ids = world["users"]["lead_b"], {**world["ids"], "cohort_id": world["cohort_b"].id}
    sign_in(client, lead_b.email)
    token = csrf_token(client, "/projects")
    for method, template in TRAINER_ROUTES[1:3]:
        r = _call(client, method, template, ids, None, token)
        assert r.status_code == 404, (method, template, r.status_code)
    listed = client.get(f"/trainer/cohorts/{world['cohort_b'].id}/projects")
    assert listed.status_code == 200
    assert world["project"].title not in listed.text


def test_the_cohorts_trainer_reads_every_route_but_changes_only_by_review_and_comment(
    client: TestClient, world: dict[str, Any]
) -> None:
    db, project, ann = world["db"], world["project"], world["users"]["ann"]
    lead_a = world["users"]["lead_a"]
    before = _fingerprint(db, project, ann)
    auth = bearer(client, lead_a.email)
    sign_in(client, lead_a.email)
    token = csrf_token(client, "/projects")
    wrong = []
    for method, template in PAGE_ROUTES + API_ROUTES:
        if (method, template) in TRAINER_WRITES:
            continue
        r = _call(client, method, template, world["ids"], auth, token)
        expected = 200 if method in READ_ONLY else 403
        if r.status_code != expected:
            wrong.append(f"{method} {template}: {r.status_code}")
    for method, template in TRAINER_ROUTES[:2] + TRAINER_ROUTES[3:]:
        r = _call(client, method, template, world["ids"], auth, token)
        if r.status_code != 200:
            wrong.append(f"{method} {template}: {r.status_code}")
    assert wrong == []
    assert _fingerprint(db, project, ann) == before


def test_members_cannot_review_their_own_project(client: TestClient, world: dict[str, Any]) -> None:
    db, project, ann = world["db"], world["project"], world["users"]["ann"]
    service.submit(db, access=world["access"])
    db.flush()
    auth = bearer(client, ann.email)
    for method, template in MEMBER_FORBIDDEN:
        assert _call(client, method, template, world["ids"], auth, None).status_code == 403
    sign_in(client, ann.email)
    token = csrf_token(client, "/projects")
    for method, template in TRAINER_ROUTES:
        assert _call(client, method, template, world["ids"], auth, token).status_code == 403
    db.refresh(project)
    assert project.status == "submitted"


def test_every_team_member_can_open_every_read_route(
    client: TestClient, world: dict[str, Any]
) -> None:
    eve = world["users"]["eve"]
    auth = bearer(client, eve.email)
    sign_in(client, eve.email)
    for method, template in PAGE_ROUTES + API_ROUTES:
        if method == "GET":
            r = _call(client, method, template, world["team_ids"], auth, None)
            assert r.status_code == 200, (template, r.status_code)


def test_anonymous_requests_are_refused_everywhere(
    client: TestClient, world: dict[str, Any]
) -> None:
    db, project, ann = world["db"], world["project"], world["users"]["ann"]
    before = _fingerprint(db, project, ann)
    for method, template in PAGE_ROUTES + API_ROUTES + TRAINER_ROUTES:
        r = _call(client, method, template, world["ids"], None, None)
        if template.startswith("/api/"):
            assert r.status_code == 401, (method, template, r.status_code)
        elif method == "GET":
            assert r.status_code == 303, (method, template, r.status_code)
            assert r.headers["location"].startswith("/login")
        else:
            assert r.status_code in (401, 403), (method, template, r.status_code)
    assert _fingerprint(db, project, ann) == before


def test_a_learner_removed_from_the_cohort_loses_access_to_their_project(
    client: TestClient, world: dict[str, Any]
) -> None:
    db, project = world["db"], world["project"]
    ann, lead_a = world["users"]["ann"], world["users"]["lead_a"]
    cohort = cohorts_service.get_cohort(db, cohort_id=project.cohort_id)
    cohorts_service.remove_learner(db, cohort=cohort, user_id=ann.id, actor_id=lead_a.id)
    db.flush()
    auth = bearer(client, ann.email)
    assert client.get(f"/api/v1/projects/{project.id}", headers=auth).status_code == 404
    assert (
        client.get(
            f"/api/v1/projects/{project.id}", headers=bearer(client, lead_a.email)
        ).status_code
        == 200
    )
