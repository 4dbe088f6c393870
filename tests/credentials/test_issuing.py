"""Issuing: the last Bronze pass awards one credential, idempotently; re-issue supersedes; every form."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft201909Validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.audit.models import AuditEvent
from app.awards import bronze
from app.content import service as content_service
from app.content.registry import ContentRegistry
from app.core.db import as_utc
from app.credentials import service
from app.credentials.achievements import get_achievements
from app.credentials.baking import unbake_png, unbake_svg
from app.credentials.models import Credential
from app.progress import service as progress_service
from tests.credentials.factories import (
    complete_modules,
    credential_count,
    earn_bronze,
    jwt_part,
    pass_quiz,
    path_of,
)
from tests.factories import bearer, make_user


def test_passing_the_last_bronze_quiz_issues_exactly_one_credential(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry)

    assert listed["achievement"] == "bronze"
    assert listed["achievement_name"] == "QI Academy Bronze"
    assert listed["status"] == "active"
    assert listed["valid_until"] is None
    assert credential_count(db, user_id=user.id) == 1
    credential_id = listed["id"]
    assert set(listed["links"]) == {
        *("json", "jwt", "png", "svg", "pdf", "verify"),
        *("jsonld", "wallet", "wallet_qr", "exchange"),
    }
    assert listed["links"]["verify"] == f"http://testserver/verify/{credential_id}"
    issued = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "credential.issue", AuditEvent.target_id == credential_id
        )
    ).all()
    assert [e.detail["user_id"] for e in issued] == [user.id]


def test_no_credential_until_every_bronze_module_is_passed(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    headers = bearer(client, user.email)

    assert client.get("/api/v1/me/credentials", headers=headers).json() == {"data": []}
    assert bronze.award_if_earned(db, user_id=user.id, tier="bronze", registry=registry) is None
    assert credential_count(db, user_id=user.id) == 0


def test_passing_again_and_awarding_again_change_nothing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, headers, listed = earn_bronze(client, db, registry)

    pass_quiz(client, headers, registry=registry, slug=registry.tier("bronze")[0].slug)
    again = bronze.award_if_earned(db, user_id=user.id, tier="bronze", registry=registry)
    explicit = service.issue(db, user_id=user.id, achievement_slug="bronze", registry=registry)

    assert again is not None
    assert str(again.id) == listed["id"]
    assert str(explicit.id) == listed["id"]
    assert credential_count(db, user_id=user.id) == 1


def test_one_active_credential_per_learner_and_achievement_is_a_database_rule(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, _ = earn_bronze(client, db, registry)
    existing = db.scalars(select(Credential).where(Credential.user_id == user.id)).one()
    now = datetime.now(UTC)

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            Credential(
                id=uuid.uuid4(),
                user_id=user.id,
                achievement="bronze",
                status="active",
                holder_name="Duplicate",
                issued_at=now,
                awarded_at=now,
                modules=[],
                document={},
                jwt="x",
            )
        )
    assert existing.status == "active"
    assert credential_count(db, user_id=user.id) == 1


def _with_extra_bronze_module(db: Session, registry: ContentRegistry) -> ContentRegistry:
    """The curriculum after an editor adds a ninth Bronze module (synced in this test's transaction)."""
    modules = [m.source for m in registry.all()]
    first = next(m for m in modules if m.tier == "bronze")
    meta = first.meta.model_copy(update={"slug": "bronze-extra", "order": 99, "prerequisites": []})
    extra = dataclasses.replace(first, meta=meta, content_hash="e" * 64)
    return content_service.sync(db, modules=[*modules, extra])


def test_completing_a_module_added_later_supersedes_the_credential(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry)
    first_id = uuid.UUID(listed["id"])
    bigger = _with_extra_bronze_module(db, registry)
    assert bronze.award_if_earned(db, user_id=user.id, tier="bronze", registry=bigger) is None
    rows = progress_service.rows_for(db, user_id=user.id)
    extra = bigger.get("bronze-extra")
    assert extra is not None
    progress_service.record_quiz_result(
        db, user_id=user.id, module=extra, score=100, passed=True, rows=rows
    )

    renewed = bronze.award_if_earned(db, user_id=user.id, tier="bronze", registry=bigger, rows=rows)

    assert renewed is not None
    assert renewed.id != first_id
    assert renewed.supersedes_id == first_id
    assert [m["slug"] for m in renewed.modules][-1] == "bronze-extra"
    old = service.get(db, credential_id=first_id)
    assert old.status == "superseded"
    assert as_utc(renewed.awarded_at) == as_utc(old.awarded_at)  # the first award date stays
    assert credential_count(db, user_id=user.id, status="active") == 1
    check = client.get(f"/api/v1/credentials/{first_id}/verify").json()
    assert check["status"] == "superseded"
    assert check["valid"] is False
    assert check["replaced_by"] == f"http://testserver/verify/{renewed.id}"
    assert {c["name"]: c["passed"] for c in check["checks"]}["signature"] is True


def test_a_revoked_badge_is_not_issued_again_automatically(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry)
    admin = make_user(db, roles=[Role.ADMIN])
    credential = service.get(db, credential_id=uuid.UUID(listed["id"]))
    service.revoke(db, credential=credential, actor=admin, reason="Issued to the wrong account")

    assert bronze.award_if_earned(db, user_id=user.id, tier="bronze", registry=registry) is None
    assert credential_count(db, user_id=user.id) == 1


def test_gold_is_valid_for_three_years_and_renewal_supersedes_it(
    db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, tier="gold")
    issued_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    gold = service.issue(
        db, user_id=user.id, achievement_slug="gold", registry=registry, now=issued_at
    )
    same = service.issue(db, user_id=user.id, achievement_slug="gold", registry=registry)
    renewed = service.issue(
        db, user_id=user.id, achievement_slug="gold", registry=registry, reissue=True
    )

    assert gold.valid_until == datetime(2029, 3, 1, 9, 0, tzinfo=UTC)
    assert gold.document["validUntil"] == "2029-03-01T09:00:00Z"
    assert jwt_part(gold.jwt, 1)["exp"] == int(gold.valid_until.timestamp())
    assert same.id == gold.id
    assert renewed.id != gold.id
    assert renewed.supersedes_id == gold.id
    assert gold.status == "superseded"
    assert renewed.document["awardedDate"] == "2026-03-01T09:00:00Z"
    assert len(renewed.modules) == len(registry.tier("gold"))


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_every_issued_credential_validates_against_the_ob3_schema(
    db: Session, registry: ContentRegistry, schema_validator: Draft201909Validator, tier: str
) -> None:
    user = make_user(db, name="Nguyễn Thị Ánh")
    complete_modules(db, user_id=user.id, registry=registry, tier=tier)

    credential = service.issue(db, user_id=user.id, achievement_slug=tier, registry=registry)

    payload = jwt_part(credential.jwt, 1)
    for document in (credential.document, payload):
        assert [e.message for e in schema_validator.iter_errors(document)] == []
    assert payload["credentialStatus"] == {
        "id": f"http://testserver/status/bitstring/revocation#{credential.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(credential.status_list_index),
        "statusListCredential": "http://testserver/status/bitstring/revocation",
    }
    assert payload["credentialSubject"]["id"].startswith("urn:uuid:")
    assert user.email not in credential.jwt  # only its salted hash is in the credential


def test_the_subject_id_is_stable_across_a_learners_credentials(
    db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, tier="bronze")
    complete_modules(db, user_id=user.id, registry=registry, tier="gold")

    bronze = service.issue(db, user_id=user.id, achievement_slug="bronze", registry=registry)
    gold = service.issue(db, user_id=user.id, achievement_slug="gold", registry=registry)

    subjects = {c.document["credentialSubject"]["id"] for c in (bronze, gold)}
    assert subjects == {service.subject_id_for(db, user_id=user.id)}


def test_bronze_criteria_state_the_rule_the_platform_applies() -> None:
    criteria = get_achievements()["bronze"].criteria

    assert bronze.AUTOMATIC_TIERS == {"bronze"}  # award_if_earned: every Bronze module, no more
    assert "completed every QI Academy Bronze module" in criteria
    assert "passed each module's quiz (pass mark 80%)" in criteria


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_the_pass_mark_in_each_criteria_text_is_the_modules_pass_mark(
    registry: ContentRegistry, tier: str
) -> None:
    marks = {m.meta.quiz.pass_mark for m in registry.tier(tier)}

    assert len(marks) == 1
    assert f"(pass mark {marks.pop()}%)" in get_achievements()[tier].criteria


def test_each_link_serves_its_form(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, headers, listed = earn_bronze(client, db, registry)
    links = listed["links"]

    as_json = client.get(path_of(links["json"]))
    as_jwt = client.get(path_of(links["jwt"]))
    png = client.get(path_of(links["png"]))
    svg = client.get(path_of(links["svg"]))
    pdf = client.get(path_of(links["pdf"]), headers=headers)
    page = client.get(path_of(links["verify"]))

    assert as_json.status_code == 200
    assert as_json.json()["id"] == links["json"]
    assert as_jwt.headers["content-type"] == "application/vc+jwt"
    assert jwt_part(as_jwt.text, 1)["jti"] == links["json"]
    assert png.headers["content-type"] == "image/png"
    assert unbake_png(png.content) == as_jwt.text
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert unbake_svg(svg.content) == as_jwt.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    assert page.status_code == 200
    assert "This credential is valid" in page.text


def test_the_certificate_is_made_at_issue_and_served_from_storage(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, headers, listed = earn_bronze(client, db, registry)
    stored = db.scalar(
        select(Credential.certificate_pdf).where(Credential.id == uuid.UUID(listed["id"]))
    )

    served = client.get(path_of(listed["links"]["pdf"]), headers=headers)

    assert stored is not None
    assert stored.startswith(b"%PDF")
    assert served.content == stored
