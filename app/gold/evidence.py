"""Gold evidence: observed teaching sessions, what a candidacy still needs, and My Gold."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts.models import Cohort, CohortTrainer
from app.content.registry import ContentRegistry
from app.core.db import as_utc
from app.gold.models import CRITERIA, GoldCandidacy, TeachingObservation
from app.gold.records import (
    candidacy_public,
    cert_public,
    certs_of,
    gold_module_ids,
    holds_silver,
    open_candidacy,
)
from app.gold.schemas import Evidence, MyGold, ObservationPublic
from app.progress import service as progress_service


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
        certs = certs_of(session, user_id=user_id)
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


def my_gold(session: Session, *, user: User, registry: ContentRegistry) -> MyGold:
    silver = holds_silver(session, user_id=user.id)
    candidacy = open_candidacy(session, user_id=user.id)
    certs = certs_of(session, user_id=user.id)
    latest = certs[-1] if certs else None
    return MyGold(
        holds_silver=silver,
        candidacy=candidacy_public(session, candidacy=candidacy) if candidacy else None,
        evidence=evidence(session, candidacy=candidacy, registry=registry) if candidacy else None,
        certification=cert_public(latest, user.full_name, None) if latest else None,
        can_apply=candidacy is None and latest is None and silver,
        can_renew=candidacy is None and latest is not None,
    )
