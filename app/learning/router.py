"""Every learning route, from the three page groups: modules, quizzes and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from app.learning import dashboard, modules, quizzes

pages = APIRouter(include_in_schema=False)
api = APIRouter()
for part in (modules, quizzes, dashboard):
    pages.include_router(part.pages)
    api.include_router(part.api)
