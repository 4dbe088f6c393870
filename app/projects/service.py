"""Projects: who may open one, the workspace (aim, team, drivers, measures, data, PDSA cycles),
submission and sign-off, and each learner's project state for the cohorts domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit_service
from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict, InvalidInput
from app.core.events import publish
from app.projects import dataio
from app.projects.constants import (
    CHILD_KIND,
    LEVEL_SCORES,
    NODE_NAMES,
    NOT_STARTED,
    RUBRIC,
    STATUS_LABELS,
)
from app.projects.events import ProjectSignedOff
from app.projects.exceptions import (
    CannotSubmit,
    ItemNotFound,
    NoTeamYet,
    NothingToReview,
    NothingToWithdraw,
    NotInCohort,
    ProjectExists,
    ProjectLocked,
    ProjectNotFound,
    ReviewersOnly,
    TrainersReadOnly,
)
from app.projects.models import (
    DataPoint,
    DriverNode,
    Measure,
    MeasureRebase,
    PdsaCycle,
    Project,
    ProjectComment,
    ProjectMember,
    Submission,
)
from app.projects.schemas import (
    CohortProjectRow,
    CommentCreate,
    CommentPublic,
    ImportResult,
    MeasureData,
    MeasureIn,
    MemberCreate,
    MemberPublic,
    NodeCreate,
    NodePublic,
    NodeUpdate,
    PdsaIn,
    PdsaPublic,
    PointPublic,
    ProjectDetail,
    ProjectPublic,
    ProjectStart,
    ProjectSummary,
    ProjectUpdate,
    RebaseCreate,
    RebasePublic,
    ReviewCreate,
    SubmissionPublic,
    TreeNode,
)

EDITABLE = ("draft", "changes_requested")
MAX_MEMBERS = 30
MAX_NODES = 200
MAX_MEASURES = 30
MAX_CYCLES = 100
MAX_COMMENTS = 500


# --- who may open a project -------------------------------------------------------------------


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


def _editable(access: ProjectAccess) -> Project:
    require_member(access)
    if access.project.status not in EDITABLE:
        raise ProjectLocked(access.project.status)
    return access.project


def _touch(project: Project) -> None:
    project.updated_at = utcnow()


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
    p = access.project
    return ProjectPublic(
        **_summary(p, cohort_name=access.cohort.name, owner=_owner(session, p)).model_dump(),
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
    return project


def update_project(session: Session, *, access: ProjectAccess, data: ProjectUpdate) -> Project:
    project = _editable(access)
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
    _touch(project)
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
    project = _editable(access)
    count = session.scalar(select(func.count()).where(ProjectMember.project_id == project.id)) or 0
    if count >= MAX_MEMBERS:
        raise InvalidInput(f"A project can list up to {MAX_MEMBERS} people.", field="name")
    member = ProjectMember(project_id=project.id, name=data.name, role=data.role, position=count)
    session.add(member)
    _touch(project)
    session.flush()
    return member


def delete_member(session: Session, *, access: ProjectAccess, member_id: int) -> None:
    project = _editable(access)
    gone = session.execute(
        delete(ProjectMember).where(
            ProjectMember.id == member_id, ProjectMember.project_id == project.id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("team member")
    _touch(project)
    session.flush()


# --- driver diagram ---------------------------------------------------------------------------


def nodes(session: Session, *, project_id: int) -> list[NodePublic]:
    return [
        NodePublic.model_validate(n)
        for n in session.scalars(
            select(DriverNode)
            .where(DriverNode.project_id == project_id)
            .order_by(DriverNode.position, DriverNode.id)
        )
    ]


def tree(all_nodes: Sequence[NodePublic]) -> TreeNode | None:
    """The diagram as nested boxes from the aim down, siblings in their saved order."""
    children: dict[int | None, list[NodePublic]] = {}
    for n in all_nodes:
        children.setdefault(n.parent_id, []).append(n)

    def grow(node: NodePublic) -> TreeNode:
        return TreeNode(
            id=node.id,
            kind=node.kind,
            text=node.text,
            children=[grow(c) for c in children.get(node.id, [])],
        )

    roots = children.get(None, [])
    return grow(roots[0]) if roots else None


def _node(session: Session, *, project_id: int, node_id: int) -> DriverNode:
    node = session.scalar(
        select(DriverNode).where(DriverNode.id == node_id, DriverNode.project_id == project_id)
    )
    if node is None:
        raise ItemNotFound("box in its driver diagram")
    return node


def add_node(session: Session, *, access: ProjectAccess, data: NodeCreate) -> DriverNode:
    project = _editable(access)
    parent = session.scalar(
        select(DriverNode).where(
            DriverNode.id == data.parent_id, DriverNode.project_id == project.id
        )
    )
    if parent is None:
        raise InvalidInput("Choose where the new box goes, from this diagram.", field="parent_id")
    kind = CHILD_KIND.get(parent.kind)
    if kind is None:
        raise InvalidInput(
            "Change ideas are the last level of a driver diagram: add the box to a secondary "
            "driver instead.",
            field="parent_id",
        )
    count, last = session.execute(
        select(func.count(), func.max(DriverNode.position)).where(
            DriverNode.project_id == project.id
        )
    ).one()
    if count >= MAX_NODES:
        raise InvalidInput(f"A driver diagram can have up to {MAX_NODES} boxes.", field="text")
    node = DriverNode(
        project_id=project.id,
        parent_id=parent.id,
        kind=kind,
        text=data.text,
        position=(last or 0) + 1,
    )
    session.add(node)
    _touch(project)
    session.flush()
    return node


def update_node(
    session: Session, *, access: ProjectAccess, node_id: int, data: NodeUpdate
) -> DriverNode:
    project = _editable(access)
    node = _node(session, project_id=project.id, node_id=node_id)
    node.text = data.text
    _touch(project)
    session.flush()
    return node


def delete_node(session: Session, *, access: ProjectAccess, node_id: int) -> None:
    """Delete a box and everything under it, unless PDSA cycles test one of its change ideas."""
    project = _editable(access)
    node = _node(session, project_id=project.id, node_id=node_id)
    if node.kind == "aim":
        raise InvalidInput(
            "The aim is the root of the diagram and cannot be deleted; change its words instead."
        )
    below = _subtree(nodes(session, project_id=project.id), node.id)
    linked = list(
        session.scalars(select(PdsaCycle.title).where(PdsaCycle.change_idea_id.in_(below)))
    )
    if linked:
        titles = ", ".join(f"'{t}'" for t in linked[:5])
        raise Conflict(
            f"This {NODE_NAMES[node.kind].lower()} cannot be deleted: PDSA cycles test a change "
            f"idea in it ({titles}). Link those cycles to another change idea, or delete them, "
            "first."
        )
    session.delete(node)
    _touch(project)
    session.flush()


def _subtree(all_nodes: Sequence[NodePublic], root: int) -> list[int]:
    ids = [root]
    frontier = [root]
    while frontier:
        frontier = [n.id for n in all_nodes if n.parent_id in frontier]
        ids.extend(frontier)
    return ids


# --- measures and data ------------------------------------------------------------------------


def measures(session: Session, *, project_id: int) -> list[MeasureData]:
    """Every measure with its data and rebase dates: three queries however many measures."""
    rows = list(
        session.scalars(
            select(Measure)
            .where(Measure.project_id == project_id)
            .order_by(Measure.position, Measure.id)
        )
    )
    ids = [m.id for m in rows]
    data: dict[int, list[PointPublic]] = {}
    for p in session.scalars(
        select(DataPoint).where(DataPoint.measure_id.in_(ids)).order_by(DataPoint.period)
    ):
        data.setdefault(p.measure_id, []).append(PointPublic(period=p.period, value=p.value))
    rebases: dict[int, list[RebasePublic]] = {}
    for r in session.scalars(
        select(MeasureRebase)
        .where(MeasureRebase.measure_id.in_(ids))
        .order_by(MeasureRebase.starts_on)
    ):
        rebases.setdefault(r.measure_id, []).append(RebasePublic.model_validate(r))
    return [
        MeasureData(
            id=m.id,
            kind=m.kind,  # type: ignore[arg-type]
            name=m.name,
            definition=m.definition,
            unit=m.unit,
            direction=m.direction,  # type: ignore[arg-type]
            target=m.target,
            method=m.method,  # type: ignore[arg-type]
            baseline_points=m.baseline_points,
            is_main=m.is_main,
            points=len(data.get(m.id, [])),
            rebases=rebases.get(m.id, []),
            data=data.get(m.id, []),
        )
        for m in rows
    ]


def measure_data(session: Session, *, project_id: int, measure_id: int) -> MeasureData:
    found = [m for m in measures(session, project_id=project_id) if m.id == measure_id]
    if not found:
        raise ItemNotFound("measure")
    return found[0]


def _measure(session: Session, *, project_id: int, measure_id: int) -> Measure:
    measure = session.scalar(
        select(Measure).where(Measure.id == measure_id, Measure.project_id == project_id)
    )
    if measure is None:
        raise ItemNotFound("measure")
    return measure


def _name_taken(session: Session, *, project_id: int, name: str, other_than: int | None) -> bool:
    query = select(Measure.id).where(
        Measure.project_id == project_id, func.lower(Measure.name) == name.lower()
    )
    if other_than is not None:
        query = query.where(Measure.id != other_than)
    return session.scalar(query) is not None


def _set_measure(session: Session, measure: Measure, data: MeasureIn, project: Project) -> None:
    if _name_taken(session, project_id=project.id, name=data.name, other_than=measure.id):
        raise Conflict(
            f"This project already has a measure called '{data.name}'. Give this one another name.",
            field="name",
        )
    if data.is_main:
        # One main outcome measure: choosing this one clears the previous choice.
        session.execute(
            update(Measure)
            .where(Measure.project_id == project.id, Measure.is_main.is_(True))
            .values(is_main=False)
        )
    for key, value in data.model_dump().items():
        setattr(measure, key, value)


def create_measure(session: Session, *, access: ProjectAccess, data: MeasureIn) -> Measure:
    project = _editable(access)
    count = session.scalar(select(func.count()).where(Measure.project_id == project.id)) or 0
    if count >= MAX_MEASURES:
        raise InvalidInput(f"A project can have up to {MAX_MEASURES} measures.", field="name")
    measure = Measure(project_id=project.id, position=count, created_at=utcnow())
    _set_measure(session, measure, data, project)
    session.add(measure)
    _touch(project)
    session.flush()
    return measure


def update_measure(
    session: Session, *, access: ProjectAccess, measure_id: int, data: MeasureIn
) -> Measure:
    project = _editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    _set_measure(session, measure, data, project)
    _touch(project)
    session.flush()
    return measure


def delete_measure(session: Session, *, access: ProjectAccess, measure_id: int) -> None:
    project = _editable(access)
    session.delete(_measure(session, project_id=project.id, measure_id=measure_id))
    _touch(project)
    session.flush()


def save_points(
    session: Session,
    *,
    access: ProjectAccess,
    measure_id: int,
    points: Sequence[tuple[date, float]],
) -> ImportResult:
    """Add each (date, value), replacing the value already stored for a date: all or nothing."""
    project = _editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    seen: set[date] = set()
    for when, _value in points:
        if when in seen:
            raise dataio.DataRejected([f"{when.isoformat()} is given twice; give each date once."])
        seen.add(when)
    existing = {
        p.period: p
        for p in session.scalars(select(DataPoint).where(DataPoint.measure_id == measure.id))
    }
    added = sum(1 for when, _ in points if when not in existing)
    if len(existing) + added > dataio.MAX_POINTS:
        raise dataio.DataRejected(
            [
                f"A measure can hold up to {dataio.MAX_POINTS} values; this would make "
                f"{len(existing) + added}."
            ]
        )
    for when, value in points:
        row = existing.get(when)
        if row is None:
            session.add(DataPoint(measure_id=measure.id, period=when, value=value))
        else:
            row.value = value
    _touch(project)
    session.flush()
    return ImportResult(added=added, updated=len(points) - added)


def import_csv(
    session: Session, *, access: ProjectAccess, measure_id: int, text: str
) -> ImportResult:
    """Pasted or uploaded "date,value" lines; DataRejected lists every bad line, saving nothing."""
    _editable(access)
    return save_points(
        session, access=access, measure_id=measure_id, points=dataio.parse_points(text)
    )


def delete_point(session: Session, *, access: ProjectAccess, measure_id: int, period: date) -> None:
    project = _editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    gone = session.execute(
        delete(DataPoint).where(DataPoint.measure_id == measure.id, DataPoint.period == period)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("value")
    _touch(project)
    session.flush()


def add_rebase(
    session: Session, *, access: ProjectAccess, measure_id: int, data: RebaseCreate
) -> MeasureRebase:
    project = _editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    taken = session.scalar(
        select(MeasureRebase.id).where(
            MeasureRebase.measure_id == measure.id, MeasureRebase.starts_on == data.starts_on
        )
    )
    if taken is not None:
        raise Conflict(
            "The limits are already recalculated from this date. Choose another date.",
            field="starts_on",
        )
    rebase = MeasureRebase(measure_id=measure.id, starts_on=data.starts_on, reason=data.reason)
    session.add(rebase)
    _touch(project)
    session.flush()
    return rebase


def delete_rebase(
    session: Session, *, access: ProjectAccess, measure_id: int, rebase_id: int
) -> None:
    project = _editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    gone = session.execute(
        delete(MeasureRebase).where(
            MeasureRebase.id == rebase_id, MeasureRebase.measure_id == measure.id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("recalculation of limits")
    _touch(project)
    session.flush()


# --- PDSA cycles ------------------------------------------------------------------------------


def cycles(session: Session, *, project_id: int) -> list[PdsaPublic]:
    """The project's PDSA cycles by start date, each with its change idea's words: one query."""
    rows = session.execute(
        select(PdsaCycle, DriverNode.text)
        .outerjoin(
            DriverNode,
            (DriverNode.id == PdsaCycle.change_idea_id)
            & (DriverNode.project_id == PdsaCycle.project_id),
        )
        .where(PdsaCycle.project_id == project_id)
        .order_by(PdsaCycle.starts_on, PdsaCycle.id)
    )
    return [_cycle_public(c, idea) for c, idea in rows]


def _cycle_public(cycle: PdsaCycle, idea: str | None) -> PdsaPublic:
    return PdsaPublic(
        id=cycle.id,
        title=cycle.title,
        change_idea_id=cycle.change_idea_id,
        change_idea=idea,
        plan=cycle.plan,
        prediction=cycle.prediction,
        do=cycle.do,
        study=cycle.study,
        act=cycle.act,
        decision=cycle.decision,  # type: ignore[arg-type]
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
    )


def cycle(session: Session, *, project_id: int, cycle_id: int) -> PdsaPublic:
    found = [c for c in cycles(session, project_id=project_id) if c.id == cycle_id]
    if not found:
        raise ItemNotFound("PDSA cycle")
    return found[0]


def _check_idea(session: Session, *, project_id: int, idea_id: int | None) -> None:
    if idea_id is None:
        return
    kind = session.scalar(
        select(DriverNode.kind).where(DriverNode.id == idea_id, DriverNode.project_id == project_id)
    )
    if kind != "change_idea":
        raise InvalidInput(
            "Choose a change idea from this project's driver diagram.", field="change_idea_id"
        )


def create_cycle(session: Session, *, access: ProjectAccess, data: PdsaIn) -> PdsaCycle:
    project = _editable(access)
    count = session.scalar(select(func.count()).where(PdsaCycle.project_id == project.id)) or 0
    if count >= MAX_CYCLES:
        raise InvalidInput(f"A project can record up to {MAX_CYCLES} PDSA cycles.", field="title")
    _check_idea(session, project_id=project.id, idea_id=data.change_idea_id)
    row = PdsaCycle(project_id=project.id, created_at=utcnow(), **data.model_dump())
    session.add(row)
    _touch(project)
    session.flush()
    return row


def _cycle_row(session: Session, *, project_id: int, cycle_id: int) -> PdsaCycle:
    row = session.scalar(
        select(PdsaCycle).where(PdsaCycle.id == cycle_id, PdsaCycle.project_id == project_id)
    )
    if row is None:
        raise ItemNotFound("PDSA cycle")
    return row


def update_cycle(
    session: Session, *, access: ProjectAccess, cycle_id: int, data: PdsaIn
) -> PdsaCycle:
    project = _editable(access)
    row = _cycle_row(session, project_id=project.id, cycle_id=cycle_id)
    _check_idea(session, project_id=project.id, idea_id=data.change_idea_id)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    _touch(project)
    session.flush()
    return row


def delete_cycle(session: Session, *, access: ProjectAccess, cycle_id: int) -> None:
    project = _editable(access)
    session.delete(_cycle_row(session, project_id=project.id, cycle_id=cycle_id))
    _touch(project)
    session.flush()


# --- the whole project ------------------------------------------------------------------------


def detail(session: Session, *, access: ProjectAccess) -> ProjectDetail:
    """Everything in the workspace, for the export, the API and the submission snapshot."""
    p = access.project
    return ProjectDetail(
        **project_public(session, access=access).model_dump(),
        members=members(session, project_id=p.id),
        team_members=team_member_names(session, project=p),
        drivers=nodes(session, project_id=p.id),
        measures=measures(session, project_id=p.id),
        pdsa_cycles=cycles(session, project_id=p.id),
    )


@dataclass(frozen=True)
class ReadinessItem:
    label: str
    done: bool
    hint: str


def readiness(detail: ProjectDetail) -> list[ReadinessItem]:
    """What the rubric will look for, as a checklist before submitting (advice, not a gate)."""
    measured = [m for m in detail.measures if m.points >= 2]
    decided = [c for c in detail.pdsa_cycles if c.prediction and c.study and c.decision]
    return [
        ReadinessItem(
            "Aim", bool(detail.aim), "Write a specific aim: how much, by when and for whom."
        ),
        ReadinessItem(
            "Driver diagram",
            any(n.kind == "change_idea" for n in detail.drivers),
            "Add drivers and at least one change idea.",
        ),
        ReadinessItem(
            "Measurement",
            bool(measured),
            "Define at least one measure and add its data over time.",
        ),
        ReadinessItem(
            "Testing of changes",
            len(decided) >= 2,
            "Record at least two PDSA cycles, each with a prediction, what happened and a "
            "decision to adopt, adapt or abandon.",
        ),
        ReadinessItem(
            "Learning and reflection",
            bool(detail.reflection),
            "Reflect on what you learnt, including what did not work.",
        ),
        ReadinessItem(
            "Sustainability",
            bool(detail.sustainability),
            "Say who owns the change, how it is built into routine work and how it will "
            "still be measured.",
        ),
    ]


# --- submission and sign-off ------------------------------------------------------------------


def submit(session: Session, *, access: ProjectAccess) -> Submission:
    """Send the project for sign-off, keeping a snapshot of what was submitted."""
    project = _editable(access)
    if not project.aim.strip():
        raise CannotSubmit(
            "Write your aim on the Overview page before you submit: the trainer assesses "
            "the project against it."
        )
    snapshot = detail(session, access=access).model_dump(mode="json")
    submission = Submission(
        project_id=project.id,
        status="submitted",
        submitted_at=utcnow(),
        submitted_by_id=access.user.id,
        snapshot=snapshot,
    )
    session.add(submission)
    project.status = "submitted"
    _touch(project)
    session.flush()
    return submission


def _pending(session: Session, *, project_id: int) -> Submission | None:
    """The submission waiting for a decision, locked: a decision and a withdrawal at the same
    moment take turns, and the second finds nothing waiting."""
    return session.scalar(
        select(Submission)
        .where(Submission.project_id == project_id, Submission.status == "submitted")
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def review(session: Session, *, access: ProjectAccess, data: ReviewCreate) -> Submission:
    """Record a trainer's rubric scores and decision; a sign-off publishes ProjectSignedOff."""
    require_trainer(access)
    project = access.project
    submission = _pending(session, project_id=project.id)
    if submission is None or project.status != "submitted":
        raise NothingToReview()
    now = utcnow()
    approved = data.decision == "approve"
    for criterion in RUBRIC:
        setattr(submission, f"{criterion}_score", getattr(data, criterion))
    submission.comment = data.comment or None
    submission.decided_at = now
    submission.decided_by_id = access.user.id
    submission.status = "signed_off" if approved else "changes_requested"
    project.status = submission.status
    project.signed_off_at = now if approved else None
    _touch(project)
    session.flush()
    audit_service.record(
        session,
        actor_id=access.user.id,
        action="project.signed_off" if approved else "project.changes_requested",
        target_type="project",
        target_id=project.id,
        detail={
            "cohort_id": project.cohort_id,
            "submission_id": submission.id,
            "scores": {c: getattr(data, c) for c in RUBRIC},
            "total": data.total,
        },
    )
    if approved:
        publish(
            session,
            ProjectSignedOff(
                project_id=project.id,
                cohort_id=project.cohort_id,
                user_ids=tuple(learner_ids(session, project=project)),
                actor_id=access.user.id,
            ),
        )
    return submission


