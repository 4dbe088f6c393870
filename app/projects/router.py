"""Project pages for learners (/projects) and trainers (/trainer/cohorts/{id}/projects)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser
from app.cohorts.dependencies import CohortForTrainer
from app.core.config import get_settings
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError, NotFound
from app.core.forms import form_dict
from app.core.templating import render
from app.projects import aim as aim_helper
from app.projects import charts as project_charts
from app.projects import dataio, export, service, views
from app.projects.api import api
from app.projects.constants import (
    DECISION_NAMES,
    DIRECTION_NAMES,
    LEVEL_NAMES,
    LEVELS,
    MEASURE_KIND_NAMES,
    METHOD_NAMES,
    NODE_NAMES,
    RUBRIC,
    RUBRIC_MET,
    RUBRIC_NAMES,
)
from app.projects.dependencies import (
    CohortProjectForTrainer,
    ProjectForMember,
    ProjectForReader,
)
from app.projects.exceptions import ProjectExists
from app.projects.schemas import (
    ChartType,
    CommentCreate,
    MeasureIn,
    MemberCreate,
    NodeCreate,
    NodeUpdate,
    PdsaIn,
    ProjectStart,
    ProjectUpdate,
    RebaseCreate,
    ReviewCreate,
)
from app.projects.service import ProjectAccess

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NARRATIVE = ("title", "problem", "background", "setting", "aim", "reflection", "sustainability")
MEASURE_FIELDS = (
    "kind",
    "name",
    "definition",
    "unit",
    "direction",
    "target",
    "method",
    "baseline_points",
    "is_main",
)
PDSA_FIELDS = (
    "title",
    "change_idea_id",
    "starts_on",
    "ends_on",
    "plan",
    "prediction",
    "do",
    "study",
    "act",
    "decision",
)
LABELS = {
    "title": "a title",
    "name": "a name",
    "role": "their role",
    "text": "the words for the box",
    "parent_id": "where the box goes",
    "kind": "the type of measure",
    "definition": "an operational definition",
    "unit": "the unit",
    "direction": "which direction is better",
    "method": "the chart rules",
    "target": "the target",
    "baseline_points": "the number of baseline points",
    "reason": "the reason for recalculating",
    "body": "a comment",
    "starts_on": "a start date",
    "ends_on": "an end date",
    "change_idea_id": "a change idea",
    "decision": "a decision",
    "comment": "a comment",
    **{c: f"a level for {RUBRIC_NAMES[c].lower()}" for c in RUBRIC},
}
_KIND_WORDS = {
    "missing": "Enter {label}",
    "string_too_short": "Enter {label}",
    "literal_error": "Choose {label}",
    "date_from_datetime_parsing": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "date_parsing": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "date_type": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "float_parsing": "Enter {label} as a number",
    "finite_number": "Enter {label} as a number",
    "int_parsing": "Enter {label} as a whole number",
    "greater_than_equal": "{label_cap} must be at least {ge}",
    "less_than_equal": "{label_cap} must be at most {le}",
    "string_too_long": "{label_cap} must be {max_length} characters or fewer",
}
DONE = {
    "saved": "Your changes have been saved.",
    "started": "Your project has been created. Start with the problem and your aim.",
    "submitted": "Your project has been submitted for sign-off. Your trainer will review it.",
    "withdrawn": "Your submission has been withdrawn. You can change the project and submit it "
    "again when you are ready.",
    "commented": "Your comment has been added.",
    "deleted": "Deleted.",
    "decided": "Your decision has been recorded and the learner can see it.",
}


# --- helpers ----------------------------------------------------------------------------------


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _back(path: str, done: str = "saved") -> Response:
    return RedirectResponse(f"{path}?done={done}", status_code=303)


def _errors(exc: ValidationError | AppError, default: str) -> dict[str, str]:
    """One message per field, worded as the NHS.UK error message guidance asks ("Enter...")."""
    if isinstance(exc, AppError):
        return {exc.field or default: exc.message}
    found: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc", ())
        name = str(loc[0]) if loc else default
        if name in found:
            continue
        label = LABELS.get(name, name.replace("_", " "))
        template = _KIND_WORDS.get(str(err.get("type")))
        if template:
            label_cap = label[0].upper() + label[1:]
            message = template.format(label=label, label_cap=label_cap, **(err.get("ctx") or {}))
        else:
            message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
            message = message[0].upper() + message[1:]
        found[name] = message
    return found


def _status(exc: ValidationError | AppError) -> int:
    return 422 if isinstance(exc, ValidationError) else exc.status_code


def _nones(form: dict[str, str], *optional: str) -> dict[str, Any]:
    """Empty optional fields mean "none", not an empty string."""
    return {k: (None if k in optional and not v.strip() else v) for k, v in form.items()}


def _dates(form: dict[str, Any], *fields: str) -> dict[str, Any]:
    """Dates typed as YYYY-MM-DD or DD/MM/YYYY, as on the data forms; bad ones left for pydantic."""
    out = dict(form)
    for name in fields:
        value = out.get(name)
        if isinstance(value, str) and value.strip():
            try:
                out[name] = dataio.parse_date(value)
            except ValueError:
                out[name] = value
    return out


def _page(
    request: Request,
    access: ProjectAccess,
    section: str,
    template: str,
    title: str,
    context: dict[str, Any] | None = None,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ws = views.workspace(access, section)
    return render(
        request,
        f"projects/{template}",
        {
            "title": f"{title}: {ws.title}",
            "nav": "trainer" if ws.is_trainer else "projects",
            "heading": title,
            "ws": ws,
            "errors": errors or {},
            "done": _done(request) if not errors else None,
            **(context or {}),
        },
        status_code=status,
    )


def _failed(session: Session) -> None:
    """Nothing half-written: a refused change leaves the project as it was."""
    session.rollback()


# --- learner: my projects ---------------------------------------------------------------------


@pages.get("/projects")
def my_projects(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The learner's cohorts and their project in each (or a button to start it)."""
    return _projects_page(request, user, session)


