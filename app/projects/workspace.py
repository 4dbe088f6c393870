"""A project and its owners: the learner's list, starting one, the narrative and aim, the team,
and the whole workspace in one schema."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.core.db import as_utc, utcnow
from app.core.errors import InvalidInput
from app.core.events import publish
from app.projects.drivers import nodes
from app.projects.events import ProjectStarted
from app.projects.exceptions import ItemNotFound, NoTeamYet, NotInCohort, ProjectExists
from app.projects.measures import measures
from app.projects.models import DriverNode, Project, ProjectMember
from app.projects.pdsa import cycles
from app.projects.permissions import ProjectAccess, editable, touch
from app.projects.schemas import (
    MemberCreate,
    MemberPublic,
    ProjectDetail,
    ProjectPublic,
    ProjectStart,
    ProjectSummary,
    ProjectUpdate,
)

MAX_MEMBERS = 30


# --- projects and their owners ----------------------------------------------------------------


@dataclass(frozen=True)
class LearnerCohort:
    """One of a learner's cohorts and their project in it (or why they cannot start one yet)."""

    cohort_id: int
    cohort_name: str
    is_team: bool
    team: str | None
    project: ProjectSummary | None
    blocked: str | None


def my_projects(session: Session, *, user: User) -> list[LearnerCohort]:
    """Each of the learner's active cohorts with their own or their team's project.

    Three queries however many cohorts: the cohorts, the learner's teams, the projects.
    """
    cohorts = cohorts_service.cohorts_for_learner(session, user_id=user.id)
    if not cohorts:
        return []
    team_cohorts = [c.id for c in cohorts if c.kind == "teams"]
    teams = (
        cohorts_service.teams_of(session, user_id=user.id, cohort_ids=team_cohorts)
        if team_cohorts
        else {}
    )
    team_ids = [t.id for t in teams.values()]
    projects = list(
        session.scalars(
            select(Project).where(
                Project.cohort_id.in_([c.id for c in cohorts]),
                (Project.user_id == user.id) | Project.team_id.in_(team_ids),
            )
        )
    )
    out = []
    for c in cohorts:
        team = teams.get(c.id)
        mine = next(
            (
                p
                for p in projects
                if p.cohort_id == c.id
                and (
                    p.user_id == user.id
                    if c.kind == "individuals"
                    else team and p.team_id == team.id
                )
            ),
            None,
        )
        owner = team.name if team else user.full_name
        blocked = (
            "You are not in a team yet. Your trainer will add you to one."
            if c.kind == "teams" and team is None
            else None
        )
        out.append(
            LearnerCohort(
                cohort_id=c.id,
                cohort_name=c.name,
                is_team=c.kind == "teams",
                team=team.name if team else None,
                project=_summary(mine, cohort_name=c.name, owner=owner) if mine else None,
                blocked=blocked,
            )
        )
    return out


def _summary(project: Project, *, cohort_name: str, owner: str) -> ProjectSummary:
    return ProjectSummary(
        id=project.id,
        cohort_id=project.cohort_id,
        cohort_name=cohort_name,
        title=project.title,
        status=project.status,  # type: ignore[arg-type]
        owner=owner,
        is_team=project.team_id is not None,
        updated_at=as_utc(project.updated_at),
    )


def _owner(session: Session, project: Project) -> str:
    if project.user_id is not None:
        user = accounts_service.users_by_id(session, user_ids=[project.user_id]).get(
            project.user_id
        )
        return user.full_name if user else "A former learner"
    teams = cohorts_service.teams(session, cohort_id=project.cohort_id)
    return next((t.name for t in teams if t.id == project.team_id), "A team")


def project_public(session: Session, *, access: ProjectAccess) -> ProjectPublic:
    return _public(session, access.project, cohort_name=access.cohort.name)


def _public(session: Session, p: Project, *, cohort_name: str) -> ProjectPublic:
    return ProjectPublic(
        **_summary(p, cohort_name=cohort_name, owner=_owner(session, p)).model_dump(),
        problem=p.problem,
        background=p.background,
        setting=p.setting,
        aim=p.aim,
        reflection=p.reflection,
        sustainability=p.sustainability,
        signed_off_at=as_utc(p.signed_off_at) if p.signed_off_at else None,
    )


