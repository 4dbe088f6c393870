"""Report rows: each table on the leaders' dashboard, and the filters every report takes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field, computed_field, field_validator

from app.accounts.constants import STAFF_GROUPS, StaffGroupCode
from app.core.schemas import Schema
from app.feedback.schemas import FeedbackComment, ModuleRating


class ReportFilters(Schema):
    organisation_id: int | None = None
    staff_group: str | None = None
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, datetime.min.time())

    @property
    def end_day(self) -> datetime:
        return datetime.combine(self.date_to, datetime.min.time())

    @property
    def end(self) -> datetime:
        """Exclusive: the day after date_to, so the whole of date_to counts."""
        return datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())

    def query(self) -> str:
        parts = [f"date_from={self.date_from:%Y-%m}", f"date_to={self.date_to:%Y-%m}"]
        if self.organisation_id is not None:
            parts.append(f"organisation={self.organisation_id}")
        if self.staff_group:
            parts.append(f"staff_group={self.staff_group}")
        return "&".join(parts)


class Summary(Schema):
    registered_total: int
    registered_in_range: int


class MonthCount(Schema):
    month: str
    count: int


class CompletionMonth(Schema):
    month: str
    bronze: int
    silver: int
    gold: int


class FunnelRow(Schema):
    organisation: str
    staff_group: str
    registered: int
    bronze: int
    silver: int
    gold: int


class CohortRow(Schema):
    id: int
    name: str
    organisation: str | None
    starts_on: date
    ends_on: date
    learners: int
    lead_trainer: str | None


class ProjectRow(Schema):
    organisation: str
    signed_off: int
    showing_improvement: int
    # Of those signed off, how many the trainer judged exemplary (QIPAT style).
    judged_exemplary: int = 0


class OrganisationRate(Schema):
    """Something counted per organisation out of a total, for a funnel plot."""

    organisation: str
    count: int
    out_of: int


class QuizRow(Schema):
    slug: str
    title: str
    tier: str
    attempts: int
    passed: int

    @property
    def pass_rate(self) -> int:
        return (200 * self.passed + self.attempts) // (2 * self.attempts) if self.attempts else 0


# --- API views: each table with its row count and the filters it was read with ----------------


_FILTERS = "As applied: whole months, the last twelve when no range was given"
_REFRESHED = "When the rollups were last brought up to date; null: not yet, every figure is 0"


class SummaryPublic(Summary):
    filters: ReportFilters = Field(description=_FILTERS)
    refreshed_at: datetime | None = Field(description=_REFRESHED)


class QuizRowPublic(QuizRow):
    @computed_field  # type: ignore[prop-decorator]
    @property
    def pass_rate_percent(self) -> int:
        return self.pass_rate


class ReportTable(Schema):
    """What every report table carries besides its rows."""

    count: int
    filters: ReportFilters = Field(description=_FILTERS)
    refreshed_at: datetime | None = Field(description=_REFRESHED)


class RegistrationsReport(ReportTable):
    data: list[MonthCount] = Field(description="Every month of the range, oldest first")


class CompletionsReport(ReportTable):
    data: list[CompletionMonth] = Field(description="Every month of the range, oldest first")


class FunnelReport(ReportTable):
    data: list[FunnelRow]


class CohortsReport(ReportTable):
    data: list[CohortRow]


class ProjectsReport(ReportTable):
    data: list[ProjectRow]


class QuizPassRatesReport(ReportTable):
    data: list[QuizRowPublic]


class FeedbackReport(Schema):
    """Module ratings, lowest average first (unrated last), and the newest comments, unnamed."""

    data: list[ModuleRating]
    count: int
    recent_comments: list[FeedbackComment]


# The capability plan (the "dosing" idea): each organisation's target share per staff group and tier.

_PERCENT = "A whole or decimal percentage from 0 to 100, at most 2 decimal places (10, 2.5, 33.33)"
PERCENT_MESSAGE = (
    "Enter the target as a whole or decimal percentage from 0 to 100, like 100, 10 or 2.5 "
    "(at most 2 decimal places)"
)
_PERCENT_TEXT = re.compile(r"\d{1,3}(\.\d{1,2})?|\.\d{1,2}")


def hundredths_of(text: str) -> int:
    """'12.5' (or '12.5%') as 1250 hundredths of a percent; ValueError unless 0 to 100."""
    cleaned = text.strip().removesuffix("%").strip()
    if not _PERCENT_TEXT.fullmatch(cleaned):
        raise ValueError(PERCENT_MESSAGE)
    value = int(Decimal(cleaned) * 100)
    if value > 10000:
        raise ValueError(PERCENT_MESSAGE)
    return value


class CapabilityTargetPublic(Schema):
    staff_group: StaffGroupCode
    tier: Literal["bronze", "silver", "gold"]
    target_percent: float = Field(description=_PERCENT)


class CapabilityTargetIn(CapabilityTargetPublic):
    target_percent: Decimal = Field(description=_PERCENT)  # type: ignore[assignment]

    @field_validator("target_percent", mode="before")
    @classmethod
    def _percent(cls, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError(PERCENT_MESSAGE)
        return Decimal(hundredths_of(str(value))) / 100


class CapabilityPlanUpdate(Schema):
    """The whole plan: targets left out are removed."""

    targets: list[CapabilityTargetIn] = Field(max_length=len(STAFF_GROUPS) * 3)

    @field_validator("targets")
    @classmethod
    def _once_each(cls, targets: list[CapabilityTargetIn]) -> list[CapabilityTargetIn]:
        keys = [(t.staff_group, t.tier) for t in targets]
        if len(set(keys)) != len(keys):
            raise ValueError("Give each staff group at most one target per tier")
        return targets


class CapabilityPlanPublic(Schema):
    organisation_id: int
    targets: list[CapabilityTargetPublic] = Field(description="Only the groups and tiers with one")
    updated_at: datetime | None


class CoverageRow(Schema):
    staff_group: str = Field(description="The staff group's code")
    staff_group_name: str
    tier: str
    staff: int = Field(description="Accounts of the organisation in this staff group")
    holding: int = Field(description="Of them, how many hold the tier (an active credential)")
    share_percent: float | None = Field(description="holding / staff, 1 decimal; null: no staff")
    target_percent: float | None = Field(description="null: no target for this group and tier")
    needed: int | None = Field(description="ceil(target x staff): the people the plan asks for")
    gap: int | None = Field(description="needed - holding, never below 0")


class CoverageMonth(Schema):
    month: str = Field(description="YYYY-MM; figures as at the end of the month (or today)")
    tier: str
    staff: int = Field(description="Accounts of the organisation registered by then")
    holding: int
    share_percent: float | None
    needed: int = Field(description="Sum over staff groups with a target of ceil(target x staff)")
    gap: int = Field(description="Sum over staff groups of each group's gap (never below 0)")


class CapabilityReport(Schema):
    organisation_id: int
    organisation_name: str
    coverage: list[CoverageRow] = Field(description="Each staff group and tier")
    months: list[CoverageMonth] = Field(description="The last 12 months, oldest first, per tier")
    refreshed_at: datetime | None = Field(description=_REFRESHED)
