"""Content pages that need nothing but the catalogue (the learner's pages are in app.learning)."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["modules"])
