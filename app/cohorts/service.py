"""Cohorts: create and run Silver cohorts, enrol learners, schedule sessions and take the register."""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import ScalarSelect, and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit_service
from app.cohorts.events import AttendanceRecorded
from app.cohorts.exceptions import (
    CohortFull,
    CohortNotFound,
    ImportRejected,
    InviteExpired,
    InviteNotFound,
    RemovedFromCohort,
)
from app.cohorts.models import (
    Attendance,
    Cohort,
    CohortTrainer,
    Enrolment,
    Team,
    WorkshopSession,
)
from app.cohorts.schemas import (
    MAX_CO_TRAINERS,
    CohortCreate,
    CohortPublic,
    CohortSummary,
    CohortTrainerView,
    EnrolmentPublic,
    ImportResult,
    MemberRow,
    RegisterRow,
    RowError,
    SessionCreate,
    SessionPublic,
    TeamPublic,
    TrainerPublic,
)
from app.core.config import get_settings
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.events import publish
from app.core.timefmt import LONDON
from app.outbox import service as outbox_service

log = logging.getLogger("qi_academy")
TRAINER_ROLES = (Role.TRAINER, Role.LEADER, Role.ADMIN)
# Invite codes are typed from slides and emails: no 0/O or 1/I/L to confuse.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 10
MAX_IMPORT_ROWS = 500
MAX_IMPORT_BYTES = 1_000_000
_EMAIL = TypeAdapter(EmailStr)


# ---------------------------------------------------------------- cohorts and their trainers


def new_invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def _invite_expiry(cohort: Cohort) -> datetime:
    """Invites work until the end of the cohort's last day, UK time."""
    midnight = datetime.combine(cohort.ends_on + timedelta(days=1), time(0), tzinfo=LONDON)
    return midnight.astimezone(UTC)


def create_cohort(session: Session, *, data: CohortCreate, creator: User) -> Cohort:
    """A new cohort led by its creator, with co-trainers who must already be trainers."""
    co_trainers = _trainer_users(session, emails=data.co_trainers, exclude=creator.id)
    org = accounts_service.get_or_create_organisation(session, name=data.organisation)
    now = utcnow()
    cohort = Cohort(
        name=data.name,
        kind=data.kind,
        organisation_id=org.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        capacity=data.capacity,
        attendance_required=data.attendance_required,
        invite_code=new_invite_code(),
        created_by_id=creator.id,
        created_at=now,
    )
    cohort.invite_expires_at = _invite_expiry(cohort)
    cohort.organisation = org
    cohort.trainers = [CohortTrainer(user_id=creator.id, role="lead", added_at=now)] + [
        CohortTrainer(user_id=u.id, role="co", added_at=now) for u in co_trainers
    ]
    session.add(cohort)
    session.flush()
    audit_service.record(
        session,
        actor_id=creator.id,
        action="cohort.create",
        target_type="cohort",
        target_id=cohort.id,
        detail={"name": cohort.name, "co_trainers": [u.id for u in co_trainers]},
    )
    return cohort


def _trainer_users(session: Session, *, emails: Collection[str], exclude: int) -> list[User]:
    wanted = [accounts_service.normalise_email(e) for e in emails]
    found = accounts_service.users_by_email(session, emails=wanted)
    problems = []
    for email in dict.fromkeys(wanted):
        user = found.get(email)
        if user is None:
            problems.append(f"{email} has no QI Academy account")
        elif not user.has_role(*TRAINER_ROLES):
            problems.append(f"{email} is not a trainer (an admin can give them the trainer role)")
    if problems:
        raise InvalidInput("Co-trainers: " + "; ".join(problems) + ".", field="co_trainers")
    return [found[e] for e in dict.fromkeys(wanted) if found[e].id != exclude]


def get_cohort(session: Session, *, cohort_id: int) -> Cohort:
    cohort = session.scalar(
        select(Cohort).options(joinedload(Cohort.organisation)).where(Cohort.id == cohort_id)
    )
    if cohort is None:
        raise CohortNotFound()
    return cohort


