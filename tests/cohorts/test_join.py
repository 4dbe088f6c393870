"""Joining by invite link: confirm, unknown and expired codes, full cohorts, and Silver unlocking."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cohorts.models import Enrolment
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from tests.cohorts.factories import enrol, make_cohort, make_learner, make_trainer
from tests.factories import bearer, csrf_token, make_user, sign_in


def test_learner_joins_with_the_invite_link_and_silver_opens(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    cohort = make_cohort(db, lead=make_trainer(db), name="Silver for Teams - Bradford")
    learner = make_user(db, name="Grace Mensah")
    sign_in(client, learner.email)
    silver = registry.tier("silver")[0]
    assert client.get(f"/modules/{silver.slug}/sections/1").status_code == 403
    assert "join a Silver cohort" in client.get("/learn/silver").text

    page = client.get(f"/cohorts/join/{cohort.invite_code.lower()}")
    assert page.status_code == 200
    assert "Silver for Teams - Bradford" in page.text
    assert "Join this cohort" in page.text
    token = csrf_token(client, f"/cohorts/join/{cohort.invite_code}")
    r = client.post(
        f"/cohorts/join/{cohort.invite_code}", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/cohorts/{cohort.id}?done=joined"
    assert "You have joined this cohort" in client.get(r.headers["location"]).text
    row = db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).one()
    assert (row.cohort_id, row.status) == (cohort.id, "active")
    assert client.get(f"/modules/{silver.slug}/sections/1").status_code == 200
    assert "join a Silver cohort" not in client.get("/learn/silver").text
    assert "Silver for Teams - Bradford" in client.get("/cohorts").text
    # Joining again is harmless.
    again = client.post(f"/cohorts/join/{cohort.invite_code}", data={"csrf_token": token})
    assert again.status_code == 200
    assert db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).all() == [row]


def test_code_typed_into_the_form_goes_to_the_confirmation(client: TestClient, db: Session) -> None:
    cohort = make_cohort(db, lead=make_trainer(db))
    sign_in(client, make_user(db).email)
    token = csrf_token(client, "/cohorts")
    spaced = f" {cohort.invite_code[:5]} {cohort.invite_code[5:]} "
    r = client.post("/cohorts/join", data={"code": spaced, "csrf_token": token})
    assert r.status_code == 200
    assert cohort.name in r.text
    empty = client.post("/cohorts/join", data={"code": " ", "csrf_token": token})
    assert empty.status_code == 422
    assert "Enter the invite code your trainer gave you" in empty.text


def test_unknown_code_says_so(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db).email)
    r = client.get("/cohorts/join/NOSUCHCODE")
    assert r.status_code == 404
    assert "We do not recognise this invite code" in r.text
    h = bearer(client, make_user(db).email)
    api = client.post("/api/v1/cohorts/join", json={"code": "NOSUCHCODE"}, headers=h)
    assert api.status_code == 404
    assert api.json()["error"] == "InviteNotFound"


def test_expired_code_says_ask_for_a_new_link(client: TestClient, db: Session) -> None:
    cohort = make_cohort(db, lead=make_trainer(db), name="Old cohort")
    cohort.invite_expires_at = utcnow() - timedelta(minutes=1)
    db.flush()
    learner = make_user(db)
    sign_in(client, learner.email)
    r = client.get(f"/cohorts/join/{cohort.invite_code}")
    assert r.status_code == 410
    assert "The invite for &#39;Old cohort&#39; has expired" in r.text
    token = csrf_token(client, "/cohorts")
    assert (
        client.post(f"/cohorts/join/{cohort.invite_code}", data={"csrf_token": token}).status_code
        == 410
    )
    assert db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).all() == []


def test_full_cohort_turns_the_next_learner_away(client: TestClient, db: Session) -> None:
    cohort = make_cohort(db, lead=make_trainer(db), capacity=1, name="Tiny cohort")
    make_learner(db, cohort)
    late = make_user(db)
    h = bearer(client, late.email)
    r = client.post("/api/v1/cohorts/join", json={"code": cohort.invite_code}, headers=h)
    assert r.status_code == 409
    assert r.json()["error"] == "CohortFull"
    assert "'Tiny cohort' is full: all 1 places are taken" in r.json()["detail"]
    sign_in(client, late.email)
    token = csrf_token(client, "/cohorts")
    page = client.post(f"/cohorts/join/{cohort.invite_code}", data={"csrf_token": token})
    assert page.status_code == 409
    assert "is full" in page.text


def test_removed_learner_cannot_rejoin_with_the_code(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/remove", data={"csrf_token": token}
    )
    h = bearer(client, learner.email)
    r = client.post("/api/v1/cohorts/join", json={"code": cohort.invite_code}, headers=h)
    assert r.status_code == 403
    assert "Your trainer removed you" in r.json()["detail"]


def test_trainer_cannot_join_their_own_cohort(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    h = bearer(client, lead.email)
    r = client.post("/api/v1/cohorts/join", json={"code": cohort.invite_code}, headers=h)
    assert r.status_code == 409


def test_api_join_and_list(client: TestClient, db: Session) -> None:
    cohort = make_cohort(db, lead=make_trainer(db), kind="teams")
    learner = make_user(db)
    h = bearer(client, learner.email)
    r = client.post("/api/v1/cohorts/join", json={"code": cohort.invite_code}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["cohort_id"] == cohort.id
    assert r.json()["status"] == "active"
    listed = client.get("/api/v1/cohorts", headers=h).json()
    assert [(c["id"], c["role"]) for c in listed["data"]] == [(cohort.id, "learner")]
    one = client.get(f"/api/v1/cohorts/{cohort.id}", headers=h).json()
    assert "invite_code" not in one  # only trainers see the code
    assert one["learners"] == 1


def test_new_invite_link_stops_the_old_one(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    old = cohort.invite_code
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(f"/trainer/cohorts/{cohort.id}/invite", data={"csrf_token": token})
    assert "New invite link made" in r.text
    db.refresh(cohort)
    assert cohort.invite_code != old
    h = bearer(client, make_user(db).email)
    assert client.post("/api/v1/cohorts/join", json={"code": old}, headers=h).status_code == 404
    enrol(db, cohort, make_user(db))
