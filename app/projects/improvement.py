"""Which projects' measures show improvement, for lists that are not the project's own page (the
portfolio dashboard): each measure judged on its own XmR chart with Making Data Count's rules, as
the measure's page draws it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.projects import charts
from app.projects.measures import measures_of


def improving_measures(session: Session, *, project_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the measures showing improvement, by project (projects with none left out):
    three queries however many projects."""
    out: dict[int, list[str]] = {}
    for project_id, found in measures_of(session, project_ids=project_ids).items():
        names = [m.name for m in found if charts.shows_improvement(m)]
        if names:
            out[project_id] = names
    return out
