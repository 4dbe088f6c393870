"""The Gold trainer directory: who is certified now, where, and the cohorts they run."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, User
from app.cohorts.models import Cohort, CohortTrainer
from app.core.db import as_utc, utcnow
from app.gold.models import GoldCertification
from app.gold.schemas import DirectoryCohort, DirectoryEntry


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
