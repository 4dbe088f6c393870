"""Gold records: looking up candidacies and certifications, and mapping them to public schemas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Organisation, User
from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.core.errors import NotFound
from app.credentials.achievements import get_achievements
from app.credentials.models import Credential
from app.gold.models import GoldCandidacy, GoldCertification
from app.gold.schemas import CandidacyPublic, CertificationPublic

GOLD = "gold"
SILVER = "silver"


def holds_silver(session: Session, *, user_id: int) -> bool:
    return (
        session.scalar(
            select(Credential.user_id).where(
                Credential.user_id == user_id,
                Credential.achievement == SILVER,
                Credential.status == "active",
            )
        )
        is not None
    )


def gold_module_ids(registry: ContentRegistry) -> list[int]:
    return [m.module_id for m in registry.tier(GOLD)]


def gold_expiry(certified_at: datetime) -> datetime:
    """Three years (the Gold achievement's valid_years) after certification."""
    expiry = get_achievements()[GOLD].valid_until(certified_at)
    assert expiry is not None, "the Gold achievement must expire"
    return expiry


def certs_of(session: Session, *, user_id: int) -> list[GoldCertification]:
    """A person's certifications, oldest first."""
    return list(
        session.scalars(
            select(GoldCertification)
            .where(GoldCertification.user_id == user_id)
            .order_by(GoldCertification.certified_at, GoldCertification.id)
        )
    )


def is_current(cert: GoldCertification, now: datetime) -> bool:
    return cert.revoked_at is None and as_utc(cert.expires_at) > now


def current_certification(session: Session, *, user_id: int) -> GoldCertification | None:
    now = utcnow()
    current = [c for c in certs_of(session, user_id=user_id) if is_current(c, now)]
    return current[-1] if current else None


def open_candidacy(session: Session, *, user_id: int) -> GoldCandidacy | None:
    return session.scalar(
        select(GoldCandidacy).where(
            GoldCandidacy.user_id == user_id, GoldCandidacy.status == "open"
        )
    )


def is_gold_candidate(session: Session, *, user_id: int) -> bool:
    """Open Gold modules: an open candidacy or a current certification. One query."""
    now = utcnow()
    candidacy = select(GoldCandidacy.id).where(
        GoldCandidacy.user_id == user_id, GoldCandidacy.status == "open"
    )
    certified = select(GoldCertification.id).where(
        GoldCertification.user_id == user_id,
        GoldCertification.revoked_at.is_(None),
        GoldCertification.expires_at > now,
    )
    return bool(session.scalar(select(candidacy.exists() | certified.exists())))


def get_candidacy(session: Session, *, candidacy_id: int) -> GoldCandidacy:
    candidacy = session.get(GoldCandidacy, candidacy_id)
    if candidacy is None:
        raise NotFound("There is no Gold candidacy with that number. Choose one from the list.")
    return candidacy


def get_certification(session: Session, *, certification_id: int) -> GoldCertification:
    cert = session.get(GoldCertification, certification_id)
    if cert is None:
        raise NotFound("There is no Gold certification with that number.")
    return cert


# --- public schemas ---------------------------------------------------------------------------


def candidacy_public(session: Session, *, candidacy: GoldCandidacy) -> CandidacyPublic:
    row = session.execute(
        select(User.full_name, User.email, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.id == candidacy.user_id)
    ).one()
    return _candidacy(candidacy, *row)


def _candidacy(c: GoldCandidacy, full_name: str, email: str, org: str | None) -> CandidacyPublic:
    return CandidacyPublic(
        id=c.id,
        user_id=c.user_id,
        full_name=full_name,
        email=email,
        organisation=org,
        kind=c.kind,  # type: ignore[arg-type]
        origin=c.origin,  # type: ignore[arg-type]
        status=c.status,
        statement=c.statement,
        created_at=as_utc(c.created_at),
        decided_at=as_utc(c.decided_at) if c.decided_at else None,
        decision_reasons=c.decision_reasons,
    )


def candidacies(session: Session, *, status: str = "open") -> list[CandidacyPublic]:
    rows = session.execute(
        select(GoldCandidacy, User.full_name, User.email, Organisation.name)
        .join(User, User.id == GoldCandidacy.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(GoldCandidacy.status == status)
        .order_by(GoldCandidacy.created_at, GoldCandidacy.id)
    ).all()
    return [_candidacy(c, name, email, org) for c, name, email, org in rows]


def certifications(session: Session, *, limit: int = 200) -> list[CertificationPublic]:
    certifier = aliased(User)
    rows = session.execute(
        select(GoldCertification, User.full_name, certifier.full_name)
        .join(User, User.id == GoldCertification.user_id)
        .outerjoin(certifier, certifier.id == GoldCertification.certified_by_id)
        .order_by(GoldCertification.certified_at.desc(), GoldCertification.id.desc())
        .limit(limit)
    ).all()
    return [cert_public(c, name, by) for c, name, by in rows]


def certification_public(
    session: Session, *, certification: GoldCertification
) -> CertificationPublic:
    certifier = aliased(User)
    name, by = session.execute(
        select(User.full_name, certifier.full_name)
        .outerjoin(certifier, certifier.id == certification.certified_by_id)
        .where(User.id == certification.user_id)
    ).one()
    return cert_public(certification, name, by)


def cert_public(c: GoldCertification, name: str, by: str | None) -> CertificationPublic:
    return CertificationPublic(
        id=c.id,
        user_id=c.user_id,
        full_name=name,
        certified_by=by,
        certified_at=as_utc(c.certified_at),
        expires_at=as_utc(c.expires_at),
        revoked_at=as_utc(c.revoked_at) if c.revoked_at else None,
        credential_id=c.credential_id,
    )
