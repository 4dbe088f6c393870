"""Gold: candidacy (apply, nominate, observe, decide), and the domain's one service surface.

Other domains and the pages import this module; the work is split by responsibility:
`records` (look-ups and public schemas), `evidence` (what a candidacy still needs, My Gold),
`trainer_role` (the role a certification carries: granted, withdrawn, lapsed, swept) and
`directory` (the trainer directory).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.core.events import publish
from app.gold.directory import directory, directory_filters
from app.gold.events import CertificationDecided
from app.gold.evidence import evidence, my_gold, observation_public, observations
from app.gold.models import CRITERIA, GoldCandidacy, GoldCertification, TeachingObservation
from app.gold.records import (
    GOLD,
    SILVER,
    candidacies,
    candidacy_public,
    certification_public,
    certifications,
    certs_of,
    current_certification,
    get_candidacy,
    gold_expiry,
    gold_module_ids,
    holds_silver,
    is_gold_candidate,
    open_candidacy,
)
from app.gold.schemas import DecisionCreate, ObservationCreate
from app.gold.trainer_role import (
    REMINDER_DAYS,
    SweepResult,
    dashboard_notice,
    link_credential,
    on_credential_revoked,
    revoke,
    sweep,
)

__all__ = [
    "GOLD",
    "REMINDER_DAYS",
    "SILVER",
    "SweepResult",
    "apply",
    "candidacies",
    "candidacy_public",
    "certification_public",
    "certifications",
    "current_certification",
    "dashboard_notice",
    "decide",
    "directory",
    "directory_filters",
    "evidence",
    "get_candidacy",
    "gold_expiry",
    "gold_module_ids",
    "holds_silver",
    "is_gold_candidate",
    "link_credential",
    "my_gold",
    "nominate",
    "observation_public",
    "observations",
    "on_credential_revoked",
    "open_candidacy",
    "record_observation",
    "revoke",
    "sweep",
]


def _open(
    session: Session, *, user_id: int, origin: str, actor_id: int, statement: str = ""
) -> GoldCandidacy:
    if open_candidacy(session, user_id=user_id) is not None:
        raise Conflict("There is already an open Gold candidacy for this person.")
    certified_before = bool(certs_of(session, user_id=user_id))
    if not certified_before and not holds_silver(session, user_id=user_id):
        raise Conflict("Gold is open to people who hold QI Academy Silver. Complete Silver first.")
    candidacy = GoldCandidacy(
        user_id=user_id,
        kind="renewal" if certified_before else "initial",
        origin=origin,
        nominated_by_id=actor_id if origin == "nominated" else None,
        statement=statement.strip()[:4000],
        status="open",
        created_at=utcnow(),
    )
    session.add(candidacy)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action=f"gold.{'nominate' if origin == 'nominated' else 'apply'}",
        target_type="gold_candidacy",
        target_id=candidacy.id,
        detail={"user_id": user_id, "kind": candidacy.kind},
    )
    return candidacy


def apply(session: Session, *, user: User, statement: str = "") -> GoldCandidacy:
    """The person asks to become a Gold candidate (or to renew)."""
    return _open(session, user_id=user.id, origin="applied", actor_id=user.id, statement=statement)


def nominate(session: Session, *, leader: User, email: str) -> GoldCandidacy:
    """A leader puts someone forward for Gold by their email address."""
    email = email.strip()
    if not email:
        raise InvalidInput("Enter the email address of the person to nominate", field="email")
    found = accounts_service.users_by_email(session, emails=[email])
    user = next(iter(found.values()), None)
    if user is None:
        raise InvalidInput(
            "No one has a QI Academy account with that email address. Check it and try again.",
            field="email",
        )
    return _open(session, user_id=user.id, origin="nominated", actor_id=leader.id)


def record_observation(
    session: Session, *, candidacy: GoldCandidacy, observer: User, data: ObservationCreate
) -> TeachingObservation:
    if candidacy.status != "open":
        raise Conflict("This candidacy has been decided; observations can no longer be added.")
    if data.observed_on > utcnow().date():
        raise InvalidInput("The observation date must be today or in the past", field="observed_on")
    obs = TeachingObservation(
        candidacy_id=candidacy.id,
        observer_id=observer.id,
        observed_on=data.observed_on,
        notes=data.notes,
        created_at=utcnow(),
        **{name: getattr(data, name) for name in CRITERIA},
    )
    session.add(obs)
    session.flush()
    audit.record(
        session,
        actor_id=observer.id,
        action="gold.observe",
        target_type="gold_candidacy",
        target_id=candidacy.id,
        detail={name: getattr(data, name) for name in CRITERIA},
    )
    return obs


def decide(
    session: Session,
    *,
    candidacy: GoldCandidacy,
    leader: User,
    data: DecisionCreate,
    registry: ContentRegistry,
) -> GoldCertification | None:
    """Record the leader's decision; certifying needs complete evidence and grants the trainer role."""
    if candidacy.status != "open":
        raise Conflict("This candidacy has already been decided.")
    if candidacy.user_id == leader.id:
        raise Conflict("You cannot decide your own Gold candidacy; ask another improvement leader.")
    now = utcnow()
    cert = None
    if data.decision == "certify":
        found = evidence(session, candidacy=candidacy, registry=registry)
        if not found.complete:
            raise Conflict(
                "Gold cannot be certified yet. Still missing: " + "; ".join(found.missing)
            )
        cert = GoldCertification(
            user_id=candidacy.user_id,
            candidacy_id=candidacy.id,
            certified_by_id=leader.id,
            certified_at=now,
            expires_at=gold_expiry(now),
        )
        session.add(cert)
    candidacy.status = "certified" if cert else "declined"
    candidacy.decided_at = now
    candidacy.decided_by_id = leader.id
    candidacy.decision_reasons = data.reasons
    session.flush()
    audit.record(
        session,
        actor_id=leader.id,
        action=f"gold.{'certify' if cert else 'decline'}",
        target_type="gold_candidacy",
        target_id=candidacy.id,
        detail={"user_id": candidacy.user_id, "kind": candidacy.kind, "reasons": data.reasons},
    )
    # Awards issues the Gold credential and calls back link_credential() to grant the role.
    publish(
        session,
        CertificationDecided(
            candidacy_id=candidacy.id,
            user_id=candidacy.user_id,
            certified=cert is not None,
            renewal=candidacy.kind == "renewal",
            certification_id=cert.id if cert else None,
            actor_id=leader.id,
        ),
    )
    return cert
