"""Gold: the evidence route, certification with the trainer role, expiry and revocation, renewal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import UserRole
from app.audit.models import AuditEvent
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from app.core.db import as_utc, utcnow
from app.credentials.models import Credential
from app.gold import service as gold_service
from app.gold import worker
from app.gold.models import GoldCandidacy, GoldCertification, TeachingObservation
from app.outbox.models import OutboxMessage
from tests.factories import bearer, csrf_token, sessions_on, sign_in
from tests.gold.factories import (
    certify,
    cohort,
    observation,
    pass_gold_modules,
    person,
    ready_candidate,
    silver_holder,
)

GOLD_MODULE = "how-adults-learn"


def _roles(db: Session, user_id: int) -> set[str]:
    return set(db.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def _gold_slug(registry: ContentRegistry) -> str:
    return registry.tier("gold")[0].slug


def test_learner_without_silver_cannot_apply_for_gold(client: TestClient, db: Session) -> None:
    learner = person(db)
    sign_in(client, learner.email)
    page = client.get("/gold")
    assert "Gold is open to people who hold QI Academy Silver" in page.text
    r = client.post("/gold/apply", data={"csrf_token": csrf_token(client, "/gold")})
    assert r.status_code == 409
    assert "Complete Silver first" in r.text
    assert db.scalar(select(GoldCandidacy).where(GoldCandidacy.user_id == learner.id)) is None


def test_silver_holder_applies_opens_gold_modules_and_sees_what_is_missing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    holder = silver_holder(db, registry)
    sign_in(client, holder.email)
    slug = _gold_slug(registry)
    assert client.get(f"/modules/{slug}/sections/1").status_code == 403
    r = client.post(
        "/gold/apply",
        data={"csrf_token": csrf_token(client, "/gold"), "statement": "I coach my ward team."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get(f"/modules/{slug}/sections/1").status_code == 200
    page = client.get("/gold").text
    total = len(registry.tier("gold"))
    assert f"Pass every Gold module: 0 of {total} passed so far" in page
    assert "Co-facilitate at least one Silver cohort" in page
    assert "An observed teaching session, recorded by an improvement leader" in page
    assert "open when you become a Gold candidate" not in client.get("/learn/gold").text


def test_gold_tier_stays_locked_for_bronze_learners(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = person(db)
    sign_in(client, learner.email)
    r = client.get(f"/modules/{_gold_slug(registry)}/sections/1")
    assert r.status_code == 403
    assert "Gold modules open when you become a Gold candidate" in r.text


def test_evidence_fills_in_and_missing_list_empties(db: Session, registry: ContentRegistry) -> None:
    candidate = silver_holder(db, registry)
    leader = person(db, roles=[Role.LEADER])
    candidacy = gold_service.apply(db, user=candidate)
    before = gold_service.evidence(db, candidacy=candidacy, registry=registry)
    assert len(before.missing) == 3
    assert not before.complete
    pass_gold_modules(db, registry, candidate)
    cohort(db, lead=person(db, roles=[Role.TRAINER]), co=[candidate])
    gold_service.record_observation(
        db, candidacy=candidacy, observer=leader, data=observation(all_met=False)
    )
    partial = gold_service.evidence(db, candidacy=candidacy, registry=registry)
    assert partial.modules_passed == partial.modules_total == len(registry.tier("gold"))
    assert partial.cohorts_co_facilitated == 1
    assert partial.missing == [
        "An observed teaching session with every rubric criterion met: the latest observation "
        "has criteria not yet met"
    ]
    gold_service.record_observation(db, candidacy=candidacy, observer=leader, data=observation())
    assert gold_service.evidence(db, candidacy=candidacy, registry=registry).complete


def test_leader_records_an_observation_with_the_rubric(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate = silver_holder(db, registry, name="Chidi Okafor")
    leader = person(db, roles=[Role.LEADER])
    candidacy = gold_service.apply(db, user=candidate)
    sign_in(client, leader.email)
    url = f"/leader/gold/candidates/{candidacy.id}"
    token = csrf_token(client, url)
    bad = client.post(
        f"{url}/observation", data={"csrf_token": token, "observed_on": "2026-01-05", "notes": ""}
    )
    assert bad.status_code == 422
    assert "Enter notes on the session" in bad.text
    assert "There is a problem" in bad.text
    form = {
        "csrf_token": token,
        "observed_on": (utcnow().date() - timedelta(days=2)).isoformat(),
        "planning": "met",
        "facilitation": "exceeded",
        "content_accuracy": "met",
        "inclusion": "met",
        "feedback": "not_yet_met",
        "notes": "Needs to check understanding more often.",
    }
    r = client.post(f"{url}/observation", data=form, follow_redirects=False)
    assert r.status_code == 303
    obs = db.scalars(
        select(TeachingObservation).where(TeachingObservation.candidacy_id == candidacy.id)
    ).one()
    assert (obs.feedback, obs.facilitation, obs.observer_id) == (
        "not_yet_met",
        "exceeded",
        leader.id,
    )
    page = client.get(url).text
    assert "Needs to check understanding more often." in page
    assert "criteria not yet met" in page


def test_certifying_is_refused_while_evidence_is_missing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate = silver_holder(db, registry)
    leader = person(db, roles=[Role.LEADER])
    candidacy = gold_service.apply(db, user=candidate)
    sign_in(client, leader.email)
    url = f"/leader/gold/candidates/{candidacy.id}"
    r = client.post(
        f"{url}/decision",
        data={"csrf_token": csrf_token(client, url), "decision": "certify", "reasons": "Ready."},
    )
    assert r.status_code == 409
    assert "Still missing" in r.text
    assert (
        db.scalar(select(GoldCertification).where(GoldCertification.user_id == candidate.id))
        is None
    )
    assert Role.TRAINER.value not in _roles(db, candidate.id)


def test_certifying_issues_a_three_year_gold_credential_and_the_trainer_role(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate, candidacy, leader = ready_candidate(db, registry)
    sign_in(client, leader.email)
    url = f"/leader/gold/candidates/{candidacy.id}"
    r = client.post(
        f"{url}/decision",
        data={
            "csrf_token": csrf_token(client, url),
            "decision": "certify",
            "reasons": "Observed session met every criterion.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.expire_all()
    cert = db.scalars(
        select(GoldCertification).where(GoldCertification.user_id == candidate.id)
    ).one()
    credential = db.scalars(
        select(Credential).where(
            Credential.user_id == candidate.id, Credential.achievement == "gold"
        )
    ).one()
    assert str(credential.id) == cert.credential_id
    assert credential.status == "active"
    years = (as_utc(cert.expires_at) - as_utc(cert.certified_at)).days
    assert 3 * 365 <= years <= 3 * 366
    assert credential.valid_until is not None
    assert as_utc(credential.valid_until) == as_utc(cert.expires_at)
    assert Role.TRAINER.value in _roles(db, candidate.id)
    assert cert.certified_by_id == leader.id
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == leader.id)))
    assert {"gold.certify", "gold.observe"} <= actions
    assert "Observed session met every criterion." in client.get(url).text


def test_decline_needs_reasons_and_the_candidate_can_apply_again(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    candidate = silver_holder(db, registry)
    leader = person(db, roles=[Role.LEADER])
    candidacy = gold_service.apply(db, user=candidate)
    sign_in(client, leader.email)
    url = f"/leader/gold/candidates/{candidacy.id}"
    token = csrf_token(client, url)
    r = client.post(f"{url}/decision", data={"csrf_token": token, "decision": "decline"})
    assert r.status_code == 422
    assert "Enter the reasons for your decision" in r.text
    r = client.post(
        f"{url}/decision",
        data={"csrf_token": token, "decision": "decline", "reasons": "Co-facilitate first."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.expire_all()
    assert db.get(GoldCandidacy, candidacy.id).status == "declined"  # type: ignore[union-attr]
    again = gold_service.apply(db, user=candidate)
    assert again.status == "open"
    assert again.kind == "initial"


def test_leader_nominates_by_email(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    holder = silver_holder(db, registry)
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    token = csrf_token(client, "/leader/gold")
    unknown = client.post(
        "/leader/gold/nominate", data={"csrf_token": token, "email": "nobody@example.nhs.uk"}
    )
    assert unknown.status_code == 422
    assert "No one has a QI Academy account with that email address" in unknown.text
    r = client.post(
        "/leader/gold/nominate",
        data={"csrf_token": token, "email": holder.email.upper()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    candidacy = db.scalars(select(GoldCandidacy).where(GoldCandidacy.user_id == holder.id)).one()
    assert (candidacy.origin, candidacy.nominated_by_id) == ("nominated", leader.id)
    twice = client.post("/leader/gold/nominate", data={"csrf_token": token, "email": holder.email})
    assert twice.status_code == 409
    assert "already an open Gold candidacy" in twice.text


def _expire(db: Session, cert: GoldCertification, *, ago: timedelta) -> None:
    """Move a certification (and the trainer role that ends with it) into the past."""
    cert.certified_at = utcnow() - timedelta(days=3 * 365) - ago
    cert.expires_at = utcnow() - ago
    role = db.get(UserRole, (cert.user_id, Role.TRAINER.value))
    assert role is not None
    assert role.expires_at is not None
    role.expires_at = cert.expires_at
    db.flush()


def test_an_expired_gold_trainer_is_told_and_no_longer_counts_as_a_trainer(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, _ = certify(db, registry)
    role = db.get(UserRole, (trainer.id, Role.TRAINER.value))
    assert role is not None
    assert as_utc(role.expires_at) == as_utc(cert.expires_at)
    _expire(db, cert, ago=timedelta(days=1))
    sign_in(client, trainer.email)
    page = client.get("/dashboard").text
    assert "Your Gold trainer certification expired on" in page
    assert "Your trainer role has ended" in page
    me = client.get("/api/v1/me", headers=bearer(client, trainer.email)).json()
    assert "trainer" not in me["roles"]
    # Reading the dashboard wrote nothing: the hourly sweep removes the row and records why.
    db.expire_all()
    assert Role.TRAINER.value in _roles(db, trainer.id)
    assert worker.sweep(sessions_on(db)).roles_removed == 1
    db.expire_all()
    assert Role.TRAINER.value not in _roles(db, trainer.id)
    removed = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "gold.role_removed", AuditEvent.target_id == str(trainer.id)
        )
    ).one()
    assert removed.detail["why"] == "expired"


def test_a_lapsed_gold_trainer_cannot_start_a_cohort(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, _ = certify(db, registry)
    sign_in(client, trainer.email)
    assert client.get("/trainer/cohorts/new").status_code == 200
    _expire(db, cert, ago=timedelta(minutes=1))
    for url in ("/trainer/cohorts/new", "/trainer/cohorts"):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "Only a trainer or leader or admin can do this." in r.text


def test_the_background_sweep_removes_lapsed_roles_and_queues_reminders(
    db: Session, registry: ContentRegistry
) -> None:
    lapsed, old, _ = certify(db, registry, name="Lapsed Trainer")
    old.certified_at = utcnow() - timedelta(days=3 * 365 + 1)
    old.expires_at = utcnow() - timedelta(minutes=1)
    soon, near, _ = certify(db, registry, name="Soon Trainer")
    near.expires_at = utcnow() + timedelta(days=30)
    db.flush()
    result = worker.sweep(sessions_on(db))
    assert (result.roles_removed, result.reminders) == (1, 1)
    db.expire_all()
    assert Role.TRAINER.value not in _roles(db, lapsed.id)
    assert Role.TRAINER.value in _roles(db, soon.id)
    assert db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == soon.email, OutboxMessage.subject.contains("expires soon")
        )
    ).one()
    again = worker.sweep(sessions_on(db))
    assert (again.roles_removed, again.reminders) == (0, 0)  # one reminder, one removal
    assert worker.worker_enabled(get_settings()) is False  # never under tests


def test_trainers_see_a_reminder_within_90_days_of_expiry(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, _ = certify(db, registry)
    sign_in(client, trainer.email)
    assert "expires on" not in client.get("/dashboard").text
    cert.expires_at = utcnow() + timedelta(days=45, hours=1)
    db.flush()
    page = client.get("/dashboard").text
    assert "Your Gold trainer certification expires on" in page
    assert "(45 days left)" in page
    assert Role.TRAINER.value in _roles(db, trainer.id)


def test_sweep_removes_lapsed_roles_and_queues_reminders(
    db: Session, registry: ContentRegistry
) -> None:
    lapsed, old, _ = certify(db, registry, name="Lapsed Trainer")
    soon, near, _ = certify(db, registry, name="Soon Trainer")
    fine, _, _ = certify(db, registry, name="Fine Trainer")
    old.certified_at = utcnow() - timedelta(days=3 * 365 + 1)
    old.expires_at = utcnow() - timedelta(hours=1)
    near.expires_at = utcnow() + timedelta(days=60)
    db.flush()
    result = gold_service.sweep(db)
    assert (result.roles_removed, result.reminders) == (1, 1)
    assert Role.TRAINER.value not in _roles(db, lapsed.id)
    assert Role.TRAINER.value in _roles(db, soon.id)
    assert Role.TRAINER.value in _roles(db, fine.id)
    mail = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == soon.email, OutboxMessage.subject.contains("expires soon")
        )
    ).one()
    assert "Your Gold trainer certification expires on" in mail.body
    again = gold_service.sweep(db)  # reminders and removals happen once
    assert (again.roles_removed, again.reminders) == (0, 0)


def test_revoking_gold_revokes_the_credential_and_removes_the_role(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, leader = certify(db, registry)
    sign_in(client, leader.email)
    token = csrf_token(client, "/leader/gold")
    url = f"/leader/gold/certifications/{cert.id}/revoke"
    assert client.post(url, data={"csrf_token": token, "reason": ""}).status_code == 422
    r = client.post(
        url, data={"csrf_token": token, "reason": "Left the NHS"}, follow_redirects=False
    )
    assert r.status_code == 303
    db.expire_all()
    assert Role.TRAINER.value not in _roles(db, trainer.id)
    credential = db.scalars(
        select(Credential).where(Credential.user_id == trainer.id, Credential.achievement == "gold")
    ).one()
    assert credential.status == "revoked"
    assert db.get(GoldCertification, cert.id).revoked_at is not None  # type: ignore[union-attr]


def test_renewal_needs_a_cohort_run_in_the_period_and_supersedes_the_credential(
    db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, leader = certify(db, registry)
    renewal = gold_service.apply(db, user=trainer)
    assert renewal.kind == "renewal"
    evidence = gold_service.evidence(db, candidacy=renewal, registry=registry)
    assert len(evidence.missing) == 1
    assert "Run or co-facilitate at least one Silver cohort" in evidence.missing[0]
    cohort(db, lead=trainer, starts_on=utcnow().date() + timedelta(days=1))
    assert gold_service.evidence(db, candidacy=renewal, registry=registry).complete
    from app.gold.schemas import DecisionCreate

    new = gold_service.decide(
        db,
        candidacy=renewal,
        leader=leader,
        data=DecisionCreate(decision="certify", reasons="Ran a cohort this period."),
        registry=registry,
    )
    assert new is not None
    assert new.id != cert.id
    statuses = sorted(
        db.scalars(
            select(Credential.status).where(
                Credential.user_id == trainer.id, Credential.achievement == "gold"
            )
        )
    )
    assert statuses == ["active", "superseded"]
    current = gold_service.current_certification(db, user_id=trainer.id)
    assert current is not None
    assert current.id == new.id


def test_leader_cannot_decide_their_own_candidacy(db: Session, registry: ContentRegistry) -> None:
    from app.core.errors import Conflict
    from app.gold.schemas import DecisionCreate

    leader_candidate = silver_holder(db, registry)
    db.add(UserRole(user_id=leader_candidate.id, role="leader", granted_at=utcnow()))
    db.flush()
    db.expire(leader_candidate, ["roles"])
    candidacy = gold_service.apply(db, user=leader_candidate)
    with pytest.raises(Conflict, match="cannot decide your own"):
        gold_service.decide(
            db,
            candidacy=candidacy,
            leader=leader_candidate,
            data=DecisionCreate(decision="decline", reasons="x"),
            registry=registry,
        )
