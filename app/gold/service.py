"""Gold: candidacy, the evidence route, certification with the trainer role, expiry, lineage, directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import Organisation, User, UserRole
from app.audit import service as audit
from app.cohorts.models import Cohort, CohortTrainer
from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.events import publish
from app.credentials import service as credentials_service
from app.credentials.achievements import get_achievements
from app.credentials.models import Credential
from app.gold.events import CertificationDecided
from app.gold.models import CRITERIA, GoldCandidacy, GoldCertification, TeachingObservation
from app.gold.schemas import (
    CandidacyPublic,
    CertificationPublic,
    DecisionCreate,
    DirectoryCohort,
    DirectoryEntry,
    Evidence,
    GoldNotice,
    MyGold,
    ObservationCreate,
    ObservationPublic,
)
from app.progress import service as progress_service

GOLD = "gold"
SILVER = "silver"
REMINDER_DAYS = 90


# --- credentials: the Open Badge behind a certification ---------------------------------------


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


def _revoke_credential(
    session: Session, *, credential_id: str | None, actor: User, reason: str
) -> None:
    if credential_id is None:
        return
    credential = credentials_service.get(session, credential_id=uuid.UUID(credential_id))
    if credential.status == "revoked":
        return  # revoked already from the credential's own page
    credentials_service.revoke(session, credential=credential, actor=actor, reason=reason)


def gold_module_ids(registry: ContentRegistry) -> list[int]:
    return [m.module_id for m in registry.tier(GOLD)]


def gold_expiry(certified_at: datetime) -> datetime:
    """Three years (the Gold achievement's valid_years) after certification."""
    expiry = get_achievements()[GOLD].valid_until(certified_at)
    assert expiry is not None, "the Gold achievement must expire"
    return expiry


# --- roles ------------------------------------------------------------------------------------


def _grant_trainer(session: Session, *, user_id: int, until: datetime) -> None:
    """The trainer role, until `until`; a role an administrator gave without an end keeps none."""
    row = session.get(UserRole, (user_id, Role.TRAINER.value))
    if row is None:
        row = UserRole(user_id=user_id, role=Role.TRAINER.value, granted_at=utcnow())
        row.expires_at = until
        session.add(row)
    elif row.expires_at is not None:
        row.expires_at = max(as_utc(row.expires_at), until)
    session.flush()


def _remove_trainer(session: Session, *, user_id: int) -> bool:
    row = session.get(UserRole, (user_id, Role.TRAINER.value))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# --- reads ------------------------------------------------------------------------------------


def _certs_of(session: Session, *, user_id: int) -> list[GoldCertification]:
    return list(
        session.scalars(
            select(GoldCertification)
            .where(GoldCertification.user_id == user_id)
            .order_by(GoldCertification.certified_at, GoldCertification.id)
        )
    )


def _is_current(cert: GoldCertification, now: datetime) -> bool:
    return cert.revoked_at is None and as_utc(cert.expires_at) > now


def current_certification(session: Session, *, user_id: int) -> GoldCertification | None:
    now = utcnow()
    current = [c for c in _certs_of(session, user_id=user_id) if _is_current(c, now)]
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


def _observation_public(obs: TeachingObservation, observer: str | None) -> ObservationPublic:
    return ObservationPublic(
        id=obs.id,
        observed_on=obs.observed_on,
        observer_name=observer,
        ratings={name: getattr(obs, name) for name in CRITERIA},
        notes=obs.notes,
    )


def observation_public(session: Session, *, observation: TeachingObservation) -> ObservationPublic:
    observer = (
        session.scalar(select(User.full_name).where(User.id == observation.observer_id))
        if observation.observer_id is not None
        else None
    )
    return _observation_public(observation, observer)


def observations(session: Session, *, candidacy_id: int) -> list[ObservationPublic]:
    rows = session.execute(
        select(TeachingObservation, User.full_name)
        .outerjoin(User, User.id == TeachingObservation.observer_id)
        .where(TeachingObservation.candidacy_id == candidacy_id)
        .order_by(TeachingObservation.observed_on.desc(), TeachingObservation.id.desc())
    ).all()
    return [_observation_public(obs, name) for obs, name in rows]


def evidence(session: Session, *, candidacy: GoldCandidacy, registry: ContentRegistry) -> Evidence:
    """Check the candidacy against what the route needs and say, in words, what is missing."""
    user_id = candidacy.user_id
    module_ids = gold_module_ids(registry)
    passed = progress_service.passed_counts(session, user_ids=[user_id], module_ids=module_ids).get(
        user_id, 0
    )
    co = (
        session.scalar(
            select(func.count())
            .select_from(CohortTrainer)
            .where(CohortTrainer.user_id == user_id, CohortTrainer.role == "co")
        )
        or 0
    )
    latest = observations(session, candidacy_id=candidacy.id)
    observation = latest[0] if latest else None
    missing: list[str] = []
    in_period = 0
    if candidacy.kind == "renewal":
        certs = _certs_of(session, user_id=user_id)
        since = as_utc(certs[-1].certified_at).date() if certs else date.min
        in_period = (
            session.scalar(
                select(func.count())
                .select_from(CohortTrainer)
                .join(Cohort, Cohort.id == CohortTrainer.cohort_id)
                .where(CohortTrainer.user_id == user_id, Cohort.starts_on >= since)
            )
            or 0
        )
        if not in_period:
            missing.append(
                f"Run or co-facilitate at least one Silver cohort starting on or after "
                f"{since:%d %B %Y} (the start of the current certification)"
            )
    else:
        total = len(module_ids)
        if passed < total:
            missing.append(f"Pass every Gold module: {passed} of {total} passed so far")
        if co < 1:
            missing.append("Co-facilitate at least one Silver cohort with a Gold trainer")
        if observation is None:
            missing.append("An observed teaching session, recorded by an improvement leader")
        elif not observation.all_met:
            missing.append(
                "An observed teaching session with every rubric criterion met: the latest "
                "observation has criteria not yet met"
            )
    return Evidence(
        kind=candidacy.kind,  # type: ignore[arg-type]
        modules_passed=passed,
        modules_total=len(module_ids),
        cohorts_co_facilitated=co,
        cohorts_run_in_period=in_period,
        observation=observation,
        missing=missing,
    )


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
    return [_cert(c, name, by) for c, name, by in rows]


def certification_public(
    session: Session, *, certification: GoldCertification
) -> CertificationPublic:
    certifier = aliased(User)
    name, by = session.execute(
        select(User.full_name, certifier.full_name)
        .outerjoin(certifier, certifier.id == certification.certified_by_id)
        .where(User.id == certification.user_id)
    ).one()
    return _cert(certification, name, by)


def _cert(c: GoldCertification, name: str, by: str | None) -> CertificationPublic:
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


def my_gold(session: Session, *, user: User, registry: ContentRegistry) -> MyGold:
    silver = holds_silver(session, user_id=user.id)
    candidacy = open_candidacy(session, user_id=user.id)
    certs = _certs_of(session, user_id=user.id)
    latest = certs[-1] if certs else None
    return MyGold(
        holds_silver=silver,
        candidacy=candidacy_public(session, candidacy=candidacy) if candidacy else None,
        evidence=evidence(session, candidacy=candidacy, registry=registry) if candidacy else None,
        certification=_cert(latest, user.full_name, None) if latest else None,
        can_apply=candidacy is None and latest is None and silver,
        can_renew=candidacy is None and latest is not None,
    )


# --- writes -----------------------------------------------------------------------------------


def _open(
    session: Session, *, user_id: int, origin: str, actor_id: int, statement: str = ""
) -> GoldCandidacy:
    if open_candidacy(session, user_id=user_id) is not None:
        raise Conflict("There is already an open Gold candidacy for this person.")
    certified_before = bool(_certs_of(session, user_id=user_id))
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


def link_credential(
    session: Session, *, certification_id: int, credential_id: str, valid_until: datetime | None
) -> None:
    """Record the Gold credential issued for a certification, and make its holder a trainer."""
    cert = session.get(GoldCertification, certification_id)
    if cert is None:
        raise NotFound("There is no Gold certification with that number.")
    cert.credential_id = credential_id
    if valid_until is not None:
        cert.expires_at = as_utc(valid_until)
    _grant_trainer(session, user_id=cert.user_id, until=as_utc(cert.expires_at))


def revoke(
    session: Session, *, certification_id: int, leader: User, reason: str
) -> GoldCertification:
    """Withdraw a certification now: the credential is revoked and the trainer role removed."""
    cert = session.get(GoldCertification, certification_id)
    if cert is None:
        raise NotFound("There is no Gold certification with that number.")
    if cert.revoked_at is not None:
        raise Conflict("This certification has already been revoked.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Enter the reason for revoking this certification", field="reason")
    if len(reason) > 500:  # it becomes the public reason on the credential's verification page
        raise InvalidInput("The reason must be 500 characters or fewer", field="reason")
    _withdraw(session, cert=cert, actor_id=leader.id, reason=reason)
    _revoke_credential(session, credential_id=cert.credential_id, actor=leader, reason=reason)
    return cert


def _withdraw(
    session: Session, *, cert: GoldCertification, actor_id: int | None, reason: str
) -> None:
    """End a certification now: recorded, audited, and the trainer role goes unless another is current."""
    now = utcnow()
    cert.revoked_at = now
    cert.revoked_reason = reason[:4000]
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="gold.revoke",
        target_type="gold_certification",
        target_id=cert.id,
        detail={"user_id": cert.user_id, "reason": reason[:500]},
    )
    _lapse(session, user_id=cert.user_id, now=now, actor_id=actor_id)


