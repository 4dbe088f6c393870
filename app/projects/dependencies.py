"""Load a project and check who may touch it: its learner or team, or a trainer of its cohort."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.dependencies import CurrentUser
from app.cohorts.dependencies import CohortForTrainer
from app.core.deps import SessionDep
from app.projects import service
from app.projects.exceptions import ProjectNotFound
from app.projects.permissions import ProjectAccess


def _reader(project_id: int, session: SessionDep, user: CurrentUser) -> ProjectAccess:
    return service.access(session, project_id=project_id, user=user)


def _member(access: Annotated[ProjectAccess, Depends(_reader)]) -> ProjectAccess:
    service.require_member(access)
    return access


def _trainer(access: Annotated[ProjectAccess, Depends(_reader)]) -> ProjectAccess:
    service.require_trainer(access)
    return access


def _in_cohort(
    project_id: int, cohort: CohortForTrainer, session: SessionDep, user: CurrentUser
) -> ProjectAccess:
    access = service.access(session, project_id=project_id, user=user)
    if access.project.cohort_id != cohort.cohort.id:
        raise ProjectNotFound()
    return access


# The project `{project_id}`: anyone who may read it (its learner or team, or a cohort trainer).
ProjectForReader = Annotated[ProjectAccess, Depends(_reader)]
# ... only its learner or a member of its team (trainers get 403, everyone else 404).
ProjectForMember = Annotated[ProjectAccess, Depends(_member)]
# ... only a trainer of its cohort.
ProjectForTrainer = Annotated[ProjectAccess, Depends(_trainer)]
# The project `{project_id}` of cohort `{cohort_id}`, for one of that cohort's trainers.
CohortProjectForTrainer = Annotated[ProjectAccess, Depends(_in_cohort)]
