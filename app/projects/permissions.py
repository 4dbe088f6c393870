"""Who may open a project, and who may change it: its learner or team, or a cohort trainer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.core.db import utcnow
from app.projects.exceptions import ProjectLocked, ProjectNotFound, ReviewersOnly, TrainersReadOnly
from app.projects.models import Project

EDITABLE = ("draft", "changes_requested")


@dataclass
class ProjectAccess:
    """A project and the signed-in person's part in it: a team member, or a cohort trainer."""

    project: Project
    user: User
    role: Literal["member", "trainer"]
    cohort: Cohort

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"

    @property
    def can_edit(self) -> bool:
        return self.role == "member" and self.project.status in EDITABLE

    @property
    def can_withdraw(self) -> bool:
        return self.role == "member" and self.project.status == "submitted"


def access(session: Session, *, project_id: int, user: User) -> ProjectAccess:
    """The project if this person is its learner, one of its team, or a trainer of its cohort.

    Anyone else gets the same 404 as for a project that does not exist.
    """
    project = session.get(Project, project_id)
    if project is None:
        raise ProjectNotFound()
    cohort, trainer_role, enrolment = cohorts_service.cohort_with_role(
        session, cohort_id=project.cohort_id, user_id=user.id
    )
    if cohort is None:
        raise ProjectNotFound()
    if trainer_role:
        return ProjectAccess(project, user, "trainer", cohort)
    if enrolment == "active":
        if project.user_id is not None:
            member = project.user_id == user.id
        else:
            team = cohorts_service.team_of(session, cohort_id=cohort.id, user_id=user.id)
            member = team is not None and team.id == project.team_id
        if member:
            return ProjectAccess(project, user, "member", cohort)
    raise ProjectNotFound()


def require_member(access: ProjectAccess) -> None:
    if access.role != "member":
        raise TrainersReadOnly()


def require_trainer(access: ProjectAccess) -> None:
    if access.role != "trainer":
        raise ReviewersOnly()


def editable(access: ProjectAccess) -> Project:
    require_member(access)
    if access.project.status not in EDITABLE:
        raise ProjectLocked(access.project.status)
    return access.project


def touch(project: Project) -> None:
    project.updated_at = utcnow()