def on_credential_revoked(
    session: Session, *, credential_id: str, actor_id: int | None, reason: str
) -> None:
    """A Gold credential revoked from its own page or the API withdraws its certification.

    Revoking the badge alone would leave the certification current and the trainer role in
    place. The role goes only if no other certification of theirs is current, so revoking a
    credential superseded by a renewal leaves the renewed trainer a trainer.
    """
    cert = session.scalar(
        select(GoldCertification).where(
            GoldCertification.credential_id == credential_id,
            GoldCertification.revoked_at.is_(None),
        )
    )
    if cert is not None:  # None too when Gold's own revoke() revoked the credential
        _withdraw(session, cert=cert, actor_id=actor_id, reason=" ".join(reason.split()))


def _lapse(
    session: Session,
    *,
    user_id: int,
    now: datetime,
    actor_id: int | None,
    user: User | None = None,
) -> bool:
    """Take the trainer role away if no Gold certification of theirs is current. True if removed.

    Pass `user` when its roles are loaded (the signed-in user) so the change shows at once.
    """
    certs = _certs_of(session, user_id=user_id)
    if not certs or any(_is_current(c, now) for c in certs):
        return False
    latest = certs[-1]
    if latest.role_removed_at is None:
        latest.role_removed_at = now
    if user is not None:
        held = [r for r in user.roles if r.role == Role.TRAINER.value]
        for role in held:
            user.roles.remove(role)  # delete-orphan: the row goes at flush
        removed = bool(held)
    else:
        removed = _remove_trainer(session, user_id=user_id)
    session.flush()
    if removed:
        audit.record(
            session,
            actor_id=actor_id,
            action="gold.role_removed",
            target_type="user",
            target_id=user_id,
            detail={
                "certification_id": latest.id,
                "why": "revoked" if latest.revoked_at else "expired",
            },
        )
    return removed


