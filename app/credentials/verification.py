"""Verifying a credential: its signature against our keys, its status, and our record of it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pyld.jsonld import JsonLdError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import as_utc, utcnow
from app.credentials import catalogue, data_integrity, signing, vc_jwt
from app.credentials import openbadges as ob
from app.credentials.achievements import get_achievements
from app.credentials.certificate import format_date
from app.credentials.contexts import UnknownContext
from app.credentials.models import Credential
from app.credentials.records import get, holder_erased, status_of
from app.credentials.revocation import revocation_list, revoked_positions
from app.credentials.schemas import CheckPublic, IssuerPublic, Status, VerificationPublic

_EXTRA_CHECK_LABELS = {
    "record": "The credential matches QI Academy's record of it",
    "current": "This is the holder's current credential for this achievement",
    "proof": "The Data Integrity proof (eddsa-rdfc-2022) on the JSON-LD credential is valid",
}


def verify(
    session: Session, *, credential_id: uuid.UUID, now: datetime | None = None
) -> VerificationPublic:
    """Check the stored signed credential against the published keys and revocation list."""
    credential = get(session, credential_id=credential_id, load=("jwt", "document"))
    now = now or utcnow()
    result = vc_jwt.verify_jwt(
        credential.jwt,
        signing.jwks(),
        now=now,
        revocation_list=revocation_list(session),
        revoked_positions=revoked_positions(session),
    )
    proof = _proof_check(credential.document)
    return _verification(session, result=result, credential=credential, now=now, proof=proof)


def _proof_check(document: dict[str, Any]) -> CheckPublic | None:
    """The JSON-LD form's own proof; None for credentials issued before they carried one."""
    if "proof" not in document:
        return None
    passed, detail = data_integrity.verify_proof(document, resolve=signing.resolve_proof_key)
    return _check("proof", passed, detail)


def verify_token(
    session: Session, *, token: str | dict[str, Any], now: datetime | None = None
) -> VerificationPublic:
    """Check a credential someone was given (a VC-JWT, or the JSON-LD credential with its Data
    Integrity proof) and look up what QI Academy knows of it."""
    now = now or utcnow()
    if isinstance(token, dict):
        result = vc_jwt.verify_proved_document(
            token,
            _given_proof(token),
            now=now,
            revocation_list=revocation_list(session),
            revoked_positions=revoked_positions(session),
        )
    else:
        result = vc_jwt.verify_jwt(
            token,
            signing.jwks(),
            now=now,
            revocation_list=revocation_list(session),
            revoked_positions=revoked_positions(session),
        )
    credential = None
    if result.credential is not None:  # only a payload whose signature verified is looked up
        credential_id = _credential_id(result.credential.get("id"))
        if credential_id is not None:
            credential = session.get(Credential, credential_id)
    return _verification(session, result=result, credential=credential, now=now)


def _given_proof(document: dict[str, Any]) -> tuple[bool, str]:
    """A given JSON-LD credential's proof; a document that is not JSON-LD fails it, not the app."""
    try:
        return data_integrity.verify_proof(document, resolve=signing.resolve_proof_key)
    except (JsonLdError, UnknownContext, KeyError, TypeError, ValueError, AttributeError) as exc:
        return False, f"not valid JSON-LD with only known contexts ({type(exc).__name__})"


def _credential_id(url: Any) -> uuid.UUID | None:
    prefix = (
        f"{ob.credential_url(base_url=catalogue.base_url(), credential_id=uuid.UUID(int=0))[:-36]}"
    )
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    try:
        return uuid.UUID(url[len(prefix) :])
    except ValueError:
        return None


def _verification(
    session: Session,
    *,
    result: vc_jwt.VerificationResult,
    credential: Credential | None,
    now: datetime,
    proof: CheckPublic | None = None,
) -> VerificationPublic:
    checks = [
        CheckPublic(name=c.name, label=c.label, passed=c.passed, detail=c.detail)
        for c in result.checks
    ]
    if proof is not None:
        checks.append(proof)
    profile = catalogue.issuer()
    issuer_public = IssuerPublic(id=profile.id, name=profile.name, url=profile.url)
    if credential is None:
        checks.append(_check("record", False, "QI Academy has no record of this credential"))
        return VerificationPublic(
            id=None,
            valid=False,
            status=None,
            reason=_first_failure(checks),
            holder_name=None,
            achievement=None,
            achievement_name=None,
            issued_at=None,
            valid_until=None,
            issuer=issuer_public,
            checks=checks,
        )
    checks.append(_record_check(credential, result.credential))
    status = status_of(credential, now=now)
    replaced_by = None
    if status == "superseded":
        newer = session.scalar(
            select(Credential.id).where(Credential.supersedes_id == credential.id)
        )
        if newer is not None:
            replaced_by = ob.verification_url(base_url=catalogue.base_url(), credential_id=newer)
        checks.append(_check("current", False, "replaced by a newer credential"))
    else:
        checks.append(_check("current", True, "not replaced"))
    valid = all(c.passed for c in checks) and status == "active"
    definition = get_achievements().get(credential.achievement)
    erased = holder_erased(session, credential=credential)
    return VerificationPublic(
        id=credential.id,
        valid=valid,
        status=status,
        reason=None if valid else _reason(credential, status=status, checks=checks),
        holder_name=None if erased else credential.holder_name,
        achievement=credential.achievement,
        achievement_name=definition.name if definition else credential.achievement,
        issued_at=as_utc(credential.issued_at),
        valid_until=as_utc(credential.valid_until) if credential.valid_until else None,
        revoked_at=as_utc(credential.revoked_at) if credential.revoked_at else None,
        replaced_by=replaced_by,
        issuer=issuer_public,
        checks=checks,
    )


def _check(name: str, passed: bool, detail: str) -> CheckPublic:
    return CheckPublic(name=name, label=_EXTRA_CHECK_LABELS[name], passed=passed, detail=detail)


def _record_check(credential: Credential, payload: dict[str, Any] | None) -> CheckPublic:
    if payload is None:
        return _check("record", False, "not checked: the signature did not verify")
    base_url = catalogue.base_url()
    expected_id = ob.credential_url(base_url=base_url, credential_id=credential.id)
    expected_achievement = ob.achievement_url(base_url=base_url, slug=credential.achievement)
    subject = payload.get("credentialSubject")
    got_achievement = (
        subject.get("achievement", {}).get("id") if isinstance(subject, dict) else None
    )
    if payload.get("id") != expected_id or got_achievement != expected_achievement:
        return _check(
            "record", False, "the signed credential is not the one recorded under this id"
        )
    return _check("record", True, "id and achievement match")


def _first_failure(checks: Sequence[CheckPublic]) -> str | None:
    failed = next((c for c in checks if not c.passed), None)
    return f"{failed.label}: no ({failed.detail})" if failed else None


def _reason(credential: Credential, *, status: Status, checks: Sequence[CheckPublic]) -> str | None:
    token_checks = [c for c in checks if c.name not in ("status", "expiry", "current")]
    broken = _first_failure(token_checks)
    if broken:
        return broken
    if status == "revoked":
        return credential.revocation_reason
    if status == "expired" and credential.valid_until is not None:
        return f"This credential expired on {format_date(as_utc(credential.valid_until).date())}."
    if status == "superseded":
        return "This credential was replaced by a newer one for the same achievement."
    return _first_failure(checks)
