"""Load a cohort and check who may touch it: its trainers, its learners, or either (else 403/404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser, require_roles
from app.accounts.models import User
from app.cohorts import service
from app.cohorts.exceptions import CohortNotFound, NotCohortTrainer, NotEnrolled
from app.cohorts.models import Cohort
from app.core.deps import SessionDep

_trainer_roles = require_roles(Role.TRAINER, Role.LEADER, Role.ADMIN)


# Trainers, leaders and admins. A lapsed Gold trainer's role no longer counts (UserRole.expires_at),
# so they cannot start a cohort on a role they no longer hold; nothing is written to check it.
TrainerUser = Annotated[User, Depends(_trainer_roles)]


@dataclass
class CohortAccess:
    cohort: Cohort
    user: User
    role: str  # "lead", "co" or "learner"

    @property
    def is_trainer(self) -> bool:
        return self.role in ("lead", "co")


def _access(session: SessionDep, user: CurrentUser, cohort_id: int) -> CohortAccess | None:
    cohort, trainer_role, enrolment = service.cohort_with_role(
        session, cohort_id=cohort_id, user_id=user.id
    )
    if cohort is None:
        raise CohortNotFound()
    role = trainer_role or ("learner" if enrolment == "active" else None)
    return CohortAccess(cohort=cohort, user=user, role=role) if role else None


def _for_trainer(access: Annotated[CohortAccess | None, Depends(_access)]) -> CohortAccess:
    if access is None or not access.is_trainer:
        raise NotCohortTrainer()
    return access


def _for_learner(access: Annotated[CohortAccess | None, Depends(_access)]) -> CohortAccess:
    if access is None or access.role != "learner":
        raise NotEnrolled()
    return access


def _for_member(access: Annotated[CohortAccess | None, Depends(_access)]) -> CohortAccess:
    if access is None:
        raise NotEnrolled()
    return access


# The cohort `{cohort_id}` and the signed-in user, who is one of its trainers (lead or co).
CohortForTrainer = Annotated[CohortAccess, Depends(_for_trainer)]
# ... who is an active learner in it.
CohortForLearner = Annotated[CohortAccess, Depends(_for_learner)]
# ... who is either.
CohortForMember = Annotated[CohortAccess, Depends(_for_member)]
