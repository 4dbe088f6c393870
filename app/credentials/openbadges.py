"""Open Badges 3.0 credentials: build the OpenBadgeCredential, sign it as a VC-JWT, verify it.

Follows the current OB 3.0 text (VC Data Model 2.0): the JWT payload *is* the credential plus
iss/sub/nbf/jti (and exp only with validUntil); the JOSE header carries only alg, kid and typ.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from jose import jwk, jws
from jose.exceptions import JOSEError

from app.credentials.keys import ALGORITHM, KeyRing

VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = (VC_CONTEXT_V2, OB_CONTEXT)
CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CREDENTIAL_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
# The status method OB 3.0 verification (section "Check the status") names, and the one the
# 1EdTech validator fetches: a plain JSON list of revoked credential ids. See build_revocation_list.
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
# integrity.md: "Additional JOSE Headers are NOT allowed."
ALLOWED_HEADERS = frozenset({"alg", "kid", "jwk", "typ"})


# --- URLs: one place, so the routes serve exactly what the credentials point at -------------


def issuer_url(*, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/issuer"


def credential_url(*, base_url: str, credential_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/credentials/{credential_id}"


def verification_url(*, base_url: str, credential_id: UUID) -> str:
    """The human page (and QR code target) that shows whether a credential is valid."""
    return f"{base_url.rstrip('/')}/verify/{credential_id}"


def achievement_url(*, base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/achievements/{slug}"


def achievement_image_url(*, base_url: str, slug: str) -> str:
    return f"{achievement_url(base_url=base_url, slug=slug)}/image.png"


def revocation_list_url(*, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/status/revocations"


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AchievementDefinition:
    slug: str
    name: str
    description: str
    criteria_narrative: str
    tier: str
    image_url: str
    cpd_hours: float
    achievement_type: str = "Badge"


@dataclass(frozen=True, kw_only=True)
class Holder:
    """The learner as the credential names them: a pseudonymous id, a salted email hash, a name."""

    subject_id: str
    identity_hash: str
    salt: str
    display_name: str | None = None

    @classmethod
    def from_email(
        cls, *, subject_id: str, email: str, display_name: str | None, salt: str | None = None
    ) -> Holder:
        """Hash the email now so the raw address never reaches the credential."""
        salt = salt if salt is not None else new_salt()
        return cls(
            subject_id=subject_id,
            identity_hash=hash_identity(email=email, salt=salt),
            salt=salt,
            display_name=display_name,
        )


@dataclass(frozen=True, kw_only=True)
class IssuerProfile:
    id: str
    name: str
    url: str
    email: str | None = None

    @classmethod
    def qi_academy(cls, *, base_url: str, email: str | None = None) -> IssuerProfile:
        return cls(id=issuer_url(base_url=base_url), name="QI Academy", url=base_url, email=email)

    def as_profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
        }
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True, kw_only=True)
class RevocationEntry:
    credential_id: str
    revoked: bool
    reason: str | None = None


# --- identity hashing (OB 3.0 IdentityObject / IdentityHash) ---------------------------------


def new_salt() -> str:
    """A fresh salt per credential, so two of a learner's badges cannot be linked by their hash."""
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    # Verifiers type the address they know; lower-casing is what they will expect to match.
    return email.strip().lower()


def hash_identity(*, email: str, salt: str) -> str:
    digest = hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def identity_matches(*, email: str, identity_hash: str, salt: str) -> bool:
    """Recipient check from verification.md: hash the known email with the credential's salt."""
    return hmac.compare_digest(hash_identity(email=email, salt=salt), identity_hash)


# --- building -------------------------------------------------------------------------------


