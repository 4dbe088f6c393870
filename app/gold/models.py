"""Gold tables: candidacies (with the leader's decision), observed teaching sessions, certifications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

CANDIDACY_KINDS = ("initial", "renewal")
ORIGINS = ("applied", "nominated")
CANDIDACY_STATUSES = ("open", "certified", "declined", "withdrawn")
RATINGS = ("not_yet_met", "met", "exceeded")
# The observed-teaching rubric: column name -> what the observer looks for.
CRITERIA: dict[str, str] = {
    "planning": "Planning",
    "facilitation": "Facilitation",
    "content_accuracy": "QI content accuracy",
    "inclusion": "Inclusion",
    "feedback": "Feedback to learners",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class GoldCandidacy(Base):
    """One route to Gold (or to renewal): opened by the person or a leader, closed by a decision."""

    __tablename__ = "gold_candidacy"
    __table_args__ = (
        CheckConstraint(_in("kind", CANDIDACY_KINDS), name="kind"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
        CheckConstraint(_in("status", CANDIDACY_STATUSES), name="status"),
        CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_when_closed"),
        # One open candidacy per person, whoever opened it.
        Index(
            "uq_gold_candidacy_one_open",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(10))
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_reasons: Mapped[str | None] = mapped_column(Text)


class TeachingObservation(Base):
    """A leader watched the candidate teach and rated them against the rubric."""

    __tablename__ = "teaching_observation"
    __table_args__ = tuple(CheckConstraint(_in(name, RATINGS), name=name) for name in CRITERIA)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(
        ForeignKey("gold_candidacy.id", ondelete="CASCADE"), index=True
    )
    observer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    observed_on: Mapped[date] = mapped_column(Date)
    planning: Mapped[str] = mapped_column(String(12))
    facilitation: Mapped[str] = mapped_column(String(12))
    content_accuracy: Mapped[str] = mapped_column(String(12))
    inclusion: Mapped[str] = mapped_column(String(12))
    feedback: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class GoldCertification(Base):
    """A Gold trainer certification: who certified whom, when it lapses, and if it was revoked."""

    __tablename__ = "gold_certification"
    __table_args__ = (
        CheckConstraint("expires_at > certified_at", name="expiry_after_certification"),
        Index("ix_gold_certification_user_expires", "user_id", "expires_at"),
        Index("ix_gold_certification_expires", "expires_at"),
        Index("ix_gold_certification_certified_by", "certified_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    candidacy_id: Mapped[int] = mapped_column(
        ForeignKey("gold_candidacy.id", ondelete="CASCADE"), unique=True
    )
    certified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    certified_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # The Open Badges credential issued for it (credentials domain), when that domain is present.
    credential_id: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    # Set once the trainer role has been taken away for this lapse, so the sweep acts once.
    role_removed_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
