"""Account settings: the signed-in person changes their own name, organisation, staff group and
password. (A new email address needs verifying first: not offered here yet.)"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.constants import StaffGroupCode
from app.accounts.models import User
from app.accounts.schemas import Name, Password
from app.accounts.service import get_or_create_organisation
from app.core.config import Settings
from app.core.errors import InvalidInput
from app.core.schemas import Schema
from app.core.security import hash_password


class DetailsUpdate(Schema):
    full_name: Name
    organisation: Name
    staff_group: StaffGroupCode


class PasswordChange(Schema):
    new_password: Password


def update_details(session: Session, *, user: User, data: DetailsUpdate) -> None:
    user.full_name = data.full_name
    user.organisation_id = get_or_create_organisation(session, name=data.organisation).id
    user.staff_group = data.staff_group
    session.flush()


def check_new_password(new_password: str) -> PasswordChange:
    """Validate the new password before the current one is checked (raises ValidationError)."""
    return PasswordChange(new_password=new_password)


def change_password(
    session: Session,
    *,
    user: User,
    current: str,
    new: PasswordChange,
    keep_session: str,
    ip: str,
    settings: Settings,
) -> int:
    """Set a new password after checking the current one (throttled like sign-in).

    Every other session ends; the one making the change stays signed in. Returns how many ended.
    A wrong current password raises InvalidInput after the failed attempt is recorded: the caller
    must answer with a page (not let the error roll the count back), as confirm_password says.
    """
    if not auth.confirm_password(session, user=user, password=current, ip=ip, settings=settings):
        raise InvalidInput("Your current password is not right", field="current_password")
    if new.new_password == current:
        raise InvalidInput(
            "Choose a new password that is not your current one", field="new_password"
        )
    user.password_hash = hash_password(new.new_password)
    session.flush()
    return auth.end_sessions(session, user_id=user.id, keep=keep_session)


__all__ = [
    "DetailsUpdate",
    "PasswordChange",
    "ValidationError",
    "change_password",
    "update_details",
]
