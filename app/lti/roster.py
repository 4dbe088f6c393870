"""Names and Role Provisioning Services 2.0: an instructor's launch creates, or brings up to date,
a Silver cohort from the platform course's roster (its membership container)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.cohorts.schemas import CohortCreate
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import AppError
from app.lti import grades, messages
from app.lti.launches import Launched, account_for
from app.lti.models import LtiCohortLink

log = logging.getLogger("qi_academy.lti")
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def fetch_members(session: Session, settings: Settings, launch: Launched) -> list[dict[str, Any]]:
    """Every page of the course's membership container."""
    url = launch.claims[messages.NRPS_CLAIM]["context_memberships_url"]
    token = messages.service_token(
        token_url=launch.platform.auth_token_url,
        client_assertion=grades.client_assertion(session, settings, launch.platform),
        scopes=[NRPS_SCOPE],
    )
    members: list[dict[str, Any]] = []
    for _ in range(50):  # a guard against a platform whose "next" never ends
        response = httpx.get(
            url,
            headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIP_TYPE},
            timeout=messages.TIMEOUT,
        )
        response.raise_for_status()
        members += response.json().get("members", [])
        nxt = response.links.get("next", {}).get("url")
        if not nxt:
            break
        url = nxt
    return members


def _cohort(session: Session, launch: Launched, creator: User) -> int:
    context = launch.claims.get(messages.LTI + "context") or {}
    link = session.scalar(
        select(LtiCohortLink).where(
            LtiCohortLink.platform_id == launch.platform.id,
            LtiCohortLink.context_id == str(context.get("id")),
        )
    )
    if link is not None:
        link.synced_at = utcnow()
        return link.cohort_id
    today = date.today()
    title = str(context.get("title") or context.get("label") or "Course")[:150]
    data = CohortCreate(
        name=title,
        kind="individuals",
        organisation=creator.organisation.name if creator.organisation else title,
        starts_on=today,
        ends_on=today + timedelta(days=180),
        capacity=500,
        attendance_required=0,
    )
    cohort = cohorts_service.create_cohort(session, data=data, creator=creator)
    session.add(
        LtiCohortLink(
            platform_id=launch.platform.id,
            context_id=str(context.get("id"))[:255],
            cohort_id=cohort.id,
            synced_at=utcnow(),
        )
    )
    session.flush()
    return cohort.id


def sync_cohort(session: Session, settings: Settings, launch: Launched) -> int | None:
    """The cohort id kept in step with this course, or None when the platform offers no roster."""
    if not messages.is_instructor(launch.claims) or messages.NRPS_CLAIM not in launch.claims:
        return None
    if not launch.claims.get(messages.LTI + "context"):
        return None
    members = fetch_members(session, settings, launch)
    cohort_id = _cohort(session, launch, launch.user)
    cohort = cohorts_service.get_cohort(session, cohort_id=cohort_id)
    for member in members:
        roles = member.get("roles") or []
        active = member.get("status", "Active") == "Active"
        if not active or not any(r.endswith("#Learner") or r == "Learner" for r in roles):
            continue
        claims = {**member, "sub": member.get("user_id")}
        try:
            learner = account_for(session, platform=launch.platform, claims=claims, sign_in=False)
            cohorts_service.join_by_code(session, code=cohort.invite_code, user=learner)
        except AppError as exc:  # one member without an email must not stop the rest
            log.info("roster member %s not enrolled: %s", member.get("user_id"), exc.message)
    return cohort_id
