"""A signed-out person who opens an invite link: the page explains the invitation and both ways in
(create an account, sign in) come back to the join confirmation."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts.models import Enrolment
from tests.cohorts.factories import make_cohort, make_trainer
from tests.factories import PASSWORD, csrf_token, make_user


def test_signed_out_invite_link_explains_the_invitation(client: TestClient, db: Session) -> None:
    cohort = make_cohort(db, lead=make_trainer(db, name="Lena Trainer"), name="Silver for Leeds")
    join = f"/cohorts/join/{cohort.invite_code}"
    page = client.get(join, follow_redirects=False)
    assert page.status_code == 200
    assert "You are invited to join Silver for Leeds" in page.text
    assert "Lena Trainer at Leeds Teaching Hospitals NHS Trust has invited you" in page.text
    assert "What joining means" in page.text
    assert f'href="/register?next={join}"' in page.text
    assert f'href="/login?next={join}"' in page.text
    assert "Join this cohort" not in page.text  # nothing to confirm until signed in


def test_creating_an_account_from_the_invitation_lands_on_the_confirmation(
    client: TestClient, db: Session
) -> None:
    cohort = make_cohort(db, lead=make_trainer(db), name="Silver for Bradford")
    join = f"/cohorts/join/{cohort.invite_code}"
    register = client.get(f"/register?next={join}")
    assert f'name="next" value="{join}"' in register.text
    form = {
        "csrf_token": csrf_token(client, f"/register?next={join}"),
        "full_name": "Ama Owusu",
        "email": "ama.invited@example.nhs.uk",
        "password": "kettle lantern willow",
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
        "next": join,
    }
    r = client.post("/register", data=form, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, join)
    confirm = client.get(join)
    assert "Join this cohort" in confirm.text
    token = csrf_token(client, join)
    done = client.post(join, data={"csrf_token": token}, follow_redirects=False)
    assert done.headers["location"] == f"/cohorts/{cohort.id}?done=joined"
    joined = db.scalars(
        select(Enrolment.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(User.email == "ama.invited@example.nhs.uk")
    ).all()
    assert joined == [cohort.id]


def test_signing_in_from_the_invitation_lands_on_the_confirmation(
    client: TestClient, db: Session
) -> None:
    cohort = make_cohort(db, lead=make_trainer(db))
    learner = make_user(db)
    join = f"/cohorts/join/{cohort.invite_code}"
    login = client.get(f"/login?next={join}")
    assert f'name="next" value="{join}"' in login.text
    data = {
        "email": learner.email,
        "password": PASSWORD,
        "csrf_token": csrf_token(client, f"/login?next={join}"),
        "next": join,
    }
    r = client.post("/login", data=data, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, join)
    assert "Join this cohort" in client.get(join).text


def test_every_sign_in_redirect_keeps_the_whole_address(client: TestClient) -> None:
    r = client.get("/trainer/cohorts?page=2", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=" + quote("/trainer/cohorts?page=2", safe="/")
    login = client.get(r.headers["location"])
    assert 'name="next" value="/trainer/cohorts?page=2"' in login.text
    # ...and "Create an account" from that sign-in page carries it on to registration.
    assert 'href="/register?next=/trainer/cohorts%3Fpage%3D2"' in login.text
    register = client.get("/register?next=/trainer/cohorts%3Fpage%3D2")
    assert 'name="next" value="/trainer/cohorts?page=2"' in register.text


def test_signed_out_unknown_invite_code_says_so(client: TestClient) -> None:
    r = client.get("/cohorts/join/NOSUCHCODE")
    assert r.status_code == 404
    assert "We do not recognise this invite code" in r.text
