"""Verification: other JOSE libraries accept our tokens with only the published JWKS; tampering,
revocation and expiry are reported as such; key rotation keeps old credentials verifiable."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import KeySet
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cli import main as cli
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from app.credentials import service
from app.credentials.baking import unbake_png, unbake_svg
from app.credentials.models import Credential
from tests.credentials.factories import complete_modules, earn_bronze, jwt_part, path_of
from tests.factories import bearer, make_user


def _flip(token: str, *, segment: int) -> str:
    """The token with one byte of one segment (payload or signature) changed."""
    parts = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(parts[segment] + "=" * (-len(parts[segment]) % 4)))
    raw[len(raw) // 2] ^= 0x01
    parts[segment] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return ".".join(parts)


def _checks(result: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in result["checks"]}


@pytest.fixture
def token_and_jwks(
    client: TestClient, db: Session, registry: ContentRegistry
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    _, _, listed = earn_bronze(client, db, registry)
    token = client.get(path_of(listed["links"]["jwt"])).text
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    return token, jwks.json(), listed


def test_pyjwt_verifies_the_credential_with_only_the_published_jwks(
    token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    token, jwks, listed = token_and_jwks
    assert all(set(key) == {"kty", "n", "e", "kid", "alg", "use"} for key in jwks["keys"])
    key = pyjwt.PyJWKSet.from_dict(jwks)[pyjwt.get_unverified_header(token)["kid"]]

    claims = pyjwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer="did:web:testserver",
        options={"require": ["iss", "sub", "nbf", "jti"]},
    )

    assert claims["jti"] == listed["links"]["json"]
    assert (
        claims["credentialSubject"]["achievement"]["id"] == "http://testserver/achievements/bronze"
    )


def test_joserfc_verifies_the_credential_with_only_the_published_jwks(
    token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    token, jwks, listed = token_and_jwks

    decoded = joserfc_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])

    assert decoded.claims["id"] == listed["links"]["json"]


def test_the_kid_dereferences_to_the_public_key(
    client: TestClient, token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    token, jwks, _ = token_and_jwks
    kid = pyjwt.get_unverified_header(token)["kid"]

    key = client.get(path_of(kid))

    assert key.status_code == 200
    assert key.json() == next(k for k in jwks["keys"] if k["kid"] == kid)
    assert client.get("/keys/not-a-key").status_code == 404


@pytest.mark.parametrize("segment", [1, 2], ids=["payload", "signature"])
def test_changing_one_byte_fails_verification(
    client: TestClient,
    token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]],
    segment: int,
) -> None:
    token, jwks, _ = token_and_jwks
    tampered = _flip(token, segment=segment)
    key = pyjwt.PyJWKSet.from_dict(jwks)[pyjwt.get_unverified_header(token)["kid"]]

    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(tampered, key.key, algorithms=["RS256"])
    genuine = client.post("/api/v1/credentials/verify", json={"credential": token}).json()
    result = client.post("/api/v1/credentials/verify", json={"credential": tampered}).json()

    assert genuine["valid"] is True
    assert genuine["holder_name"] == "Siobhán O'Connor"
    assert result["valid"] is False
    assert _checks(result)["signature"] is False
    assert result["holder_name"] is None  # nothing from an unverified payload is shown


def test_a_changed_stored_token_fails_verification_by_id(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    credential_id = uuid.UUID(listed["id"])
    stored = service.get(db, credential_id=credential_id, load=("jwt",)).jwt
    db.execute(
        update(Credential)
        .where(Credential.id == credential_id)
        .values(jwt=_flip(stored, segment=1))
    )
    db.flush()

    result = client.get(f"/api/v1/credentials/{credential_id}/verify").json()
    page = client.get(f"/verify/{credential_id}")

    assert result["valid"] is False
    assert result["status"] == "active"  # what the record says; the signature says otherwise
    assert _checks(result)["signature"] is False
    assert "This credential could not be verified" in page.text


def test_a_valid_credential_verifies_with_every_check_passed(
    client: TestClient, token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    _, _, listed = token_and_jwks

    result = client.get(f"/api/v1/credentials/{listed['id']}/verify").json()

    assert result["valid"] is True
    assert result["status"] == "active"
    assert result["reason"] is None
    assert result["holder_name"] == "Siobhán O'Connor"
    assert result["achievement"] == "bronze"
    assert result["issuer"] == {
        "id": "did:web:testserver",
        "name": "QI Academy",
        "url": "http://testserver",
    }
    assert result["issued_at"] == listed["issued_at"]
    assert set(_checks(result)) == {
        "header",
        "key",
        "signature",
        "claims",
        "not_before",
        "expiry",
        "status",
        "proof",
        "record",
        "current",
    }
    assert all(_checks(result).values())


def test_revoked_credentials_verify_as_revoked_with_the_reason(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner, _, listed = earn_bronze(client, db, registry)
    leader = make_user(db, roles=[Role.LEADER])
    reason = "Quiz results were recorded against the wrong account"

    revoked = client.post(
        f"/api/v1/credentials/{listed['id']}/revoke",
        json={"reason": reason},
        headers=bearer(client, leader.email),
    )
    result = client.get(f"/api/v1/credentials/{listed['id']}/verify").json()
    status_list = client.get("/status/revocations").json()
    token = client.get(path_of(listed["links"]["jwt"])).text
    by_token = client.post("/api/v1/credentials/verify", json={"credential": token}).json()

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert result["valid"] is False
    assert result["status"] == "revoked"
    assert result["reason"] == reason
    assert _checks(result)["signature"] is True
    assert _checks(result)["status"] is False
    assert by_token["status"] == "revoked"
    assert status_list["revokedCredentials"] == [
        {"id": listed["links"]["json"], "revoked": True, "revocationReason": reason}
    ]
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "credential.revoke", AuditEvent.target_id == listed["id"]
        )
    ).one()
    assert event.actor_id == leader.id
    assert event.detail["reason"] == reason
    assert event.detail["holder_user_id"] == learner.id


def test_expired_credentials_verify_as_expired(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, tier="gold")
    gold = service.issue(
        db,
        user_id=user.id,
        achievement_slug="gold",
        registry=registry,
        now=datetime(2020, 1, 15, 10, 0, tzinfo=UTC),
    )
    db.flush()

    result = client.get(f"/api/v1/credentials/{gold.id}/verify").json()
    listed = client.get("/api/v1/me/credentials", headers=bearer(client, user.email)).json()
    jwks = client.get("/.well-known/jwks.json").json()
    key = pyjwt.PyJWKSet.from_dict(jwks)[pyjwt.get_unverified_header(gold.jwt)["kid"]]

    assert result["valid"] is False
    assert result["status"] == "expired"
    assert result["reason"] == "This credential expired on 15 January 2023."
    assert result["valid_until"].startswith("2023-01-15T10:00:00")
    assert _checks(result)["expiry"] is False
    assert _checks(result)["signature"] is True
    assert listed["data"][0]["status"] == "expired"
    with pytest.raises(pyjwt.ExpiredSignatureError):
        pyjwt.decode(gold.jwt, key.key, algorithms=["RS256"])


def test_unknown_credentials_are_not_found(client: TestClient) -> None:
    missing = uuid.uuid4()

    api = client.get(f"/api/v1/credentials/{missing}/verify")
    page = client.get(f"/verify/{missing}")

    assert api.status_code == 404
    assert api.json()["error"] == "NotFound"
    assert page.status_code == 404
    assert "No QI Academy credential has this id" in page.text
    assert client.get("/verify/not-a-credential-id").status_code == 404
    assert client.get(f"/credentials/{missing}").status_code == 404
    assert client.get(f"/credentials/{missing}.jwt").status_code == 404


def test_a_token_signed_by_someone_else_is_not_verified(
    client: TestClient, tmp_path: Path, token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    from app.credentials.keys import KeyRing
    from app.credentials.vc_jwt import sign_credential

    token, _, _ = token_and_jwks
    forger = KeyRing.load(keys_dir=tmp_path / "forger", base_url="http://testserver")
    forged = sign_credential(jwt_part(token, 1), forger)

    result = client.post("/api/v1/credentials/verify", json={"credential": forged}).json()

    assert result["valid"] is False
    assert _checks(result)["key"] is False


def test_baked_badges_carry_a_credential_that_verifies(
    client: TestClient, token_and_jwks: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    _, _, listed = token_and_jwks
    png = client.get(path_of(listed["links"]["png"])).content
    svg = client.get(path_of(listed["links"]["svg"])).content

    for token in (unbake_png(png), unbake_svg(svg)):
        result = client.post("/api/v1/credentials/verify", json={"credential": token}).json()
        assert result["valid"] is True
        assert result["id"] == listed["id"]


def test_public_documents_describe_the_issuer_achievements_and_status(
    client: TestClient,
) -> None:
    issuer = client.get("/issuer").json()
    bronze = client.get("/achievements/bronze").json()
    image = client.get("/achievements/bronze/image.png")
    svg = client.get("/achievements/gold/image.svg")
    status_list = client.get("/status/revocations").json()

    assert issuer["id"] == "did:web:testserver"
    assert issuer["type"] == ["Profile"]
    assert bronze["id"] == "http://testserver/achievements/bronze"
    assert bronze["criteria"]["narrative"].startswith("The holder completed every")
    assert bronze["image"]["id"] == "http://testserver/achievements/bronze/image.png"
    assert image.headers["content-type"] == "image/png"
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert status_list["id"] == "http://testserver/status/revocations"
    assert status_list["issuer"] == "did:web:testserver"
    assert client.get("/achievements/platinum").status_code == 404


@pytest.fixture
def own_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A key directory of this test's own, so rotating does not change other tests' keys."""
    keys_dir = tmp_path / "keys"
    monkeypatch.setenv("QIA_KEYS_DIR", str(keys_dir))
    get_settings.cache_clear()
    yield keys_dir
    get_settings.cache_clear()  # monkeypatch restores the variable after this