def dashboard_notice(session: Session, *, user: User) -> GoldNotice | None:
    """A reminder for trainers whose Gold lapses within 90 days; no query at all for anyone else.

    Read only: a lapsed role no longer counts (its row's expires_at) and the sweep removes it.
    """
    if not any(r.role == Role.TRAINER.value for r in user.roles):  # lapsed roles too
        return None
    now = utcnow()
    certs = _certs_of(session, user_id=user.id)
    if not certs:
        return None
    current = [c for c in certs if _is_current(c, now)]
    if not current:  # the role has lapsed with it; the hourly sweep removes the row
        latest = certs[-1]
        return GoldNotice(expires_at=as_utc(latest.expires_at), days_left=0, expired=True)
    expires = as_utc(current[-1].expires_at)
    if expires - now > timedelta(days=REMINDER_DAYS):
        return None
    return GoldNotice(expires_at=expires, days_left=(expires - now).days, expired=False)


@dataclass(frozen=True)
class SweepResult:
    roles_removed: int
    reminders: int


def sweep(session: Session, *, now: datetime | None = None) -> SweepResult:
    """Remove the trainer role from lapsed Gold trainers; email those lapsing within 90 days."""
    from app.outbox import service as outbox_service

    now = now or utcnow()
    latest_ids = select(func.max(GoldCertification.id)).group_by(GoldCertification.user_id)
    latest = list(
        session.scalars(select(GoldCertification).where(GoldCertification.id.in_(latest_ids)))
    )
    removed = reminded = 0
    for cert in latest:
        if not _is_current(cert, now):
            removed += _lapse(session, user_id=cert.user_id, now=now, actor_id=None)
        elif cert.reminded_at is None and as_utc(cert.expires_at) - now <= timedelta(
            days=REMINDER_DAYS
        ):
            user = session.get(User, cert.user_id)
            if user is None:
                continue
            outbox_service.enqueue(
                session,
                to=user.email,
                subject="Your QI Academy Gold trainer certification expires soon",
                body=(
                    f"Dear {user.full_name},\n\nYour Gold trainer certification expires on "
                    f"{as_utc(cert.expires_at):%d %B %Y}. To keep your trainer role, apply to "
                    "renew: show the Silver cohorts you have run since you were certified.\n\n"
                    "Renew at /gold\n\nQI Academy"
                ),
            )
            cert.reminded_at = now
            reminded += 1
    session.flush()
    return SweepResult(roles_removed=removed, reminders=reminded)


