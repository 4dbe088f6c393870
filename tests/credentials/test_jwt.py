"""VC-JWT signing and verification: spec claim mapping, third-party libraries agree, forgeries fail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from jose import jws
from joserfc import jwt as jose_rfc_jwt
from joserfc.jwk import KeySet, RSAKey

from app.credentials.keys import KeyRing
from app.credentials.openbadges import parse_datetime
from app.credentials.status_lists import RevocationEntry, build_revocation_list
from app.credentials.vc_jwt import TOKEN_CHECKS, sign_credential, verify_jwt
from tests.credentials.conftest import BASE_URL, ISSUED, OB3, MakeCredential


def _segments(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _header(token: str) -> dict[str, Any]:
    return json.loads(_segments(token)[0])


def _payload(token: str) -> dict[str, Any]:
    return json.loads(_segments(token)[1])


def _epoch(value: str) -> int:
    return int(parse_datetime(value).timestamp())


@pytest.fixture
def credential(make_credential: MakeCredential) -> dict[str, Any]:
    return make_credential(tier="bronze")


@pytest.fixture
def token(credential: dict[str, Any], keyring: KeyRing) -> str:
    return sign_credential(credential, keyring)


# --- header and claims ----------------------------------------------------------------------


def test_header_is_rs256_with_a_kid_that_resolves_in_the_jwks(token: str, keyring: KeyRing) -> None:
    header = _header(token)
    kids = {key["kid"] for key in keyring.jwks()["keys"]}

    assert header == {"alg": "RS256", "kid": keyring.active.kid, "typ": "JWT"}
    assert header["kid"] in kids
    # OB 3.0: the kid is a URL that dereferences to the public JWK.
    assert header["kid"] == f"{BASE_URL}/keys/{keyring.active.thumbprint}"


def test_payload_is_the_credential_plus_the_registered_claims(
    token: str, credential: dict[str, Any]
) -> None:
    payload = _payload(token)
    claims = {name: payload.pop(name) for name in ("iss", "sub", "nbf", "jti")}

    assert payload == credential
    assert claims == {
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": _epoch(credential["validFrom"]),
        "jti": credential["id"],
    }
    assert "exp" not in payload
    assert "vc" not in payload  # the VCDM 1.1 form is not used


def test_exp_is_present_exactly_when_the_credential_has_valid_until(
    make_credential: MakeCredential, keyring: KeyRing
) -> None:
    gold = make_credential(tier="gold")

    payload = _payload(sign_credential(gold, keyring))

    assert payload["exp"] == _epoch(gold["validUntil"])
    assert payload["nbf"] == _epoch(gold["validFrom"])


# --- verification by us and by two independent libraries -----------------------------------


def test_our_verifier_passes_every_named_check(token: str, keyring: KeyRing) -> None:
    result = verify_jwt(token, keyring.jwks())

    assert result.valid, result.failures
    assert [check.name for check in result.checks] == list(TOKEN_CHECKS)
    assert result.credential is not None
    assert result.credential["jti"] == result.credential["id"]


def test_pyjwt_verifies_with_only_the_published_jwks(
    token: str, keyring: KeyRing, credential: dict[str, Any]
) -> None:
    jwks = json.loads(json.dumps(keyring.jwks()))  # exactly what /.well-known/jwks.json serves
    key = pyjwt.PyJWKSet.from_dict(jwks)[_header(token)["kid"]]

    claims = pyjwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=credential["issuer"]["id"],
        subject=credential["credentialSubject"]["id"],
        options={"require": ["iss", "sub", "nbf", "jti"]},
    )

    assert claims["jti"] == credential["id"]


def test_joserfc_verifies_with_only_the_published_jwks(
    token: str, keyring: KeyRing, credential: dict[str, Any]
) -> None:
    key_set = KeySet.import_key_set(json.loads(json.dumps(keyring.jwks())))

    decoded = jose_rfc_jwt.decode(token, key_set, algorithms=["RS256"])
    jose_rfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": credential["issuer"]["id"]},
        sub={"essential": True, "value": credential["credentialSubject"]["id"]},
        jti={"essential": True, "value": credential["id"]},
    ).validate(decoded.claims)

    assert decoded.header["kid"] == keyring.active.kid


# --- tampering and forgery ------------------------------------------------------------------


@pytest.mark.parametrize("segment", [1, 2], ids=["payload", "signature"])
def test_flipping_one_byte_fails_the_signature(token: str, keyring: KeyRing, segment: int) -> None:
    parts = token.split(".")
    raw = bytearray(_segments(token)[segment])
    raw[len(raw) // 2] ^= 0x01
    parts[segment] = _b64(bytes(raw))

    result = verify_jwt(".".join(parts), keyring.jwks())

    assert not result.valid
    assert not result.check("signature").passed
    assert result.credential is None


def test_alg_none_is_rejected(token: str, keyring: KeyRing) -> None:
    header = {"alg": "none", "kid": keyring.active.kid, "typ": "JWT"}
    unsigned = f"{_b64(json.dumps(header).encode())}.{token.split('.')[1]}."

    result = verify_jwt(unsigned, keyring.jwks())

    assert not result.valid
    assert "alg is 'none'" in result.check("header").detail
    assert not result.check("signature").passed


def test_hs256_signed_with_the_public_key_is_rejected(token: str, keyring: KeyRing) -> None:
    """The classic algorithm-confusion forgery: HMAC keyed with the published RSA public key."""
    public_pem = keyring.active.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": keyring.active.kid}).encode())
    signing_input = f"{header}.{token.split('.')[1]}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    result = verify_jwt(f"{signing_input}.{_b64(mac)}", keyring.jwks())

    assert not result.valid
    assert not result.check("header").passed


def test_token_signed_by_another_key_is_rejected(
    credential: dict[str, Any], keyring: KeyRing, tmp_path: Path
) -> None:
    other = KeyRing.load(keys_dir=tmp_path / "other", base_url=BASE_URL)
    forged = sign_credential(credential, other)

    result = verify_jwt(forged, keyring.jwks())

    assert not result.valid
    assert "not in the published key set" in result.check("key").detail


def test_token_signed_by_another_key_under_our_kid_fails_the_signature(
    credential: dict[str, Any], keyring: KeyRing, tmp_path: Path
) -> None:
    other = KeyRing.load(keys_dir=tmp_path / "other", base_url=BASE_URL)
    forged = sign_credential(credential, other)
    header = _b64(json.dumps({"alg": "RS256", "kid": keyring.active.kid, "typ": "JWT"}).encode())
    _, payload, signature = forged.split(".")

    result = verify_jwt(f"{header}.{payload}.{signature}", keyring.jwks())

    assert result.check("key").passed
    assert not result.check("signature").passed


def test_a_key_carried_in_the_token_header_is_never_trusted(keyring: KeyRing) -> None:
    selftest = OB3.parent / "selftest"
    with_jwk = (
        (selftest / "basicOpenBadgeCredential.python-jose.jwk-header.jwt").read_text().strip()
    )
    default_header = (
        (selftest / "basicOpenBadgeCredential.python-jose.BROKEN-default-header-no-sub.jwt")
        .read_text()
        .strip()
    )

    for foreign in (with_jwk, default_header):
        result = verify_jwt(foreign, keyring.jwks())
        assert not result.valid
        assert "no kid" in result.check("header").detail


def test_claims_that_disagree_with_the_credential_fail(
    credential: dict[str, Any], keyring: KeyRing
) -> None:
    tampered = {**credential, "id": f"{BASE_URL}/credentials/someone-elses"}
    token = sign_credential(tampered, keyring)
    payload = _payload(token)
    payload["jti"] = credential["id"]
    # Re-sign the inconsistent payload with our own key, as a buggy issuer would.
    header = _header(token)
    bad = jws.sign(
        payload, keyring.active.private_key, headers={"kid": header["kid"]}, algorithm="RS256"
    )

    result = verify_jwt(bad, keyring.jwks())

    assert result.check("signature").passed
    assert not result.check("claims").passed
    assert "jti" in result.check("claims").detail


# --- time and status ------------------------------------------------------------------------


def test_expired_credential_fails_only_the_expiry_check(
    make_credential: MakeCredential, keyring: KeyRing
) -> None:
    gold = make_credential(tier="gold")
    token = sign_credential(gold, keyring)
    after = parse_datetime(gold["validUntil"]) + timedelta(seconds=1)

    result = verify_jwt(token, keyring.jwks(), now=after)

    assert [check.name for check in result.failures] == ["expiry"]
    assert verify_jwt(token, keyring.jwks(), now=after - timedelta(days=1)).valid


def test_credential_not_yet_valid_fails_the_not_before_check(token: str, keyring: KeyRing) -> None:
    result = verify_jwt(token, keyring.jwks(), now=ISSUED - timedelta(minutes=5))

    assert [check.name for check in result.failures] == ["not_before"]
    assert verify_jwt(
        token, keyring.jwks(), now=ISSUED - timedelta(minutes=5), leeway_seconds=600
    ).valid


def test_revoked_credential_fails_the_status_check(
    token: str, credential: dict[str, Any], keyring: KeyRing
) -> None:
    issuer = credential["issuer"]["id"]
    revoked = build_revocation_list(
        base_url=BASE_URL,
        issuer_id=issuer,
        entries=[
            RevocationEntry(credential_id=credential["id"], revoked=True, reason="Issued in error")
        ],
    )
    clean = build_revocation_list(base_url=BASE_URL, issuer_id=issuer, entries=[])

    result = verify_jwt(token, keyring.jwks(), revocation_list=revoked)

    assert [check.name for check in result.failures] == ["status"]
    assert result.check("status").detail == "revoked: Issued in error"
    assert verify_jwt(token, keyring.jwks(), revocation_list=clean).valid


def test_garbage_is_reported_not_raised(keyring: KeyRing) -> None:
    result = verify_jwt("not-a-token", keyring.jwks())

    assert not result.valid
    assert [c.name for c in result.checks] == list(TOKEN_CHECKS)
    assert all(c.detail.startswith("not checked") for c in result.checks[1:])


def test_kid_is_the_rfc7638_thumbprint_joserfc_computes(keyring: KeyRing) -> None:
    for public in keyring.jwks()["keys"]:
        thumbprint = RSAKey.import_key(
            {"kty": "RSA", "n": public["n"], "e": public["e"]}
        ).thumbprint()
        assert public["kid"] == f"{BASE_URL}/keys/{thumbprint}"
