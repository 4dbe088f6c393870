"""A CSV import emails everyone it enrols: new accounts get a link to choose a password."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from tests.admin.factories import emails_to
from tests.cohorts.factories import make_cohort, make_trainer
from tests.factories import csrf_token, make_user, sign_in


def _upload(client: TestClient, cohort_id: int, content: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/trainer/cohorts/{cohort_id}/members")
    return client.post(
        f"/trainer/cohorts/{cohort_id}/members/import",
        data={"csrf_token": token},
        files={"file": ("l.csv", content.encode(), "text/csv")},
    )


def test_invited_learners_get_a_link_that_lets_them_choose_a_password_and_sign_in(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    existing = make_user(db, email="already.here@example.nhs.uk", name="Already Here")
    sign_in(client, lead.email)
    r = _upload(
        client,
        cohort.id,
        "email,full_name\nnew.person@example.nhs.uk,New Person\nalready.here@example.nhs.uk,A H\n",
    )
    assert r.status_code == 200, r.text

    [invite] = emails_to(db, "new.person@example.nhs.uk")
    assert invite.subject == "You are invited to QI Academy"
    assert f"Silver cohort '{cohort.name}'" in invite.body
    [joined] = emails_to(db, existing.email)
    assert joined.subject == f"You have joined {cohort.name} on QI Academy"
    assert f"/cohorts/{cohort.id}" in joined.body
    assert "reset-password" not in joined.body  # they have a password already

    # The invitation's link sets a password; then they can sign in.
    found = re.search(r"http://testserver(/reset-password/[A-Za-z0-9_-]+)", invite.body)
    assert found, invite.body
    client.cookies.clear()
    chosen = client.post(
        found.group(1),
        data={"csrf_token": csrf_token(client, "/login"), "password": "lantern-meadow-copper"},
    )
    assert chosen.status_code == 200, chosen.text
    sign_in(client, "new.person@example.nhs.uk", "lantern-meadow-copper")
    assert "New Person" in client.get("/dashboard").text
    user = db.scalars(select(User).where(User.email == "new.person@example.nhs.uk")).one()
    assert user.password_hash is not None

    # Importing the same file again enrols nobody new, so emails nobody.
    client.cookies.clear()
    sign_in(client, lead.email)
    again = _upload(
        client,
        cohort.id,
        "email,full_name\nnew.person@example.nhs.uk,New Person\nalready.here@example.nhs.uk,A H\n",
    )
    assert "0 newly enrolled" in again.text
    assert len(emails_to(db, "new.person@example.nhs.uk")) == 1
    assert len(emails_to(db, existing.email)) == 1