def cohort_with_role(
    session: Session, *, cohort_id: int, user_id: int
) -> tuple[Cohort | None, str | None, str | None]:
    """The cohort, this person's trainer role in it and their enrolment status: one query."""
    row = session.execute(
        select(Cohort, CohortTrainer.role, Enrolment.status)
        .options(joinedload(Cohort.organisation))
        .outerjoin(
            CohortTrainer,
            and_(CohortTrainer.cohort_id == Cohort.id, CohortTrainer.user_id == user_id),
        )
        .outerjoin(Enrolment, and_(Enrolment.cohort_id == Cohort.id, Enrolment.user_id == user_id))
        .where(Cohort.id == cohort_id)
    ).first()
    if row is None:
        return None, None, None
    return row[0], row[1], row[2]


def is_trainer_of(session: Session, *, cohort_id: int, user_id: int) -> bool:
    """True for the lead trainer and co-trainers of the cohort."""
    return (
        session.scalar(
            select(CohortTrainer.role).where(
                CohortTrainer.cohort_id == cohort_id, CohortTrainer.user_id == user_id
            )
        )
        is not None
    )


def trainers_of(session: Session, *, cohort_id: int) -> list[TrainerPublic]:
    rows = list(
        session.scalars(
            select(CohortTrainer)
            .where(CohortTrainer.cohort_id == cohort_id)
            .order_by(CohortTrainer.role.desc(), CohortTrainer.added_at)  # lead first
        )
    )
    users = accounts_service.users_by_id(session, user_ids=[r.user_id for r in rows])
    return [
        TrainerPublic(
            user_id=r.user_id,
            full_name=users[r.user_id].full_name,
            email=users[r.user_id].email,
            role=r.role,  # type: ignore[arg-type]
        )
        for r in rows
    ]


def add_co_trainer(session: Session, *, cohort: Cohort, email: str, actor_id: int) -> None:
    """Add an existing trainer to the cohort as a co-trainer."""
    user = _trainer_users(session, emails=[email], exclude=0)[0]
    if session.get(CohortTrainer, (cohort.id, user.id)) is not None:
        raise Conflict(f"{user.email} is already a trainer of this cohort.", field="email")
    trainers = session.scalar(select(func.count()).where(CohortTrainer.cohort_id == cohort.id))
    if (trainers or 0) - 1 >= MAX_CO_TRAINERS:
        raise Conflict(f"A cohort can have at most {MAX_CO_TRAINERS} co-trainers.", field="email")
    if get_enrolment(session, cohort_id=cohort.id, user_id=user.id) is not None:
        raise Conflict(
            f"{user.email} is a learner in this cohort; remove them as a learner first.",
            field="email",
        )
    session.add(CohortTrainer(cohort_id=cohort.id, user_id=user.id, role="co", added_at=utcnow()))
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.trainer_add",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user.id},
    )


def remove_co_trainer(session: Session, *, cohort: Cohort, user_id: int, actor_id: int) -> None:
    row = session.get(CohortTrainer, (cohort.id, user_id))
    if row is None:
        raise NotFound("That person is not a trainer of this cohort.")
    if row.role == "lead":
        raise Conflict("The lead trainer cannot be removed from their own cohort.")
    session.delete(row)
    session.flush()
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.trainer_remove",
        target_type="cohort",
        target_id=cohort.id,
        detail={"user_id": user_id},
    )


def reset_invite(session: Session, *, cohort: Cohort) -> None:
    """A new invite code: the old link stops working at once."""
    cohort.invite_code = new_invite_code()
    cohort.invite_expires_at = _invite_expiry(cohort)
    session.flush()


def _learner_count() -> ScalarSelect[int]:
    return (
        select(func.count())
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == "active")
        .correlate(Cohort)
        .scalar_subquery()
    )


def cohorts_for_trainer(session: Session, *, user_id: int) -> list[CohortSummary]:
    """The cohorts this person leads or co-trains, newest first, with learner counts: one query."""
    rows = session.execute(
        select(Cohort, CohortTrainer.role, _learner_count())
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.user_id == user_id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )
    return [_summary(c, role, n) for c, role, n in rows]


