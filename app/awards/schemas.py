"""What awards shows: Silver status per learner, a cohort's progress dashboard, tier goals."""

from __future__ import annotations

from pydantic import computed_field

from app.cohorts.schemas import CohortPublic, CohortTrainerView, SessionPublic
from app.core.schemas import Schema
from app.credentials.schemas import CredentialPublic
from app.progress.schemas import Status


class ModuleColumn(Schema):
    id: int
    slug: str
    title: str


class ModuleCell(Schema):
    status: Status
    best_score: int | None


class SilverStatus(Schema):
    modules_passed: int
    modules_total: int
    sessions_attended: int
    sessions_total: int  # planned: the attendance requirement is a share of these
    sessions_held: int  # started by now: what the attendance so far is a share of
    attendance_percent: int  # of the sessions held so far
    attendance_required: int
    attendance_met: bool
    project: str
    project_signed_off: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def modules_met(self) -> bool:
        return self.modules_passed >= self.modules_total

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        return self.modules_met and self.attendance_met and self.project_signed_off


class DashboardRow(Schema):
    user_id: int
    full_name: str
    email: str
    team: str | None
    cells: list[ModuleCell]
    silver: SilverStatus


class CohortDashboard(Schema):
    cohort: CohortTrainerView
    modules: list[ModuleColumn]
    rows: list[DashboardRow]
    sessions_total: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete_count(self) -> int:
        return sum(1 for r in self.rows if r.silver.complete)


class LearnerCohortView(Schema):
    """A learner's view of one of their cohorts: details, their team, sessions and Silver status."""

    cohort: CohortPublic
    team: str | None
    sessions: list[SessionPublic]
    silver: SilverStatus


class TierGoal(Schema):
    """Progress towards an achievement awarded automatically, shown until the learner holds it."""

    achievement: str
    achievement_name: str
    tier: str
    modules_total: int
    modules_completed: int
    can_claim: bool  # every module done but no credential yet (earned before badges existed)
    revoked: bool


class AchievementsPage(Schema):
    current: list[CredentialPublic]  # active, expired and revoked, newest first
    previous: list[CredentialPublic]  # superseded by a newer credential
    goals: list[TierGoal]
    unsupported_name_characters: str | None  # characters the certificate font cannot draw