def build_credential(
    *,
    base_url: str,
    credential_id: UUID,
    achievement: AchievementDefinition,
    holder: Holder,
    issuer: IssuerProfile,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_at: datetime | None = None,
    with_status: bool = True,
) -> dict[str, Any]:
    """An OpenBadgeCredential (OB 3.0 on VC Data Model 2.0), ready for sign_credential."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": credential_url(base_url=base_url, credential_id=credential_id),
        "type": list(CREDENTIAL_TYPES),
        "name": achievement.name,
        "description": achievement.description,
        "issuer": issuer.as_profile(),
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    if awarded_at is not None:
        # Keeps the original award date when a credential is re-issued with a later validFrom.
        credential["awardedDate"] = format_datetime(awarded_at)
    credential["credentialSubject"] = _subject(holder, achievement, base_url=base_url)
    if with_status:
        credential["credentialStatus"] = {
            "id": revocation_list_url(base_url=base_url),
            "type": REVOCATION_LIST_TYPE,
        }
    # verification.md step 1 validates against this schema when it is named.
    credential["credentialSchema"] = [{"id": CREDENTIAL_SCHEMA_URL, "type": CREDENTIAL_SCHEMA_TYPE}]
    return credential


def _subject(
    holder: Holder, achievement: AchievementDefinition, *, base_url: str
) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityHash": holder.identity_hash,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": holder.salt,
        }
    ]
    if holder.display_name:
        # Shown by wallets as "awarded to"; unhashed because a name on a badge is meant to be read.
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": holder.display_name,
                "identityType": "name",
                "hashed": False,
            }
        )
    return {
        "id": holder.subject_id,
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "creditsEarned": achievement.cpd_hours,
        "achievement": _achievement(achievement, base_url=base_url),
    }


def _achievement(achievement: AchievementDefinition, *, base_url: str) -> dict[str, Any]:
    return {
        "id": achievement_url(base_url=base_url, slug=achievement.slug),
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria_narrative},
        "image": {
            "id": achievement.image_url,
            "type": "Image",
            "caption": f"{achievement.name} badge",
        },
        # OB's only hours field; CPD hours are what a learner can claim for this achievement.
        "creditsAvailable": achievement.cpd_hours,
        "fieldOfStudy": "Quality improvement in health and social care",
        "inLanguage": "en-GB",
        "tag": ["quality improvement", "CPD", achievement.tier],
    }


def achievement_document(achievement: AchievementDefinition, *, base_url: str) -> dict[str, Any]:
    """What an achievement's id URL serves: the same Achievement the credentials embed."""
    return {"@context": list(CONTEXTS), **_achievement(achievement, base_url=base_url)}


def issuer_document(issuer: IssuerProfile) -> dict[str, Any]:
    """What the issuer's id URL serves: its Profile."""
    return {"@context": list(CONTEXTS), **issuer.as_profile()}


def build_revocation_list(
    *, base_url: str, issuer_id: str, entries: Iterable[RevocationEntry]
) -> dict[str, Any]:
    """The document published at revocation_list_url (1EdTech Revocation List Status Method).

    Only revoked credentials are listed: verifiers look a credential's id up in
    `revokedCredentials`, and listing every issued credential would publish the whole roster.
    """
    revoked = [_revoked_item(entry) for entry in entries if entry.revoked]
    return {
        "id": revocation_list_url(base_url=base_url),
        "issuer": issuer_id,
        "revokedCredentials": sorted(revoked, key=lambda item: item["id"]),
    }


def _revoked_item(entry: RevocationEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.credential_id, "revoked": True}
    if entry.reason:
        item["revocationReason"] = entry.reason
    return item


def format_datetime(value: datetime) -> str:
    """Whole seconds in UTC with a Z, so nbf/exp (integers) convert back to exactly this value."""
    if value.tzinfo is None:
        raise ValueError("credential timestamps must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed.astimezone(UTC)


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
        checks.append(_status_check(payload, revocation_list))
    return finish(payload)


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


def _status_check(payload: Mapping[str, Any], revocation_list: Mapping[str, Any]) -> Check:
    status = payload.get("credentialStatus")
    if not isinstance(status, Mapping) or status.get("type") != REVOCATION_LIST_TYPE:
        return Check("status", True, "no revocation list named")
    for entry in revocation_list.get("revokedCredentials", []):
        # Same rule as the 1EdTech validator: listed, and revoked true or omitted.
        if entry.get("id") == payload.get("id") and entry.get("revoked", True):
            reason = entry.get("revocationReason")
            return Check("status", False, f"revoked: {reason}" if reason else "revoked")
    return Check("status", True, "not on the revocation list")