def cohorts_for_learner(session: Session, *, user_id: int) -> list[CohortSummary]:
    """The cohorts this person is an active learner in, newest first: one query."""
    rows = session.execute(
        select(Cohort, _learner_count())
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user_id, Enrolment.status == "active")
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    )
    return [_summary(c, "learner", n) for c, n in rows]


def _summary(cohort: Cohort, role: str, learners: int) -> CohortSummary:
    return CohortSummary(
        id=cohort.id,
        name=cohort.name,
        kind=cohort.kind,  # type: ignore[arg-type]
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        capacity=cohort.capacity,
        learners=learners,
        role=role,  # type: ignore[arg-type]
    )


def active_count(session: Session, *, cohort_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == "active"
            )
        )
        or 0
    )


def cohort_public(session: Session, *, cohort: Cohort) -> CohortPublic:
    return CohortPublic(
        id=cohort.id,
        name=cohort.name,
        kind=cohort.kind,  # type: ignore[arg-type]
        organisation=cohort.organisation.name if cohort.organisation else None,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        capacity=cohort.capacity,
        attendance_required=cohort.attendance_required,
        learners=active_count(session, cohort_id=cohort.id),
        trainers=trainers_of(session, cohort_id=cohort.id),
    )


def trainer_view(session: Session, *, cohort: Cohort) -> CohortTrainerView:
    return CohortTrainerView(
        **cohort_public(session, cohort=cohort).model_dump(),
        invite_code=cohort.invite_code,
        invite_expires_at=as_utc(cohort.invite_expires_at),
    )


# ---------------------------------------------------------------- enrolment


def get_enrolment(
    session: Session, *, cohort_id: int, user_id: int, active_only: bool = True
) -> Enrolment | None:
    query = select(Enrolment).where(Enrolment.cohort_id == cohort_id, Enrolment.user_id == user_id)
    if active_only:
        query = query.where(Enrolment.status == "active")
    return session.scalar(query)


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


def _lock_cohort(session: Session, *, cohort_id: int) -> Cohort:
    """Load the cohort locked for update, so two joins cannot both take the last place."""
    cohort = session.scalar(
        select(Cohort)
        .options(joinedload(Cohort.organisation))
        .where(Cohort.id == cohort_id)
        .with_for_update(of=Cohort)
        .execution_options(populate_existing=True)
    )
    if cohort is None:
        raise CohortNotFound()
    return cohort


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
    cohort = _lock_cohort(session, cohort_id=found.id)
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
            invited=users[e.user_id].password_hash is None,
            enrolled_at=as_utc(e.enrolled_at),
        )
        for e, team in rows
    ]
    return sorted(out, key=lambda m: (m.full_name.casefold(), m.user_id))


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
    target = _lock_cohort(session, cohort_id=target.id)
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


def _team_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_team(session: Session, *, cohort: Cohort, name: str) -> TeamPublic:
    if cohort.kind != "teams":
        raise InvalidInput("This cohort is for individuals, so it has no teams.", field="name")
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise InvalidInput("Enter a team name of 80 characters or fewer.", field="name")
    if any(_team_key(t.name) == _team_key(name) for t in teams(session, cohort_id=cohort.id)):
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


# ---------------------------------------------------------------- CSV import


@dataclass
class _Row:
    line: int
    email: str
    full_name: str
    team: str | None


