"""Revoking a Gold credential from the credentials pages or API withdraws the certification too."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User, UserRole
from app.audit.models import AuditEvent
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.credentials.models import Credential
from app.gold import service as gold_service
from app.gold.models import GoldCertification
from app.gold.schemas import DecisionCreate
from tests.factories import bearer, csrf_token, sign_in
from tests.gold.factories import certify, cohort, person, quick_credential


def _roles(db: Session, user_id: int) -> set[str]:
    return set(db.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def _actions(db: Session, actor: User) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.actor_id == actor.id, AuditEvent.action.like("%revoke%"))
            .order_by(AuditEvent.id)
        )
    ) + list(db.scalars(select(AuditEvent.action).where(AuditEvent.action == "gold.role_removed")))


def _renewed(
    db: Session, registry: ContentRegistry
) -> tuple[User, GoldCertification, GoldCertification, User]:
    """A trainer certified, then renewed: (trainer, old certification, new certification, leader)."""
    trainer, old, leader = certify(db, registry)
    renewal = gold_service.apply(db, user=trainer)
    cohort(db, lead=trainer, starts_on=utcnow().date() + timedelta(days=1))
    new = gold_service.decide(
        db,
        candidacy=renewal,
        leader=leader,
        data=DecisionCreate(decision="certify", reasons="Ran a cohort this period."),
        registry=registry,
    )
    assert new is not None
    return trainer, old, new, leader


def test_revoking_a_current_gold_credential_by_api_withdraws_certification_and_role(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, leader = certify(db, registry)
    assert Role.TRAINER.value in _roles(db, trainer.id)
    r = client.post(
        f"/api/v1/credentials/{cert.credential_id}/revoke",
        json={"reason": "Certified  in error"},
        headers=bearer(client, leader.email),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["revocation_reason"]) == ("revoked", "Certified in error")
    db.expire_all()
    withdrawn = db.get(GoldCertification, cert.id)
    assert withdrawn is not None
    assert withdrawn.revoked_at is not None
    assert withdrawn.revoked_reason == "Certified in error"
    assert Role.TRAINER.value not in _roles(db, trainer.id)
    assert gold_service.current_certification(db, user_id=trainer.id) is None
    verified = client.get(f"/api/v1/credentials/{cert.credential_id}/verify").json()
    assert (verified["valid"], verified["status"]) == (False, "revoked")
    assert _actions(db, leader) == ["credential.revoke", "gold.revoke", "gold.role_removed"]
    removed = db.scalars(select(AuditEvent).where(AuditEvent.action == "gold.role_removed")).one()
    assert (removed.target_id, removed.detail["why"]) == (str(trainer.id), "revoked")
    mine = client.get("/api/v1/me/gold", headers=bearer(client, trainer.email)).json()
    assert mine["certification"]["state"] == "revoked"


def test_revoking_a_current_gold_credential_on_its_page_withdraws_certification_and_role(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, leader = certify(db, registry)
    sign_in(client, leader.email)
    url = f"/credentials/{cert.credential_id}/revoke"
    token = csrf_token(client, url)
    blank = client.post(url, data={"csrf_token": token, "reason": "  "})
    assert blank.status_code == 422
    db.expire_all()
    assert gold_service.current_certification(db, user_id=trainer.id) is not None
    r = client.post(
        url, data={"csrf_token": token, "reason": "Left the NHS"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/verify/{cert.credential_id}"
    page = client.get(r.headers["location"]).text
    assert "Left the NHS" in page
    db.expire_all()
    assert db.get(GoldCertification, cert.id).revoked_at is not None  # type: ignore[union-attr]
    assert Role.TRAINER.value not in _roles(db, trainer.id)
    credential = db.get(Credential, uuid.UUID(cert.credential_id or ""))
    assert credential is not None
    assert credential.status == "revoked"
    assert _actions(db, leader) == ["credential.revoke", "gold.revoke", "gold.role_removed"]


def test_revoking_a_superseded_gold_credential_keeps_the_renewed_trainer_a_trainer(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, old, new, leader = _renewed(db, registry)
    old_credential = db.get(Credential, uuid.UUID(old.credential_id or ""))
    assert old_credential is not None
    assert old_credential.status == "superseded"
    r = client.post(
        f"/api/v1/credentials/{old.credential_id}/revoke",
        json={"reason": "Issued with the wrong name"},
        headers=bearer(client, leader.email),
    )
    assert r.status_code == 200, r.text
    db.expire_all()
    assert db.get(GoldCertification, old.id).revoked_at is not None  # type: ignore[union-attr]
    assert db.get(GoldCertification, new.id).revoked_at is None  # type: ignore[union-attr]
    current = gold_service.current_certification(db, user_id=trainer.id)
    assert current is not None
    assert current.id == new.id
    assert Role.TRAINER.value in _roles(db, trainer.id)
    assert db.get(Credential, uuid.UUID(new.credential_id or "")).status == "active"  # type: ignore[union-attr]
    assert _actions(db, leader) == ["credential.revoke", "gold.revoke"]


def test_revoking_other_credentials_is_unchanged(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer, cert, leader = certify(db, registry)
    silver = db.scalars(
        select(Credential).where(
            Credential.user_id == trainer.id, Credential.achievement == "silver"
        )
    ).one()
    headers = bearer(client, leader.email)
    r = client.post(
        f"/api/v1/credentials/{silver.id}/revoke", json={"reason": "Error"}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["status"] == "revoked"
    db.expire_all()
    assert db.get(GoldCertification, cert.id).revoked_at is None  # type: ignore[union-attr]
    assert Role.TRAINER.value in _roles(db, trainer.id)
    assert _actions(db, leader) == ["credential.revoke"]
    again = client.post(
        f"/api/v1/credentials/{silver.id}/revoke", json={"reason": "Error"}, headers=headers
    )
    assert again.status_code == 409
    # A Gold-named credential with no certification behind it is revoked as any other.
    loose = quick_credential(db, user=person(db), achievement="gold")
    r = client.post(
        f"/api/v1/credentials/{loose.id}/revoke", json={"reason": "Test row"}, headers=headers
    )
    assert r.status_code == 200
    assert r.json()["status"] == "revoked"
    assert Role.TRAINER.value in _roles(db, trainer.id)


def test_a_gold_credential_revoked_twice_is_a_conflict(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, cert, leader = certify(db, registry)
    headers = bearer(client, leader.email)
    url = f"/api/v1/credentials/{cert.credential_id}/revoke"
    assert client.post(url, json={"reason": "Left"}, headers=headers).status_code == 200
    again = client.post(url, json={"reason": "Left"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "This credential has already been revoked."
