"""Silver cohorts: the cohort, its trainers, teams, enrolled learners, workshop sessions, register."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.core.db import Base

COHORT_KINDS = ("individuals", "teams")
TRAINER_ROLES = ("lead", "co")
ENROLMENT_STATUSES = ("active", "removed")
ATTENDANCE_STATUSES = ("present", "absent")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Cohort(Base):
    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint(_in("kind", COHORT_KINDS), name="kind"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity"),
        CheckConstraint("attendance_required BETWEEN 0 AND 100", name="attendance_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int]
    # Percent of the cohort's workshop sessions a learner must attend to complete Silver.
    attendance_required: Mapped[int]
    # Learners join with /cohorts/join/{invite_code}; the code stops working after it expires.
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    invite_expires_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    trainers: Mapped[list[CohortTrainer]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", lazy="raise"
    )
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")


class CohortTrainer(Base):
    """Who runs a cohort: one lead, any number of co-trainers (Gold counts co-facilitation here)."""

    __tablename__ = "cohort_trainer"
    __table_args__ = (
        CheckConstraint(_in("role", TRAINER_ROLES), name="role"),
        # One lead per cohort, enforced by the database rather than by hope.
        Index(
            "uq_cohort_trainer_one_lead",
            "cohort_id",
            unique=True,
            sqlite_where=text("role = 'lead'"),
            postgresql_where=text("role = 'lead'"),
        ),
    )

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(4))
    added_at: Mapped[datetime]

    cohort: Mapped[Cohort] = relationship(back_populates="trainers", lazy="raise")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("cohort_id", "name"),
        # The target of enrolment's (cohort_id, team_id) key: a learner's team is in their cohort.
        UniqueConstraint("cohort_id", "id", name="uq_team_cohort_id_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]


class Enrolment(Base):
    """One row per learner per cohort; removing a learner keeps the row (status 'removed')."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        UniqueConstraint("cohort_id", "id", name="uq_enrolment_cohort_id_id"),
        CheckConstraint(_in("status", ENROLMENT_STATUSES), name="status"),
        ForeignKeyConstraint(
            ["cohort_id", "team_id"],
            ["team.cohort_id", "team.id"],
            name="fk_enrolment_team_in_cohort",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(8), default="active")
    enrolled_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class WorkshopSession(Base):
    __tablename__ = "workshop_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("venue IS NOT NULL OR online_url IS NOT NULL", name="where"),
        UniqueConstraint("cohort_id", "id", name="uq_workshop_session_cohort_id_id"),
        Index("ix_workshop_session_cohort_starts", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class Attendance(Base):
    """The register: one mark per learner per session, both of the same cohort (composite keys)."""

    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint(_in("status", ATTENDANCE_STATUSES), name="status"),
        ForeignKeyConstraint(
            ["cohort_id", "session_id"],
            ["workshop_session.cohort_id", "workshop_session.id"],
            name="fk_attendance_session_in_cohort",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["cohort_id", "enrolment_id"],
            ["enrolment.cohort_id", "enrolment.id"],
            name="fk_attendance_enrolment_in_cohort",
            ondelete="CASCADE",
        ),
        Index("ix_attendance_enrolment", "enrolment_id"),
    )

    session_id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime]