# --- directory --------------------------------------------------------------------


def directory(
    session: Session, *, organisation_id: int | None = None, region: str | None = None
) -> list[DirectoryEntry]:
    """Currently certified Gold trainers with their organisation, region and cohorts: two queries."""
    now = utcnow()
    current = (
        select(GoldCertification.user_id, func.max(GoldCertification.expires_at).label("expires"))
        .where(GoldCertification.revoked_at.is_(None), GoldCertification.expires_at > now)
        .group_by(GoldCertification.user_id)
        .subquery()
    )
    query = (
        select(
            User.id,
            User.full_name,
            User.email,
            Organisation.name,
            Organisation.region,
            current.c.expires,
        )
        .join(current, current.c.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(User.is_active.is_(True))
        .order_by(Organisation.region, Organisation.name, User.full_name)
    )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    if region:
        query = query.where(Organisation.region == region)
    people = session.execute(query).all()
    ids = [p[0] for p in people]
    cohorts: dict[int, list[DirectoryCohort]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(
                CohortTrainer.user_id,
                Cohort.id,
                Cohort.name,
                Cohort.starts_on,
                Cohort.ends_on,
                CohortTrainer.role,
            )
            .join(Cohort, Cohort.id == CohortTrainer.cohort_id)
            .where(CohortTrainer.user_id.in_(ids), Cohort.ends_on >= now.date())
            .order_by(Cohort.starts_on)
        )
        for uid, cid, name, starts, ends, role in rows:
            cohorts[uid].append(
                DirectoryCohort(id=cid, name=name, starts_on=starts, ends_on=ends, role=role)
            )
    return [
        DirectoryEntry(
            user_id=uid,
            full_name=name,
            email=email,
            organisation=org,
            region=reg,
            expires_at=as_utc(expires),
            cohorts=cohorts[uid],
        )
        for uid, name, email, org, reg, expires in people
    ]


def directory_filters(session: Session) -> tuple[list[tuple[int, str]], list[str]]:
    """Organisations and regions that have certified trainers, for the directory's filters."""
    now = utcnow()
    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.region)
        .join(User, User.organisation_id == Organisation.id)
        .join(GoldCertification, GoldCertification.user_id == User.id)
        .where(GoldCertification.revoked_at.is_(None), GoldCertification.expires_at > now)
        .distinct()
        .order_by(Organisation.name)
    ).all()
    orgs = [(i, n) for i, n, _ in rows]
    regions = sorted({r for _, _, r in rows if r})
    return orgs, regions
