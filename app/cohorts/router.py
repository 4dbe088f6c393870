"""Cohort pages for trainers (/trainer/cohorts) and learners (/cohorts), and the cohorts API."""

from __future__ import annotations

from fastapi import APIRouter

from app.cohorts import learner_pages, session_pages, trainer_pages
from app.cohorts.api import api

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(include_in_schema=False)
# In this order: /trainer/cohorts/new before the routes that take a cohort id.
for part in (trainer_pages, session_pages, learner_pages):
    pages.include_router(part.pages)
