"""Adapt this project: a new project of the reader's organisation from a published one, with its
aim, themes, driver diagram and measure definitions (never the data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.core.db import utcnow
from app.portfolio import library, writeup
from app.portfolio.exceptions import NoOrganisation
from app.portfolio.models import Adaptation, PortfolioMember, PortfolioProject, PortfolioTheme


def adapt(session: Session, *, viewer: User, project_id: int) -> PortfolioProject:
    """A new project of the viewer's organisation, from a published one they can read."""
    if viewer.organisation_id is None:
        raise NoOrganisation()
    source, _pub = library.published(session, viewer=viewer, project_id=project_id)
    now = utcnow()
    aim = writeup.source_aim(session, project=source)
    project = PortfolioProject(
        organisation_id=viewer.organisation_id,
        kind="qi",
        title=source.title[:200],
        aim=aim[:2000],
        division="",
        status="awaiting_approval",
        lead_id=viewer.id,
        lead_staff_group=viewer.staff_group,
        answers={},
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    session.flush()
    session.add(PortfolioMember(project_id=project.id, user_id=viewer.id))
    themes = session.scalars(
        select(PortfolioTheme.theme).where(PortfolioTheme.project_id == source.id)
    )
    session.add_all(
        PortfolioTheme(project_id=project.id, organisation_id=project.organisation_id, theme=t)
        for t in themes
    )
    org = accounts_service.organisation_names(session, organisation_ids=[source.organisation_id])
    session.add(
        Adaptation(
            project_id=project.id,
            source_id=source.id,
            source_title=source.title,
            source_organisation=org.get(source.organisation_id, ""),
            plan=writeup.plan_of(session, project=source),
            created_at=now,
        )
    )
    session.flush()
    return project