def withdraw(session: Session, *, access: ProjectAccess) -> Submission:
    """Take back the submission waiting for the trainer, so the team can change the project.

    Any member of the project (the learner, or anyone in the team) may withdraw; trainers may not.
    The submission stays in the history as "withdrawn", with decided_at and decided_by_id saying
    when and by whom it stopped waiting (which keeps the rule that a submission waits exactly
    while decided_at is empty) and no scores or comment.

    The project goes back to where it stood before it was submitted. If the trainer's last
    decision asked for changes, that request still stands (their comments are what the team is
    working on), so the project is "changes requested" again; calling it a draft would hide the
    request from the team and from the cohort's dashboard. Otherwise it is a "draft".

    The pending row is locked as review() locks it, so a withdrawal and a decision at the same
    moment cannot both win: whichever comes second finds nothing waiting (NothingToWithdraw, or
    NothingToReview for the trainer).
    """
    require_member(access)
    project = access.project
    submission = _pending(session, project_id=project.id)
    if submission is None:
        raise NothingToWithdraw()
    last_decision = session.scalar(
        select(Submission.status)
        .where(
            Submission.project_id == project.id,
            Submission.status.in_(("changes_requested", "signed_off")),
        )
        .order_by(Submission.decided_at.desc(), Submission.id.desc())
        .limit(1)
    )
    submission.status = "withdrawn"
    submission.decided_at = utcnow()
    submission.decided_by_id = access.user.id
    project.status = "changes_requested" if last_decision == "changes_requested" else "draft"
    _touch(project)
    session.flush()
    audit_service.record(
        session,
        actor_id=access.user.id,
        action="project.withdrawn",
        target_type="project",
        target_id=project.id,
        detail={
            "cohort_id": project.cohort_id,
            "submission_id": submission.id,
            "status": project.status,
        },
    )
    return submission