def _projects_page(
    request: Request,
    user: Any,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "projects/my_projects.html",
        {
            "title": "My projects",
            "nav": "projects",
            "rows": service.my_projects(session, user=user),
            "errors": errors or {},
            "form": form or {},
            "status_label": views.status_label,
            "colours": views.STATUS_COLOURS,
        },
        status_code=status,
    )


@pages.post("/projects")
async def start_project(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Start the learner's (or their team's) project in a cohort."""
    form = form_dict(await request.form(), "cohort_id", "title")
    try:
        project = service.start_project(session, user=user, data=ProjectStart.model_validate(form))
    except ProjectExists as exc:
        _failed(session)
        return RedirectResponse(f"/projects/{exc.project_id}", status_code=303)
    except (ValidationError, AppError) as exc:
        _failed(session)
        errors = _errors(exc, "title")
        if "cohort_id" in errors:
            errors["title"] = errors.pop("cohort_id")
        return _projects_page(request, user, session, errors=errors, form=form, status=_status(exc))
    return _back(f"/projects/{project.id}", "started")


# --- overview and aim -------------------------------------------------------------------------


def _overview(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    project = service.project_public(session, access=access)
    values = form or {k: getattr(project, k) for k in NARRATIVE}
    return _page(
        request,
        access,
        "overview",
        "overview.html",
        "Overview and aim",
        {
            "project": project,
            "form": values,
            "checks": aim_helper.check_aim(values["aim"]) if values["aim"].strip() else [],
            "hints": aim_helper.aim_hints(values["aim"]),
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}")
def overview_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The problem, the aim (with the aim helper's checks) and the write-up's narrative."""
    return _overview(request, access, session)


