"""VC-JWT: sign an Open Badges 3.0 credential as a compact JWS and verify one against our keys.

integrity.md: the JWT payload *is* the credential plus iss/sub/nbf/jti (and exp only with
validUntil); the JOSE header carries only alg, kid and typ.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jose import jwk, jws
from jose.exceptions import JOSEError

from app.credentials.keys import ALGORITHM, KeyRing
from app.credentials.openbadges import CREDENTIAL_TYPES, parse_datetime
from app.credentials.status_lists import revocation_check

# integrity.md: "Additional JOSE Headers are NOT allowed."
ALLOWED_HEADERS = frozenset({"alg", "kid", "jwk", "typ"})


# --- signing --------------------------------------------------------------------------------


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered claims integrity.md maps from the credential."""
    claims: dict[str, Any] = {
        "iss": _issuer_id(credential),
        "sub": credential["credentialSubject"]["id"],
        "nbf": _epoch(credential["validFrom"]),
        "jti": credential["id"],
    }
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    return claims


def sign_credential(credential: Mapping[str, Any], keyring: KeyRing) -> str:
    """A Compact JWS (VC-JWT) of the credential, signed with the active key."""
    payload = {**credential, **jwt_claims(credential)}
    key = keyring.active
    signer = jwk.construct(key.private_key, ALGORITHM)
    # python-jose adds typ "JWT" (allowed) and alg; we add only kid: no other header is permitted.
    token: str = jws.sign(payload, signer, headers={"kid": key.kid}, algorithm=ALGORITHM)
    return token


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _epoch(value: str) -> int:
    return int(parse_datetime(value).timestamp())


# --- verifying ------------------------------------------------------------------------------

CHECK_LABELS = {
    "header": "The token header uses RS256 and names a key",
    "key": "The key is one QI Academy publishes",
    "signature": "The signature is valid",
    "claims": "The token claims match the credential",
    "not_before": "The credential is already valid",
    "expiry": "The credential has not expired",
    "status": "The credential has not been revoked",
}


TOKEN_CHECKS = ("header", "key", "signature", "claims", "not_before", "expiry")


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    @property
    def label(self) -> str:
        return CHECK_LABELS[self.name]


@dataclass(frozen=True)
class VerificationResult:
    checks: tuple[Check, ...]
    credential: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]


def verify_jwt(
    token: str,
    jwks: Mapping[str, Any],
    *,
    now: datetime | None = None,
    leeway_seconds: int = 0,
    revocation_list: Mapping[str, Any] | None = None,
    revoked_positions: Collection[int] = frozenset(),
) -> VerificationResult:
    """Verify a VC-JWT against a published JWKS only, never a key the token brings with it.

    Every named check is always reported; once one that later checks depend on fails, the rest
    are reported as not checked, so a verification page can list them all.
    """
    names = [*TOKEN_CHECKS, "status"] if revocation_list is not None else list(TOKEN_CHECKS)
    checks: list[Check] = []

    def finish(credential: dict[str, Any] | None = None) -> VerificationResult:
        failed = next((c for c in checks if not c.passed), None)
        reason = f"not checked: {failed.name} failed" if failed else "not checked"
        done = {c.name for c in checks}
        rest = [Check(name, False, reason) for name in names if name not in done]
        return VerificationResult(checks=(*checks, *rest), credential=credential)

    header = _header_check(token, checks)
    if header is None:
        return finish()
    public_jwk = _key_check(header, jwks, checks)
    if public_jwk is None:
        return finish()
    payload = _signature_check(token, public_jwk, checks)
    if payload is None:
        return finish()
    moment = (now or datetime.now(UTC)).timestamp()
    checks.append(_claims_check(payload))
    checks.append(_not_before_check(payload, moment=moment, leeway=leeway_seconds))
    checks.append(_expiry_check(payload, moment=moment, leeway=leeway_seconds))
    if revocation_list is not None:
        checks.append(_status_check(payload, revocation_list, revoked_positions))
    return finish(payload)


