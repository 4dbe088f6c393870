"""Credential views: the learner's list, public verification results, and the revoke request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from app.core.schemas import Schema

Status = Literal["active", "revoked", "expired", "superseded"]
REASON_MAX = 500


class CredentialLinks(Schema):
    """Absolute URLs, each serving the credential in one form."""

    json_: str = Field(serialization_alias="json")
    jwt: str
    png: str
    svg: str
    pdf: str
    verify: str
    jsonld: str  # the JSON-LD credential as a file to download
    wallet: str  # opens the Learner Credential Wallet with a request for this credential
    wallet_qr: str  # that link as a QR code (SVG)
    exchange: str  # the VC-API exchange the wallet link names


class CredentialPublic(Schema):
    id: uuid.UUID
    achievement: str
    achievement_name: str
    tier: str
    cpd_hours: float
    issued_at: datetime
    awarded_at: datetime
    valid_until: datetime | None
    status: Status
    revocation_reason: str | None
    links: CredentialLinks


class CredentialList(Schema):
    data: list[CredentialPublic]


class IssuerPublic(Schema):
    id: str
    name: str
    url: str


class CheckPublic(Schema):
    name: str
    label: str
    passed: bool
    detail: str


class VerificationPublic(Schema):
    """What anyone may learn about a credential: who holds it, for what, and whether it stands."""

    id: uuid.UUID | None
    valid: bool
    status: Status | None
    reason: str | None
    holder_name: str | None
    achievement: str | None
    achievement_name: str | None
    issued_at: datetime | None
    valid_until: datetime | None
    revoked_at: datetime | None = None
    replaced_by: str | None = None  # verification URL of the credential that superseded this one
    issuer: IssuerPublic
    checks: list[CheckPublic]


def _short_enough(value: str) -> str:
    if len(value) > REASON_MAX:
        raise ValueError(f"Reason must be {REASON_MAX} characters or fewer")
    return value


Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_short_enough)
]


class RevokeRequest(Schema):
    reason: Reason


class TokenVerifyRequest(Schema):
    """A compact JWS (VC-JWT), as found in a baked badge or a wallet export, or the JSON-LD
    credential (an object with its Data Integrity proof), as a wallet holds it."""

    credential: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64_000)]
        | dict[str, Any]
    )