@pages.post("/projects/{project_id}")
async def overview_submit(
    request: Request, access: ProjectForMember, session: SessionDep
) -> Response:
    """Save the narrative; the aim helper's hints never block saving."""
    form = form_dict(await request.form(), *NARRATIVE)
    try:
        service.update_project(session, access=access, data=ProjectUpdate.model_validate(form))
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _overview(
            request, access, session, form=form, errors=_errors(exc, "title"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}")


# --- team -------------------------------------------------------------------------------------


def _team(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        access,
        "team",
        "team.html",
        "Team",
        {
            "members": service.members(session, project_id=access.project.id),
            "enrolled": service.team_member_names(session, project=access.project),
            "is_team": access.project.team_id is not None,
            "form": form or {},
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/team")
def team_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Who works on the project: the team's learners and the colleagues they list."""
    return _team(request, access, session)


@pages.post("/projects/{project_id}/team")
async def team_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Add a person to the project team."""
    form = form_dict(await request.form(), "name", "role")
    try:
        service.add_member(session, access=access, data=MemberCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _team(
            request, access, session, form=form, errors=_errors(exc, "name"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}/team")


@pages.post("/projects/{project_id}/team/{member_id}/delete")
def team_delete(access: ProjectForMember, member_id: int, session: SessionDep) -> Response:
    """Take a person off the project team."""
    service.delete_member(session, access=access, member_id=member_id)
    return _back(f"/projects/{access.project.id}/team", "deleted")


# --- driver diagram ---------------------------------------------------------------------------


def _drivers(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    all_nodes = service.nodes(session, project_id=access.project.id)
    return _page(
        request,
        access,
        "drivers",
        "drivers.html",
        "Driver diagram",
        {
            "tree": service.tree(all_nodes),
            "parents": [n for n in all_nodes if n.kind != "change_idea"],
            "node_names": NODE_NAMES,
            "form": form or {},
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/drivers")
def drivers_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The driver diagram drawn as a tree, with forms to add, change and delete boxes."""
    return _drivers(request, access, session)


@pages.post("/projects/{project_id}/drivers")
async def drivers_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Add a box under another: its kind follows from where it goes."""
    form = form_dict(await request.form(), "parent_id", "text")
    try:
        service.add_node(session, access=access, data=NodeCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _drivers(
            request, access, session, form=form, errors=_errors(exc, "text"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}/drivers")


@pages.post("/projects/{project_id}/drivers/{node_id}")
async def drivers_edit(
    request: Request, access: ProjectForMember, node_id: int, session: SessionDep
) -> Response:
    """Change the words in a box."""
    form = form_dict(await request.form(), "text")
    try:
        data = NodeUpdate.model_validate(form)
        service.update_node(session, access=access, node_id=node_id, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        errors = {f"text-{node_id}": _errors(exc, "text").get("text", "Check the words")}
        return _drivers(request, access, session, errors=errors, status=_status(exc))
    return _back(f"/projects/{access.project.id}/drivers")


@pages.post("/projects/{project_id}/drivers/{node_id}/delete")
def drivers_delete(
    request: Request, access: ProjectForMember, node_id: int, session: SessionDep
) -> Response:
    """Delete a box and everything under it."""
    try:
        service.delete_node(session, access=access, node_id=node_id)
    except AppError as exc:
        _failed(session)
        errors = {f"text-{node_id}": exc.message}
        return _drivers(request, access, session, errors=errors, status=exc.status_code)
    return _back(f"/projects/{access.project.id}/drivers", "deleted")


# --- measures and data ------------------------------------------------------------------------


def _measure_form(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = _nones(form_dict(form, *MEASURE_FIELDS), "target", "baseline_points")
    values["is_main"] = values["is_main"] == "yes"
    return values


def _choices() -> dict[str, Any]:
    return {
        "kinds": MEASURE_KIND_NAMES,
        "directions": DIRECTION_NAMES,
        "methods": METHOD_NAMES,
    }


def _measures(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        access,
        "measures",
        "measures.html",
        "Measures and data",
        {
            "measures": service.measures(session, project_id=access.project.id),
            "form": form or {"method": "run_anhoej"},
            **_choices(),
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/measures")
def measures_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The family of measures (outcome, process, balancing) and a form to define one."""
    return _measures(request, access, session)


@pages.post("/projects/{project_id}/measures")
async def measures_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Define a measure."""
    form = _measure_form(await request.form())
    try:
        measure = service.create_measure(
            session, access=access, data=MeasureIn.model_validate(form)
        )
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _measures(
            request, access, session, form=form, errors=_errors(exc, "kind"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}/measures/{measure.id}")


def _measure(
    request: Request,
    access: ProjectAccess,
    session: Session,
    measure_id: int,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    data_errors: Sequence[str] = (),
    status: int = 200,
) -> Response:
    measure = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    settings = form or measure.model_dump()
    return _page(
        request,
        access,
        "measures",
        "measure.html",
        measure.name,
        {
            "measure": measure,
            "form": settings,
            "data_errors": data_errors,
            "point_form": (form or {}).get("_point", {}),
            "csv_text": (form or {}).get("_csv", ""),
            "rebase_form": (form or {}).get("_rebase", {}),
            **_choices(),
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/measures/{measure_id}")
def measure_page(
    request: Request, access: ProjectForReader, measure_id: int, session: SessionDep
) -> Response:
    """One measure: its definition and settings, its data, and forms to add data."""
    return _measure(request, access, session, measure_id)


@pages.post("/projects/{project_id}/measures/{measure_id}")
async def measure_edit(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Change a measure's definition or chart settings."""
    form = _measure_form(await request.form())
    try:
        data = MeasureIn.model_validate(form)
        service.update_measure(session, access=access, measure_id=measure_id, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _measure(
            request,
            access,
            session,
            measure_id,
            form=form,
            errors=_errors(exc, "kind"),
            status=_status(exc),
        )
    return _back(f"/projects/{access.project.id}/measures/{measure_id}")


@pages.post("/projects/{project_id}/measures/{measure_id}/delete")
def measure_delete(access: ProjectForMember, measure_id: int, session: SessionDep) -> Response:
    """Delete a measure and its data."""
    service.delete_measure(session, access=access, measure_id=measure_id)
    return _back(f"/projects/{access.project.id}/measures", "deleted")


@pages.post("/projects/{project_id}/measures/{measure_id}/data")
async def data_add(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Add one value (or replace the value stored for that date)."""
    form = form_dict(await request.form(), "period", "value")
    errors: dict[str, str] = {}
    try:
        when = dataio.parse_date(form["period"]) if form["period"].strip() else None
    except ValueError as exc:
        errors["period"] = f"{exc}."
    else:
        if when is None:
            errors["period"] = "Enter the date of the period, for example 2026-03-31"
    try:
        value = dataio.parse_value(form["value"])
    except ValueError as exc:
        errors["value"] = f"Enter a number: {exc}." if form["value"].strip() else "Enter a value"
    if not errors and when is not None:
        service.save_points(session, access=access, measure_id=measure_id, points=[(when, value)])
        return _back(f"/projects/{access.project.id}/measures/{measure_id}")
    return _measure(
        request, access, session, measure_id, form={"_point": form}, errors=errors, status=422
    )


@pages.post("/projects/{project_id}/measures/{measure_id}/data/import")
async def data_import(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Paste or upload "date,value" lines: all saved, or none with every problem listed."""
    form = await request.form()
    upload = form.get("file")
    pasted = form.get("csv")
    text = pasted if isinstance(pasted, str) else ""
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            text = dataio.decode_upload(await upload.read())
        except AppError as exc:
            return _import_failed(request, access, session, measure_id, exc, "")
    try:
        service.import_csv(session, access=access, measure_id=measure_id, text=text)
    except AppError as exc:
        _failed(session)
        return _import_failed(request, access, session, measure_id, exc, text)
    return _back(f"/projects/{access.project.id}/measures/{measure_id}")


def _import_failed(
    request: Request,
    access: ProjectAccess,
    session: Session,
    measure_id: int,
    exc: AppError,
    text: str,
) -> Response:
    lines = exc.errors if isinstance(exc, dataio.DataRejected) else [exc.message]
    summary = (
        exc.message.split(". ")[0] + "." if isinstance(exc, dataio.DataRejected) else exc.message
    )
    return _measure(
        request,
        access,
        session,
        measure_id,
        form={"_csv": text},
        errors={"csv": summary},
        data_errors=lines,
        status=exc.status_code,
    )


@pages.post("/projects/{project_id}/measures/{measure_id}/data/{period}/delete")
def data_delete(
    access: ProjectForMember, measure_id: int, period: str, session: SessionDep
) -> Response:
    """Delete the value of one period."""
    try:
        when = dataio.parse_date(period)
    except ValueError as exc:
        raise NotFound("This measure has no value for that date.") from exc
    service.delete_point(session, access=access, measure_id=measure_id, period=when)
    return _back(f"/projects/{access.project.id}/measures/{measure_id}", "deleted")


@pages.post("/projects/{project_id}/measures/{measure_id}/rebase")
async def rebase_add(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Recalculate the XmR limits from a date, after a real change to the process."""
    form = form_dict(await request.form(), "starts_on", "reason")
    try:
        data = RebaseCreate.model_validate(_dates(form, "starts_on"))
        service.add_rebase(session, access=access, measure_id=measure_id, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        errors = _errors(exc, "starts_on")
        return _measure(
            request,
            access,
            session,
            measure_id,
            form={"_rebase": form},
            errors=errors,
            status=_status(exc),
        )
    return _back(f"/projects/{access.project.id}/measures/{measure_id}")


@pages.post("/projects/{project_id}/measures/{measure_id}/rebase/{rebase_id}/delete")
def rebase_delete(
    access: ProjectForMember, measure_id: int, rebase_id: int, session: SessionDep
) -> Response:
    """Stop recalculating the limits from that date."""
    service.delete_rebase(session, access=access, measure_id=measure_id, rebase_id=rebase_id)
    return _back(f"/projects/{access.project.id}/measures/{measure_id}", "deleted")


# --- charts -----------------------------------------------------------------------------------


def chart_view(
    session: Session, access: ProjectAccess, measure_id: int, chart_type: ChartType
) -> project_charts.ChartView:
    measure = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    cycles = service.cycles(session, project_id=access.project.id)
    return project_charts.build(measure, cycles, chart_type)


ChartTypeQuery = Annotated[ChartType, Query(alias="type")]


@pages.get("/projects/{project_id}/charts")
def charts_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Every measure's charts, with links to each chart and its PNG download."""
    return _page(
        request,
        access,
        "charts",
        "charts.html",
        "Charts",
        {
            "measures": service.measures(session, project_id=access.project.id),
            "default_type": project_charts.default_type,
            "kinds": MEASURE_KIND_NAMES,
        },
    )


@pages.get("/projects/{project_id}/measures/{measure_id}/chart")
def chart_page(
    request: Request,
    access: ProjectForReader,
    measure_id: int,
    session: SessionDep,
    chart_type: ChartTypeQuery = "run",
) -> Response:
    """A run or XmR chart as accessible SVG, its signals in words, and a data table."""
    view = chart_view(session, access, measure_id, chart_type)
    return _page(
        request,
        access,
        "charts",
        "chart.html",
        view.title,
        {"view": view, "measure_id": measure_id, "fmt": project_charts.charts.fmt},
    )


@pages.get("/projects/{project_id}/measures/{measure_id}/chart.png")
def chart_png(
    access: ProjectForReader,
    measure_id: int,
    session: SessionDep,
    chart_type: ChartTypeQuery = "run",
) -> Response:
    """The chart as a PNG image for reports."""
    view = chart_view(session, access, measure_id, chart_type)
    png = view.png()
    if png is None:
        raise NotFound(view.message or "This chart cannot be drawn yet.")
    name = f"project-{access.project.id}-measure-{measure_id}-{chart_type}.png"
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- PDSA cycles ------------------------------------------------------------------------------


def _pdsa_form(form: FormData) -> dict[str, Any]:
    values = _nones(form_dict(form, *PDSA_FIELDS), "change_idea_id", "ends_on", "decision")
    return values


def _pdsa(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    template: str = "pdsa.html",
    cycle_id: int | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    cycles = service.cycles(session, project_id=access.project.id)
    ideas = [
        n for n in service.nodes(session, project_id=access.project.id) if n.kind == "change_idea"
    ]
    labels = project_charts.pdsa_labels(cycles)
    current = None
    if cycle_id is not None:
        current = next((c for c in cycles if c.id == cycle_id), None)
        if current is None:
            raise NotFound("This project has no such PDSA cycle.")
    values = form if form is not None else (_cycle_values(current) if current else {})
    title = f"{labels[current.id]}: {current.title}" if current else "PDSA cycles"
    return _page(
        request,
        access,
        "pdsa",
        template,
        title,
        {
            "cycles": cycles,
            "labels": labels,
            "ideas": ideas,
            "cycle": current,
            "form": values,
            "decisions": DECISION_NAMES,
        },
        errors=errors,
        status=status,
    )


def _cycle_values(cycle: Any) -> dict[str, Any]:
    values = cycle.model_dump()
    values["starts_on"] = cycle.starts_on.isoformat()
    values["ends_on"] = cycle.ends_on.isoformat() if cycle.ends_on else ""
    values["change_idea_id"] = str(cycle.change_idea_id or "")
    values["decision"] = cycle.decision or ""
    return values


@pages.get("/projects/{project_id}/pdsa")
def pdsa_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """The PDSA cycles, each linked to a change idea, and a form to plan a new one."""
    return _pdsa(request, access, session)


@pages.post("/projects/{project_id}/pdsa")
async def pdsa_add(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Record a PDSA cycle."""
    form = _pdsa_form(await request.form())
    try:
        data = PdsaIn.model_validate(_dates(form, "starts_on", "ends_on"))
        row = service.create_cycle(session, access=access, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _pdsa(
            request, access, session, form=form, errors=_errors(exc, "ends_on"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}/pdsa/{row.id}")


@pages.get("/projects/{project_id}/pdsa/{cycle_id}")
def pdsa_cycle_page(
    request: Request, access: ProjectForReader, cycle_id: int, session: SessionDep
) -> Response:
    """One PDSA cycle: plan with prediction, do, study, act, and a form to update it."""
    return _pdsa(request, access, session, template="pdsa_cycle.html", cycle_id=cycle_id)


@pages.post("/projects/{project_id}/pdsa/{cycle_id}")
async def pdsa_edit(
    request: Request, access: ProjectForMember, cycle_id: int, session: SessionDep
) -> Response:
    """Update a PDSA cycle as it runs: what happened, what it showed, what next."""
    form = _pdsa_form(await request.form())
    try:
        data = PdsaIn.model_validate(_dates(form, "starts_on", "ends_on"))
        service.update_cycle(session, access=access, cycle_id=cycle_id, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _pdsa(
            request,
            access,
            session,
            template="pdsa_cycle.html",
            cycle_id=cycle_id,
            form=form,
            errors=_errors(exc, "ends_on"),
            status=_status(exc),
        )
    return _back(f"/projects/{access.project.id}/pdsa/{cycle_id}")


@pages.post("/projects/{project_id}/pdsa/{cycle_id}/delete")
def pdsa_delete(access: ProjectForMember, cycle_id: int, session: SessionDep) -> Response:
    """Delete a PDSA cycle."""
    service.delete_cycle(session, access=access, cycle_id=cycle_id)
    return _back(f"/projects/{access.project.id}/pdsa", "deleted")


# --- submit, history, comments, export --------------------------------------------------------


def _submit(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    detail = service.detail(session, access=access)
    return _page(
        request,
        access,
        "submit",
        "submit.html",
        "Submit for sign-off",
        {
            "items": service.readiness(detail),
            "hints": aim_helper.aim_hints(detail.aim),
            "rubric": [(c, RUBRIC_NAMES[c], RUBRIC_MET[c]) for c in RUBRIC],
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/submit")
def submit_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """What the trainer will look for, a checklist, and the button to submit."""
    return _submit(request, access, session)


@pages.post("/projects/{project_id}/submit")
def submit_project(request: Request, access: ProjectForMember, session: SessionDep) -> Response:
    """Submit the project for sign-off."""
    try:
        service.submit(session, access=access)
    except AppError as exc:
        _failed(session)
        return _submit(
            request, access, session, errors={"submit": exc.message}, status=exc.status_code
        )
    return _back(f"/projects/{access.project.id}/history", "submitted")


@pages.post("/projects/{project_id}/withdraw")
def withdraw_submission(
    request: Request, access: ProjectForMember, session: SessionDep
) -> Response:
    """Withdraw the submission waiting for the trainer, so the project can be changed again."""
    try:
        service.withdraw(session, access=access)
    except AppError as exc:
        _failed(session)
        return _history(
            request, access, session, errors={"withdraw": exc.message}, status=exc.status_code
        )
    return _back(f"/projects/{access.project.id}/history", "withdrawn")


def _history(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        access,
        "history",
        "history.html",
        "History and comments",
        {
            "submissions": service.history(session, project_id=access.project.id),
            "comments": service.comments(session, project_id=access.project.id),
            "score_rubric": [(c, RUBRIC_NAMES[c]) for c in RUBRIC],
            "level_names": LEVEL_NAMES,
            "status_label": views.status_label,
            "colours": views.STATUS_COLOURS,
            "form": form or {},
        },
        errors=errors,
        status=status,
    )


@pages.get("/projects/{project_id}/history")
def history_page(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Every submission, each decision with its rubric scores, and the comments."""
    return _history(request, access, session)


@pages.post("/projects/{project_id}/comments")
async def comment_add(request: Request, access: ProjectForReader, session: SessionDep) -> Response:
    """Add a comment (team members and the cohort's trainers)."""
    form = form_dict(await request.form(), "body")
    try:
        service.add_comment(session, access=access, data=CommentCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _history(
            request, access, session, form=form, errors=_errors(exc, "body"), status=_status(exc)
        )
    return _back(f"/projects/{access.project.id}/history", "commented")


@pages.get("/projects/{project_id}/export")
def export_page(request: Request, access: ProjectForReader) -> Response:
    """Download the write-up with SQUIRE headings as PDF or Markdown."""
    return _page(request, access, "export", "export.html", "Export")


def export_charts(session: Session, access: ProjectAccess) -> list[export.Chart]:
    """Each measure's own chart (run or XmR, from its rule set), for the write-up."""
    base = get_settings().base_url
    cycles = service.cycles(session, project_id=access.project.id)
    out = []
    for m in service.measures(session, project_id=access.project.id):
        kind = project_charts.default_type(m.method)
        url = f"{base}/projects/{access.project.id}/measures/{m.id}/chart.png?type={kind}"
        out.append(export.Chart(m, project_charts.build(m, cycles, kind), url))
    return out


def _filename(access: ProjectAccess, suffix: str) -> str:
    return f"qi-project-{access.project.id}.{suffix}"


@pages.get("/projects/{project_id}/export.md")
def export_markdown(access: ProjectForReader, session: SessionDep) -> Response:
    """The write-up as Markdown."""
    text = export.to_markdown(
        service.detail(session, access=access), export_charts(session, access)
    )
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(access, "md")}"'},
    )


@pages.get("/projects/{project_id}/export.pdf")
def export_pdf(access: ProjectForReader, session: SessionDep) -> Response:
    """The write-up as PDF, with the charts."""
    pdf = export.to_pdf(service.detail(session, access=access), export_charts(session, access))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_filename(access, "pdf")}"'},
    )


# --- trainers ---------------------------------------------------------------------------------


@pages.get("/trainer/cohorts/{cohort_id}/projects")
def trainer_projects(request: Request, cohort: CohortForTrainer, session: SessionDep) -> Response:
    """The cohort's projects: who has started, submitted, or been signed off."""
    rows = service.cohort_projects(session, cohort=cohort.cohort)
    return render(
        request,
        "projects/trainer_list.html",
        {
            "title": f"Projects: {cohort.cohort.name}",
            "nav": "trainer",
            "cohort": cohort.cohort,
            "rows": rows,
            "waiting": sum(1 for r in rows if r.status == "submitted"),
            "colours": views.STATUS_COLOURS,
        },
    )


def _review(
    request: Request,
    access: ProjectAccess,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    detail = service.detail(session, access=access)
    return render(
        request,
        "projects/review.html",
        {
            "title": f"Review: {detail.title}",
            "nav": "trainer",
            "project": detail,
            "ws": views.workspace(access, "review"),
            "items": service.readiness(detail),
            "hints": aim_helper.aim_hints(detail.aim),
            "submissions": service.history(session, project_id=detail.id),
            "rubric": [(c, RUBRIC_NAMES[c], RUBRIC_MET[c]) for c in RUBRIC],
            "levels": [(level, LEVEL_NAMES[level]) for level in LEVELS],
            "score_rubric": [(c, RUBRIC_NAMES[c]) for c in RUBRIC],
            "level_names": LEVEL_NAMES,
            "status_label": views.status_label,
            "colours": views.STATUS_COLOURS,
            "form": form or {},
            "errors": errors or {},
            "done": _done(request) if not errors else None,
        },
        status_code=status,
    )


@pages.get("/trainer/cohorts/{cohort_id}/projects/{project_id}")
def review_page(request: Request, access: CohortProjectForTrainer, session: SessionDep) -> Response:
    """A project for review: the work, a readiness summary, the rubric form and the history."""
    return _review(request, access, session)


@pages.post("/trainer/cohorts/{cohort_id}/projects/{project_id}/review")
async def review_submit(
    request: Request,
    access: CohortProjectForTrainer,
    session: SessionDep,
) -> Response:
    """Score the rubric and approve, or ask for changes with a comment."""
    form = form_dict(await request.form(), *RUBRIC, "comment", "decision")
    try:
        data = ReviewCreate.model_validate(_nones(form, *RUBRIC, "decision"))
        service.review(session, access=access, data=data)
    except (ValidationError, AppError) as exc:
        _failed(session)
        return _review(
            request,
            access,
            session,
            form=form,
            errors=_errors(exc, "decision"),
            status=_status(exc),
        )
    return _back(
        f"/trainer/cohorts/{access.project.cohort_id}/projects/{access.project.id}", "decided"
    )
