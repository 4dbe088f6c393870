"""xAPI admin pages and API: each organisation's learning record store; thin routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.accounts.dependencies import AdminUser
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep, verify_csrf
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.xapi import service
from app.xapi.schemas import LrsCreate, LrsUpdate, OrganisationLrs

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/admin/learning-record-stores", tags=["xAPI"])

OrgId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_FIELDS = ("endpoint", "username", "password", "send_email", "enabled")
_LABELS = {"endpoint": "the endpoint", "username": "the key or user name", "password": "the secret"}
DONE = {"saved": "Learning record store saved."}
FORM = "xapi/lrs_form.html"


@pages.get("/admin/xapi")
def lrs_page(request: Request, _admin: AdminUser, session: SessionDep) -> Response:
    """Every organisation, with where its xAPI statements go."""
    context = {
        "title": "Learning record stores (xAPI)",
        "organisations": service.list_organisations(session),
        "done": done_message(request, DONE),
        "nav": "admin",
    }
    return render(request, "xapi/lrs_list.html", context)


def _context(session: SessionDep, organisation_id: int, form: dict[str, str]) -> dict[str, Any]:
    org = accounts_service.get_organisation(session, organisation_id=organisation_id)
    saved = service.connection_for(session, organisation_id=org.id)
    return {
        "title": f"Learning record store for {org.name}",
        "organisation": {"id": org.id, "name": org.name},
        "saved": saved is not None,
        "form": form,
        "nav": "admin",
    }


def _form(session: SessionDep, organisation_id: int) -> dict[str, str]:
    saved = service.connection_for(session, organisation_id=organisation_id)
    if saved is None:
        return {"enabled": "yes"}
    return {
        "endpoint": saved.endpoint,
        "username": saved.username,
        "send_email": "yes" if saved.send_email else "",
        "enabled": "yes" if saved.enabled else "",
    }


def _save(
    session: SessionDep, settings: Settings, admin: AdminUser, org_id: int, form: dict[str, str]
) -> None:
    """Validate and save, or raise FormInvalid with the form again (the secret left out)."""
    context = _context(session, org_id, {**form, "password": ""})
    data: dict[str, Any] = {**form, "send_email": form["send_email"] == "yes"}
    data["enabled"] = form["enabled"] == "yes"
    try:
        if context["saved"]:
            update = LrsUpdate.model_validate({**data, "password": form["password"] or None})
            service.save_connection(
                session, actor=admin, organisation_id=org_id, data=update, settings=settings
            )
        else:
            create = LrsCreate.model_validate(data)
            service.save_connection(
                session, actor=admin, organisation_id=org_id, data=create, settings=settings
            )
    except (ValidationError, AppError) as exc:
        errors = field_errors(exc, _LABELS, default="endpoint", order=_FIELDS)
        status = exc.status_code if isinstance(exc, AppError) else 422
        raise FormInvalid(errors, template=FORM, context=context, status_code=status) from exc


@pages.get("/admin/xapi/{organisation_id}")
def lrs_edit(
    request: Request, organisation_id: OrgId, _admin: AdminUser, session: SessionDep
) -> Response:
    """The form for an organisation's LRS; the secret is never shown."""
    context = _context(session, organisation_id, _form(session, organisation_id))
    return render(request, FORM, context)


@pages.post("/admin/xapi/{organisation_id}")
async def lrs_edit_submit(
    request: Request,
    organisation_id: OrgId,
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Save the organisation's LRS, or show what to fix."""
    form = form_dict(await request.form(), *_FIELDS)
    _save(session, settings, admin, organisation_id, form)
    return done_redirect("/admin/xapi", "saved")


@api.get("")
def list_learning_record_stores(_admin: AdminUser, session: SessionDep) -> list[OrganisationLrs]:
    """Every organisation with its LRS (never the secret) and its statements' delivery counts."""
    return service.list_organisations(session)
