"""Plumbing tables: the record of background job runs, one row per job and period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class JobRun(Base):
    """A background job's run in one period. The primary key is the lock: of several app
    instances waking for the same period, exactly one inserts the row and runs the job."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    period: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    instance: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