def parse_csv(content: bytes, *, kind: str) -> tuple[list[_Row], list[RowError]]:
    """Rows of email,full_name[,team], with every problem found (not just the first)."""
    if len(content) > MAX_IMPORT_BYTES:
        return [], [RowError(line=None, message="The file is larger than 1 MB: split it.")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            RowError(
                line=None,
                message="The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.",
            )
        ]
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if first and cells[0].casefold() in ("email", "email address"):
                first = False
                continue  # a header row
            first = False
            problems = _row_problems(cells, kind=kind)
            email = accounts_service.normalise_email(cells[0]) if cells else ""
            if not problems and email in seen:
                problems.append(f"{email} appears more than once (first on line {seen[email]})")
            errors += [RowError(line=line, message=p) for p in problems]
            if not problems:
                seen[email] = line
                team = cells[2] if len(cells) == 3 and cells[2] else None
                rows.append(_Row(line, email, " ".join(cells[1].split()), team))
    except csv.Error as exc:
        errors.append(RowError(line=reader.line_num, message=f"the file is not valid CSV ({exc})"))
    if not rows and not errors:
        errors.append(RowError(line=None, message="The file has no learners in it."))
    if len(rows) > MAX_IMPORT_ROWS:
        errors.append(
            RowError(
                line=None,
                message=f"The file has {len(rows)} learners; import at most {MAX_IMPORT_ROWS} at a time.",
            )
        )
    return rows, errors


def _row_problems(cells: list[str], *, kind: str) -> list[str]:
    if len(cells) not in (2, 3):
        return [
            f"expected 2 or 3 columns (email, full name, team) but found {len(cells)}; "
            "put names that contain commas in double quotes"
        ]
    problems = []
    email, name = cells[0], cells[1]
    try:
        _EMAIL.validate_python(email)
        if len(email) > 254:
            raise ValueError
    except (ValidationError, ValueError):
        problems.append(
            f"'{email[:60]}' is not a valid email address" if email else "the email is missing"
        )
    if not name:
        problems.append("the full name is missing")
    elif len(name) > 200:
        problems.append("the full name is longer than 200 characters")
    team = cells[2] if len(cells) == 3 else ""
    if team and kind != "teams":
        problems.append("this cohort is for individuals, so leave the team column empty")
    elif len(team) > 80:
        problems.append("the team name is longer than 80 characters")
    return problems


def import_csv(session: Session, *, cohort: Cohort, content: bytes, actor_id: int) -> ImportResult:
    """Enrol everyone in the file, creating invited accounts for new emails: all or nothing.

    Every row is checked before anything is written; a file with any problem raises ImportRejected
    listing each one with its line number.
    """
    cohort = _lock_cohort(session, cohort_id=cohort.id)
    rows, errors = parse_csv(content, kind=cohort.kind)
    users = accounts_service.users_by_email(session, emails=[r.email for r in rows])
    enrolments = {
        e.user_id: e
        for e in session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    }
    trainers = set(
        session.scalars(select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == cohort.id))
    )
    joining = 0
    for r in rows:
        user = users.get(r.email)
        if user is None:
            joining += 1
            continue
        if user.id in trainers:
            errors.append(RowError(line=r.line, message=f"{r.email} is a trainer of this cohort"))
        elif not user.is_active:
            errors.append(
                RowError(line=r.line, message=f"the account for {r.email} has been closed")
            )
        elif user.id not in enrolments or enrolments[user.id].status != "active":
            joining += 1
    active = sum(1 for e in enrolments.values() if e.status == "active")
    if active + joining > cohort.capacity:
        errors.append(
            RowError(
                line=None,
                message=f"The cohort has {max(cohort.capacity - active, 0)} places left but the "
                f"file adds {joining} learners. Raise the capacity or remove rows.",
            )
        )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line or 0))

    team_ids = _teams_by_name(session, cohort=cohort, names=[r.team for r in rows if r.team])
    org = cohort.organisation.name if cohort.organisation else None
    now = utcnow()
    created = enrolled = already = 0
    invited: list[User] = []  # new accounts: a link to choose a password
    added: list[User] = []  # existing accounts newly enrolled: a note that they are in
    for r in rows:
        user = users.get(r.email)
        if user is None:
            user = accounts_service.create_user(
                session,
                email=r.email,
                password=None,  # invited: they set a password before they can sign in
                full_name=r.full_name,
                organisation=org,
                staff_group="other",
                roles=[Role.LEARNER],
            )
            session.flush()
            created += 1
            invited.append(user)
        team_id = team_ids[_team_key(r.team)] if r.team else None
        enrolment = enrolments.get(user.id)
        if enrolment is None:
            session.add(
                Enrolment(
                    cohort_id=cohort.id,
                    user_id=user.id,
                    team_id=team_id,
                    status="active",
                    enrolled_at=now,
                )
            )
            enrolled += 1
            if user not in invited:
                added.append(user)
        elif enrolment.status != "active":
            enrolment.status, enrolment.removed_at, enrolment.enrolled_at = "active", None, now
            enrolment.team_id = team_id
            enrolled += 1
            added.append(user)
        else:
            if team_id is not None:
                enrolment.team_id = team_id
            already += 1
    session.flush()
    _email_imported(session, cohort=cohort, invited=invited, added=added, actor_id=actor_id)
    result = ImportResult(
        rows=len(rows), accounts_created=created, enrolled=enrolled, already_enrolled=already
    )
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.import",
        target_type="cohort",
        target_id=cohort.id,
        detail=result.model_dump(),
    )
    return result


