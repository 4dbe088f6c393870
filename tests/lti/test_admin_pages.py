"""The admin pages and API for learning platforms: registering one, what a mistake looks like,
and who may see them; the deep-linking picker belongs to the teacher who launched it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.lti.models import LtiPlatform
from tests.factories import bearer, csrf_token, make_user, sign_in
from tests.lti import platform as lms
from tests.lti.conftest import launch

ROUTES = [
    ("GET", "/admin/lti"),
    ("GET", "/admin/lti/new"),
    ("POST", "/admin/lti/new"),
    ("GET", "/admin/lti/{id}"),
    ("POST", "/admin/lti/{id}"),
]


def _form(org_id: int, **changes: str) -> dict[str, str]:
    return {
        "name": "Leeds Moodle",
        "issuer": "https://moodle.leeds.nhs.uk",
        "client_id": "abc123",
        "deployment_ids": "1\n2",
        "auth_login_url": "https://moodle.leeds.nhs.uk/mod/lti/auth.php",
        "auth_token_url": "https://moodle.leeds.nhs.uk/mod/lti/token.php",
        "keyset_url": "https://moodle.leeds.nhs.uk/mod/lti/certs.php",
        "organisation_id": str(org_id),
        **changes,
    }


def test_an_admin_registers_a_platform_and_mistakes_are_explained(
    client: TestClient, db: Session
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    org = accounts_service.create_organisation(db, name="Leeds", kind="nhs_trust", region=None)
    db.flush()
    sign_in(client, admin.email)
    token = csrf_token(client, "/admin/lti/new")
    page = client.get("/admin/lti/new")
    assert "http://testserver/lti/login" in page.text  # what to enter in Moodle
    bad = _form(org.id, issuer="moodle", deployment_ids=" ", organisation_id="")
    r = client.post("/admin/lti/new", data={**bad, "csrf_token": token})
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert "Enter a full web address starting with https://" in r.text
    assert "Enter the deployment IDs" in r.text
    assert "Choose the organisation these people belong to" in r.text
    assert db.scalar(select(LtiPlatform)) is None
    r = client.post(
        "/admin/lti/new", data={**_form(org.id), "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    platform = db.scalar(select(LtiPlatform))
    assert platform is not None
    assert [d.deployment_id for d in platform.deployments] == ["1", "2"]
    assert "Learning platform added." in client.get(r.headers["location"]).text
    again = client.post("/admin/lti/new", data={**_form(org.id), "csrf_token": token})
    assert again.status_code == 409
    assert "already registered" in again.text
    edit = {**_form(org.id, deployment_ids="3"), "enabled": "", "csrf_token": token}
    r = client.post(f"/admin/lti/{platform.id}", data=edit, follow_redirects=False)
    assert r.status_code == 303
    db.refresh(platform)
    assert (platform.enabled, [d.deployment_id for d in platform.deployments]) == (False, ["3"])
    api = client.get("/api/v1/admin/lti-platforms", headers=bearer(client, admin.email))
    assert api.json()[0]["tool"]["keyset_url"] == "http://testserver/lti/jwks"
    keys = client.get("/lti/jwks").json()["keys"]
    assert [k["alg"] for k in keys] == ["RS256"]
    assert "d" not in keys[0]  # never the private part


def test_platform_admin_routes_refuse_everyone_but_admins(client: TestClient, db: Session) -> None:
    org = accounts_service.create_organisation(db, name="Leeds", kind="nhs_trust", region=None)
    platform = LtiPlatform(
        name="Leeds Moodle",
        issuer="https://m.example",
        client_id="c",
        auth_login_url="https://m.example/a",
        auth_token_url="https://m.example/t",
        keyset_url="https://m.example/k",
        organisation_id=org.id,
    )
    db.add(platform)
    db.flush()
    for method, route in ROUTES:  # signed out
        r = client.request(method, route.format(id=platform.id), follow_redirects=False)
        assert r.status_code in (303, 401, 403), (method, route, r.status_code)
    for role in (Role.LEARNER, Role.TRAINER, Role.LEADER):
        someone = make_user(db, roles=[role])
        client.cookies.clear()
        sign_in(client, someone.email)
        token = csrf_token(client, "/dashboard")
        for method, route in ROUTES:
            data = {"csrf_token": token, "name": "Taken over"} if method == "POST" else None
            r = client.request(method, route.format(id=platform.id), data=data)
            assert r.status_code == 403, (role, method, route)
        headers = bearer(client, someone.email)
        for url in ("/api/v1/admin/lti-platforms", f"/api/v1/admin/lti-platforms/{platform.id}"):
            assert client.get(url, headers=headers).status_code == 403
    db.refresh(platform)
    assert platform.name == "Leeds Moodle"


def test_a_deep_linking_picker_is_only_for_the_teacher_who_opened_it(
    browser: TestClient, db: Session, world: lms.World, registered: LtiPlatform
) -> None:
    r = launch(browser, world, user="teacher", hint="deep-link")
    picker = r.headers["location"]
    assert browser.get(picker).status_code == 200
    browser.cookies.clear()
    other = make_user(db)
    sign_in(browser, other.email)
    page = browser.get(picker)
    assert page.status_code == 400
    assert "This choice of modules has already been sent" in page.text
    token = csrf_token(browser, "/dashboard")
    r = browser.post(picker, data={"csrf_token": token, "modules": ["x"]})
    assert r.status_code == 400
    assert registered.id
