"""Assignment and Grade Services 2.0: a passed quiz's score, queued in the pass's transaction and
posted to the platform's line item after commit, retried with the outbox's backoff.

The queue is `lti_score`, the LTI side of the outbox (app/outbox keeps email): the same rules of
claim, lease, settle and give up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.lti import keys, messages
from app.lti.models import LtiGradeTarget, LtiPlatform, LtiScore
from app.outbox.service import BATCH, LEASE, MAX_ATTEMPTS, backoff
from app.quizzes.events import ModulePassed

log = logging.getLogger("qi_academy.lti")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def on_module_passed(session: Session, event: ModulePassed) -> None:
    """Queue the score for every line item this learner's launches of the module named."""
    targets = session.scalars(
        select(LtiGradeTarget).where(
            LtiGradeTarget.user_id == event.user_id, LtiGradeTarget.module_slug == event.slug
        )
    )
    now = utcnow()
    for target in targets:
        session.add(
            LtiScore(
                platform_id=target.platform_id,
                user_id=target.user_id,
                subject=target.subject,
                lineitem_url=target.lineitem_url,
                score_given=float(event.score),
                score_maximum=100.0,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()


@dataclass(frozen=True)
class Claimed:
    id: int
    platform_id: int
    subject: str
    lineitem_url: str
    score_given: float
    score_maximum: float
    created_at: datetime


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take due scores and lease them (SKIP LOCKED on PostgreSQL, as the email outbox does)."""
    stmt = (
        select(LtiScore)
        .where(LtiScore.status == "pending", LtiScore.next_attempt_at <= now)
        .order_by(LtiScore.next_attempt_at, LtiScore.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    out = []
    for row in session.scalars(stmt):
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        out.append(
            Claimed(
                row.id,
                row.platform_id,
                row.subject,
                row.lineitem_url,
                row.score_given,
                row.score_maximum,
                row.created_at,
            )
        )
    session.flush()
    return out


def settle(session: Session, *, claimed: Claimed, error: str | None, now: datetime) -> str:
    row = session.get(LtiScore, claimed.id)
    if row is None:
        return "gone"
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", now, None
    else:
        row.last_error = error[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
        else:
            row.next_attempt_at = now + backoff(row.attempts)
    session.flush()
    return row.status


def client_assertion(session: Session, settings: Settings, platform: LtiPlatform) -> str:
    """The signed JWT the token request carries (LTI security framework, section 4.1)."""
    now = int(time.time())
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.auth_token_url,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    return keys.sign(session, settings, claims)


def post_score(session: Session, settings: Settings, claimed: Claimed) -> None:
    """Trade a client assertion for a token, then POST the score to the line item."""
    platform = session.get(LtiPlatform, claimed.platform_id)
    if platform is None:
        raise RuntimeError("the platform was removed")
    token = messages.service_token(
        token_url=platform.auth_token_url,
        client_assertion=client_assertion(session, settings, platform),
        scopes=[SCORE_SCOPE],
    )
    body = {
        "userId": claimed.subject,
        "scoreGiven": claimed.score_given,
        "scoreMaximum": claimed.score_maximum,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": claimed.created_at.replace(microsecond=0).isoformat().replace("+00:00", "Z")
        if claimed.created_at.tzinfo
        else claimed.created_at.replace(microsecond=0).isoformat() + "Z",
    }
    response = httpx.post(
        messages.scores_url(claimed.lineitem_url),
        json=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_TYPE},
        timeout=messages.TIMEOUT,
    )
    if response.status_code not in (200, 201, 202, 204):
        raise RuntimeError(f"the platform answered {response.status_code}: {response.text[:200]}")