def _email_imported(
    session: Session, *, cohort: Cohort, invited: list[User], added: list[User], actor_id: int
) -> None:
    """Tell everyone the import enrolled: new accounts get a link to choose a password."""
    settings = get_settings()
    dates = f"{cohort.starts_on:%d %B %Y} to {cohort.ends_on:%d %B %Y}"
    for user in invited:
        accounts_service.send_invitation(
            session,
            user=user,
            settings=settings,
            invited_by_id=actor_id,
            reason=f"Your trainer has enrolled you in the Silver cohort '{cohort.name}' ({dates}).",
        )
    for user in added:
        outbox_service.enqueue(
            session,
            to=user.email,
            subject=f"You have joined {cohort.name} on QI Academy",
            body=(
                f"Hello {user.full_name},\n\nYour trainer has enrolled you in the Silver cohort "
                f"'{cohort.name}' ({dates}). The Silver modules are open to you now, and the "
                f"cohort's workshops and your project are here:\n"
                f"{settings.base_url}/cohorts/{cohort.id}\n\nQI Academy\n"
            ),
        )


def _teams_by_name(session: Session, *, cohort: Cohort, names: Sequence[str]) -> dict[str, int]:
    """Team ids by case-folded name, creating the teams the file names that do not exist yet."""
    existing = {
        _team_key(t.name): t.id
        for t in session.scalars(select(Team).where(Team.cohort_id == cohort.id))
    }
    now = utcnow()
    for name in names:
        key = _team_key(name)
        if key not in existing:
            team = Team(cohort_id=cohort.id, name=" ".join(name.split()), created_at=now)
            session.add(team)
            session.flush()
            existing[key] = team.id
    return existing


# ---------------------------------------------------------------- workshop sessions


def _session_public(s: WorkshopSession) -> SessionPublic:
    return SessionPublic(
        id=s.id,
        cohort_id=s.cohort_id,
        title=s.title,
        starts_at=as_utc(s.starts_at),
        ends_at=as_utc(s.ends_at),
        venue=s.venue,
        online_url=s.online_url,
    )


def _utc(value: datetime) -> datetime:
    """Times without a zone are UK local times (what a trainer in England types)."""
    aware = value if value.tzinfo else value.replace(tzinfo=LONDON)
    return aware.astimezone(UTC)


