"""Each learner's or team's project state, for a cohort's trainers and the awards domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.core.db import as_utc
from app.projects.constants import NOT_STARTED, STATUS_LABELS
from app.projects.models import Project, Submission
from app.projects.schemas import CohortProjectRow


def cohort_projects(session: Session, *, cohort: Cohort) -> list[CohortProjectRow]:
    """Each active learner (individuals) or team (teams) of the cohort and their project.

    A fixed number of queries however many learners.
    """
    projects = list(session.scalars(select(Project).where(Project.cohort_id == cohort.id)))
    last_submitted: dict[int, datetime] = {
        row.project_id: row.last
        for row in session.execute(
            select(Submission.project_id, func.max(Submission.submitted_at).label("last"))
            .join(Project, Project.id == Submission.project_id)
            # A withdrawn submission never reached the trainer: it is not "last submitted".
            .where(Project.cohort_id == cohort.id, Submission.status != "withdrawn")
            .group_by(Submission.project_id)
        )
    }

    def row(owner: str, project: Project | None, is_team: bool) -> CohortProjectRow:
        submitted = last_submitted.get(project.id) if project else None
        return CohortProjectRow(
            owner=owner,
            is_team=is_team,
            project_id=project.id if project else None,
            title=project.title if project else None,
            status=STATUS_LABELS[project.status] if project else NOT_STARTED,
            submitted_at=as_utc(submitted) if submitted else None,
            updated_at=as_utc(project.updated_at) if project else None,
        )

    if cohort.kind == "teams":
        by_team = {p.team_id: p for p in projects if p.team_id is not None}
        return [
            row(t.name, by_team.get(t.id), True)
            for t in cohorts_service.teams(session, cohort_id=cohort.id)
        ]
    by_user = {p.user_id: p for p in projects if p.user_id is not None}
    return [
        row(m.full_name, by_user.get(m.user_id), False)
        for m in cohorts_service.members(session, cohort_id=cohort.id)
    ]


def states_for(session: Session, *, cohort_id: int) -> dict[int, str]:
    """user id -> "draft", "submitted", "changes requested" or "signed off" for each active
    learner with a project (their own, or their team's); learners left out have not started."""
    projects = list(session.scalars(select(Project).where(Project.cohort_id == cohort_id)))
    if not projects:
        return {}
    by_user = {p.user_id: p.status for p in projects if p.user_id is not None}
    by_team = {p.team_id: p.status for p in projects if p.team_id is not None}
    states: dict[int, str] = {}
    for m in cohorts_service.members(session, cohort_id=cohort_id):
        status = by_user.get(m.user_id) or (by_team.get(m.team_id) if m.team_id else None)
        if status:
            states[m.user_id] = STATUS_LABELS[status]
    return states


def is_signed_off(session: Session, *, cohort_id: int, user_id: int) -> bool:
    """True if this learner's own project, or their team's, in the cohort is signed off."""
    team = cohorts_service.team_of(session, cohort_id=cohort_id, user_id=user_id)
    owner = Project.user_id == user_id
    if team is not None:
        owner = owner | (Project.team_id == team.id)
    status = session.scalar(
        select(Project.status).where(Project.cohort_id == cohort_id, owner).limit(1)
    )
    return status == "signed_off"
