"""Your account: change your details and password; a wrong current password is counted like a
failed sign-in and changes nothing; other devices are signed out by a password change."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt, User
from tests.factories import PASSWORD, csrf_token, make_user, sign_in


def test_the_header_name_leads_to_your_account_and_details_save(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    assert 'href="/account"' in client.get("/dashboard").text
    token = csrf_token(client, "/account")
    form = {
        "csrf_token": token,
        "full_name": "Grace Mensah",
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
    }
    r = client.post("/account/details", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Your details have been saved." in page.text
    assert 'value="Grace Mensah"' in page.text
    assert 'value="Oak Lodge Care Home"' in page.text


def test_blank_details_say_what_to_enter_and_change_nothing(
    client: TestClient, db: Session
) -> None:
    user = make_user(db)
    name = user.full_name
    sign_in(client, user.email)
    token = csrf_token(client, "/account")
    form = {"csrf_token": token, "full_name": "", "organisation": "", "staff_group": "none"}
    r = client.post("/account/details", data=form)
    assert r.status_code == 422
    assert "Enter your full name" in r.text
    assert "Enter your organisation" in r.text
    db.expire_all()
    assert db.get(User, user.id).full_name == name  # type: ignore[union-attr]


def test_a_wrong_current_password_is_refused_and_counted(client: TestClient, db: Session) -> None:
    user = make_user(db)
    sign_in(client, user.email)
    token = csrf_token(client, "/account")
    form = {
        "csrf_token": token,
        "current_password": "not my password",
        "new_password": "river otter cobble",
    }
    r = client.post("/account/password", data=form)
    assert r.status_code == 422
    assert "Your current password is not right" in r.text
    db.expire_all()
    failed = db.scalars(
        select(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    ).all()
    assert len(failed) == 1


def test_a_new_password_signs_out_other_devices_but_not_this_one(app: FastAPI, db: Session) -> None:
    user = make_user(db)
    here, there = TestClient(app), TestClient(app)
    sign_in(here, user.email)
    sign_in(there, user.email)
    token = csrf_token(here, "/account")
    form = {"csrf_token": token, "current_password": PASSWORD, "new_password": "river otter cobble"}
    r = here.post("/account/password", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert here.get("/account", follow_redirects=False).status_code == 200
    assert there.get("/account", follow_redirects=False).status_code == 303
    weak = {
        "csrf_token": csrf_token(here, "/account"),
        "current_password": "river otter cobble",
        "new_password": "short",
    }
    assert "at least 10 characters" in here.post("/account/password", data=weak).text