def start_project(session: Session, *, user: User, data: ProjectStart) -> Project:
    """The learner's project in this cohort (or their team's): one each, never two."""
    cohort, _trainer, enrolment = cohorts_service.cohort_with_role(
        session, cohort_id=data.cohort_id, user_id=user.id
    )
    if cohort is None or enrolment != "active":
        raise NotInCohort()
    owner: dict[str, int | None] = {"user_id": user.id, "team_id": None}
    if cohort.kind == "teams":
        team = cohorts_service.team_of(session, cohort_id=cohort.id, user_id=user.id)
        if team is None:
            raise NoTeamYet()
        owner = {"user_id": None, "team_id": team.id}
    mine = select(Project.id).where(
        Project.cohort_id == cohort.id,
        Project.user_id == user.id if owner["user_id"] else Project.team_id == owner["team_id"],
    )
    existing = session.scalar(mine)
    if existing is not None:
        raise ProjectExists(existing)
    now = utcnow()
    project = Project(
        cohort_id=cohort.id,
        **owner,
        title=data.title,
        problem="",
        background="",
        setting="",
        aim="",
        reflection="",
        sustainability="",
        status="draft",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # a teammate starting it at the same moment wins
            session.add(project)
            session.flush()
            session.add(
                DriverNode(project_id=project.id, parent_id=None, kind="aim", text=data.title)
            )
            session.flush()
    except IntegrityError:
        raise ProjectExists(session.scalar(mine) or 0) from None
    people = [user.id]
    if owner["team_id"] is not None:
        people += cohorts_service.team_member_ids(session, team_id=owner["team_id"])
    publish(
        session,
        ProjectStarted(
            project_id=project.id,
            cohort_id=cohort.id,
            organisation_id=cohort.organisation_id,
            title=project.title,
            user_ids=tuple(dict.fromkeys(people)),
        ),
    )
    return project


def update_project(session: Session, *, access: ProjectAccess, data: ProjectUpdate) -> Project:
    project = editable(access)
    changes = data.model_dump(exclude_none=True)
    for key, value in changes.items():
        setattr(project, key, value)
    if "aim" in changes or "title" in changes:
        # The diagram's root box shows the aim (or the title until there is one).
        aim_node = session.scalar(
            select(DriverNode).where(DriverNode.project_id == project.id, DriverNode.kind == "aim")
        )
        if aim_node is not None:
            aim_node.text = (project.aim or project.title)[:500]
    touch(project)
    session.flush()
    return project


# --- team -------------------------------------------------------------------------------------


def members(session: Session, *, project_id: int) -> list[MemberPublic]:
    return [
        MemberPublic.model_validate(m)
        for m in session.scalars(
            select(ProjectMember)
            .where(ProjectMember.project_id == project_id)
            .order_by(ProjectMember.position, ProjectMember.id)
        )
    ]


def team_member_names(session: Session, *, project: Project) -> list[str]:
    """The enrolled learners of a team project, by name (empty for an individual project)."""
    if project.team_id is None:
        return []
    return [
        m.full_name
        for m in cohorts_service.members(session, cohort_id=project.cohort_id)
        if m.team_id == project.team_id
    ]


def add_member(session: Session, *, access: ProjectAccess, data: MemberCreate) -> ProjectMember:
    project = editable(access)
    count = session.scalar(select(func.count()).where(ProjectMember.project_id == project.id)) or 0
    if count >= MAX_MEMBERS:
        raise InvalidInput(f"A project can list up to {MAX_MEMBERS} people.", field="name")
    member = ProjectMember(project_id=project.id, name=data.name, role=data.role, position=count)
    session.add(member)
    touch(project)
    session.flush()
    return member


def delete_member(session: Session, *, access: ProjectAccess, member_id: int) -> None:
    project = editable(access)
    gone = session.execute(
        delete(ProjectMember).where(
            ProjectMember.id == member_id, ProjectMember.project_id == project.id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("team member")
    touch(project)
    session.flush()


# --- the whole project ------------------------------------------------------------------------


def detail(session: Session, *, access: ProjectAccess) -> ProjectDetail:
    """Everything in the workspace, for the export, the API and the submission snapshot."""
    return _detail(
        session, access.project, _public(session, access.project, cohort_name=access.cohort.name)
    )


def library_detail(session: Session, *, project_id: int) -> ProjectDetail | None:
    """The whole project for the portfolio's library, which decides who may read it (a project
    is published there only with its team's consent)."""
    p = session.get(Project, project_id)
    if p is None:
        return None
    cohort = cohorts_service.get_cohort(session, cohort_id=p.cohort_id)
    return _detail(session, p, _public(session, p, cohort_name=cohort.name))


def project_status(session: Session, *, project_id: int) -> str | None:
    """The project's sign-off status ("signed_off" once a trainer has signed it off)."""
    return session.scalar(select(Project.status).where(Project.id == project_id))


def _detail(session: Session, p: Project, public: ProjectPublic) -> ProjectDetail:
    return ProjectDetail(
        **public.model_dump(),
        members=members(session, project_id=p.id),
        team_members=team_member_names(session, project=p),
        drivers=nodes(session, project_id=p.id),
        measures=measures(session, project_id=p.id),
        pdsa_cycles=cycles(session, project_id=p.id),
    )
