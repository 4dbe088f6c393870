"""Who is in a cohort: joining with an invite code, the member list, removing and moving learners, teams."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit_service
from app.cohorts.cohorts import active_count, get_enrolment, is_trainer_of, lock_cohort
from app.cohorts.exceptions import CohortFull, InviteExpired, InviteNotFound, RemovedFromCohort
from app.cohorts.models import Cohort, Enrolment, Team
from app.cohorts.schemas import EnrolmentPublic, MemberRow, TeamPublic
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound


def has_active_enrolment(session: Session, *, user_id: int) -> bool:
    """Whether this person is a learner in any cohort (Silver modules open for them)."""
    return (
        session.scalar(
            select(Enrolment.id)
            .where(Enrolment.user_id == user_id, Enrolment.status == "active")
            .limit(1)
        )
        is not None
    )


def active_learner_ids(session: Session, *, cohort_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == "active"
            )
        )
    )


def team_of(session: Session, *, cohort_id: int, user_id: int) -> TeamPublic | None:
    """The team of an active learner in a team cohort, if they are in one."""
    team = session.scalar(
        select(Team)
        .join(Enrolment, and_(Enrolment.team_id == Team.id, Enrolment.cohort_id == Team.cohort_id))
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id == user_id,
            Enrolment.status == "active",
        )
    )
    return TeamPublic(id=team.id, name=team.name) if team else None


def teams_of(
    session: Session, *, user_id: int, cohort_ids: Collection[int]
) -> dict[int, TeamPublic]:
    """cohort id -> the learner's team there, for many cohorts in one query."""
    rows = session.execute(
        select(Enrolment.cohort_id, Team.id, Team.name)
        .join(Team, and_(Team.id == Enrolment.team_id, Team.cohort_id == Enrolment.cohort_id))
        .where(
            Enrolment.user_id == user_id,
            Enrolment.status == "active",
            Enrolment.cohort_id.in_(cohort_ids),
        )
    )
    return {cohort_id: TeamPublic(id=team_id, name=name) for cohort_id, team_id, name in rows}


def team_member_ids(session: Session, *, team_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.team_id == team_id, Enrolment.status == "active"
            )
        )
    )


def find_by_code(session: Session, *, code: str) -> Cohort:
    """The cohort an invite code belongs to, if the code is known and has not expired."""
    key = "".join(code.split()).upper()[:32]
    cohort = session.scalar(
        select(Cohort).options(joinedload(Cohort.organisation)).where(Cohort.invite_code == key)
    )
    if cohort is None:
        raise InviteNotFound()
    if as_utc(cohort.invite_expires_at) <= utcnow():
        raise InviteExpired(cohort.name)
    return cohort


def join_by_code(session: Session, *, code: str, user: User) -> Enrolment:
    """Enrol the signed-in learner with an invite code; joining twice is harmless."""
    found = find_by_code(session, code=code)
    cohort = lock_cohort(session, cohort_id=found.id)
    if is_trainer_of(session, cohort_id=cohort.id, user_id=user.id):
        raise Conflict("You are a trainer of this cohort, so you cannot join it as a learner.")
    enrolment = get_enrolment(session, cohort_id=cohort.id, user_id=user.id, active_only=False)
    if enrolment is not None and enrolment.status == "active":
        return enrolment
    if enrolment is not None:
        raise RemovedFromCohort()
    if active_count(session, cohort_id=cohort.id) >= cohort.capacity:
        raise CohortFull(cohort.name, cohort.capacity)
    enrolment = Enrolment(
        cohort_id=cohort.id, user_id=user.id, status="active", enrolled_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:  # the same learner pressed "join" in two tabs
        existing = get_enrolment(session, cohort_id=cohort.id, user_id=user.id)
        if existing is None:
            raise
        return existing
    return enrolment


def enrolment_public(session: Session, *, enrolment: Enrolment) -> EnrolmentPublic:
    team = team_of(session, cohort_id=enrolment.cohort_id, user_id=enrolment.user_id)
    return EnrolmentPublic(
        cohort_id=enrolment.cohort_id,
        user_id=enrolment.user_id,
        team=team.name if team else None,
        status=enrolment.status,  # type: ignore[arg-type]
        enrolled_at=as_utc(enrolment.enrolled_at),
    )


def members(session: Session, *, cohort_id: int) -> list[MemberRow]:
    """Active learners with their teams, by name: two queries however many learners."""
    rows = list(
        session.execute(
            select(Enrolment, Team.name)
            .outerjoin(
                Team, and_(Team.id == Enrolment.team_id, Team.cohort_id == Enrolment.cohort_id)
            )
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        )
    )
    users = accounts_service.users_by_id(session, user_ids=[e.user_id for e, _ in rows])
    out = [
        MemberRow(
            user_id=e.user_id,
            full_name=users[e.user_id].full_name,
            email=users[e.user_id].email,
            team_id=e.team_id,
            team=team,
            invited=accounts_service.account_status(users[e.user_id]) == "invited",
            enrolled_at=as_utc(e.enrolled_at),
        )
        for e, team in rows
    ]
    return sorted(out, key=lambda m: (m.full_name.casefold(), m.user_id))


def member(session: Session, *, cohort_id: int, user_id: int) -> MemberRow:
    """One active learner of the cohort as the members list shows them."""
    for row in members(session, cohort_id=cohort_id):
        if row.user_id == user_id:
            return row
    raise NotFound("That person is not a learner in this cohort.")


def _member(session: Session, *, cohort: Cohort, user_id: int) -> Enrolment:
    enrolment = get_enrolment(session, cohort_id=cohort.id, user_id=user_id)
    if enrolment is None:
        raise NotFound("That person is not a learner in this cohort.")
    return enrolment


def remove_learner(session: Session, *, cohort: Cohort, user_id: int, actor_id: int) -> None:
    """Take a learner out of the cohort. Their record and attendance stay; Silver access goes."""
    enrolment = _member(session, cohort=cohort, user_id=user_id)
    enrolment.status = "removed"
    enrolment.removed_at = utcnow()
    enrolment.team_id = None
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.learner_remove",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user_id},
    )


