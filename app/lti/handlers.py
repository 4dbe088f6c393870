"""What the LTI domain does when other domains tell it something happened."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.accounts.events import AccountAnonymised
from app.lti.grades import on_module_passed
from app.lti.models import LtiGradeTarget, LtiScore, LtiUser

__all__ = ["on_account_deleted", "on_module_passed"]


def on_account_deleted(session: Session, event: AccountAnonymised) -> None:
    """Forget the platform identities, grade targets and unsent scores of a deleted account."""
    for model in (LtiUser, LtiGradeTarget, LtiScore):
        session.execute(delete(model).where(model.user_id == event.user_id))  # type: ignore[attr-defined]
