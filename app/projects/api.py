"""The projects JSON API (/api/v1/projects...): the same services as the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.accounts.dependencies import CurrentUser
from app.cohorts.dependencies import CohortForTrainer
from app.core.deps import SessionDep
from app.core.errors import InvalidInput
from app.projects import aim as aim_helper
from app.projects import chart_data, dataio, service
from app.projects.dependencies import ProjectForMember, ProjectForReader, ProjectForTrainer
from app.projects.schemas import (
    AimCheckPublic,
    AimCheckRequest,
    AimCheckResult,
    ChartPublic,
    ChartType,
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
    PointsIn,
    ProjectDetail,
    ProjectList,
    ProjectPublic,
    ProjectStart,
    ProjectUpdate,
    RebaseCreate,
    RebasePublic,
    ReviewCreate,
    SubmissionPublic,
    WithdrawalPublic,
)
from app.projects.service import ProjectAccess

api = APIRouter(prefix="/api/v1", tags=["projects"])


def _measure(session: SessionDep, access: ProjectAccess, measure_id: int) -> MeasureData:
    return service.measure_data(session, project_id=access.project.id, measure_id=measure_id)


@api.get("/projects")
def list_projects(user: CurrentUser, session: SessionDep) -> ProjectList:
    """Your projects: your own in individual cohorts, your team's in team cohorts."""
    rows = [r.project for r in service.my_projects(session, user=user) if r.project]
    return ProjectList(data=rows, count=len(rows))


@api.post("/projects", status_code=201)
def start_project(data: ProjectStart, user: CurrentUser, session: SessionDep) -> ProjectPublic:
    """Start your project (or your team's) in one of your cohorts."""
    project = service.start_project(session, user=user, data=data)
    access = service.access(session, project_id=project.id, user=user)
    return service.project_public(session, access=access)


@api.post("/projects/aim-check")
def check_aim(data: AimCheckRequest, user: CurrentUser) -> AimCheckResult:  # noqa: ARG001
    """Does an aim say how much, by when and for whom? Hints, never a refusal."""
    checks = [AimCheckPublic(**vars(c)) for c in aim_helper.check_aim(data.aim)]
    return AimCheckResult(checks=checks, hints=aim_helper.aim_hints(data.aim))


@api.get("/projects/{project_id}")
def read_project(access: ProjectForReader, session: SessionDep) -> ProjectDetail:
    """The whole workspace: narrative, team, driver diagram, measures with data, PDSA cycles."""
    return service.detail(session, access=access)


@api.patch("/projects/{project_id}")
def update_project(
    data: ProjectUpdate, access: ProjectForMember, session: SessionDep
) -> ProjectPublic:
    """Change the title or the write-up's words; fields left out are kept."""
    service.update_project(session, access=access, data=data)
    return service.project_public(session, access=access)


@api.post("/projects/{project_id}/members", status_code=201)
def add_member(data: MemberCreate, access: ProjectForMember, session: SessionDep) -> MemberPublic:
    """Add a person to the project team."""
    return MemberPublic.model_validate(service.add_member(session, access=access, data=data))


@api.delete("/projects/{project_id}/members/{member_id}", status_code=204, response_class=Response)
def delete_member(access: ProjectForMember, member_id: int, session: SessionDep) -> None:
    """Take a person off the project team."""
    service.delete_member(session, access=access, member_id=member_id)


@api.get("/projects/{project_id}/drivers")
def list_drivers(access: ProjectForReader, session: SessionDep) -> list[NodePublic]:
    """The driver diagram's boxes (parent_id links each to the box it hangs from)."""
    return service.nodes(session, project_id=access.project.id)


@api.post("/projects/{project_id}/drivers", status_code=201)
def add_driver(data: NodeCreate, access: ProjectForMember, session: SessionDep) -> NodePublic:
    """Add a box under parent_id: aim -> primary -> secondary -> change idea."""
    return NodePublic.model_validate(service.add_node(session, access=access, data=data))


@api.patch("/projects/{project_id}/drivers/{node_id}")
def update_driver(
    data: NodeUpdate, access: ProjectForMember, node_id: int, session: SessionDep
) -> NodePublic:
    """Change the words in a box."""
    node = service.update_node(session, access=access, node_id=node_id, data=data)
    return NodePublic.model_validate(node)


