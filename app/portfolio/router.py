"""Portfolio routes: the registry, progress scores, organisations' settings, the dashboard and the
project library (pages only)."""

from __future__ import annotations

from fastapi import APIRouter

from app.portfolio.pages import (
    coaches,
    coaching,
    dashboard,
    library,
    organisations,
    registry,
    scores,
)

__all__ = ["api", "pages"]

PARTS = (registry, scores, coaching, coaches, organisations, dashboard, library)

pages = APIRouter(routes=[route for part in PARTS for route in part.pages.routes])
# No JSON API yet: the portfolio is used through its pages.
api = APIRouter()
