"""Every learning route, from the page groups: modules, quizzes, the dashboard and search."""

from __future__ import annotations

from fastapi import APIRouter

from app.learning import dashboard, modules, quizzes, search_page

pages = APIRouter(include_in_schema=False)
api = APIRouter()
for part in (modules, quizzes, dashboard, search_page):
    pages.include_router(part.pages)
    api.include_router(part.api)