@api.delete("/projects/{project_id}/drivers/{node_id}", status_code=204, response_class=Response)
def delete_driver(access: ProjectForMember, node_id: int, session: SessionDep) -> None:
    """Delete a box and everything under it (refused if PDSA cycles test a change idea in it)."""
    service.delete_node(session, access=access, node_id=node_id)


@api.get("/projects/{project_id}/measures")
def list_measures(access: ProjectForReader, session: SessionDep) -> list[MeasureData]:
    """Every measure with its data."""
    return service.measures(session, project_id=access.project.id)


@api.post("/projects/{project_id}/measures", status_code=201)
def add_measure(data: MeasureIn, access: ProjectForMember, session: SessionDep) -> MeasureData:
    """Define a measure: kind, operational definition, unit, direction, target, chart rules."""
    measure = service.create_measure(session, access=access, data=data)
    return _measure(session, access, measure.id)


@api.get("/projects/{project_id}/measures/{measure_id}")
def read_measure(access: ProjectForReader, measure_id: int, session: SessionDep) -> MeasureData:
    """One measure with its data and rebase dates."""
    return _measure(session, access, measure_id)


@api.put("/projects/{project_id}/measures/{measure_id}")
def update_measure(
    data: MeasureIn, access: ProjectForMember, measure_id: int, session: SessionDep
) -> MeasureData:
    """Replace a measure's definition and chart settings."""
    service.update_measure(session, access=access, measure_id=measure_id, data=data)
    return _measure(session, access, measure_id)


@api.delete(
    "/projects/{project_id}/measures/{measure_id}", status_code=204, response_class=Response
)
def delete_measure(access: ProjectForMember, measure_id: int, session: SessionDep) -> None:
    """Delete a measure and its data."""
    service.delete_measure(session, access=access, measure_id=measure_id)


@api.post("/projects/{project_id}/measures/{measure_id}/data")
def add_data(
    data: PointsIn, access: ProjectForMember, measure_id: int, session: SessionDep
) -> ImportResult:
    """Add dated values (with denominators for a proportion or rate); a date already stored is
    replaced. All or nothing."""
    points = [(p.period, p.value, p.denominator) for p in data.points]
    return service.save_points(session, access=access, measure_id=measure_id, points=points)


