"""Report rows: each table on the leaders' dashboard, and the filters every report takes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import Field, computed_field

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
