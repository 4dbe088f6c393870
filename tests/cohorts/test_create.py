"""Creating cohorts: who may, what the form checks, and the rows it leaves (lead and co-trainers)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.audit.models import AuditEvent
from app.cohorts.models import Cohort, CohortTrainer
from tests.cohorts.factories import make_cohort, make_trainer
from tests.factories import bearer, csrf_token, make_user, sign_in


def _form(**overrides: str) -> dict[str, str]:
    today = date.today()
    form = {
        "name": "Silver spring - Leeds",
        "kind": "teams",
        "organisation": "Leeds Teaching Hospitals NHS Trust",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "capacity": "24",
        "attendance_required": "80",
        "co_trainers": "",
    }
    form.update(overrides)
    return form


def test_trainer_creates_a_cohort_with_a_co_trainer(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    co = make_trainer(db, name="Ruth Okafor")
    sign_in(client, lead.email)
    token = csrf_token(client, "/trainer/cohorts/new")
    r = client.post(
        "/trainer/cohorts/new",
        data=_form(co_trainers=f" {co.email.upper()} ", csrf_token=token),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    cohort = db.scalars(select(Cohort).where(Cohort.name == "Silver spring - Leeds")).one()
    assert r.headers["location"] == f"/trainer/cohorts/{cohort.id}/members?done=created"
    assert (cohort.kind, cohort.capacity, cohort.attendance_required) == ("teams", 24, 80)
    trainers = {
        (t.user_id, t.role)
        for t in db.scalars(select(CohortTrainer).where(CohortTrainer.cohort_id == cohort.id))
    }
    assert trainers == {(lead.id, "lead"), (co.id, "co")}
    assert len(cohort.invite_code) == 10
    page = client.get(r.headers["location"])
    assert "Cohort created" in page.text
    assert f"/cohorts/join/{cohort.invite_code}" in page.text
    listing = client.get("/trainer/cohorts").text
    assert "Silver spring - Leeds" in listing
    assert "Lead trainer" in listing
    # The co-trainer sees it too, as co-trainer.
    client.cookies.clear()
    sign_in(client, co.email)
    assert "Co-trainer" in client.get("/trainer/cohorts").text
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "cohort.create", AuditEvent.target_id == str(cohort.id)
        )
    )


def test_the_form_says_what_to_fix_and_creates_nothing(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    learner = make_user(db, email="not.a.trainer@example.nhs.uk")
    sign_in(client, lead.email)
    token = csrf_token(client, "/trainer/cohorts/new")
    today = date.today()
    r = client.post(
        "/trainer/cohorts/new",
        data=_form(
            name="",
            kind="",
            ends_on=(today - timedelta(days=1)).isoformat(),
            capacity="lots",
            attendance_required="120",
            csrf_token=token,
        ),
    )
    assert r.status_code == 422
    assert "<title>Error: Create a cohort" in r.text
    for message in (
        "Enter the cohort name",
        "Choose Silver for Individuals or Silver for Teams",
        "The end date must be on or after the start date",
        "Enter the number of places as a whole number from 1 to 500",
        "Enter the attendance needed as a whole number from 0 to 100",
    ):
        assert message in r.text, message
    r = client.post(
        "/trainer/cohorts/new",
        data=_form(co_trainers=f"{learner.email}, nobody@example.nhs.uk", csrf_token=token),
    )
    assert r.status_code == 422
    assert "not.a.trainer@example.nhs.uk is not a trainer" in r.text
    assert "nobody@example.nhs.uk has no QI Academy account" in r.text
    assert db.scalars(select(Cohort).where(Cohort.created_by_id == lead.id)).all() == []


def test_learners_cannot_create_cohorts(client: TestClient, db: Session) -> None:
    learner = make_user(db)
    sign_in(client, learner.email)
    assert client.get("/trainer/cohorts").status_code == 403
    assert client.get("/trainer/cohorts/new").status_code == 403
    token = csrf_token(client, "/cohorts")
    assert client.post("/trainer/cohorts/new", data=_form(csrf_token=token)).status_code == 403
    h = bearer(client, learner.email)
    body = {**_form(), "co_trainers": []}
    r = client.post("/api/v1/cohorts", json=body, headers=h)
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"


def test_leaders_and_admins_may_create_cohorts(client: TestClient, db: Session) -> None:
    for role in (Role.LEADER, Role.ADMIN):
        user = make_user(db, roles=[role])
        h = bearer(client, user.email)
        r = client.post("/api/v1/cohorts", json={**_form(), "co_trainers": []}, headers=h)
        assert r.status_code == 201, r.text


def test_api_creates_and_lists_cohorts(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    h = bearer(client, lead.email)
    r = client.post(
        "/api/v1/cohorts", json={**_form(kind="individuals"), "co_trainers": []}, headers=h
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["kind"] == "individuals"
    assert body["trainers"] == [
        {"user_id": lead.id, "full_name": lead.full_name, "email": lead.email, "role": "lead"}
    ]
    assert body["invite_code"]
    listed = client.get("/api/v1/cohorts", headers=h).json()
    assert [(c["id"], c["role"]) for c in listed["data"]] == [(body["id"], "lead")]
    bad = client.post(
        "/api/v1/cohorts",
        json={**_form(ends_on="2000-01-01"), "co_trainers": ["x@example.nhs.uk"]},
        headers=h,
    )
    assert bad.status_code == 422
    assert "end date must be on or after the start date" in bad.json()["detail"]


def test_co_trainers_can_be_added_and_removed_but_not_the_lead(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    co = make_trainer(db, name="Ruth Okafor")
    cohort = make_cohort(db, lead=lead)
    sign_in(client, lead.email)
    base = f"/trainer/cohorts/{cohort.id}"
    token = csrf_token(client, f"{base}/members")
    r = client.post(f"{base}/trainers", data={"email": co.email, "csrf_token": token})
    assert r.status_code == 200
    assert "Co-trainer added" in r.text
    assert db.get(CohortTrainer, (cohort.id, co.id)).role == "co"  # type: ignore[union-attr]
    again = client.post(f"{base}/trainers", data={"email": co.email, "csrf_token": token})
    assert again.status_code == 409
    assert "already a trainer of this cohort" in again.text
    lead_removal = client.post(f"{base}/trainers/{lead.id}/remove", data={"csrf_token": token})
    assert lead_removal.status_code == 409
    r = client.post(f"{base}/trainers/{co.id}/remove", data={"csrf_token": token})
    assert "Co-trainer removed" in r.text
    assert db.get(CohortTrainer, (cohort.id, co.id)) is None
