"""Portfolio tables: registered projects, their team and themes, QI leads, reviews and scores."""

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
from app.portfolio.constants import (
    CONSENTS,
    DECISIONS,
    PUBLICATION_STATUSES,
    REGISTRABLE_KINDS,
    SCALE,
    SCOPES,
    STATUSES,
    THEMES,
)
from app.portfolio.constants import in_list as _in

_SCORE_LIST = f"score IN ({', '.join(SCALE)})"


class PortfolioProject(Base):
    """One piece of improvement work of an organisation: registered here, or a Silver cohort's
    project (then `cohort_project_id` names it and the workspace holds its detail)."""

    __tablename__ = "portfolio_project"
    __table_args__ = (
        CheckConstraint(_in("kind", REGISTRABLE_KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(f"score IS NULL OR {_SCORE_LIST}", name="score"),
        # The dashboard counts by these within one organisation.
        # ... and lists the active ones with no update for 8 weeks, oldest first.
        Index("ix_portfolio_project_org_status", "organisation_id", "status", "updated_at"),
        Index("ix_portfolio_project_org_score", "organisation_id", "score"),
        Index("ix_portfolio_project_org_division", "organisation_id", "division"),
        Index("ix_portfolio_project_org_staff", "organisation_id", "lead_staff_group"),
        Index("ix_portfolio_project_org_approved", "organisation_id", "approved_at"),
        Index("ix_portfolio_project_org_created", "organisation_id", "created_at"),
        Index("ix_portfolio_project_coach", "coach_id"),
        # The target of portfolio_theme's (project_id, organisation_id) key.
        UniqueConstraint("id", "organisation_id", name="uq_portfolio_project_id_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    cohort_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="qi")
    title: Mapped[str] = mapped_column(String(200))
    aim: Mapped[str] = mapped_column(Text, default="")
    division: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="awaiting_approval")
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # The lead's staff group when the project was registered: the dashboard counts by it.
    lead_staff_group: Mapped[str] = mapped_column(String(40), default="other")
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The classifier's answers, kept to show why the work was judged QI, audit or evaluation.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The latest confirmed progress score (the history is in portfolio_score).
    score: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]


class PortfolioMember(Base):
    """A person with an account on the project team; the lead is one of them."""

    __tablename__ = "portfolio_member"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_project.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PortfolioTheme(Base):
    """A project's theme. It carries the project's organisation (held equal by the foreign key),
    so the dashboard counts an organisation's themes from this index alone."""

    __tablename__ = "portfolio_theme"
    __table_args__ = (
        CheckConstraint(_in("theme", THEMES), name="theme"),
        ForeignKeyConstraint(
            ["project_id", "organisation_id"],
            ["portfolio_project.id", "portfolio_project.organisation_id"],
            name="fk_portfolio_theme_project_in_organisation",
            ondelete="CASCADE",
        ),
        Index("ix_portfolio_theme_org_theme", "organisation_id", "theme"),
    )

    project_id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int]
    theme: Mapped[str] = mapped_column(String(30), primary_key=True)


class PortfolioReview(Base):
    """A QI lead's decision on a registration: approved, or returned with what to change."""

    __tablename__ = "portfolio_review"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        Index("ix_portfolio_review_project", "project_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_project.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime]


class QiLead(Base):
    """The QI lead role, scoped to one organisation: they approve its registrations and confirm
    scores. Leaders and administrators grant it."""

    __tablename__ = "qi_lead"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    granted_at: Mapped[datetime]


class PortfolioSetting(Base):
    """An organisation's portfolio settings: where its research office is."""

    __tablename__ = "portfolio_setting"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    research_office_url: Mapped[str] = mapped_column(String(300), default="")
    research_office_email: Mapped[str] = mapped_column(String(254), default="")


class ProgressScore(Base):
    """One dated IHI progress score, set by the team; confirmed by a QI lead or the coach."""

    __tablename__ = "portfolio_score"
    __table_args__ = (
        CheckConstraint(_SCORE_LIST, name="score"),
        Index("ix_portfolio_score_project_scored", "project_id", "scored_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_project.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Double)
    scored_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None]


class PortfolioComment(Base):
    """A comment on a project; "@Full Name" mentions notify the people named."""

    __tablename__ = "portfolio_comment"
    __table_args__ = (Index("ix_portfolio_comment_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_project.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class CoachRequest(Base):
    """A team's request for a coach; answered when a QI lead assigns one."""

    __tablename__ = "coach_request"
    __table_args__ = (
        # At most one open request per project.
        Index(
            "uq_coach_request_one_open",
            "project_id",
            unique=True,
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("portfolio_project.id", ondelete="CASCADE"))
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Publication(Base):
    """A project proposed for the library, or published there. One per project: proposing again
    after a refusal or a withdrawal starts its consent over.

    When it is published, what the library lists and searches is copied here (its title, aim,
    setting, lead's staff group and measure names, with lower-case copies to search), so the
    library reads this one table: no join, and on PostgreSQL trigram indexes for the text."""

    __tablename__ = "portfolio_publication"
    __table_args__ = (
        CheckConstraint(_in("scope", SCOPES), name="scope"),
        CheckConstraint(_in("status", PUBLICATION_STATUSES), name="status"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published"),
        # The library, newest first (walked in order, the scope checked on the way) ...
        Index("ix_portfolio_publication_library", "status", "published_at", "id"),
        # ... and one organisation's own publications.
        Index("ix_portfolio_publication_org", "organisation_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_project.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    lessons: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Copied when published: what the library lists ...
    title: Mapped[str] = mapped_column(String(200), default="")
    aim: Mapped[str] = mapped_column(Text, default="")
    division: Mapped[str] = mapped_column(String(120), default="")
    lead_staff_group: Mapped[str] = mapped_column(String(40), default="other")
    # ... and what it searches, in lower case: title and aim, the setting, the measures' names.
    topic: Mapped[str] = mapped_column(Text, default="")
    setting: Mapped[str] = mapped_column(String(120), default="")
    measure_names: Mapped[str] = mapped_column(Text, default="")


class PublicationConsent(Base):
    """One team member's answer to a proposal to publish: pending, consented or refused."""

    __tablename__ = "portfolio_consent"
    __table_args__ = (CheckConstraint(_in("decision", CONSENTS), name="decision"),)

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_publication.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[datetime | None]


class Adaptation(Base):
    """A project started with "Adapt this project": what it came from, and the plan copied from it
    (the aim's driver diagram and the measures' definitions, never their data)."""

    __tablename__ = "portfolio_adaptation"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_project.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_project.id", ondelete="SET NULL"), index=True
    )
    # Kept so the new project can still say where it came from if the source is deleted.
    source_title: Mapped[str] = mapped_column(String(200))
    source_organisation: Mapped[str] = mapped_column(String(200), default="")
    # {"drivers": [{"kind", "text", "depth"}...], "measures": [{"name", "kind", ...}...]}
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
