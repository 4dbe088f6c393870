"""How the portfolio reacts to other domains' events (wired in app/events.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.portfolio import service
from app.projects.events import ProjectStarted


def on_project_started(session: Session, event: ProjectStarted) -> None:
    """A cohort project joins its organisation's registry, active from the start."""
    if event.organisation_id is None:
        return  # a cohort of no organisation: there is no portfolio to join
    service.add_cohort_project(
        session,
        project_id=event.project_id,
        organisation_id=event.organisation_id,
        title=event.title,
        user_ids=event.user_ids,
    )
