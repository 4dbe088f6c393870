"""Gold schemas: the evidence a candidate has and lacks, observations, decisions, lineage, directory."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, computed_field

from app.core.schemas import Schema
from app.credentials.schemas import REASON_MAX

Rating = Literal["not_yet_met", "met", "exceeded"]
RATING_NAMES = {"not_yet_met": "Not yet met", "met": "Met", "exceeded": "Exceeded"}
Reasons = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Notes = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class ObservationCreate(Schema):
    observed_on: date
    planning: Rating
    facilitation: Rating
    content_accuracy: Rating
    inclusion: Rating
    feedback: Rating
    notes: Notes


class ObservationPublic(Schema):
    id: int
    observed_on: date
    observer_name: str | None
    ratings: dict[str, Rating]
    notes: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def all_met(self) -> bool:
        return all(r != "not_yet_met" for r in self.ratings.values())


class DecisionCreate(Schema):
    decision: Literal["certify", "decline"]
    reasons: Reasons


class ApplicationCreate(Schema):
    """Applying for Gold (or to renew): why you want to teach QI, optional."""

    statement: Annotated[str, StringConstraints(max_length=4000)] = ""


class NominationCreate(Schema):
    email: EmailStr = Field(max_length=254, description="The email of the person's account")


class RevocationCreate(Schema):
    # Verifiers see it on the revoked credential: as short as a credential's own revoke reason.
    reason: Annotated[str, StringConstraints(min_length=1, max_length=REASON_MAX)]


class Evidence(Schema):
    """What the route to Gold (or renewal) needs, what the candidate has, and what is missing."""

    kind: Literal["initial", "renewal"]
    modules_passed: int
    modules_total: int
    cohorts_co_facilitated: int
    cohorts_run_in_period: int
    observation: ObservationPublic | None
    missing: list[str] = Field(description="What is still needed, in words; empty when complete")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        return not self.missing


class CandidacyPublic(Schema):
    id: int
    user_id: int
    full_name: str
    email: str
    organisation: str | None
    kind: Literal["initial", "renewal"]
    origin: Literal["applied", "nominated"]
    status: str
    statement: str
    created_at: datetime
    decided_at: datetime | None
    decision_reasons: str | None


class CertificationPublic(Schema):
    id: int
    user_id: int
    full_name: str
    certified_by: str | None
    certified_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    credential_id: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> Literal["current", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= datetime.now(self.expires_at.tzinfo) else "current"


class MyGold(Schema):
    """The Gold page for one person: can they apply, where is their candidacy, are they certified."""

    holds_silver: bool
    candidacy: CandidacyPublic | None
    evidence: Evidence | None
    certification: CertificationPublic | None
    can_apply: bool
    can_renew: bool


class GoldNotice(Schema):
    """The dashboard banner for a trainer whose Gold lapses soon (or has lapsed)."""

    expires_at: datetime
    days_left: int
    expired: bool


class LineageRow(Schema):
    """One trainer in the cascade: who certified them, the cohorts they ran, learners to Silver."""

    trainer_id: int
    trainer_name: str
    organisation: str | None
    certified_by: str | None
    certified_at: datetime | None
    cohorts_led: int
    cohorts_co: int
    learners: int
    learners_to_silver: int


class DirectoryCohort(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    role: Literal["lead", "co"]


class DirectoryEntry(Schema):
    user_id: int
    full_name: str
    email: str
    organisation: str | None
    region: str | None
    expires_at: datetime
    cohorts: list[DirectoryCohort]


# --- API views --------------------------------------------------------------------------------


class CandidacyList(Schema):
    data: list[CandidacyPublic]
    count: int


class CandidateDetail(Schema):
    """What a leader assesses: the candidacy, its evidence, and observations newest first."""

    candidacy: CandidacyPublic
    evidence: Evidence
    observations: list[ObservationPublic]


class DecisionPublic(Schema):
    """The decided candidacy and, when certified, the new certification."""

    candidacy: CandidacyPublic
    certification: CertificationPublic | None


class CertificationList(Schema):
    data: list[CertificationPublic]
    count: int


class LineageList(Schema):
    data: list[LineageRow]
    count: int


class DirectoryList(Schema):
    data: list[DirectoryEntry]
    count: int
