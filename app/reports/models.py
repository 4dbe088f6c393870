"""Report rollups: monthly aggregates the dashboard reads instead of a million learners' rows.

A refresh rebuilds them from the source tables with INSERT ... SELECT ... GROUP BY (see
service.refresh): in full, or from the last refreshed month onwards. Months are 'YYYY-MM' text
and organisation 0 means "no organisation", so every key column is NOT NULL.
Also here: the indexes the refresh and the live report queries need on other domains' tables.
And the one table leaders write: capability_target, each organisation's capability plan (the
"dosing" targets the capability report measures the rollups against).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import User
from app.core.db import Base
from app.credentials.models import Credential
from app.quizzes.models import QuizAttempt


class ReportLearnerMonth(Base):
    """Learners registered per month, organisation and staff group."""

    __tablename__ = "report_learner_month"
    __table_args__ = (Index("ix_report_learner_month_org", "organisation_id", "month"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(primary_key=True)
    staff_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    registered: Mapped[int]


class ReportCompletionMonth(Base):
    """Bronze, Silver and Gold first awarded (and not revoked) per month and group."""

    __tablename__ = "report_completion_month"
    __table_args__ = (Index("ix_report_completion_month_org", "organisation_id", "month"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(primary_key=True)
    staff_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    achievement: Mapped[str] = mapped_column(String(40), primary_key=True)
    completions: Mapped[int]


class ReportQuizMonth(Base):
    """Quiz attempts and passes per month, group and module.

    Also holds totals so an unfiltered report reads a few hundred rows: organisation_id -1 means
    every organisation and staff_group '*' every staff group.
    """

    __tablename__ = "report_quiz_month"
    __table_args__ = (Index("ix_report_quiz_month_org", "organisation_id", "month"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(primary_key=True)
    staff_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    module_id: Mapped[int] = mapped_column(primary_key=True)
    attempts: Mapped[int]
    passed: Mapped[int]


class ReportProject(Base):
    """A signed-off project: its organisation, sign-off month, and whether it shows improvement.

    "Shows improvement" is worked out once, at refresh, with the analysis engine (XmR, Making
    Data Count rules): a special cause in the improvement direction on the main outcome measure.
    """

    __tablename__ = "report_project"
    __table_args__ = (Index("ix_report_project_month", "month", "organisation_id"),)

    project_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int]
    month: Mapped[str] = mapped_column(String(7))
    shows_improvement: Mapped[bool]
    # The trainer judged its impact exemplary on sign-off (QIPAT style).
    judged_exemplary: Mapped[bool] = mapped_column(default=False, server_default=false())


class ReportCohort(Base):
    """Per cohort: its active learners and how many of them hold Silver.

    Rebuilt at every refresh (one grouped hash join over enrolments and Silver credentials), so
    "cohorts running" and the trainer lineage read a row per cohort instead of every enrolment.
    """

    __tablename__ = "report_cohort"

    cohort_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learners: Mapped[int]
    to_silver: Mapped[int]


class ReportRefresh(Base):
    """One row: when the rollups were last brought up to date, and from which month."""

    __tablename__ = "report_refresh"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    refreshed_at: Mapped[datetime]
    full_at: Mapped[datetime]
    from_month: Mapped[str] = mapped_column(String(7))
    duration_ms: Mapped[int]
    # Watermarks: registrations and attempts above these ids are not yet counted.
    last_user_id: Mapped[int]
    last_attempt_id: Mapped[int]


class CapabilityTarget(Base):
    """An organisation's capability plan: the share of a staff group that should hold a tier.

    Stored in hundredths of a percent (1000 = 10%), so "people needed" is exact integer
    arithmetic: ceil(hundredths x staff / 10000). No row: no target for that group and tier.
    """

    __tablename__ = "capability_target"
    __table_args__ = (
        CheckConstraint("tier IN ('bronze', 'silver', 'gold')", name="tier"),
        CheckConstraint("hundredths BETWEEN 0 AND 10000", name="hundredths"),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    staff_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    tier: Mapped[str] = mapped_column(String(6), primary_key=True)
    hundredths: Mapped[int]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


_ACTIVE = text("status = 'active'")

REPORT_INDEXES = (
    # An incremental refresh reads only the latest month(s) of each source, by these.
    Index("ix_report_user_created_group", User.created_at, User.organisation_id, User.staff_group),
    Index(
        "ix_report_credential_awarded",
        Credential.awarded_at,
        Credential.achievement,
        Credential.user_id,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    ),
    Index("ix_report_credential_revoked", Credential.revoked_at),
    Index(
        "ix_report_quiz_attempt_created",
        QuizAttempt.created_at,
        QuizAttempt.module_id,
        QuizAttempt.passed,
        QuizAttempt.user_id,
    ),
)
