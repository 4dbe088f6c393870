"""ESR pages: each organisation's competence names (admins) and its completions CSV (its
leaders and admins); thin routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.accounts.dependencies import AdminUser
from app.content.dependencies import ContentDep
from app.core.csv import csv_response
from app.core.deps import SessionDep, verify_csrf
from app.core.forms import FormInvalid
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.esr import service
from app.esr.dependencies import LedOrganisation, OrgId

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter()

DONE = {"saved": "ESR competence names saved."}
FORM = "esr/mapping_form.html"


@pages.get("/admin/esr")
def esr_page(request: Request, _admin: AdminUser, session: SessionDep) -> Response:
    """Every organisation, with links to its ESR names and its completions file."""
    orgs = [
        {"id": o.id, "name": o.name} for o, _ in accounts_service.organisations_with_counts(session)
    ]
    context = {"title": "Electronic Staff Record (ESR)", "organisations": orgs, "nav": "admin"}
    return render(
        request, "esr/organisations.html", {**context, "done": done_message(request, DONE)}
    )


def _context(session: SessionDep, org_id: int, rows: list[service.Source]) -> dict[str, Any]:
    org = accounts_service.get_organisation(session, organisation_id=org_id)
    title = f"ESR competence names for {org.name}"
    return {
        "title": title,
        "organisation": {"id": org.id, "name": org.name},
        "rows": rows,
        "nav": "admin",
    }


@pages.get("/admin/esr/{organisation_id}")
def mapping_edit(
    request: Request,
    organisation_id: OrgId,
    _admin: AdminUser,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """The organisation's ESR name and expiry for each achievement and module."""
    rows = service.sources(session, organisation_id=organisation_id, registry=registry)
    return render(request, FORM, _context(session, organisation_id, rows))


def _submitted(form: Any, known: list[service.Source]) -> dict[str, tuple[str, str]]:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    return {s.field: (text(f"name-{s.field}"), text(f"months-{s.field}")) for s in known}


@pages.post("/admin/esr/{organisation_id}")
async def mapping_submit(
    request: Request,
    organisation_id: OrgId,
    admin: AdminUser,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """Save the names and expiries, or show what to fix."""
    known = service.sources(session, organisation_id=organisation_id, registry=registry)
    rows, errors = service.parse_mappings(_submitted(await request.form(), known), known)
    if errors:
        raise FormInvalid(errors, template=FORM, context=_context(session, organisation_id, rows))
    service.save_mappings(session, actor=admin, organisation_id=organisation_id, mappings=rows)
    return done_redirect("/admin/esr", "saved")


@pages.get("/organisations/{organisation_id}/esr-completions.csv")
def completions_csv(org: LedOrganisation, session: SessionDep, registry: ContentDep) -> Response:
    """The organisation's completions under its ESR competence names, as a CSV file."""
    rows = service.completion_rows(session, organisation_id=org.id, registry=registry)
    return csv_response(f"esr-completions-{org.id}.csv", service.HEADER, rows)