def test_rotating_keys_keeps_old_credentials_verifiable(
    own_keys: Path,
    client: TestClient,
    db: Session,
    registry: ContentRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, before = earn_bronze(client, db, registry, name="Before Rotation")
    old_kid = pyjwt.get_unverified_header(client.get(path_of(before["links"]["jwt"])).text)["kid"]

    assert cli(["keys", "rotate"]) == 0
    _, _, after = earn_bronze(client, db, registry, name="After Rotation")
    new_token = client.get(path_of(after["links"]["jwt"])).text
    jwks = client.get("/.well-known/jwks.json").json()

    new_kid = pyjwt.get_unverified_header(new_token)["kid"]
    assert new_kid != old_kid
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]  # active key first
    assert "new active signing key" in capsys.readouterr().out
    for listed in (before, after):
        result = client.get(f"/api/v1/credentials/{listed['id']}/verify").json()
        assert result["valid"] is True, result
    assert sorted(p.name for p in own_keys.glob("*.pem")) == sorted(
        f"{kid.rsplit('/', 1)[1]}.pem" for kid in (old_kid, new_kid)
    )
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in own_keys.glob("*.pem"))


def test_the_jwks_never_holds_private_key_members(client: TestClient) -> None:
    jwks = client.get("/.well-known/jwks.json")

    assert jwks.headers["content-type"].startswith("application/jwk-set+json")
    for key in jwks.json()["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert json.loads(jwks.text) == service.jwks()


def test_a_deleted_holders_name_and_forms_are_no_longer_published(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry, name="Erased Person")
    db.execute(update(User).where(User.id == user.id).values(deleted_at=datetime.now(UTC)))
    db.flush()

    result = client.get(f"/api/v1/credentials/{listed['id']}/verify").json()
    page = client.get(f"/verify/{listed['id']}")

    assert result["holder_name"] is None
    assert result["achievement"] == "bronze"
    assert "Erased Person" not in page.text
    assert "the holder deleted their account" in page.text
    for form in ("json", "jwt", "png", "svg"):
        assert client.get(path_of(listed["links"][form])).status_code == 410


def test_a_stored_json_ld_credential_changed_after_signing_fails_its_proof_check(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    credential_id = uuid.UUID(listed["id"])
    before = client.get(f"/api/v1/credentials/{credential_id}/verify").json()
    document = json.loads(json.dumps(client.get(path_of(listed["links"]["json"])).json()))
    document["credentialSubject"]["creditsEarned"] = 99.0
    db.execute(update(Credential).where(Credential.id == credential_id).values(document=document))
    db.expire_all()

    after = client.get(f"/api/v1/credentials/{credential_id}/verify").json()

    assert _checks(before)["proof"] is True
    assert _checks(after)["proof"] is False
    assert after["valid"] is False
    assert "Data Integrity proof" in after["reason"]
