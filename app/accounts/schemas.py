"""Account schemas: what registration accepts and what the API shows of a user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from app.accounts.constants import RoleName, StaffGroupCode
from app.core.schemas import Schema

PASSWORD_MIN = 10
PASSWORD_MAX = 128
# A short list of passwords that meet the length rule but are guessed first (NCSC and breach lists).
_COMMON = {
    "password123",
    "password1234",
    "qwertyuiop",
    "1234567890",
    "iloveyou123",
    "welcome123",
    "letmein123",
    "passw0rd123",
    "nhspassword",
    "changeme123",
    "abcdefghij",
    "0123456789",
}


def check_password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise ValueError(
            f"Password must be at least {PASSWORD_MIN} characters; three random words work well"
        )
    if len(value) > PASSWORD_MAX:
        raise ValueError(f"Password must be {PASSWORD_MAX} characters or fewer")
    if value.lower() in _COMMON or len(set(value)) < 4:
        raise ValueError("Password is too easy to guess; try three random words")
    return value


Password = Annotated[str, AfterValidator(check_password)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UserCreate(Schema):
    email: EmailStr = Field(max_length=254)
    password: Password
    full_name: Name
    organisation: Name
    staff_group: StaffGroupCode


class UserPublic(Schema):
    id: int
    email: str
    full_name: str
    organisation: str | None
    staff_group: StaffGroupCode
    roles: list[RoleName]
    created_at: datetime


class VocabularyItem(Schema):
    """One entry of a fixed list: the code the API takes and the words a page shows."""

    value: str
    label: str


class Token(Schema):
    access_token: str
    token_type: str = "bearer"


class Viewer(Schema):
    """Who is looking at a page: what every template may show, detached from the database."""

    id: int
    full_name: str
    roles: list[str]
    # Notifications not yet read: the bell in the header shows the number.
    unread: int = 0
