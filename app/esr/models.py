"""ESR tables: what an organisation calls each of our achievements and modules in its staff record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

SOURCE_KINDS = ("achievement", "module")


class CompetenceMapping(Base):
    """One of our achievements (bronze, silver, gold) or modules (by slug), named as the
    organisation's ESR competence, with how many months a completion stays valid there."""

    __tablename__ = "esr_competence_mapping"
    __table_args__ = (
        CheckConstraint("source_kind IN ('achievement', 'module')", name="source_kind"),
        CheckConstraint(
            "valid_months IS NULL OR (valid_months >= 1 AND valid_months <= 120)",
            name="valid_months",
        ),
        UniqueConstraint("organisation_id", "source_kind", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    source_kind: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(100))
    competence_name: Mapped[str] = mapped_column(String(200))
    # None: the competence does not expire in ESR.
    valid_months: Mapped[int | None]
    updated_at: Mapped[datetime]
