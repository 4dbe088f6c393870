"""The trainer lineage: who certified whom, the cohorts each trainer ran, the learners they reached.

A read model across gold, cohorts and the report rollups (reports may read any domain's tables).
"""

from __future__ import annotations

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Organisation, User
from app.cohorts.models import CohortTrainer
from app.core.db import as_utc
from app.gold.models import GoldCertification
from app.gold.schemas import LineageRow
from app.reports import service as reports_service


def lineage(session: Session, *, organisation_id: int | None = None) -> list[LineageRow]:
    """The cascade: every trainer, who certified them, cohorts run, learners brought to Silver."""
    people = union(
        select(CohortTrainer.user_id.label("user_id")),
        select(GoldCertification.user_id.label("user_id")),
    ).subquery()
    runs = (
        select(
            CohortTrainer.user_id,
            func.sum(case((CohortTrainer.role == "lead", 1), else_=0)).label("led"),
            func.sum(case((CohortTrainer.role == "co", 1), else_=0)).label("co"),
        )
        .group_by(CohortTrainer.user_id)
        .subquery()
    )
    # Per-cohort learners and Silver holders from the report rollup (refreshed every minute):
    # counting live enrolments against credentials took half a second at a million learners.
    per_cohort = reports_service.cohort_reach()
    # Summed over a trainer's cohorts: a learner in two of them counts in each.
    reached = (
        select(
            CohortTrainer.user_id,
            func.sum(per_cohort.c.learners).label("learners"),
            func.sum(per_cohort.c.to_silver).label("to_silver"),
        )
        .join(per_cohort, per_cohort.c.cohort_id == CohortTrainer.cohort_id)
        .group_by(CohortTrainer.user_id)
        .subquery()
    )
    latest = (
        select(func.max(GoldCertification.id).label("id"))
        .group_by(GoldCertification.user_id)
        .subquery()
    )
    cert = select(GoldCertification).where(GoldCertification.id.in_(select(latest.c.id))).subquery()
    certifier = aliased(User)
    query = (
        select(
            User.id,
            User.full_name,
            Organisation.name,
            certifier.full_name,
            cert.c.certified_at,
            func.coalesce(runs.c.led, 0),
            func.coalesce(runs.c.co, 0),
            func.coalesce(reached.c.learners, 0),
            func.coalesce(reached.c.to_silver, 0),
        )
        .select_from(people)
        .join(User, User.id == people.c.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(runs, runs.c.user_id == User.id)
        .outerjoin(reached, reached.c.user_id == User.id)
        .outerjoin(cert, cert.c.user_id == User.id)
        .outerjoin(certifier, certifier.id == cert.c.certified_by_id)
        .order_by(func.coalesce(reached.c.to_silver, 0).desc(), User.full_name)
    )
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return [
        LineageRow(
            trainer_id=uid,
            trainer_name=name,
            organisation=org,
            certified_by=by,
            certified_at=as_utc(at) if at else None,
            cohorts_led=int(led),
            cohorts_co=int(co),
            learners=int(learners),
            learners_to_silver=int(to_silver),
        )
        for uid, name, org, by, at, led, co, learners, to_silver in session.execute(query)
    ]
