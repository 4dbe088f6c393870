"""One vocabulary for an account's state: an invited person who has not set a password reads the
same on admin and trainer pages, and becomes Active once they have; /users leads admins on."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import ACCOUNT_STATUSES, Role
from app.core.db import utcnow
from tests.admin.factories import admin_signed_in, person
from tests.cohorts.factories import enrol, make_cohort, make_trainer
from tests.factories import PASSWORD, make_user, sign_in

INVITED = "Invited \u2013 has not set a password"


def test_invited_reads_the_same_for_admins_and_trainers(client: TestClient, db: Session) -> None:
    assert ACCOUNT_STATUSES["invited"] == INVITED
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    invited = accounts_service.create_user(
        db,
        email="invited.person@example.nhs.uk",
        password=None,
        full_name="Ivy Invited",
        organisation=None,
        staff_group="other",
        roles=[Role.LEARNER],
    )
    sso_user = accounts_service.create_user(
        db,
        email="sso.person@example.nhs.uk",
        password=None,
        full_name="Sam Sso",
        organisation=None,
        staff_group="other",
        roles=[Role.LEARNER],
    )
    sso_user.last_login_at = utcnow()  # signs in through their organisation: no password needed
    db.flush()
    enrol(db, cohort, invited, sso_user)

    sign_in(client, lead.email)
    members = client.get(f"/trainer/cohorts/{cohort.id}/members").text
    ivy_row = members.split("Ivy Invited", 1)[1].split("</tr>", 1)[0]
    sam_row = members.split("Sam Sso", 1)[1].split("</tr>", 1)[0]
    assert INVITED in ivy_row
    assert "Active" in sam_row
    assert INVITED not in sam_row
    member = client.get(f"/trainer/cohorts/{cohort.id}/members/{invited.id}").text
    assert INVITED in member

    client.cookies.clear()
    admin_signed_in(client, db)
    assert INVITED in client.get(f"/admin/users/{invited.id}").text
    listing = client.get("/admin/users", params={"q": "Ivy Invited"}).text
    assert INVITED in listing
    invited.password_hash = "set"  # they chose a password from their invitation
    db.flush()
    assert INVITED not in client.get(f"/admin/users/{invited.id}").text
    assert "Active" in client.get(f"/admin/users/{invited.id}").text


def test_users_leads_admins_to_the_users_page(client: TestClient, db: Session) -> None:
    assert client.get("/users", follow_redirects=False).status_code == 404
    sign_in(client, make_user(db).email, PASSWORD)
    assert client.get("/users", follow_redirects=False).status_code == 404
    assert (
        'href="/trainers"' in client.get("/dashboard").text
    )  # the trainer directory is in the nav
    client.cookies.clear()
    admin_signed_in(client, db)
    r = client.get("/users?q=ivy", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/admin/users?q=ivy")
    assert person(db, Role.LEARNER)  # the admin pages still answer