def learner_ids(session: Session, *, project: Project) -> list[int]:
    """Whose project this is: the learner, or every active member of the team."""
    if project.user_id is not None:
        return [project.user_id]
    assert project.team_id is not None
    return cohorts_service.team_member_ids(session, team_id=project.team_id)


def history(session: Session, *, project_id: int) -> list[SubmissionPublic]:
    """Every submission and what became of it (a decision or a withdrawal), newest first."""
    rows = list(
        session.scalars(
            select(Submission)
            .where(Submission.project_id == project_id)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        )
    )
    people = accounts_service.users_by_id(
        session,
        user_ids={u for s in rows for u in (s.submitted_by_id, s.decided_by_id) if u is not None},
    )

    def name(user_id: int | None) -> str | None:
        return people[user_id].full_name if user_id in people else None

    out = []
    for s in rows:
        withdrawn = s.status == "withdrawn"
        # A withdrawal also fills decided_at (the end of waiting); only a trainer's is a decision.
        decided = s.decided_at if s.decided_at is not None and not withdrawn else None
        scores = {c: getattr(s, f"{c}_score") for c in RUBRIC} if decided else None
        out.append(
            SubmissionPublic(
                id=s.id,
                status=s.status,  # type: ignore[arg-type]
                submitted_at=as_utc(s.submitted_at),
                submitted_by=name(s.submitted_by_id),
                scores=scores,
                total=sum(LEVEL_SCORES[v] for v in scores.values()) if scores else None,
                comment=s.comment,
                decided_at=as_utc(decided) if decided else None,
                decided_by=name(s.decided_by_id) if decided else None,
                withdrawn_at=as_utc(s.decided_at) if withdrawn and s.decided_at else None,
                withdrawn_by=name(s.decided_by_id) if withdrawn else None,
            )
        )
    return out


