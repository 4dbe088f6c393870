"""Progress views: per-tier totals for the dashboard and per-module status for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from app.core.schemas import Schema

Status = Literal["not_started", "in_progress", "completed"]


class TierProgress(Schema):
    tier: str
    modules_total: int
    modules_completed: int
    cpd_minutes: int


class ModuleStatus(Schema):
    slug: str
    status: Status
    best_score: int | None
    completed_at: datetime | None


class ProgressPublic(Schema):
    tiers: list[TierProgress]
    modules: list[ModuleStatus]


class ModuleLink(Schema):
    slug: str
    title: str
    tier: str
    section: int = 0


class TierCard(Schema):
    """One tier on the dashboard."""

    tier: str
    name: str
    modules_total: int
    modules_completed: int
    percent: int
    cpd_minutes: int
    locked_reason: str | None
    next_module: ModuleLink | None


class Dashboard(Schema):
    tiers: list[TierCard]
    resume: ModuleLink | None
    cpd_minutes_total: int


class ModuleCard(Schema):
    """A module as listed on a tier page."""

    slug: str
    title: str
    order: int
    summary: str
    cpd_minutes: int
    status: Status
    best_score: int | None
    locked_reason: str | None
