"""Admins manage users and organisations; every privileged action lands in the audit log."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent
from tests.admin.factories import admin_api, admin_signed_in, emails_to, person
from tests.factories import PASSWORD, bearer, csrf_token, sign_in


def audit_of(db: Session, action: str) -> list[AuditEvent]:
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def fresh(db: Session, user: User) -> User:
    db.expire_all()
    return accounts_service.get_user(db, user_id=user.id)


# ---- users -------------------------------------------------------------------------------------


def test_admin_searches_users_by_name_or_email_with_paging(client: TestClient, db: Session) -> None:
    _admin, headers = admin_api(client, db)
    for n in range(27):
        person(db, Role.LEARNER, name=f"Zebedee Learner {n:02d}")
    person(db, Role.TRAINER, name="Olu Adeyemi")
    r = client.get("/api/v1/admin/users", params={"q": "zebedee"}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["pages"], len(body["items"])) == (27, 2, 25)
    assert body["items"][0]["full_name"] == "Zebedee Learner 00"
    page2 = client.get("/api/v1/admin/users", params={"q": "ZEBEDEE", "page": 2}, headers=headers)
    assert [u["full_name"] for u in page2.json()["items"]] == [
        "Zebedee Learner 25",
        "Zebedee Learner 26",
    ]
    by_email = client.get("/api/v1/admin/users", params={"q": "trainer"}, headers=headers).json()
    assert "Olu Adeyemi" in [u["full_name"] for u in by_email["items"]]
    by_role = client.get(
        "/api/v1/admin/users", params={"role": "trainer", "q": "olu"}, headers=headers
    ).json()
    assert [u["full_name"] for u in by_role["items"]] == ["Olu Adeyemi"]
    # Wildcards in the search are text, not patterns.
    assert (
        client.get("/api/v1/admin/users", params={"q": "%"}, headers=headers).json()["total"] == 0
    )
    assert (
        client.get("/api/v1/admin/users", params={"role": "wizard"}, headers=headers).status_code
        == 422
    )


def test_users_page_lists_searches_and_pages(client: TestClient, db: Session) -> None:
    admin_signed_in(client, db)
    for n in range(26):
        person(db, Role.LEARNER, name=f"Quentin Page {n:02d}")
    page = client.get("/admin/users", params={"q": "quentin", "role": ""})  # the form's "Any role"
    assert page.status_code == 200
    assert "Showing 1 to 25 of 26 users" in page.text
    assert "Quentin Page 00" in page.text
    assert "/admin/users?q=quentin&amp;page=2" in page.text
    second = client.get("/admin/users", params={"q": "quentin", "page": 2})
    assert "Quentin Page 25" in second.text
    assert "Quentin Page 00" not in second.text
    none = client.get("/admin/users", params={"q": "nobody-like-this"})
    assert "No users match" in none.text


def test_users_page_query_count_does_not_grow_with_users(
    client: TestClient, db: Session, count_queries
) -> None:  # type: ignore[no-untyped-def]
    admin_signed_in(client, db)
    for n in range(3):
        person(db, Role.LEARNER, name=f"Count Few {n}")
    with count_queries() as few:
        assert client.get("/admin/users", params={"q": "count"}).status_code == 200
    for n in range(20):
        person(db, Role.TRAINER, name=f"Count Many {n}")
    with count_queries() as many:
        assert client.get("/admin/users", params={"q": "count"}).status_code == 200
    assert many.count == few.count


def test_role_change_is_audited_and_ends_the_users_sessions(
    client: TestClient, db: Session
) -> None:
    target = person(db, Role.LEARNER, name="Ravi Kumar")
    their_token = bearer(client, target.email)
    admin = admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{target.id}")
    r = client.post(
        f"/admin/users/{target.id}/roles",
        data={"csrf_token": token, "roles": ["trainer", "leader"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/admin/users/{target.id}?done=roles"
    assert fresh(db, target).role_names == {"learner", "trainer", "leader"}
    [event] = audit_of(db, "user.roles_changed")
    assert (event.actor_id, event.target_type, event.target_id) == (
        admin.id,
        "user",
        str(target.id),
    )
    assert event.detail == {"added": ["leader", "trainer"], "removed": []}
    # Their old token no longer works.
    assert client.get("/api/v1/me", headers=their_token).status_code == 401
    page = client.get(r.headers["location"])
    assert "Roles saved" in page.text
    assert "Changed the roles of Ravi Kumar (added: leader, trainer)" in page.text

    # Taking a role away is recorded too.
    client.post(
        f"/admin/users/{target.id}/roles",
        data={"csrf_token": token, "roles": ["leader"]},
        follow_redirects=False,
    )
    assert fresh(db, target).role_names == {"learner", "leader"}
    assert audit_of(db, "user.roles_changed")[-1].detail == {"added": [], "removed": ["trainer"]}


def test_saving_the_same_roles_records_nothing(client: TestClient, db: Session) -> None:
    target = person(db, Role.TRAINER)
    _, headers = admin_api(client, db)
    r = client.patch(
        f"/api/v1/admin/users/{target.id}", json={"roles": ["trainer"]}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["roles"] == ["learner", "trainer"]
    assert audit_of(db, "user.roles_changed") == []


def test_admin_cannot_remove_their_own_admin_role(client: TestClient, db: Session) -> None:
    admin = admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{admin.id}")
    r = client.post(
        f"/admin/users/{admin.id}/roles", data={"csrf_token": token, "roles": ["leader"]}
    )
    assert r.status_code == 409
    assert "You cannot remove your own admin role" in r.text
    assert "Error:" in r.text  # the page title says so
    assert fresh(db, admin).role_names == {"learner", "admin"}
    headers = bearer(client, admin.email)
    api = client.patch(f"/api/v1/admin/users/{admin.id}", json={"roles": []}, headers=headers)
    assert api.status_code == 409
    assert api.json()["error"] == "Conflict"
    assert audit_of(db, "user.roles_changed") == []
    # Adding a role to yourself is fine, and keeps you signed in.
    ok = client.post(
        f"/admin/users/{admin.id}/roles",
        data={"csrf_token": token, "roles": ["admin", "leader"]},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/admin").status_code == 200
    assert fresh(db, admin).role_names == {"learner", "admin", "leader"}


def test_unknown_role_in_the_form_is_refused(client: TestClient, db: Session) -> None:
    target = person(db, Role.LEARNER)
    admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{target.id}")
    r = client.post(
        f"/admin/users/{target.id}/roles", data={"csrf_token": token, "roles": ["superuser"]}
    )
    assert r.status_code == 422
    assert "Choose roles from the list" in r.text
    assert fresh(db, target).role_names == {"learner"}


def test_deactivating_asks_first_and_changes_nothing_until_confirmed(
    client: TestClient, db: Session
) -> None:
    target = person(db, Role.LEARNER, name="Ayo Bello")
    admin = admin_signed_in(client, db)
    user_page = client.get(f"/admin/users/{target.id}").text
    assert f'href="/admin/users/{target.id}/deactivate"' in user_page
    check = client.get(f"/admin/users/{target.id}/deactivate")
    assert check.status_code == 200
    assert "Deactivate Ayo Bello?" in check.text
    assert "Yes, deactivate this account" in check.text
    assert fresh(db, target).is_active is True  # asking changed nothing
    own = client.get(f"/admin/users/{admin.id}/deactivate", follow_redirects=False)
    assert own.status_code == 303  # no way to deactivate yourself, not even a question


def test_deactivate_ends_sessions_and_sign_in_then_reactivate(
    client: TestClient, db: Session
) -> None:
    target = person(db, Role.LEARNER, name="Ayo Bello")
    their_token = bearer(client, target.email)
    admin = admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{target.id}")
    r = client.post(
        f"/admin/users/{target.id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"] == f"/admin/users/{target.id}?done=deactivated"
    assert fresh(db, target).is_active is False
    assert client.get("/api/v1/me", headers=their_token).status_code == 401
    login = client.post("/api/v1/auth/token", data={"username": target.email, "password": PASSWORD})
    assert login.status_code == 401
    [event] = audit_of(db, "user.deactivated")
    assert (event.actor_id, event.target_id) == (admin.id, str(target.id))
    page = client.get(f"/admin/users/{target.id}")
    assert "Deactivated" in page.text
    assert "Reactivate account" in page.text

    client.post(f"/admin/users/{target.id}/reactivate", data={"csrf_token": token})
    assert fresh(db, target).is_active is True
    assert len(audit_of(db, "user.reactivated")) == 1
    assert bearer(client, target.email)  # signs in again


def test_admin_cannot_deactivate_themselves(client: TestClient, db: Session) -> None:
    admin = admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{admin.id}")
    r = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token})
    assert r.status_code == 409
    assert "You cannot deactivate your own account" in r.text
    headers = bearer(client, admin.email)
    api = client.patch(
        f"/api/v1/admin/users/{admin.id}", json={"is_active": False}, headers=headers
    )
    assert api.status_code == 409
    assert fresh(db, admin).is_active is True
    assert audit_of(db, "user.deactivated") == []


def test_api_deactivates_and_changes_roles_in_one_request(client: TestClient, db: Session) -> None:
    target = person(db, Role.TRAINER)
    _, headers = admin_api(client, db)
    r = client.patch(
        f"/api/v1/admin/users/{target.id}",
        json={"roles": ["leader"], "is_active": False},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["roles"], r.json()["is_active"]) == (["leader", "learner"], False)
    assert len(audit_of(db, "user.roles_changed")) == 1
    assert len(audit_of(db, "user.deactivated")) == 1
    bad = client.patch(
        f"/api/v1/admin/users/{target.id}", json={"roles": ["wizard"]}, headers=headers
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/admin/users/999999", headers=headers).status_code == 404


def test_admin_sends_a_reset_link_through_the_outbox(client: TestClient, db: Session) -> None:
    target = person(db, Role.LEARNER, name="Mei Chen")
    admin = admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/users/{target.id}")
    r = client.post(
        f"/admin/users/{target.id}/reset-link", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"] == f"/admin/users/{target.id}?done=reset"
    [email] = emails_to(db, target.email)
    assert email.status == "pending"
    assert "Hello Mei Chen" in email.body
    assert "administrator" in email.body
    link = re.search(r"http://testserver(/reset-password/\S+)", email.body)
    assert link
    [event] = audit_of(db, "user.password_reset_sent")
    assert (event.actor_id, event.target_id) == (admin.id, str(target.id))
    assert event.detail == {}  # no token, no address in the log
    # The link works: a new password, and the old one stops working.
    client.cookies.clear()
    form = client.get(link.group(1))
    assert form.status_code == 200
    assert "Choose a new password" in form.text
    done = client.post(
        link.group(1),
        data={"csrf_token": csrf_token(client, link.group(1)), "password": "violet-canal-heron"},
    )
    assert done.status_code == 200
    assert "Your password has been changed" in done.text
    assert bearer(client, target.email, "violet-canal-heron")
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": target.email, "password": PASSWORD}
        ).status_code
        == 401
    )


def test_reset_link_refused_for_a_deactivated_account(client: TestClient, db: Session) -> None:
    target = person(db, Role.LEARNER)
    _, headers = admin_api(client, db)
    client.patch(f"/api/v1/admin/users/{target.id}", json={"is_active": False}, headers=headers)
    r = client.post(f"/api/v1/admin/users/{target.id}/password-reset", headers=headers)
    assert r.status_code == 409
    assert "Reactivate it" in r.json()["detail"]
    assert emails_to(db, target.email) == []
    ok = client.post(
        f"/api/v1/admin/users/{person(db, Role.LEARNER).id}/password-reset", headers=headers
    )
    assert ok.status_code == 202


def test_user_page_shows_details_and_history(client: TestClient, db: Session) -> None:
    target = person(db, Role.TRAINER, name="Fatima Hussain")
    admin_signed_in(client, db)
    page = client.get(f"/admin/users/{target.id}")
    assert page.status_code == 200
    assert "<h1>Fatima Hussain</h1>" in page.text
    assert target.email in page.text
    assert "Leeds Teaching Hospitals NHS Trust" in page.text
    assert "Nursing and midwifery registered" in page.text
    assert "No privileged actions have been recorded" in page.text
    assert client.get("/admin/users/999999").status_code == 404


# ---- organisations -----------------------------------------------------------------------------


def test_admin_creates_and_edits_organisations_with_audit(client: TestClient, db: Session) -> None:
    admin, headers = admin_api(client, db)
    r = client.post(
        "/api/v1/admin/organisations",
        json={"name": "  Oak   Lodge Care Home ", "kind": "social_care", "region": "North West"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    org = r.json()
    assert (org["name"], org["kind"], org["kind_label"], org["region"], org["members"]) == (
        "Oak Lodge Care Home",
        "social_care",
        "Social care provider",
        "North West",
        0,
    )
    [created] = audit_of(db, "organisation.created")
    assert (created.actor_id, created.target_id) == (admin.id, str(org["id"]))
    dup = client.post(
        "/api/v1/admin/organisations", json={"name": "oak lodge care home"}, headers=headers
    )
    assert dup.status_code == 409
    assert "already exists" in dup.json()["detail"]

    edit = client.patch(
        f"/api/v1/admin/organisations/{org['id']}",
        json={"kind": "primary_care"},
        headers=headers,
    )
    assert edit.status_code == 200
    assert (edit.json()["kind"], edit.json()["region"]) == ("primary_care", "North West")
    cleared = client.patch(
        f"/api/v1/admin/organisations/{org['id']}", json={"region": None}, headers=headers
    )
    assert cleared.json()["region"] is None
    changes = [e.detail["changes"] for e in audit_of(db, "organisation.updated")]
    assert changes == [
        {"kind": ["social_care", "primary_care"]},
        {"region": ["North West", None]},
    ]


def test_organisation_bad_input_is_422_and_writes_nothing(client: TestClient, db: Session) -> None:
    _, headers = admin_api(client, db)
    before = db.scalar(select(Organisation.id).order_by(Organisation.id.desc()).limit(1))
    for body, field in (
        ({"name": "A Trust", "kind": "hospital"}, "kind"),
        ({"name": "A Trust", "region": "Narnia"}, "region"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
    ):
        r = client.post("/api/v1/admin/organisations", json=body, headers=headers)
        assert r.status_code == 422, body
        assert any(e["field"] == field for e in r.json()["errors"]), r.json()
    assert db.scalar(select(Organisation.id).order_by(Organisation.id.desc()).limit(1)) == before


def test_organisation_pages_list_create_and_edit(client: TestClient, db: Session) -> None:
    member = person(db, Role.LEARNER)
    admin_signed_in(client, db)
    listing = client.get("/admin/organisations")
    assert "Leeds Teaching Hospitals NHS Trust" in listing.text
    token = csrf_token(client, "/admin/organisations/new")
    bad = client.post(
        "/admin/organisations/new",
        data={"csrf_token": token, "name": "", "kind": "other", "region": ""},
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text
    assert "Enter the organisation&#39;s name" in bad.text
    ok = client.post(
        "/admin/organisations/new",
        data={
            "csrf_token": token,
            "name": "Riverside Surgery",
            "kind": "primary_care",
            "region": "London",
        },
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/admin/organisations?done=created"
    listing = client.get(ok.headers["location"])
    assert "Organisation added" in listing.text
    assert "Riverside Surgery" in listing.text

    org_id = member.organisation_id
    edit_page = client.get(f"/admin/organisations/{org_id}")
    assert 'value="Leeds Teaching Hospitals NHS Trust"' in edit_page.text
    saved = client.post(
        f"/admin/organisations/{org_id}",
        data={
            "csrf_token": token,
            "name": "Leeds Teaching Hospitals NHS Trust",
            "kind": "nhs_trust",
            "region": "North East and Yorkshire",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    db.expire_all()
    org = db.get(Organisation, org_id)
    assert org is not None
    assert (org.kind, org.region) == ("nhs_trust", "North East and Yorkshire")
    clash = client.post(
        f"/admin/organisations/{org_id}",
        data={"csrf_token": token, "name": "riverside surgery", "kind": "nhs_trust", "region": ""},
    )
    assert clash.status_code == 409
    assert "already exists" in clash.text
    db.expire_all()
    assert db.get(Organisation, org_id).name == "Leeds Teaching Hospitals NHS Trust"  # type: ignore[union-attr]
    assert client.get("/admin/organisations/999999").status_code == 404


# ---- audit log ---------------------------------------------------------------------------------


def test_audit_page_shows_who_what_and_when_newest_first(client: TestClient, db: Session) -> None:
    target = person(db, Role.LEARNER, name="Kwame Asante")
    admin = person(db, Role.ADMIN, name="Morgan Ellis")
    headers = bearer(client, admin.email)
    client.patch(f"/api/v1/admin/users/{target.id}", json={"roles": ["trainer"]}, headers=headers)
    client.patch(f"/api/v1/admin/users/{target.id}", json={"is_active": False}, headers=headers)
    sign_in(client, admin.email)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    text = page.text
    first = text.index("Deactivated Kwame Asante")
    second = text.index("Changed the roles of Kwame Asante (added: trainer)")
    assert first < second  # newest first
    assert "Morgan Ellis" in text
    filtered = client.get("/admin/audit", params={"action": "user.deactivated"})
    assert "Deactivated Kwame Asante" in filtered.text
    assert "Changed the roles of" not in filtered.text

    api = client.get("/api/v1/admin/audit", headers=headers).json()
    newest = api["items"][0]
    assert newest["action"] == "user.deactivated"
    assert newest["actor_name"] == "Morgan Ellis"
    assert newest["target_id"] == str(target.id)
    assert "user.roles_changed" in api["actions"]


def test_audit_page_pages_and_its_query_count_is_fixed(
    client: TestClient, db: Session, count_queries
) -> None:  # type: ignore[no-untyped-def]
    from app.audit import service as audit

    admin = admin_signed_in(client, db)
    people = [person(db, Role.LEARNER, name=f"Audited {n}") for n in range(60)]
    for p in people[:5]:
        audit.record(
            db, actor_id=admin.id, action="user.deactivated", target_type="user", target_id=p.id
        )
    with count_queries() as few:
        assert client.get("/admin/audit").status_code == 200
    for p in people[5:]:
        audit.record(
            db, actor_id=p.id, action="credential.revoke", target_type="credential", target_id=p.id
        )
    with count_queries() as many:
        page = client.get("/admin/audit")
    assert many.count == few.count
    assert "Showing 1 to 50 of" in page.text
    assert 'rel="next"' in page.text
    assert client.get("/admin/audit", params={"page": 2}).status_code == 200


def test_admin_index_shows_counts(client: TestClient, db: Session) -> None:
    admin_signed_in(client, db)
    page = client.get("/admin")
    assert page.status_code == 200
    assert "Administration" in page.text
    assert "email" in page.text
    assert 'href="/admin"' in page.text  # the header's Admin link
