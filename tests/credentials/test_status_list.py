"""The Bitstring Status List is stored: signed once, served as stored, and re-signed with a
revoked credential's bit set inside the revocation's own transaction."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.core.events import bus
from app.credentials import data_integrity, revocation, status_lists
from app.credentials.eddsa_keys import public_key_from_multibase
from app.credentials.events import CredentialRevoked
from app.credentials.models import Credential, StatusList
from tests.credentials.factories import earn_bronze
from tests.factories import bearer, make_user

LIST = "/status/bitstring/revocation"


def _bit(document: dict[str, Any], index: int) -> bool:
    bits = status_lists.decode_bits(document["credentialSubject"]["encodedList"])
    return status_lists.is_set(bits, index)


def _stored(db: Session) -> dict[str, Any] | None:
    db.expire_all()
    row = db.get(StatusList, "revocation")
    assert row is not None
    return row.document


def _index(db: Session, credential_id: str) -> int:
    index = db.scalar(
        select(Credential.status_list_index).where(Credential.id == uuid.UUID(credential_id))
    )
    assert index is not None
    return index


def _proof_verifies(client: TestClient, document: dict[str, Any]) -> bool:
    did = client.get("/.well-known/did.json").json()
    keys = {
        m["id"]: m["publicKeyMultibase"]
        for m in did["verificationMethod"]
        if m["type"] == "Multikey"
    }

    def resolve(method: str) -> Any:
        return public_key_from_multibase(keys[method]) if method in keys else None

    return data_integrity.verify_proof(document, resolve=resolve)[0]


def test_before_any_credential_the_list_is_served_without_a_write(
    client: TestClient, db: Session
) -> None:
    row = db.get(StatusList, "revocation")
    assert row is not None
    row.document = None
    db.flush()

    r = client.get(LIST)

    assert r.status_code == 200
    assert _proof_verifies(client, r.json())
    assert _stored(db) is None  # a GET never writes


def test_the_status_list_is_stored_at_the_first_issue_and_served_as_stored(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    row = db.get(StatusList, "revocation")
    assert row is not None
    row.document = None
    db.flush()
    earn_bronze(client, db, registry)
    stored = _stored(db)

    first = client.get(LIST)
    second = client.get(LIST)

    assert stored is not None
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/ld+json"
    assert first.json() == second.json() == stored  # not re-signed per request
    assert _proof_verifies(client, stored)


def test_revoking_re_signs_the_stored_list_with_the_credentials_bit_set(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    index = _index(db, listed["id"])
    before = client.get(LIST).json()
    admin = make_user(db, roles=[Role.ADMIN])

    revoked = client.post(
        f"/api/v1/credentials/{listed['id']}/revoke",
        json={"reason": "Issued to the wrong person"},
        headers=bearer(client, admin.email),
    )
    stored = _stored(db)
    served = client.get(LIST).json()

    assert revoked.status_code == 200, revoked.text
    assert _bit(before, index) is False
    assert stored is not None
    assert _bit(stored, index) is True
    assert served == stored
    assert served["proof"] != before["proof"]
    assert _proof_verifies(client, served)
    # Only that position: every other bit is still clear.
    bits = status_lists.decode_bits(served["credentialSubject"]["encodedList"])
    assert sum(bin(byte).count("1") for byte in bits) == 1


def test_a_revocation_rolled_back_later_leaves_the_stored_list_as_it_was(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    index = _index(db, listed["id"])
    before = client.get(LIST).json()
    admin = make_user(db, roles=[Role.ADMIN])
    credential = db.get(Credential, uuid.UUID(listed["id"]))
    assert credential is not None

    def fails(_session: Session, _event: CredentialRevoked) -> None:
        raise RuntimeError("a later handler failed")

    with bus.extra(CredentialRevoked, fails), pytest.raises(RuntimeError):
        with db.begin_nested():
            revocation.revoke(db, credential=credential, actor=admin, reason="Testing a rollback")

    stored = _stored(db)
    assert stored == before
    assert _bit(stored, index) is False
    assert db.scalar(select(Credential.status).where(Credential.id == credential.id)) == "active"
