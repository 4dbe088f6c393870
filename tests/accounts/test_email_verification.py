"""Email verification: registration sends a single-use, expiring link through the outbox; a
credential waits for a confirmed address and is issued when it is confirmed; a change of address
replaces the old one only once the new one is confirmed; resending is throttled."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import EmailVerification, User
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.outbox.models import OutboxMessage
from tests.credentials.factories import complete_modules, credential_count, pass_quiz
from tests.factories import PASSWORD, bearer, csrf_token, make_user, sign_in

NEW_PASSWORD = "kettle lantern willow"


def _register(client: TestClient, email: str) -> None:
    form = {
        "csrf_token": csrf_token(client, "/register"),
        "full_name": "Ama Owusu",
        "email": email,
        "password": NEW_PASSWORD,
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
        "next": "/dashboard",
    }
    r = client.post("/register", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text


def _links(db: Session, to: str) -> list[str]:
    bodies = db.scalars(
        select(OutboxMessage.body).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
    ).all()
    return [m for b in bodies for m in re.findall(r"http://testserver(/verify-email/\S+)", b)]


def _confirm(client: TestClient, link: str) -> str:
    page = client.get(link)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    token = csrf_token(client, link)
    done = client.post(link, data={"csrf_token": token})
    assert done.status_code == 200, done.text
    return done.text


def test_registration_sends_a_link_and_the_dashboard_says_why_it_matters(
    client: TestClient, db: Session
) -> None:
    _register(client, "ama.verify@example.nhs.uk")
    user = db.scalars(select(User).where(User.email == "ama.verify@example.nhs.uk")).one()
    assert user.email_verified_at is None
    [link] = _links(db, user.email)
    dashboard = client.get("/dashboard").text
    assert "Confirm your email address" in dashboard
    assert "your Bronze badge and certificate wait" in dashboard
    assert "Send the link again" in dashboard
    assert "Your email address is confirmed" in _confirm(client, link)
    db.refresh(user)
    assert user.email_verified_at is not None
    assert "Confirm your email address" not in client.get("/dashboard").text
    # Single use: the same link now says it has expired, and changes nothing.
    again = client.get(link)
    assert again.status_code == 410
    assert "This link has expired" in again.text


def test_an_unverified_learner_gets_no_credential_until_they_confirm(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _register(client, "bronze.wait@example.nhs.uk")
    user = db.scalars(select(User).where(User.email == "bronze.wait@example.nhs.uk")).one()
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    headers = bearer(client, user.email, NEW_PASSWORD)
    last = registry.tier("bronze")[-1].slug
    attempt = pass_quiz(client, headers, registry=registry, slug=last)
    assert credential_count(db, user_id=user.id) == 0
    result = client.get(f"/modules/{last}/attempts/{attempt['id']}").text
    assert "You have completed every Bronze module" in result
    assert "Confirm your email address to get your certificate" in result
    token = csrf_token(client, "/achievements")
    claim = client.post("/achievements/claim", data={"csrf_token": token, "tier": "bronze"})
    assert claim.status_code == 422
    assert "Confirm your email address first" in claim.text
    assert credential_count(db, user_id=user.id) == 0

    [link] = _links(db, user.email)
    _confirm(client, link)
    assert credential_count(db, user_id=user.id) == 1  # issued the moment the address is proven
    listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
    assert [c["achievement"] for c in listed] == ["bronze"]


def test_an_expired_link_does_not_confirm(client: TestClient, db: Session) -> None:
    _register(client, "late@example.nhs.uk")
    [link] = _links(db, "late@example.nhs.uk")
    db.execute(update(EmailVerification).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.flush()
    assert client.get(link).status_code == 410
    token = csrf_token(client, "/login")
    assert client.post(link, data={"csrf_token": token}).status_code == 410
    user = db.scalars(select(User).where(User.email == "late@example.nhs.uk")).one()
    db.refresh(user)
    assert user.email_verified_at is None


def test_resending_is_throttled_to_three_links_an_hour(client: TestClient, db: Session) -> None:
    _register(client, "resend@example.nhs.uk")  # the first link
    token = csrf_token(client, "/dashboard")
    for _ in range(2):
        r = client.post(
            "/account/email/resend",
            data={"csrf_token": token, "next": "/dashboard"},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/dashboard?done=link_sent"
    assert "We have sent you a new link" in client.get("/dashboard?done=link_sent").text
    refused = client.post("/account/email/resend", data={"csrf_token": token, "next": "/dashboard"})
    assert refused.status_code == 429
    assert "We have sent 3 links in the last hour" in refused.text
    assert len(_links(db, "resend@example.nhs.uk")) == 3


def test_changing_email_keeps_the_old_address_until_the_new_one_is_confirmed(
    client: TestClient, db: Session
) -> None:
    user = make_user(db, email="old.address@example.nhs.uk")
    sign_in(client, user.email)
    token = csrf_token(client, "/account")
    wrong = client.post(
        "/account/email",
        data={"csrf_token": token, "email": "new.address@example.nhs.uk", "email_password": "nope"},
    )
    assert wrong.status_code == 422
    assert "Your current password is not right" in wrong.text
    bad = client.post(
        "/account/email",
        data={"csrf_token": token, "email": "not-an-address", "email_password": PASSWORD},
    )
    assert "Enter an email address in the right format" in bad.text
    r = client.post(
        "/account/email",
        data={
            "csrf_token": token,
            "email": "New.Address@example.nhs.uk",
            "email_password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/account?done=email"
    page = client.get("/account").text
    assert "We have sent a link to <strong>new.address@example.nhs.uk</strong>" in page
    db.refresh(user)
    assert user.email == "old.address@example.nhs.uk"
    assert _links(db, "old.address@example.nhs.uk") == []  # the link goes to the new address only
    [link] = _links(db, "new.address@example.nhs.uk")

    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, "old.address@example.nhs.uk")  # the old address still works until confirmed
    _confirm(client, link)
    db.refresh(user)
    assert user.email == "new.address@example.nhs.uk"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, "new.address@example.nhs.uk")


def test_an_address_taken_meanwhile_is_not_stolen(client: TestClient, db: Session) -> None:
    user = make_user(db, email="first@example.nhs.uk")
    sign_in(client, user.email)
    token = csrf_token(client, "/account")
    data = {"csrf_token": token, "email": "wanted@example.nhs.uk", "email_password": PASSWORD}
    client.post("/account/email", data=data)
    [link] = _links(db, "wanted@example.nhs.uk")
    make_user(db, email="wanted@example.nhs.uk")
    r = client.post(link, data={"csrf_token": token})
    assert r.status_code == 409
    db.refresh(user)
    assert user.email == "first@example.nhs.uk"


def test_invited_and_demo_style_accounts_count_as_verified(db: Session) -> None:
    assert make_user(db).email_verified_at is not None


def test_setting_a_password_from_an_emailed_link_confirms_the_address(
    client: TestClient, db: Session
) -> None:
    _register(client, "forgot@example.nhs.uk")
    client.cookies.clear()
    client.post(
        "/forgot-password",
        data={
            "csrf_token": csrf_token(client, "/forgot-password"),
            "email": "forgot@example.nhs.uk",
        },
    )
    body = db.scalars(
        select(OutboxMessage.body).where(OutboxMessage.subject.contains("new password"))
    ).one()
    reset = re.search(r"http://testserver(/reset-password/\S+)", body)
    assert reset
    token = csrf_token(client, reset.group(1))
    done = client.post(reset.group(1), data={"csrf_token": token, "password": "brass otter lamp"})
    assert done.status_code == 200
    user = db.scalars(select(User).where(User.email == "forgot@example.nhs.uk")).one()
    db.refresh(user)
    assert user.email_verified_at is not None