def create_session(session: Session, *, cohort: Cohort, data: SessionCreate) -> SessionPublic:
    row = WorkshopSession(
        cohort_id=cohort.id,
        title=data.title,
        starts_at=_utc(data.starts_at),
        ends_at=_utc(data.ends_at),
        venue=data.venue or None,
        online_url=str(data.online_url) if data.online_url else None,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _session_public(row)


def sessions_for(session: Session, *, cohort_id: int) -> list[SessionPublic]:
    return [
        _session_public(s)
        for s in session.scalars(
            select(WorkshopSession)
            .where(WorkshopSession.cohort_id == cohort_id)
            .order_by(WorkshopSession.starts_at, WorkshopSession.id)
        )
    ]


def get_session(session: Session, *, cohort_id: int, session_id: int) -> SessionPublic:
    row = session.scalar(
        select(WorkshopSession).where(
            WorkshopSession.id == session_id, WorkshopSession.cohort_id == cohort_id
        )
    )
    if row is None:
        raise NotFound("This cohort has no such session. Choose one from the sessions list.")
    return _session_public(row)


def delete_session(session: Session, *, cohort: Cohort, session_id: int) -> None:
    """Cancel a session; its register goes with it."""
    get_session(session, cohort_id=cohort.id, session_id=session_id)
    session.execute(
        delete(WorkshopSession).where(
            WorkshopSession.id == session_id, WorkshopSession.cohort_id == cohort.id
        )
    )
    session.flush()


def register_for(session: Session, *, cohort_id: int, session_id: int) -> list[RegisterRow]:
    """Every active learner with their mark for this session (None if not yet marked)."""
    rows = list(
        session.execute(
            select(Enrolment.user_id, Attendance.status)
            .outerjoin(
                Attendance,
                and_(
                    Attendance.enrolment_id == Enrolment.id,
                    Attendance.session_id == session_id,
                ),
            )
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        )
    )
    users = accounts_service.users_by_id(session, user_ids=[u for u, _ in rows])
    out = [
        RegisterRow(user_id=u, full_name=users[u].full_name, status=status)  # type: ignore[arg-type]
        for u, status in rows
    ]
    return sorted(out, key=lambda r: (r.full_name.casefold(), r.user_id))


def record_attendance(
    session: Session,
    *,
    cohort: Cohort,
    session_id: int,
    marks: Mapping[int, str],
    actor_id: int,
) -> list[RegisterRow]:
    """Save the register: present or absent per learner, replacing earlier marks.

    Publishes AttendanceRecorded, on which awards decides who has now completed Silver.
    """
    get_session(session, cohort_id=cohort.id, session_id=session_id)
    enrolments = {
        int(user_id): int(enrolment_id)
        for user_id, enrolment_id in session.execute(
            select(Enrolment.user_id, Enrolment.id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status == "active"
            )
        )
    }
    strangers = [u for u in marks if u not in enrolments]
    if strangers:
        raise InvalidInput(
            f"These people are not learners in this cohort: {', '.join(map(str, strangers))}.",
            field="marks",
        )
    bad = {s for s in marks.values() if s not in ("present", "absent")}
    if bad:
        raise InvalidInput("Mark each learner present or absent.", field="marks")
    existing = {
        a.enrolment_id: a
        for a in session.scalars(select(Attendance).where(Attendance.session_id == session_id))
    }
    now = utcnow()
    for user_id, status in marks.items():
        enrolment_id = enrolments[user_id]
        row = existing.get(enrolment_id)
        if row is None:
            session.add(
                Attendance(
                    session_id=session_id,
                    enrolment_id=enrolment_id,
                    cohort_id=cohort.id,
                    status=status,
                    recorded_by_id=actor_id,
                    recorded_at=now,
                )
            )
        elif row.status != status:
            row.status, row.recorded_by_id, row.recorded_at = status, actor_id, now
    session.flush()
    publish(
        session,
        AttendanceRecorded(
            cohort_id=cohort.id, session_id=session_id, user_ids=tuple(marks), actor_id=actor_id
        ),
    )
    return register_for(session, cohort_id=cohort.id, session_id=session_id)


def attended_counts(
    session: Session, *, cohort_id: int, user_ids: Collection[int]
) -> dict[int, int]:
    """Sessions each learner was marked present at, counted in SQL."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Enrolment.user_id, func.count())
        .join(Attendance, Attendance.enrolment_id == Enrolment.id)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.user_id.in_(list(user_ids)),
            Attendance.status == "present",
        )
        .group_by(Enrolment.user_id)
    )
    return {int(u): int(n) for u, n in rows}


def session_count(session: Session, *, cohort_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(WorkshopSession.cohort_id == cohort_id)) or 0
    )