def verify_proved_document(
    document: Mapping[str, Any],
    proof: tuple[bool, str],
    *,
    now: datetime,
    revocation_list: Mapping[str, Any],
    revoked_positions: Collection[int] = frozenset(),
) -> VerificationResult:
    """The same checks for the JSON-LD form, once its Data Integrity proof was checked (`proof`):
    the signature is the proof, then its validity window and status as for the JWT."""
    passed, detail = proof
    if not passed:
        rest = ("not_before", "expiry", "status")
        return VerificationResult(
            checks=(
                Check("signature", False, detail),
                *(Check(name, False, "not checked: signature failed") for name in rest),
            )
        )
    try:
        claims = jwt_claims(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return VerificationResult(checks=(Check("claims", False, f"incomplete: {exc!r}"),))
    moment = now.timestamp()
    return VerificationResult(
        checks=(
            Check("signature", True, detail),
            _not_before_check(claims, moment=moment, leeway=0),
            _expiry_check(claims, moment=moment, leeway=0),
            _status_check(document, revocation_list, revoked_positions),
        ),
        credential=dict(document),
    )


def _header_check(token: str, checks: list[Check]) -> dict[str, Any] | None:
    try:
        header = jws.get_unverified_header(token)
    except JOSEError:
        checks.append(Check("header", False, "not a compact JWS"))
        return None
    problems = []
    # Compared with the one algorithm we issue: the header's claim is never taken on trust,
    # which is what rejects "none" and HS256-with-the-public-key forgeries.
    if header.get("alg") != ALGORITHM:
        problems.append(f"alg is {header.get('alg')!r}, expected {ALGORITHM}")
    if not isinstance(header.get("kid"), str):
        problems.append("no kid")
    if extra := sorted(set(header) - ALLOWED_HEADERS):
        problems.append(f"headers not allowed: {', '.join(extra)}")
    if header.get("typ", "JWT") != "JWT":
        problems.append(f"typ is {header.get('typ')!r}, expected JWT")
    checks.append(Check("header", not problems, "; ".join(problems) or f"{ALGORITHM}, kid"))
    return None if problems else header


def _key_check(
    header: Mapping[str, Any], jwks: Mapping[str, Any], checks: list[Check]
) -> dict[str, Any] | None:
    kid = header["kid"]
    for candidate in jwks.get("keys", []):
        if candidate.get("kid") != kid:
            continue
        usable = (
            candidate.get("kty") == "RSA"
            and candidate.get("alg", ALGORITHM) == ALGORITHM
            and candidate.get("use", "sig") == "sig"
        )
        if usable:
            checks.append(Check("key", True, kid))
            return dict(candidate)
        checks.append(Check("key", False, f"{kid} is not an RSA signing key for {ALGORITHM}"))
        return None
    checks.append(Check("key", False, f"{kid} is not in the published key set"))
    return None


def _signature_check(
    token: str, public_jwk: Mapping[str, Any], checks: list[Check]
) -> dict[str, Any] | None:
    try:
        key = jwk.construct(dict(public_jwk), ALGORITHM)
        raw = jws.verify(token, key, algorithms=[ALGORITHM])
        payload = json.loads(raw)
    except (JOSEError, ValueError) as exc:
        checks.append(Check("signature", False, f"signature does not verify ({exc})"))
        return None
    if not isinstance(payload, dict):
        checks.append(Check("signature", False, "payload is not a JSON object"))
        return None
    checks.append(Check("signature", True, f"{ALGORITHM} signature verified"))
    return payload


def _claims_check(payload: Mapping[str, Any]) -> Check:
    try:
        expected = jwt_claims(payload)
    except (KeyError, TypeError, ValueError) as exc:
        return Check("claims", False, f"credential is incomplete: {exc!r}")
    problems = [
        f"{claim} is {payload.get(claim)!r}, credential says {value!r}"
        for claim, value in expected.items()
        if payload.get(claim) != value
    ]
    if "exp" in payload and "exp" not in expected:
        problems.append("exp is present but the credential has no validUntil")
    types = payload.get("type")
    if not isinstance(types, list) or not set(CREDENTIAL_TYPES) <= set(types):
        problems.append(f"type must include {', '.join(CREDENTIAL_TYPES)}")
    return Check("claims", not problems, "; ".join(problems) or "iss, sub, nbf, jti, exp match")


def _not_before_check(payload: Mapping[str, Any], *, moment: float, leeway: int) -> Check:
    nbf = payload.get("nbf")
    if type(nbf) is not int:
        return Check("not_before", False, "no nbf")
    starts = datetime.fromtimestamp(nbf, UTC).isoformat()
    if moment + leeway < nbf:
        return Check("not_before", False, f"not valid until {starts}")
    return Check("not_before", True, f"valid from {starts}")


def _expiry_check(payload: Mapping[str, Any], *, moment: float, leeway: int) -> Check:
    exp = payload.get("exp")
    if exp is None:
        return Check("expiry", True, "does not expire")
    if type(exp) is not int:
        return Check("expiry", False, "exp is not a NumericDate")
    ends = datetime.fromtimestamp(exp, UTC).isoformat()
    if moment - leeway >= exp:
        return Check("expiry", False, f"expired at {ends}")
    return Check("expiry", True, f"valid until {ends}")


def _status_check(
    payload: Mapping[str, Any],
    revocation_list: Mapping[str, Any],
    revoked_positions: Collection[int],
) -> Check:
    passed, detail = revocation_check(payload, revocation_list, revoked_positions)
    return Check("status", passed, detail)
