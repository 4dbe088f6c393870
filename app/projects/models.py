"""QI projects: the workspace rows (members, driver diagram, measures, data, PDSA cycles) and sign-off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.projects.constants import (
    DIRECTIONS,
    IMPACTS,
    LEVELS,
    MEASURE_KINDS,
    MEASURE_TYPES,
    METHODS,
    NODE_KINDS,
    PDSA_DECISIONS,
    PROJECT_STATUSES,
    RUBRIC,
    SUBMISSION_STATUSES,
    in_list,
)


class Project(Base):
    """One per learner (individuals cohort) or per team (teams cohort), never both."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NULL AND team_id IS NOT NULL) OR (user_id IS NOT NULL AND team_id IS NULL)",
            name="one_owner",
        ),
        CheckConstraint(in_list("status", PROJECT_STATUSES), name="status"),
        UniqueConstraint("cohort_id", "user_id"),
        UniqueConstraint("cohort_id", "team_id"),
        # A team project's team is in the project's cohort. No ON DELETE: a team with a project
        # cannot be deleted (its work and sign-off history would go with it); deleting the cohort
        # removes both together.
        ForeignKeyConstraint(
            ["cohort_id", "team_id"],
            ["team.cohort_id", "team.id"],
            name="fk_project_team_in_cohort",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    setting: Mapped[str] = mapped_column(Text, default="")
    aim: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    sustainability: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    signed_off_at: Mapped[datetime | None]


class ProjectMember(Base):
    """A person on the project team: colleagues need not have accounts, so a name and a role."""

    __tablename__ = "project_member"
    __table_args__ = (Index("ix_project_member_project", "project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class DriverNode(Base):
    """Aim -> primary drivers -> secondary drivers -> change ideas, one row per box."""

    __tablename__ = "driver_node"
    __table_args__ = (
        CheckConstraint(in_list("kind", NODE_KINDS), name="kind"),
        CheckConstraint("(kind = 'aim') = (parent_id IS NULL)", name="root_is_aim"),
        UniqueConstraint("project_id", "id", name="uq_driver_node_project_id_id"),
        # The parent is a box of the same diagram; deleting a box deletes what hangs from it.
        ForeignKeyConstraint(
            ["project_id", "parent_id"],
            ["driver_node.project_id", "driver_node.id"],
            name="fk_driver_node_parent_in_project",
            ondelete="CASCADE",
        ),
        Index(
            "uq_driver_node_one_aim",
            "project_id",
            unique=True,
            sqlite_where=text("kind = 'aim'"),
            postgresql_where=text("kind = 'aim'"),
        ),
        Index("ix_driver_node_parent", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)


class Measure(Base):
    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint(in_list("kind", MEASURE_KINDS), name="kind"),
        CheckConstraint(in_list("data_type", MEASURE_TYPES), name="data_type"),
        CheckConstraint(in_list("direction", DIRECTIONS), name="direction"),
        CheckConstraint(in_list("method", METHODS), name="method"),
        CheckConstraint("baseline_points IS NULL OR baseline_points >= 2", name="baseline"),
        UniqueConstraint("project_id", "name"),
        # One main outcome measure per project: reports judge improvement on it.
        Index(
            "uq_measure_one_main",
            "project_id",
            unique=True,
            sqlite_where=text("is_main"),
            postgresql_where=text("is_main"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    # What each period records (continuous, proportion, count, rate, rare_event): constants.py.
    data_type: Mapped[str] = mapped_column(
        String(12), default="continuous", server_default="continuous"
    )
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(8))
    target: Mapped[float | None] = mapped_column(Double)
    method: Mapped[str] = mapped_column(String(10), default="run_anhoej")
    # Fix the centre line and limits on the first N points (a frozen baseline).
    baseline_points: Mapped[int | None]
    is_main: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class MeasureRebase(Base):
    """A real change from this date on: XmR limits are recalculated from the first point on or after it."""

    __tablename__ = "measure_rebase"
    __table_args__ = (UniqueConstraint("measure_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))


class DataPoint(Base):
    """One aggregate value of a measure for one period (a day, week or month, dated by its start).

    A proportion's value is its numerator (cases) and ``denominator`` the people or things that
    could have been cases; a rate's value is its count and ``denominator`` the exposure (bed days).
    A rare event measure has one row per date on which events happened, the value their number.
    """

    __tablename__ = "data_point"
    __table_args__ = (
        UniqueConstraint("measure_id", "period"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    period: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)


class PdsaCycle(Base):
    __tablename__ = "pdsa_cycle"
    __table_args__ = (
        CheckConstraint(
            f"decision IS NULL OR {in_list('decision', PDSA_DECISIONS)}", name="decision"
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        # The change idea is a box of this project's diagram. No ON DELETE: the service refuses to
        # delete a change idea that cycles are linked to, saying which.
        ForeignKeyConstraint(
            ["project_id", "change_idea_id"],
            ["driver_node.project_id", "driver_node.id"],
            name="fk_pdsa_cycle_change_idea_in_project",
        ),
        Index("ix_pdsa_cycle_project_starts", "project_id", "starts_on"),
        Index("ix_pdsa_cycle_change_idea", "change_idea_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    change_idea_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text, default="")
    prediction: Mapped[str] = mapped_column(Text, default="")
    do: Mapped[str] = mapped_column(Text, default="")
    study: Mapped[str] = mapped_column(Text, default="")
    act: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(8))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]


_SCORES = " AND ".join(f"{c}_score IN ('met', 'exceeded')" for c in RUBRIC)
_NO_ASSESSMENT = " AND ".join([*(f"{c}_score IS NULL" for c in RUBRIC), "comment IS NULL"])


class Submission(Base):
    """One submission for sign-off and the trainer's decision on it (or the team's withdrawal of
    it); never deleted (the history)."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(in_list("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint(f"impact IS NULL OR {in_list('impact', IMPACTS)}", name="impact"),
        *(
            CheckConstraint(f"{c}_score IS NULL OR {in_list(f'{c}_score', LEVELS)}", name=f"{c}")
            for c in RUBRIC
        ),
        # The sign-off rule (Gold module 4): every criterion at least met; the total is not the test.
        CheckConstraint(f"status <> 'signed_off' OR ({_SCORES})", name="signoff_rule"),
        # Waiting exactly while undecided; a withdrawal counts as the end of waiting (see decided_at).
        CheckConstraint("(status = 'submitted') = (decided_at IS NULL)", name="decided"),
        # A withdrawn submission was never assessed: no scores, no trainer's comment.
        CheckConstraint(f"status <> 'withdrawn' OR ({_NO_ASSESSMENT})", name="withdrawn"),
        # At most one submission waits for a decision.
        Index(
            "uq_submission_one_open",
            "project_id",
            unique=True,
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
        Index("ix_submission_project_submitted", "project_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The write-up as it was submitted, so the decision can be read against what was assessed.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    aim_score: Mapped[str | None] = mapped_column(String(12))
    measurement_score: Mapped[str | None] = mapped_column(String(12))
    testing_score: Mapped[str | None] = mapped_column(String(12))
    learning_score: Mapped[str | None] = mapped_column(String(12))
    sustainability_score: Mapped[str | None] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    # The impact judgement (QIPAT style) given on sign-off, and why; none before this was asked.
    impact: Mapped[str | None] = mapped_column(String(14))
    impact_reasons: Mapped[str | None] = mapped_column(Text)
    # When and by whom it stopped waiting: the trainer who decided, or the learner who withdrew it.
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class ProjectComment(Base):
    """A note on the project from a team member or a trainer, kept with the project's history."""

    __tablename__ = "project_comment"
    __table_args__ = (Index("ix_project_comment_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
