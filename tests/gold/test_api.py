"""The Gold JSON API: your Gold, the leader's assessment, certifications, lineage and the directory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import Organisation, User, UserRole
from app.audit.models import AuditEvent
from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.gold import service as gold_service
from app.gold.models import GoldCandidacy, GoldCertification, TeachingObservation
from app.reports import service as reports_service
from tests.factories import bearer
from tests.gold.factories import (
    certify,
    cohort,
    pass_gold_modules,
    person,
    quick_credential,
    ready_candidate,
    silver_holder,
)

RUBRIC = {
    "planning": "met",
    "facilitation": "exceeded",
    "content_accuracy": "met",
    "inclusion": "met",
    "feedback": "not_yet_met",
}


def _roles(db: Session, user_id: int) -> set[str]:
    return set(db.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _observation(**changes: str) -> dict[str, str]:
    body = {
        "observed_on": (utcnow().date() - timedelta(days=2)).isoformat(),
        **RUBRIC,
        "notes": "Needs to check understanding more often.",
    }
    body.update(changes)
    return body


# --- the signed-in person -----------------------------------------------------------------------


def test_my_gold_shows_the_candidacy_what_is_met_and_what_is_missing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    holder = silver_holder(db, registry)
    headers = bearer(client, holder.email)
    before = client.get("/api/v1/me/gold", headers=headers).json()
    assert before == {
        "holds_silver": True,
        "candidacy": None,
        "evidence": None,
        "certification": None,
        "can_apply": True,
        "can_renew": False,
    }
    r = client.post(
        "/api/v1/me/gold/application",
        json={"statement": "  I coach my ward team.  "},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["statement"] == "I coach my ward team."
    assert (r.json()["kind"], r.json()["origin"], r.json()["status"]) == (
        "initial",
        "applied",
        "open",
    )
    total = len(registry.tier("gold"))
    mine = client.get("/api/v1/me/gold", headers=headers).json()
    assert mine["candidacy"]["id"] == r.json()["id"]
    assert (mine["can_apply"], mine["can_renew"]) == (False, False)
    ev = mine["evidence"]
    assert (ev["modules_passed"], ev["modules_total"], ev["cohorts_co_facilitated"]) == (
        0,
        total,
        0,
    )
    assert ev["complete"] is False
    assert ev["missing"] == [
        f"Pass every Gold module: 0 of {total} passed so far",
        "Co-facilitate at least one Silver cohort with a Gold trainer",
        "An observed teaching session, recorded by an improvement leader",
    ]
    pass_gold_modules(db, registry, holder)
    cohort(db, lead=person(db, roles=[Role.TRAINER]), co=[holder])
    ev = client.get("/api/v1/me/gold", headers=headers).json()["evidence"]
    assert (ev["modules_passed"], ev["cohorts_co_facilitated"]) == (total, 1)
    assert ev["missing"] == ["An observed teaching session, recorded by an improvement leader"]


def test_my_gold_shows_the_current_certification_and_its_expiry(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, _ = certify(db, registry)
    mine = client.get("/api/v1/me/gold", headers=bearer(client, trainer.email)).json()
    shown = mine["certification"]
    assert (shown["id"], shown["state"], shown["revoked_at"]) == (cert.id, "current", None)
    assert shown["expires_at"].startswith(as_utc(cert.expires_at).date().isoformat())
    assert (mine["can_apply"], mine["can_renew"], mine["candidacy"]) == (False, True, None)


def test_applying_without_silver_is_refused_and_nothing_is_written(
    client: TestClient, db: Session
) -> None:
    learner = person(db)
    r = client.post(
        "/api/v1/me/gold/application", json={"statement": ""}, headers=bearer(client, learner.email)
    )
    assert r.status_code == 409
    assert r.json() == {
        "error": "Conflict",
        "detail": "Gold is open to people who hold QI Academy Silver. Complete Silver first.",
    }
    assert gold_service.open_candidacy(db, user_id=learner.id) is None


def test_applying_twice_or_with_too_long_a_statement_is_refused(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    holder = silver_holder(db, registry)
    headers = bearer(client, holder.email)
    long = client.post(
        "/api/v1/me/gold/application", json={"statement": "x" * 4001}, headers=headers
    )
    assert long.status_code == 422
    assert long.json()["error"] == "InvalidInput"
    assert "statement" in long.json()["detail"]
    assert "4000 characters" in long.json()["detail"]
    assert gold_service.open_candidacy(db, user_id=holder.id) is None
    assert client.post("/api/v1/me/gold/application", json={}, headers=headers).status_code == 201
    twice = client.post("/api/v1/me/gold/application", json={}, headers=headers)
    assert twice.status_code == 409
    assert "already an open Gold candidacy" in twice.json()["detail"]


def test_trainer_directory_lists_current_trainers_filtered_by_region(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    north, _, _ = certify(db, registry, name="Nia North", organisation="Leeds Trust")
    south, _, _ = certify(db, registry, name="Sam South", organisation="Bristol Trust")
    _, old, _ = certify(db, registry, name="Lou Lapsed", organisation="Bristol Trust")
    old.certified_at = utcnow() - timedelta(days=4 * 365)
    old.expires_at = utcnow() - timedelta(days=2)
    for name, region in (
        ("Leeds Trust", "North East and Yorkshire"),
        ("Bristol Trust", "South West"),
    ):
        db.scalars(select(Organisation).where(Organisation.name == name)).one().region = region
    spring = cohort(
        db, lead=south, name="Bristol Silver spring", starts_on=utcnow().date() + timedelta(days=7)
    )
    db.flush()
    headers = bearer(client, person(db).email)
    everyone = client.get("/api/v1/trainers", headers=headers).json()
    assert everyone["count"] == 2
    assert [e["full_name"] for e in everyone["data"]] == ["Nia North", "Sam South"]
    south_only = client.get("/api/v1/trainers", params={"region": "South West"}, headers=headers)
    entry = south_only.json()["data"]
    assert [e["user_id"] for e in entry] == [south.id]
    assert entry[0]["organisation"] == "Bristol Trust"
    # The cohort Sam co-facilitated on the way to Gold (started ten days ago), then their own.
    assert [(c["name"], c["role"]) for c in entry[0]["cohorts"]][1:] == [
        ("Bristol Silver spring", "lead")
    ]
    assert entry[0]["cohorts"][0]["role"] == "co"
    assert entry[0]["cohorts"][1]["id"] == spring.id
    leeds = client.get(
        "/api/v1/trainers", params={"organisation": north.organisation_id}, headers=headers
    ).json()
    assert [e["user_id"] for e in leeds["data"]] == [north.id]
    bad = client.get("/api/v1/trainers", params={"organisation": "abc"}, headers=headers)
    assert bad.status_code == 422
    assert "organisation" in bad.json()["detail"]
    assert client.get("/api/v1/trainers").status_code == 401


# --- improvement leaders ------------------------------------------------------------------------


def test_leader_lists_candidates_by_status(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    first = silver_holder(db, registry, name="First Applicant")
    second = silver_holder(db, registry, name="Second Applicant")
    declined = silver_holder(db, registry, name="Declined Applicant")
    leader = person(db, roles=[Role.LEADER])
    for user in (first, second, declined):
        gold_service.apply(db, user=user, statement=f"{user.full_name} statement")
    candidacy = gold_service.open_candidacy(db, user_id=declined.id)
    assert candidacy is not None
    candidacy.status, candidacy.decided_at = "declined", utcnow()
    candidacy.decision_reasons = "Co-facilitate first."
    db.flush()
    headers = bearer(client, leader.email)
    open_ = client.get("/api/v1/gold/candidates", headers=headers).json()
    assert open_["count"] == 2
    assert [(c["full_name"], c["email"]) for c in open_["data"]] == [
        ("First Applicant", first.email),
        ("Second Applicant", second.email),
    ]
    assert open_["data"][0]["organisation"] == "Leeds Teaching Hospitals NHS Trust"
    done = client.get(
        "/api/v1/gold/candidates", params={"status": "declined"}, headers=headers
    ).json()
    assert [(c["user_id"], c["decision_reasons"]) for c in done["data"]] == [
        (declined.id, "Co-facilitate first.")
    ]
    bad = client.get("/api/v1/gold/candidates", params={"status": "maybe"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("status: ")


def test_leader_nominates_by_email(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    holder = silver_holder(db, registry, name="Nominee Person")
    learner = person(db)
    leader = person(db, roles=[Role.LEADER])
    headers = bearer(client, leader.email)
    url = "/api/v1/gold/nominations"
    unknown = client.post(url, json={"email": "nobody@example.nhs.uk"}, headers=headers)
    assert unknown.status_code == 422
    assert "No one has a QI Academy account with that email address" in unknown.json()["detail"]
    malformed = client.post(url, json={"email": "not an email"}, headers=headers)
    assert malformed.status_code == 422
    assert malformed.json()["detail"].startswith("email: ")
    no_silver = client.post(url, json={"email": learner.email}, headers=headers)
    assert no_silver.status_code == 409
    assert "Complete Silver first" in no_silver.json()["detail"]
    assert _count(db, GoldCandidacy) == 0
    r = client.post(url, json={"email": holder.email.upper()}, headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["user_id"], body["full_name"], body["origin"], body["kind"]) == (
        holder.id,
        "Nominee Person",
        "nominated",
        "initial",
    )
    row = db.get(GoldCandidacy, body["id"])
    assert row is not None
    assert row.nominated_by_id == leader.id
    twice = client.post(url, json={"email": holder.email}, headers=headers)
    assert twice.status_code == 409
    assert _count(db, GoldCandidacy) == 1


def test_leader_reads_a_candidate_with_evidence_and_observations(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate, candidacy, _ = ready_candidate(db, registry, name="Chidi Okafor")
    leader = person(db, roles=[Role.LEADER])
    headers = bearer(client, leader.email)
    detail = client.get(f"/api/v1/gold/candidates/{candidacy.id}", headers=headers).json()
    assert (detail["candidacy"]["id"], detail["candidacy"]["full_name"]) == (
        candidacy.id,
        "Chidi Okafor",
    )
    total = len(registry.tier("gold"))
    ev = detail["evidence"]
    assert (ev["modules_passed"], ev["modules_total"], ev["cohorts_co_facilitated"]) == (
        total,
        total,
        1,
    )
    assert (ev["missing"], ev["complete"]) == ([], True)
    assert len(detail["observations"]) == 1
    obs = detail["observations"][0]
    assert (obs["observer_name"], obs["all_met"]) == ("Lena Leader", True)
    assert ev["observation"] == obs
    missing = client.get("/api/v1/gold/candidates/999999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"
    del candidate


def test_leader_records_an_observation_against_the_rubric(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate = silver_holder(db, registry)
    candidacy = gold_service.apply(db, user=candidate)
    leader = person(db, roles=[Role.LEADER], name="Olu Observer")
    headers = bearer(client, leader.email)
    url = f"/api/v1/gold/candidates/{candidacy.id}/observations"
    r = client.post(url, json=_observation(), headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ratings"] == RUBRIC
    assert (body["observer_name"], body["all_met"]) == ("Olu Observer", False)
    row = db.get(TeachingObservation, body["id"])
    assert row is not None
    assert (row.feedback, row.facilitation, row.observer_id) == (
        "not_yet_met",
        "exceeded",
        leader.id,
    )
    ev = client.get(f"/api/v1/gold/candidates/{candidacy.id}", headers=headers).json()["evidence"]
    assert (
        "An observed teaching session with every rubric criterion met: the latest observation "
        "has criteria not yet met"
    ) in ev["missing"]
    assert "gold.observe" in set(
        db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == leader.id))
    )
    unknown = "/api/v1/gold/candidates/999999/observations"
    assert client.post(unknown, json=_observation(), headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planning": "brilliant"}, "planning: choose one of 'not_yet_met', 'met' or 'exceeded'"),
        ({"notes": "   "}, "notes: String should have at least 1 character"),
        ({"observed_on": "last tuesday"}, "observed_on: Input should be a valid date"),
        (
            {"observed_on": (utcnow().date() + timedelta(days=3)).isoformat()},
            "The observation date must be today or in the past",
        ),
    ],
)
def test_a_bad_observation_says_what_to_fix_and_writes_nothing(
    client: TestClient,
    db: Session,
    registry: ContentRegistry,
    changes: dict[str, str],
    message: str,
) -> None:
    candidacy = gold_service.apply(db, user=silver_holder(db, registry))
    leader = person(db, roles=[Role.LEADER])
    r = client.post(
        f"/api/v1/gold/candidates/{candidacy.id}/observations",
        json=_observation(**changes),
        headers=bearer(client, leader.email),
    )
    assert r.status_code == 422
    assert message in r.json()["detail"]
    assert _count(db, TeachingObservation) == 0


def test_certifying_grants_the_trainer_role_and_returns_the_certification(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate, candidacy, leader = ready_candidate(db, registry, name="Cara Candidate")
    headers = bearer(client, leader.email)
    url = f"/api/v1/gold/candidates/{candidacy.id}/decision"
    no_reasons = client.post(url, json={"decision": "certify", "reasons": ""}, headers=headers)
    assert no_reasons.status_code == 422
    assert "reasons" in no_reasons.json()["detail"]
    unknown = client.post(url, json={"decision": "maybe", "reasons": "x"}, headers=headers)
    assert unknown.status_code == 422
    assert "decision: choose one of 'certify' or 'decline'" in unknown.json()["detail"]
    assert _count(db, GoldCertification) == 0
    r = client.post(
        url, json={"decision": "certify", "reasons": "Every criterion met."}, headers=headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["candidacy"]["status"], body["candidacy"]["decision_reasons"]) == (
        "certified",
        "Every criterion met.",
    )
    cert = body["certification"]
    assert (cert["user_id"], cert["full_name"], cert["certified_by"], cert["state"]) == (
        candidate.id,
        "Cara Candidate",
        "Lena Leader",
        "current",
    )
    row = db.get(GoldCertification, cert["id"])
    assert row is not None
    assert cert["credential_id"] == row.credential_id
    assert 3 * 365 <= (as_utc(row.expires_at) - as_utc(row.certified_at)).days <= 3 * 366
    assert Role.TRAINER.value in _roles(db, candidate.id)
    again = client.post(url, json={"decision": "decline", "reasons": "x"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "This candidacy has already been decided."


def test_certifying_with_missing_evidence_is_refused_and_declining_returns_no_certification(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate = silver_holder(db, registry)
    candidacy = gold_service.apply(db, user=candidate)
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    url = f"/api/v1/gold/candidates/{candidacy.id}/decision"
    r = client.post(url, json={"decision": "certify", "reasons": "Ready."}, headers=headers)
    assert r.status_code == 409
    assert r.json()["detail"].startswith("Gold cannot be certified yet. Still missing: Pass every")
    db.expire_all()
    assert db.get(GoldCandidacy, candidacy.id).status == "open"  # type: ignore[union-attr]
    assert _count(db, GoldCertification) == 0
    assert Role.TRAINER.value not in _roles(db, candidate.id)
    declined = client.post(
        url, json={"decision": "decline", "reasons": "Co-facilitate first."}, headers=headers
    )
    assert declined.status_code == 200
    assert declined.json()["certification"] is None
    assert declined.json()["candidacy"]["status"] == "declined"
    unknown = "/api/v1/gold/candidates/999999/decision"
    body = {"decision": "decline", "reasons": "x"}
    assert client.post(unknown, json=body, headers=headers).status_code == 404


def test_leader_lists_and_revokes_certifications(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, _ = certify(db, registry, name="Rita Revoked")
    other, kept, _ = certify(db, registry, name="Kim Kept")
    leader = person(db, roles=[Role.LEADER])
    headers = bearer(client, leader.email)
    listed = client.get("/api/v1/gold/certifications", headers=headers).json()
    assert listed["count"] == 2
    assert {(c["id"], c["full_name"], c["state"]) for c in listed["data"]} == {
        (cert.id, "Rita Revoked", "current"),
        (kept.id, "Kim Kept", "current"),
    }
    url = f"/api/v1/gold/certifications/{cert.id}/revoke"
    blank = client.post(url, json={"reason": " "}, headers=headers)
    assert blank.status_code == 422
    assert blank.json()["detail"].startswith("reason: ")
    long = client.post(url, json={"reason": "x" * 501}, headers=headers)
    assert long.status_code == 422
    assert "at most 500 characters" in long.json()["detail"]
    db.expire_all()
    assert db.get(GoldCertification, cert.id).revoked_at is None  # type: ignore[union-attr]
    r = client.post(url, json={"reason": "Left the NHS"}, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["state"]) == (cert.id, "revoked")
    db.expire_all()
    assert Role.TRAINER.value not in _roles(db, trainer.id)
    assert Role.TRAINER.value in _roles(db, other.id)
    verified = client.get(f"/api/v1/credentials/{cert.credential_id}/verify").json()
    assert verified["status"] == "revoked"
    twice = client.post(url, json={"reason": "Left the NHS"}, headers=headers)
    assert twice.status_code == 409
    assert twice.json()["detail"] == "This certification has already been revoked."
    missing = client.post(
        "/api/v1/gold/certifications/999999/revoke", json={"reason": "x"}, headers=headers
    )
    assert missing.status_code == 404
    states = {
        c["id"]: c["state"]
        for c in client.get("/api/v1/gold/certifications", headers=headers).json()["data"]
    }
    assert states == {cert.id: "revoked", kept.id: "current"}


def test_lineage_counts_cohorts_and_learners_brought_to_silver(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    # A (certified by Lena Leader) leads X and co-runs Y with Tom (as in test_lineage_directory).
    a, _, _ = certify(db, registry, name="Amara Gold")
    tom = db.scalars(select(User).where(User.full_name == "Tom Trainer")).one()
    l1, l2, l3, r1, l4, l5 = (person(db, name=f"Learner {i}") for i in range(1, 7))
    for holder in (l1, l2, r1, l4):
        quick_credential(db, user=holder, achievement="silver")
    cohort(db, lead=a, learners=[l1, l2, l3], removed=[r1], name="Cohort X")
    cohort(db, lead=tom, co=[a], learners=[l4, l5], name="Cohort Y")
    elsewhere = person(db, roles=[Role.TRAINER], organisation="Elsewhere Trust")
    cohort(db, lead=elsewhere, name="Cohort Z")
    reports_service.refresh(db)  # learners per cohort come from the report rollup
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    body = client.get("/api/v1/gold/lineage", headers=headers).json()
    assert body["count"] == 3
    rows = {r["trainer_id"]: r for r in body["data"]}
    pick = ("certified_by", "cohorts_led", "cohorts_co", "learners", "learners_to_silver")
    assert tuple(rows[a.id][k] for k in pick) == ("Lena Leader", 1, 2, 5, 3)
    assert tuple(rows[tom.id][k] for k in pick) == (None, 2, 0, 2, 1)
    assert tuple(rows[elsewhere.id][k] for k in pick) == (None, 1, 0, 0, 0)
    assert body["data"][0]["trainer_id"] == a.id  # most brought to Silver first
    only = client.get(
        "/api/v1/gold/lineage", params={"organisation": elsewhere.organisation_id}, headers=headers
    ).json()
    assert [r["trainer_id"] for r in only["data"]] == [elsewhere.id]


# --- who may call what --------------------------------------------------------------------------

LEADER_API = [
    ("GET", "/api/v1/gold/candidates"),
    ("POST", "/api/v1/gold/nominations"),
    ("GET", "/api/v1/gold/candidates/{candidacy}"),
    ("POST", "/api/v1/gold/candidates/{candidacy}/observations"),
    ("POST", "/api/v1/gold/candidates/{candidacy}/decision"),
    ("GET", "/api/v1/gold/certifications"),
    ("POST", "/api/v1/gold/certifications/{certification}/revoke"),
    ("GET", "/api/v1/gold/lineage"),
]


@pytest.fixture
def targets(db: Session, registry: ContentRegistry) -> dict[str, object]:
    """An open candidacy with complete evidence and a current certification, for the routes to hit."""
    _, cert, _ = certify(db, registry)
    candidate, candidacy, _ = ready_candidate(db, registry)
    nominee = silver_holder(db, registry)
    return {
        "candidacy": candidacy.id,
        "certification": cert.id,
        "trainer": cert.user_id,
        "candidate": candidate.id,
        "nominee": nominee,
    }


def _body(targets: dict[str, object]) -> dict[str, object]:
    """One body that would succeed on every leader route, so only the role check stops it."""
    nominee = targets["nominee"]
    assert isinstance(nominee, User)
    return {
        **_observation(),
        "email": nominee.email,
        "decision": "certify",
        "reasons": "Ready.",
        "reason": "Left the NHS",
    }


def _call(client: TestClient, method: str, path: str, targets: dict[str, object], **kw: object):  # type: ignore[no-untyped-def]
    url = path.format(candidacy=targets["candidacy"], certification=targets["certification"])
    body = _body(targets) if method == "POST" else None
    return client.request(method, url, json=body, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_every_leader_endpoint_refuses_learners_and_trainers(
    client: TestClient, db: Session, targets: dict[str, object], role: Role
) -> None:
    headers = bearer(client, person(db, roles=[role]).email)
    events, observations = _count(db, AuditEvent), _count(db, TeachingObservation)
    for method, path in LEADER_API:
        r = _call(client, method, path, targets, headers=headers)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json() == {"error": "Forbidden", "detail": "Only a leader or admin can do this."}
    db.expire_all()
    assert _count(db, AuditEvent) == events
    assert _count(db, TeachingObservation) == observations
    assert gold_service.current_certification(db, user_id=targets["trainer"]) is not None  # type: ignore[arg-type]
    assert Role.TRAINER.value not in _roles(db, targets["candidate"])  # type: ignore[arg-type]
    nominee = targets["nominee"]
    assert isinstance(nominee, User)
    assert gold_service.open_candidacy(db, user_id=nominee.id) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [*LEADER_API, ("GET", "/api/v1/me/gold"), ("POST", "/api/v1/me/gold/application")],
)
def test_gold_api_needs_a_sign_in(
    client: TestClient, targets: dict[str, object], method: str, path: str
) -> None:
    r = _call(client, method, path, targets)
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"


def test_admins_may_use_the_leader_endpoints(
    client: TestClient, db: Session, targets: dict[str, object]
) -> None:
    headers = bearer(client, person(db, roles=[Role.ADMIN]).email)
    for method, path in LEADER_API:
        if method == "GET":
            assert _call(client, method, path, targets, headers=headers).status_code == 200, path
    r = client.post(
        f"/api/v1/gold/certifications/{targets['certification']}/revoke",
        json={"reason": "Left the NHS"},
        headers=headers,
    )
    assert r.status_code == 200
    assert r.json()["state"] == "revoked"


def test_gold_endpoints_appear_in_the_api_docs(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/me/gold",
        "/api/v1/me/gold/application",
        "/api/v1/gold/candidates",
        "/api/v1/gold/nominations",
        "/api/v1/gold/candidates/{candidacy_id}",
        "/api/v1/gold/candidates/{candidacy_id}/observations",
        "/api/v1/gold/candidates/{candidacy_id}/decision",
        "/api/v1/gold/certifications",
        "/api/v1/gold/certifications/{certification_id}/revoke",
        "/api/v1/gold/lineage",
        "/api/v1/trainers",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation["description"] or operation["summary"], path