@api.post(
    "/projects/{project_id}/measures/{measure_id}/data.csv",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_data(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> ImportResult:
    """Send "date,value" lines as text/csv (dates YYYY-MM-DD or DD/MM/YYYY). All or nothing."""
    if not request.headers.get("content-type", "").startswith(("text/csv", "text/plain")):
        raise InvalidInput("Send the data as text/csv: one 'date,value' line per period.")
    text = dataio.decode_upload(await request.body())
    return service.import_csv(session, access=access, measure_id=measure_id, text=text)


@api.delete(
    "/projects/{project_id}/measures/{measure_id}/data/{period}",
    status_code=204,
    response_class=Response,
)
def delete_data(
    access: ProjectForMember, measure_id: int, period: date, session: SessionDep
) -> None:
    """Delete the value of one period."""
    service.delete_point(session, access=access, measure_id=measure_id, period=period)


@api.post("/projects/{project_id}/measures/{measure_id}/rebases", status_code=201)
def add_rebase(
    data: RebaseCreate, access: ProjectForMember, measure_id: int, session: SessionDep
) -> RebasePublic:
    """Recalculate the XmR limits from this date, after a real change to the process."""
    rebase = service.add_rebase(session, access=access, measure_id=measure_id, data=data)
    return RebasePublic.model_validate(rebase)


@api.delete(
    "/projects/{project_id}/measures/{measure_id}/rebases/{rebase_id}",
    status_code=204,
    response_class=Response,
)
def delete_rebase(
    access: ProjectForMember, measure_id: int, rebase_id: int, session: SessionDep
) -> None:
    """Stop recalculating the limits from that date."""
    service.delete_rebase(session, access=access, measure_id=measure_id, rebase_id=rebase_id)


@api.get("/projects/{project_id}/measures/{measure_id}/chart")
def read_chart(
    access: ProjectForReader,
    measure_id: int,
    session: SessionDep,
    chart_type: Annotated[ChartType | None, Query(alias="type")] = None,
) -> ChartPublic:
    """The measure's chart (or the type asked for) in words: centre, limits, signals, notes per
    point, PDSA marks."""
    view = chart_data.measure_chart(
        session, project_id=access.project.id, measure_id=measure_id, chart_type=chart_type
    )
    return chart_data.chart_public(view)


@api.get("/projects/{project_id}/pdsa")
def list_cycles(access: ProjectForReader, session: SessionDep) -> list[PdsaPublic]:
    """The PDSA cycles, by start date."""
    return service.cycles(session, project_id=access.project.id)


@api.post("/projects/{project_id}/pdsa", status_code=201)
def add_cycle(data: PdsaIn, access: ProjectForMember, session: SessionDep) -> PdsaPublic:
    """Record a PDSA cycle, linked to a change idea of the driver diagram."""
    row = service.create_cycle(session, access=access, data=data)
    return service.cycle(session, project_id=access.project.id, cycle_id=row.id)


@api.put("/projects/{project_id}/pdsa/{cycle_id}")
def update_cycle(
    data: PdsaIn, access: ProjectForMember, cycle_id: int, session: SessionDep
) -> PdsaPublic:
    """Replace a PDSA cycle's record."""
    service.update_cycle(session, access=access, cycle_id=cycle_id, data=data)
    return service.cycle(session, project_id=access.project.id, cycle_id=cycle_id)


@api.delete("/projects/{project_id}/pdsa/{cycle_id}", status_code=204, response_class=Response)
def delete_cycle(access: ProjectForMember, cycle_id: int, session: SessionDep) -> None:
    """Delete a PDSA cycle."""
    service.delete_cycle(session, access=access, cycle_id=cycle_id)


@api.get("/projects/{project_id}/submissions")
def list_submissions(access: ProjectForReader, session: SessionDep) -> list[SubmissionPublic]:
    """Every submission and decision, newest first."""
    return service.history(session, project_id=access.project.id)


@api.post("/projects/{project_id}/submissions", status_code=201)
def submit(access: ProjectForMember, session: SessionDep) -> SubmissionPublic:
    """Submit the project for sign-off (it cannot be changed until the trainer decides)."""
    service.submit(session, access=access)
    return service.history(session, project_id=access.project.id)[0]


@api.post("/projects/{project_id}/submissions/withdraw")
def withdraw(access: ProjectForMember, session: SessionDep) -> WithdrawalPublic:
    """Withdraw the submission waiting for the trainer's decision (409 if none is waiting).
    The project can be changed again; the submission stays in the history as withdrawn."""
    submission = service.withdraw(session, access=access)
    return WithdrawalPublic(
        project=service.project_public(session, access=access),
        submission=next(
            s
            for s in service.history(session, project_id=access.project.id)
            if s.id == submission.id
        ),
    )


@api.post("/projects/{project_id}/reviews")
def review(data: ReviewCreate, access: ProjectForTrainer, session: SessionDep) -> SubmissionPublic:
    """A trainer's decision: rubric levels, a comment, approve (every criterion at least met)
    or ask for changes. Sign-off issues Silver to learners who have completed it."""
    service.review(session, access=access, data=data)
    return service.history(session, project_id=access.project.id)[0]


@api.get("/projects/{project_id}/comments")
def list_comments(access: ProjectForReader, session: SessionDep) -> list[CommentPublic]:
    """Comments from the team and the cohort's trainers, oldest first."""
    return service.comments(session, project_id=access.project.id)


@api.post("/projects/{project_id}/comments", status_code=201)
def add_comment(
    data: CommentCreate, access: ProjectForReader, session: SessionDep
) -> CommentPublic:
    """Add a comment (team members and the cohort's trainers)."""
    comment = service.add_comment(session, access=access, data=data)
    return next(
        c for c in service.comments(session, project_id=access.project.id) if c.id == comment.id
    )


@api.get("/cohorts/{cohort_id}/projects")
def cohort_projects(cohort: CohortForTrainer, session: SessionDep) -> list[CohortProjectRow]:
    """For the cohort's trainers: each learner (or team) and their project's state."""
    return service.cohort_projects(session, cohort=cohort.cohort)
