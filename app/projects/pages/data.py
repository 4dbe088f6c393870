"""A measure's data: one value typed in, "date,value" lines pasted or uploaded (all saved, or
none with every problem listed), and a value deleted."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from app.core.deps import SessionDep
from app.core.errors import AppError, NotFound
from app.core.forms import FormInvalid, form_dict
from app.core.responses import done_redirect
from app.projects import dataio, service
from app.projects.constants import PAIRED_TYPES
from app.projects.dependencies import ProjectForMember
from app.projects.pages.common import page_router
from app.projects.pages.measures import measure_view
from app.projects.permissions import ProjectAccess

pages = page_router()


def point_form(
    form: dict[str, str], data_type: str = "continuous"
) -> tuple[dataio.Point | None, dict[str, str]]:
    """One dated value (and its denominator, for a proportion or rate) from the data form, or
    what to fix in each field that is wrong."""
    errors: dict[str, str] = {}
    when = None
    try:
        when = dataio.parse_date(form["period"]) if form["period"].strip() else None
    except ValueError as exc:
        errors["period"] = f"{exc}."
    else:
        if when is None:
            errors["period"] = "Enter the date of the period, for example 2026-03-31"
    value = 0.0
    try:
        value = dataio.parse_value(form["value"])
    except ValueError as exc:
        errors["value"] = f"Enter a number: {exc}." if form["value"].strip() else "Enter a value"
    denominator = None
    if data_type in PAIRED_TYPES:
        what = "denominator" if data_type == "proportion" else "exposure"
        try:
            denominator = dataio.parse_value(form.get("denominator", ""))
        except ValueError as exc:
            given = form.get("denominator", "").strip()
            errors["denominator"] = f"Enter a number: {exc}." if given else f"Enter the {what}"
    if not errors:
        problem = dataio.point_problem(data_type, value, denominator)
        if problem:
            field = "denominator" if "denominator" in problem or "exposure" in problem else "value"
            errors[field] = problem[0].upper() + problem[1:]
    if errors or when is None:
        return None, errors
    return (when, value, denominator), {}


async def csv_text(form: FormData) -> str:
    """The lines pasted, or the file uploaded instead (AppError if it cannot be read as text)."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return dataio.decode_upload(await upload.read())
    pasted = form.get("csv")
    return pasted if isinstance(pasted, str) else ""


def import_refused(
    request: Request,
    access: ProjectAccess,
    session: Session,
    measure_id: int,
    exc: AppError,
    text: str,
) -> FormInvalid:
    """The measure page again with every problem of the import listed, and the text sent."""
    if isinstance(exc, dataio.DataRejected):
        # The summary names the first problem; the list under the form names every one.
        lines, summary = exc.errors, exc.message.split(". ")[0] + "."
    else:
        lines, summary = [exc.message], exc.message
    page = measure_view(
        request, access, session, measure_id, form={"_csv": text}, data_errors=lines
    )
    return page.invalid({"csv": summary}, exc.status_code)


@pages.post("/projects/{project_id}/measures/{measure_id}/data")
async def data_add(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Add one value (or replace the value stored for that date)."""
    form = form_dict(await request.form(), "period", "value", "denominator")
    kind = service.measure_data(session, project_id=access.project.id, measure_id=measure_id)
    point, errors = point_form(form, kind.data_type)
    if point is None:
        page = measure_view(request, access, session, measure_id, form={"_point": form})
        raise page.invalid(errors)
    service.save_points(session, access=access, measure_id=measure_id, points=[point])
    return done_redirect(f"/projects/{access.project.id}/measures/{measure_id}", "saved")


@pages.post("/projects/{project_id}/measures/{measure_id}/data/import")
async def data_import(
    request: Request, access: ProjectForMember, measure_id: int, session: SessionDep
) -> Response:
    """Paste or upload "date,value" lines: all saved, or none with every problem listed."""
    text = ""
    try:
        text = await csv_text(await request.form())
        done = service.import_csv(session, access=access, measure_id=measure_id, text=text)
    except AppError as exc:
        raise import_refused(request, access, session, measure_id, exc, text) from exc
    page = f"/projects/{access.project.id}/measures/{measure_id}"
    return done_redirect(page, "imported", added=done.added, updated=done.updated)


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
    return done_redirect(f"/projects/{access.project.id}/measures/{measure_id}", "deleted")
