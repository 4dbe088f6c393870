"""Open Badges 3.0 documents: the OpenBadgeCredential, its Achievement and the issuer's Profile.

Follows the current OB 3.0 text (VC Data Model 2.0). Signing is in vc_jwt, status lists in
status_lists; the URLs every document points at are here, in one place.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.credentials.contexts import OB_CONTEXT, OB_EXTENSIONS_CONTEXT, VC_CONTEXT_V2
from app.credentials.did import did_web

CONTEXTS = (VC_CONTEXT_V2, OB_CONTEXT)
# A credential uses 1EdTechRevocationList and 1EdTechJsonSchemaValidator2019: without the
# extensions context it is not valid JSON-LD, and no Data Integrity signer or verifier takes it.
CREDENTIAL_CONTEXTS = (*CONTEXTS, OB_EXTENSIONS_CONTEXT)
CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CREDENTIAL_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
# The status method OB 3.0 verification (section "Check the status") names, and the one the
# 1EdTech validator fetches: a plain JSON list of revoked credential ids. See build_revocation_list.
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
# W3C Bitstring Status List: what DCC wallets and verifiers check. The OB 3.0 schema allows one
# credentialStatus, so credentials with a list position name this one only.
BITSTRING_ENTRY_TYPE = "BitstringStatusListEntry"
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")


# --- URLs: one place, so the routes serve exactly what the credentials point at -------------


def issuer_url(*, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/issuer"


def issuer_image_url(*, base_url: str) -> str:
    return f"{issuer_url(base_url=base_url)}/image.png"


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


def bitstring_status_list_url(*, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/status/bitstring/revocation"


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
    image: str | None = None

    @classmethod
    def qi_academy(cls, *, base_url: str, email: str | None = None) -> IssuerProfile:
        """The issuer is a did:web (its DID document lists the proof keys); the Profile is
        served at issuer_url. Credentials issued before this carry issuer_url as their id."""
        return cls(
            id=did_web(base_url=base_url),
            name="QI Academy",
            url=base_url,
            email=email,
            image=issuer_image_url(base_url=base_url),
        )

    def as_profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
        }
        if self.email:
            profile["email"] = self.email
        if self.image:
            profile["image"] = {"id": self.image, "type": "Image", "caption": "QI Academy logo"}
        return profile


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
    status_list_index: int | None = None,
) -> dict[str, Any]:
    """An OpenBadgeCredential (OB 3.0 on VC Data Model 2.0), ready for sign_credential."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
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
    if with_status and status_list_index is not None:
        list_url = bitstring_status_list_url(base_url=base_url)
        credential["credentialStatus"] = {
            "id": f"{list_url}#{status_list_index}",
            "type": BITSTRING_ENTRY_TYPE,
            "statusPurpose": "revocation",
            "statusListIndex": str(status_list_index),
            "statusListCredential": list_url,
        }
    elif with_status:
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
