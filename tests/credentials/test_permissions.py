"""Who may do what: public verification and credential forms, holder-only certificates and records,
revoking by admins and by leaders of the holder's organisation only, CSRF on the forms."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.accounts.service import get_or_create_organisation
from app.content.registry import ContentRegistry
from tests.credentials.factories import earn_bronze, path_of
from tests.factories import bearer, csrf_token, make_user, sign_in


@pytest.fixture
def earned(client: TestClient, db: Session, registry: ContentRegistry) -> dict[str, Any]:
    _, _, listed = earn_bronze(client, db, registry)
    return listed


def _in_other_organisation(db: Session, user: User) -> User:
    user.organisation_id = get_or_create_organisation(db, name="Another Trust").id
    db.flush()
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/verify/{id}",
        "/api/v1/credentials/{id}/verify",
        "/credentials/{id}",
        "/credentials/{id}.jwt",
        "/credentials/{id}.png",
        "/credentials/{id}.svg",
        "/.well-known/jwks.json",
        "/issuer",
        "/achievements/bronze",
        "/achievements/bronze/image.png",
        "/status/revocations",
    ],
)
def test_public_routes_need_no_account(
    client: TestClient, earned: dict[str, Any], path: str
) -> None:
    r = client.get(path.format(id=earned["id"]))

    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "path", ["/achievements", "/me/cpd-record.pdf", "/me/cpd-record.csv", "/credentials/{id}.pdf"]
)
def test_signed_in_pages_send_visitors_to_sign_in(
    client: TestClient, earned: dict[str, Any], path: str
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # a person following a link
    r = client.get(path.format(id=earned["id"]), headers=browser, follow_redirects=False)

    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_the_credential_list_api_needs_a_token(client: TestClient) -> None:
    r = client.get("/api/v1/me/credentials")

    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"


@pytest.mark.parametrize(
    ("roles", "other_org", "status"),
    [
        ([Role.LEARNER], False, 403),
        ([Role.TRAINER], False, 403),
        ([Role.LEADER], True, 403),
        ([Role.LEADER], False, 200),
        ([Role.ADMIN], True, 200),
    ],
    ids=["learner", "trainer", "leader-elsewhere", "leader-same-org", "admin"],
)
def test_certificates_are_for_holders_and_their_managers(
    client: TestClient,
    db: Session,
    earned: dict[str, Any],
    roles: list[Role],
    other_org: bool,
    status: int,
) -> None:
    viewer = make_user(db, roles=roles)
    if other_org:
        _in_other_organisation(db, viewer)

    r = client.get(path_of(earned["links"]["pdf"]), headers=bearer(client, viewer.email))

    assert r.status_code == status


@pytest.mark.parametrize(
    ("roles", "other_org", "status"),
    [
        ([Role.LEARNER], False, 403),
        ([Role.TRAINER], False, 403),
        ([Role.LEADER], True, 403),
        ([Role.LEADER], False, 200),
        ([Role.ADMIN], True, 200),
    ],
    ids=["learner", "trainer", "leader-elsewhere", "leader-same-org", "admin"],
)
def test_revoking_is_for_admins_and_leaders_of_the_holders_organisation(
    client: TestClient,
    db: Session,
    earned: dict[str, Any],
    roles: list[Role],
    other_org: bool,
    status: int,
) -> None:
    actor = make_user(db, roles=roles)
    if other_org:
        _in_other_organisation(db, actor)

    r = client.post(
        f"/api/v1/credentials/{earned['id']}/revoke",
        json={"reason": "Issued in error"},
        headers=bearer(client, actor.email),
    )
    result = client.get(f"/api/v1/credentials/{earned['id']}/verify").json()

    assert r.status_code == status, r.text
    assert result["status"] == ("revoked" if status == 200 else "active")


def test_revoking_needs_a_token_and_a_reason_and_happens_once(
    client: TestClient, db: Session, earned: dict[str, Any]
) -> None:
    url = f"/api/v1/credentials/{earned['id']}/revoke"
    admin = bearer(client, make_user(db, roles=[Role.ADMIN]).email)

    anonymous = client.post(url, json={"reason": "Issued in error"})
    blank = client.post(url, json={"reason": "   "}, headers=admin)
    too_long = client.post(url, json={"reason": "x" * 501}, headers=admin)
    first = client.post(url, json={"reason": "Issued in error"}, headers=admin)
    second = client.post(url, json={"reason": "Again"}, headers=admin)
    unknown = client.post(
        f"/api/v1/credentials/{uuid.uuid4()}/revoke", json={"reason": "x"}, headers=admin
    )

    assert anonymous.status_code == 401
    assert blank.status_code == 422
    assert "reason" in blank.json()["detail"]
    assert too_long.status_code == 422
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["detail"] == "This credential has already been revoked."
    assert unknown.status_code == 404


def test_the_revoke_page_is_for_managers_only(
    client: TestClient, db: Session, earned: dict[str, Any]
) -> None:
    page = f"/credentials/{earned['id']}/revoke"
    learner = make_user(db)
    sign_in(client, learner.email)

    assert client.get(page).status_code == 403
    assert "Revoke this credential" not in client.get(f"/verify/{earned['id']}").text
    client.cookies.clear()
    assert client.get(page, follow_redirects=False).status_code == 303


def test_a_leader_revokes_from_the_verification_page(
    client: TestClient, db: Session, earned: dict[str, Any]
) -> None:
    leader = make_user(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    verify = client.get(f"/verify/{earned['id']}")
    assert f'href="/credentials/{earned["id"]}/revoke"' in verify.text
    form = f"/credentials/{earned['id']}/revoke"
    token = csrf_token(client, form)

    no_csrf = client.post(form, data={"reason": "Issued in error"})
    empty = client.post(form, data={"reason": " ", "csrf_token": token})
    done = client.post(
        form, data={"reason": "Issued in error", "csrf_token": token}, follow_redirects=False
    )
    after = client.get(f"/verify/{earned['id']}")

    assert no_csrf.status_code == 403
    assert empty.status_code == 422
    assert "Error:" in empty.text
    assert "Enter the reason for revoking this credential" in empty.text
    assert done.status_code == 303
    assert done.headers["location"] == f"/verify/{earned['id']}"
    assert "This credential has been revoked" in after.text
    assert "Reason: Issued in error" in after.text
    assert "Revoke this credential" not in after.text
    assert client.get(form, follow_redirects=False).status_code == 303  # nothing left to revoke


def test_a_learner_sees_only_their_own_credentials(
    client: TestClient, db: Session, earned: dict[str, Any]
) -> None:
    other = make_user(db)

    mine = client.get("/api/v1/me/credentials", headers=bearer(client, other.email)).json()

    assert mine == {"data": []}
    assert earned["id"]


def test_a_reason_too_long_is_refused_with_what_to_fix(
    client: TestClient, db: Session, earned: dict[str, Any]
) -> None:
    sign_in(client, make_user(db, roles=[Role.ADMIN]).email)
    form = f"/credentials/{earned['id']}/revoke"

    r = client.post(form, data={"reason": "x" * 501, "csrf_token": csrf_token(client, form)})

    assert r.status_code == 422
    assert "Reason must be 500 characters or fewer" in r.text
    assert client.get(f"/api/v1/credentials/{earned['id']}/verify").json()["status"] == "active"
