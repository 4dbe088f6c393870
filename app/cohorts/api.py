"""The cohorts JSON API under /api/v1: the same services the trainer's and learner's pages use."""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.dependencies import CurrentUser
from app.cohorts import service
from app.cohorts.dependencies import CohortForMember, CohortForTrainer, TrainerUser
from app.cohorts.schemas import (
    AttendanceUpdate,
    CohortCreate,
    CohortList,
    CohortPublic,
    CohortTrainerView,
    EnrolmentPublic,
    JoinRequest,
    MemberRow,
    RegisterRow,
    SessionCreate,
    SessionPublic,
)
from app.core.deps import SessionDep

api = APIRouter(prefix="/api/v1", tags=["cohorts"])


@api.post("/cohorts", status_code=201)
def create_cohort(data: CohortCreate, user: TrainerUser, session: SessionDep) -> CohortTrainerView:
    """Create a cohort you lead (trainers, leaders and admins)."""
    cohort = service.create_cohort(session, data=data, creator=user)
    return service.trainer_view(session, cohort=cohort)


@api.get("/cohorts")
def list_my_cohorts(user: CurrentUser, session: SessionDep) -> CohortList:
    """Cohorts you train (role lead or co) and cohorts you are a learner in (role learner)."""
    data = service.cohorts_for_trainer(session, user_id=user.id) + service.cohorts_for_learner(
        session, user_id=user.id
    )
    return CohortList(data=data, count=len(data))


@api.post("/cohorts/join", status_code=201)
def join_cohort(data: JoinRequest, user: CurrentUser, session: SessionDep) -> EnrolmentPublic:
    """Join a cohort with its invite code."""
    enrolment = service.join_by_code(session, code=data.code, user=user)
    return service.enrolment_public(session, enrolment=enrolment)


@api.get("/cohorts/{cohort_id}")
def read_cohort(access: CohortForMember, session: SessionDep) -> CohortTrainerView | CohortPublic:
    """A cohort you train (with its invite code) or are a learner in."""
    if access.is_trainer:
        return service.trainer_view(session, cohort=access.cohort)
    return service.cohort_public(session, cohort=access.cohort)


@api.get("/cohorts/{cohort_id}/members")
def list_members(access: CohortForTrainer, session: SessionDep) -> list[MemberRow]:
    """The cohort's active learners (trainers only)."""
    return service.members(session, cohort_id=access.cohort.id)


@api.get("/cohorts/{cohort_id}/sessions")
def list_sessions(access: CohortForMember, session: SessionDep) -> list[SessionPublic]:
    """The cohort's workshop sessions in time order."""
    return service.sessions_for(session, cohort_id=access.cohort.id)


@api.post("/cohorts/{cohort_id}/sessions", status_code=201)
def create_session(
    data: SessionCreate, access: CohortForTrainer, session: SessionDep
) -> SessionPublic:
    """Schedule a session (times without a zone are UK local time)."""
    return service.create_session(session, cohort=access.cohort, data=data)


@api.get("/cohorts/{cohort_id}/sessions/{session_id}/attendance")
def read_attendance(
    session_id: int, access: CohortForTrainer, session: SessionDep
) -> list[RegisterRow]:
    """The register of one session (trainers only)."""
    service.get_session(session, cohort_id=access.cohort.id, session_id=session_id)
    return service.register_for(session, cohort_id=access.cohort.id, session_id=session_id)


@api.put("/cohorts/{cohort_id}/sessions/{session_id}/attendance")
def record_attendance(
    session_id: int,
    data: AttendanceUpdate,
    access: CohortForTrainer,
    session: SessionDep,
) -> list[RegisterRow]:
    """Mark learners present or absent at a session (trainers only)."""
    marks = {m.user_id: m.status for m in data.marks}
    return service.record_attendance(
        session,
        cohort=access.cohort,
        session_id=session_id,
        marks=marks,
        actor_id=access.user.id,
    )