def comments(session: Session, *, project_id: int) -> list[CommentPublic]:
    rows = list(
        session.scalars(
            select(ProjectComment)
            .where(ProjectComment.project_id == project_id)
            .order_by(ProjectComment.created_at, ProjectComment.id)
        )
    )
    people = accounts_service.users_by_id(
        session, user_ids={c.author_id for c in rows if c.author_id is not None}
    )
    return [
        CommentPublic(
            id=c.id,
            author=people[c.author_id].full_name if c.author_id in people else None,
            body=c.body,
            created_at=as_utc(c.created_at),
        )
        for c in rows
    ]


def add_comment(session: Session, *, access: ProjectAccess, data: CommentCreate) -> ProjectComment:
    """A note from a team member or a trainer, at any stage (signed off too): kept for good."""
    count = (
        session.scalar(select(func.count()).where(ProjectComment.project_id == access.project.id))
        or 0
    )
    if count >= MAX_COMMENTS:
        raise InvalidInput(f"A project can hold up to {MAX_COMMENTS} comments.", field="body")
    comment = ProjectComment(
        project_id=access.project.id, author_id=access.user.id, body=data.body, created_at=utcnow()
    )
    session.add(comment)
    session.flush()
    return comment


# --- for trainers and the cohorts domain ------------------------------------------------------


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
