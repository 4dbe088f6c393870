"""Every admin route refuses learners, trainers and leaders; every leader route refuses learners and trainers."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.audit.models import AuditEvent
from app.content.registry import ContentRegistry
from tests.admin.factories import person
from tests.factories import bearer, csrf_token, sign_in

ADMIN_PAGES = [
    ("GET", "/admin"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}/roles"),
    ("GET", "/admin/users/{user}/deactivate"),
    ("POST", "/admin/users/{user}/deactivate"),
    ("POST", "/admin/users/{user}/reactivate"),
    ("POST", "/admin/users/{user}/reset-link"),
    ("GET", "/admin/organisations"),
    ("GET", "/admin/organisations/new"),
    ("POST", "/admin/organisations/new"),
    ("GET", "/admin/organisations/{org}"),
    ("POST", "/admin/organisations/{org}"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/scorm"),
    ("GET", "/admin/scorm/{slug}.zip"),
    ("GET", "/admin/xapi"),
    ("GET", "/admin/xapi/{org}"),
    ("POST", "/admin/xapi/{org}"),
    ("GET", "/admin/esr"),
    ("GET", "/admin/esr/{org}"),
    ("POST", "/admin/esr/{org}"),
]
ADMIN_API = [
    ("GET", "/api/v1/admin/users"),
    ("GET", "/api/v1/admin/users/{user}"),
    ("PATCH", "/api/v1/admin/users/{user}"),
    ("POST", "/api/v1/admin/users/{user}/password-reset"),
    ("GET", "/api/v1/admin/organisations"),
    ("POST", "/api/v1/admin/organisations"),
    ("GET", "/api/v1/admin/organisations/{org}"),
    ("PATCH", "/api/v1/admin/organisations/{org}"),
    ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/v1/admin/learning-record-stores"),
]
LEADER_PAGES = [("GET", "/leader/feedback"), ("GET", "/leader/feedback/modules/{slug}")]
LEADER_API = [("GET", "/api/v1/leader/feedback")]
BODIES = {
    "PATCH /api/v1/admin/users/{user}": {"is_active": False},
    "POST /api/v1/admin/organisations": {"name": "Nowhere Trust", "kind": "nhs_trust"},
    "PATCH /api/v1/admin/organisations/{org}": {"region": "London"},
}


def _fill(path: str, *, user: int, org: int, slug: str) -> str:
    return path.format(user=user, org=org, slug=slug)


@pytest.fixture
def targets(db: Session, registry: ContentRegistry) -> dict[str, object]:
    victim = person(db, Role.LEARNER, name="Victim Person")
    assert victim.organisation_id is not None
    return {"user": victim.id, "org": victim.organisation_id, "slug": registry.all()[0].slug}


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.LEADER])
def test_every_admin_page_refuses_non_admins(
    client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    sign_in(client, person(db, role).email)
    token = csrf_token(client, "/dashboard")
    for method, path in ADMIN_PAGES:
        url = _fill(path, **targets)  # type: ignore[arg-type]
        if method == "GET":
            r = client.get(url, follow_redirects=False)
        else:
            data = {"csrf_token": token, "roles": "admin", "name": "X", "kind": "other"}
            r = client.post(url, data=data, follow_redirects=False)
        assert r.status_code == 403, (method, url, r.status_code)
        assert "Only an admin can do this." in r.text
    # Nothing changed for the target, and nothing was recorded.
    db.expire_all()
    victim = accounts_service.get_user(db, user_id=targets["user"])  # type: ignore[arg-type]
    assert victim.is_active
    assert victim.role_names == {"learner"}
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.LEADER])
def test_every_admin_api_route_refuses_non_admins(
    client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    headers = bearer(client, person(db, role).email)
    for method, path in ADMIN_API:
        body = BODIES.get(f"{method} {path}", {})
        r = client.request(
            method,
            _fill(path, **targets),  # type: ignore[arg-type]
            headers=headers,
            json=body if method in ("POST", "PATCH") else None,
        )
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["error"] == "Forbidden"
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize(("method", "path"), ADMIN_API + LEADER_API)
def test_admin_and_leader_api_need_a_sign_in(
    client: TestClient, targets: dict[str, object], method: str, path: str
) -> None:
    r = client.request(method, _fill(path, **targets), json={})  # type: ignore[arg-type]
    assert r.status_code == 401


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES + LEADER_PAGES)
def test_admin_and_leader_pages_refuse_strangers(
    client: TestClient, targets: dict[str, object], method: str, path: str
) -> None:
    url = _fill(path, **targets)  # type: ignore[arg-type]
    if method == "GET":  # sent to sign in, and back here afterwards
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/login?next={url}"
    else:
        r = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
        assert r.status_code == 401
        assert "Sign in to continue" in r.text


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_every_leader_route_refuses_learners_and_trainers(
    client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    someone = person(db, role)
    headers = bearer(client, someone.email)
    sign_in(client, someone.email)
    for method, path in LEADER_PAGES + LEADER_API:
        url = _fill(path, **targets)  # type: ignore[arg-type]
        assert client.request(method, url, headers=headers).status_code == 403, url
        assert client.request(method, url).status_code == 403, url  # by cookie too


@pytest.mark.parametrize("role", [Role.LEADER, Role.ADMIN])
def test_leader_routes_admit_leaders_and_admins(
    client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    sign_in(client, person(db, role).email)
    for method, path in LEADER_PAGES + LEADER_API:
        url = _fill(path, **targets)  # type: ignore[arg-type]
        assert client.request(method, url).status_code == 200, url


def test_dev_outbox_is_not_an_admin_back_door(client: TestClient, db: Session) -> None:
    sign_in(client, person(db, Role.ADMIN).email)
    assert client.get("/dev/outbox").status_code == 404  # test env: as in production


# Every route under these prefixes is for leaders (and admins) or admins only: found by walking
# the app, so a route added later is covered without anyone remembering to list it here.
LEADER_PREFIXES = ("/leader", "/api/v1/leader", "/api/v1/reports", "/api/v1/gold")
ADMIN_PREFIXES = ("/admin", "/api/v1/admin")


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every API route, into included routers (FastAPI no longer flattens them)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found += [(m, prefix + route.path) for m in sorted(route.methods - {"HEAD"})]
        elif hasattr(route, "original_router"):
            found += _walk(route.original_router.routes, prefix + route.include_context.prefix)
    return found


def _routes(app: FastAPI, prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(m, path) for m, path in _walk(app.routes) if path.startswith(prefixes)]


def _example(path: str, targets: dict[str, object]) -> str:
    """The path with every parameter filled: ids with a real learner's, names with a module's."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(targets["slug"] if m.group(1) in ("slug", "name") else targets["user"]),
        path,
    )


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_every_leader_and_admin_route_in_the_app_refuses_learners_and_trainers(
    app: FastAPI, client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    routes = _routes(app, LEADER_PREFIXES + ADMIN_PREFIXES)
    assert len(routes) > 40  # the walk found the routes, not nothing
    someone = person(db, role)
    headers = bearer(client, someone.email)
    sign_in(client, someone.email)
    token = csrf_token(client, "/dashboard")
    for method, path in routes:
        url = _example(path, targets)
        if path.startswith("/api/"):
            r = client.request(method, url, headers=headers, json={} if method != "GET" else None)
        elif method == "GET":
            r = client.get(url, follow_redirects=False)
        else:  # a valid CSRF token, so the refusal is the role check's
            r = client.request(method, url, data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403, (method, path, r.status_code)
        assert "can do this" in r.text, (method, path)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_every_admin_route_in_the_app_refuses_leaders(
    app: FastAPI, client: TestClient, db: Session, targets: dict[str, object]
) -> None:
    leader = person(db, Role.LEADER)
    headers = bearer(client, leader.email)
    sign_in(client, leader.email)
    token = csrf_token(client, "/dashboard")
    for method, path in _routes(app, ADMIN_PREFIXES):
        url = _example(path, targets)
        if path.startswith("/api/"):
            r = client.request(method, url, headers=headers, json={} if method != "GET" else None)
        else:
            r = client.request(method, url, data={"csrf_token": token} if method != "GET" else None)
        assert r.status_code == 403, (method, path, r.status_code)
        assert "Only an admin can do this." in r.text, (method, path)
