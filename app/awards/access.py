"""Which tiers a person may open: Bronze for everyone, Silver with a cohort place, Gold as a candidate."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.gold import service as gold_service
from app.progress import service as progress_service


def open_tiers(session: Session, user: User | None, *, tier: str | None = None) -> set[str]:
    """Tiers this person may open. Cohort enrolment is asked about only when Silver is in question
    (tier None means every tier), so Bronze pages cost no extra query."""
    unlocked = progress_service.unlocked_tiers(user)
    if user is None or "silver" in unlocked or tier == "bronze":
        return unlocked
    enrolled = tier in (None, "silver") and cohorts_service.has_active_enrolment(
        session, user_id=user.id
    )
    gold = tier in (None, "gold") and gold_service.is_gold_candidate(session, user_id=user.id)
    return progress_service.unlocked_tiers(user, enrolled=enrolled, gold_candidate=gold)
