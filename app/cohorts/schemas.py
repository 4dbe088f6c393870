"""Cohort schemas: what trainers send to create cohorts and sessions, and what pages and the API show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.core.schemas import Schema

Kind = Literal["individuals", "teams"]
TrainerRole = Literal["lead", "co"]
Mark = Literal["present", "absent"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TeamName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
KIND_NAMES = {"individuals": "Silver for Individuals", "teams": "Silver for Teams"}
MAX_CO_TRAINERS = 10


class CohortCreate(Schema):
    name: Name
    kind: Kind
    organisation: Name
    starts_on: date
    ends_on: date
    capacity: int = Field(ge=1, le=500)
    attendance_required: int = Field(ge=0, le=100, description="percent of workshop sessions")
    co_trainers: list[EmailStr] = Field(default_factory=list, max_length=MAX_CO_TRAINERS)

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date, info) -> date:  # type: ignore[no-untyped-def]
        starts = info.data.get("starts_on")
        if starts is not None and value < starts:
            raise ValueError("The end date must be on or after the start date")
        return value


class TrainerPublic(Schema):
    user_id: int
    full_name: str
    email: str
    role: TrainerRole


class CohortSummary(Schema):
    """A cohort in a list: the trainer's cohorts or the learner's."""

    id: int
    name: str
    kind: Kind
    starts_on: date
    ends_on: date
    capacity: int
    learners: int
    role: Literal["lead", "co", "learner"]


class CohortPublic(Schema):
    id: int
    name: str
    kind: Kind
    organisation: str | None
    starts_on: date
    ends_on: date
    capacity: int
    attendance_required: int
    learners: int
    trainers: list[TrainerPublic]


class CohortTrainerView(CohortPublic):
    """What the cohort's own trainers see in addition: the invite code and when it stops working."""

    invite_code: str
    invite_expires_at: datetime


class JoinRequest(Schema):
    code: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class EnrolmentPublic(Schema):
    cohort_id: int
    user_id: int
    team: str | None
    status: Literal["active", "removed"]
    enrolled_at: datetime


class TeamPublic(Schema):
    id: int
    name: str


class TeamCreate(Schema):
    name: TeamName


class MemberRow(Schema):
    user_id: int
    full_name: str
    email: str
    team_id: int | None
    team: str | None
    invited: bool  # account created by import, password not yet set
    enrolled_at: datetime


class ImportResult(Schema):
    rows: int
    accounts_created: int
    enrolled: int
    already_enrolled: int


class RowError(Schema):
    line: int | None
    message: str


class SessionCreate(Schema):
    title: Name
    starts_at: datetime
    ends_at: datetime
    venue: Annotated[str, StringConstraints(max_length=300)] | None = None
    online_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _shape(self) -> SessionCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("The session must end after it starts")
        if not self.venue and self.online_url is None:
            raise ValueError("Enter a venue, an online link, or both")
        return self


class SessionPublic(Schema):
    id: int
    cohort_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str | None
    online_url: str | None


class AttendanceEntry(Schema):
    user_id: int
    status: Mark


class AttendanceUpdate(Schema):
    marks: list[AttendanceEntry] = Field(min_length=1, max_length=500)


class RegisterRow(Schema):
    user_id: int
    full_name: str
    status: Mark | None


class CohortList(Schema):
    data: list[CohortSummary]
    count: int
