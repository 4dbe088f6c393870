"""Project pages for learners (/projects) and trainers (/trainer/cohorts/{id}/projects), gathered
from app.projects.pages in the order the workspace shows them; the JSON API lives in api.py."""

from __future__ import annotations

from fastapi import APIRouter

from app.projects.api import api
from app.projects.pages import charts, data, export, measures, pdsa, review, signoff, workspace

__all__ = ["api", "pages"]

PARTS = (workspace, measures, data, charts, pdsa, signoff, export, review)

# The parts' own routes, not routers included in a router: each route keeps its CSRF check and
# stays out of the OpenAPI document, and `pages.routes` lists every page route.
pages = APIRouter(routes=[route for part in PARTS for route in part.pages.routes])
