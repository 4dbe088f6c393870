"""Portfolio schemas: what people send (registration, review, scores) and what pages show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, field_validator

from app.core.schemas import Schema
from app.projects.privacy import refuse_identifiers

Kind = Literal["qi", "audit", "service_evaluation"]
Status = Literal["awaiting_approval", "returned", "active", "completed", "stopped"]
Theme = Literal[
    "patient_safety",
    "patient_experience",
    "flow",
    "falls",
    "pressure_ulcers",
    "infection",
    "medicines",
    "nutrition",
    "deterioration",
    "end_of_life",
    "mental_health",
    "inequalities",
    "staff_wellbeing",
    "efficiency",
    "sustainability",
    "other",
]
Decision = Literal["approved", "returned"]
YesNo = Literal["yes", "no"]
Purpose = Literal["improve", "standard", "evaluate"]
ScoreValue = Literal["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"]

# Free text on a project is refused when it holds a patient identifier (app/projects/privacy.py).
_Private = AfterValidator(refuse_identifiers)
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _Private
]
Aim = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _Private
]
Division = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), _Private]


def _themes(value: list[str]) -> list[str]:
    chosen = sorted(set(value))
    if not chosen:
        raise ValueError("Choose at least one theme")
    if len(chosen) > 5:
        raise ValueError("Choose 5 themes or fewer")
    return chosen


class Answers(Schema):
    """The classifier's answers (app/portfolio/classifier.py)."""

    randomised: YesNo
    changes_care: YesNo
    generalisable: YesNo
    purpose: Purpose


class RegistrationCreate(Schema):
    title: Title
    aim: Aim
    division: Division
    themes: list[Theme]
    team: list[EmailStr] = Field(default_factory=list, max_length=20)
    answers: Answers

    @field_validator("themes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return _themes(value)


class RegistrationUpdate(Schema):
    title: Title
    aim: Aim
    division: Division
    themes: list[Theme]

    @field_validator("themes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return _themes(value)


class ReviewCreate(Schema):
    decision: Decision
    comment: Comment = ""


class ScoreCreate(Schema):
    score: ScoreValue
    scored_on: date
    note: Comment = ""

    @field_validator("scored_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("The date of the score must be today or in the past")
        return value


class ResearchOfficeUpdate(Schema):
    research_office_url: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=300)
    ] = ""
    research_office_email: EmailStr | Literal[""] = ""

    @field_validator("research_office_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and (not value.startswith("https://") or len(value.split()) != 1):
            raise ValueError("Enter the research office's web address starting https://")
        return value


class QiLeadCreate(Schema):
    email: EmailStr


class PersonPublic(Schema):
    id: int
    full_name: str


class ReviewPublic(Schema):
    decision: Decision
    comment: str
    decided_by: str
    decided_at: datetime


class ScorePublic(Schema):
    id: int
    score: float
    scored_on: date
    note: str
    set_by: str
    confirmed_by: str | None
    confirmed_at: datetime | None


class ProjectPublic(Schema):
    id: int
    organisation_id: int
    organisation: str
    cohort_project_id: int | None
    kind: Kind
    title: str
    aim: str
    division: str
    status: Status
    themes: list[str]
    lead: PersonPublic | None
    team: list[PersonPublic]
    coach: PersonPublic | None
    score: float | None
    answers: dict[str, str]
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None


class ProjectRow(Schema):
    """A project in a list: enough to find it."""

    id: int
    title: str
    kind: Kind
    status: Status
    division: str
    score: float | None
    updated_at: datetime


class CommentExport(Schema):
    """A comment someone wrote, as their data export lists it."""

    project_id: int
    project_title: str
    body: str
    created_at: datetime