def leave_all(session: Session, *, user_id: int) -> int:
    """Take someone who deleted their account out of every cohort they learn in (count returned).

    Their attendance and their team's project stay: the cohort's own record of what happened.
    """
    now = utcnow()
    enrolments = list(
        session.scalars(
            select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.status == "active")
        )
    )
    for enrolment in enrolments:
        enrolment.status, enrolment.removed_at, enrolment.team_id = "removed", now, None
    session.flush()
    return len(enrolments)


def move_to_team(session: Session, *, cohort: Cohort, user_id: int, team_id: int | None) -> None:
    """Put a learner in a team of this cohort, or in none (team_id None)."""
    enrolment = _member(session, cohort=cohort, user_id=user_id)
    if team_id is not None:
        if cohort.kind != "teams":
            raise InvalidInput("This cohort is for individuals, so it has no teams.")
        if (
            session.scalar(select(Team.id).where(Team.id == team_id, Team.cohort_id == cohort.id))
            is None
        ):
            raise InvalidInput("Choose a team of this cohort.", field="team_id")
    enrolment.team_id = team_id
    session.flush()


def move_to_cohort(
    session: Session, *, cohort: Cohort, user_id: int, target: Cohort, actor_id: int
) -> None:
    """Move a learner to another cohort the same trainer runs (the caller checks that)."""
    if target.id == cohort.id:
        raise InvalidInput("Choose a different cohort to move the learner to.", field="cohort_id")
    enrolment = _member(session, cohort=cohort, user_id=user_id)
    target = lock_cohort(session, cohort_id=target.id)
    existing = get_enrolment(session, cohort_id=target.id, user_id=user_id, active_only=False)
    if existing is not None and existing.status == "active":
        raise Conflict(f"This learner is already in '{target.name}'.", field="cohort_id")
    if active_count(session, cohort_id=target.id) >= target.capacity:
        raise CohortFull(target.name, target.capacity)
    now = utcnow()
    enrolment.status, enrolment.removed_at, enrolment.team_id = "removed", now, None
    if existing is not None:
        existing.status, existing.removed_at, existing.enrolled_at = "active", None, now
    else:
        session.add(
            Enrolment(cohort_id=target.id, user_id=user_id, status="active", enrolled_at=now)
        )
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.learner_move",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user_id, "to_cohort_id": target.id},
    )


# ---------------------------------------------------------------- teams


def teams(session: Session, *, cohort_id: int) -> list[TeamPublic]:
    return [
        TeamPublic(id=t.id, name=t.name)
        for t in session.scalars(
            select(Team).where(Team.cohort_id == cohort_id).order_by(Team.name)
        )
    ]


def team_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_team(session: Session, *, cohort: Cohort, name: str) -> TeamPublic:
    if cohort.kind != "teams":
        raise InvalidInput("This cohort is for individuals, so it has no teams.", field="name")
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise InvalidInput("Enter a team name of 80 characters or fewer.", field="name")
    if any(team_key(t.name) == team_key(name) for t in teams(session, cohort_id=cohort.id)):
        raise Conflict(f"This cohort already has a team called '{name}'.", field="name")
    team = Team(cohort_id=cohort.id, name=name, created_at=utcnow())
    session.add(team)
    session.flush()
    return TeamPublic(id=team.id, name=team.name)


def delete_team(session: Session, *, cohort: Cohort, team_id: int) -> None:
    """Delete a team; its learners stay in the cohort without a team. Not a team with a project:
    the database refuses (fk_project_team_in_cohort), so its work and sign-off history stay."""
    team = session.scalar(select(Team).where(Team.id == team_id, Team.cohort_id == cohort.id))
    if team is None:
        raise NotFound("This cohort has no such team.")
    try:
        with session.begin_nested():
            session.execute(
                update(Enrolment)
                .where(Enrolment.cohort_id == cohort.id, Enrolment.team_id == team_id)
                .values(team_id=None)
            )
            session.delete(team)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "This team has an improvement project, so it cannot be deleted. "
            "Move its learners to other teams instead."
        ) from exc
