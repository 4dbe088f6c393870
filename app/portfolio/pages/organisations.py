"""An organisation's portfolio settings: its QI leads (granted by leaders and administrators)
and its research office (set by them or its QI leads)."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser, LeaderUser
from app.accounts.models import Organisation, User
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.portfolio import service
from app.portfolio.dependencies import LedOrganisation, ManagedOrganisation
from app.portfolio.pages.common import Page, page, page_router
from app.portfolio.schemas import QiLeadCreate, ResearchOfficeUpdate

pages = page_router()


@pages.get("/portfolio/organisations")
def organisation_list(request: Request, _leader: LeaderUser, session: SessionDep) -> Response:
    """Every organisation, to open its portfolio or name its QI leads."""
    rows = [(o.id, o.name, n) for o, n in accounts_service.organisations_with_counts(session)]
    return page(request, "organisations.html", "Organisations' QI portfolios", rows=rows).render(
        request
    )


def _organisation(
    request: Request, org: Organisation, user: User, session: Session, **form: dict[str, str]
) -> Page:
    projects, total = service.organisation_projects(session, organisation_id=org.id)
    office = service.research_office(session, organisation_id=org.id)
    return page(
        request,
        "organisation.html",
        f"QI portfolio: {org.name}",
        organisation={"id": org.id, "name": org.name},
        projects=projects,
        total=total,
        leads=service.qi_leads(session, organisation_id=org.id),
        can_grant=user.has_role(Role.LEADER, Role.ADMIN),
        office_form=form.get("office_form") or office.model_dump(),
        lead_form=form.get("lead_form") or {"email": ""},
    )


@pages.get("/portfolio/organisations/{organisation_id}")
def organisation_page(
    request: Request, org: LedOrganisation, user: CurrentUser, session: SessionDep
) -> Response:
    """An organisation's projects, its QI leads and its research office."""
    return _organisation(request, org, user, session).render(request)


@pages.post("/portfolio/organisations/{organisation_id}/qi-leads")
async def add_qi_lead(
    request: Request, org: ManagedOrganisation, user: CurrentUser, session: SessionDep
) -> Response:
    """A leader or administrator makes someone of the organisation a QI lead of it."""
    form = form_dict(await request.form(), "email")
    try:
        data = QiLeadCreate.model_validate(form)
        service.grant_qi_lead(session, organisation_id=org.id, email=str(data.email), by=user)
    except (ValidationError, AppError) as exc:
        raise _organisation(request, org, user, session, lead_form=form).refuse(
            exc, "email"
        ) from exc
    return done_redirect(f"/portfolio/organisations/{org.id}", "lead_added")


@pages.post("/portfolio/organisations/{organisation_id}/qi-leads/{user_id}/delete")
def remove_qi_lead(org: ManagedOrganisation, user_id: int, session: SessionDep) -> Response:
    """Take the QI lead role away (the person keeps their account and projects)."""
    service.revoke_qi_lead(session, organisation_id=org.id, user_id=user_id)
    return done_redirect(f"/portfolio/organisations/{org.id}", "lead_removed")


@pages.post("/portfolio/organisations/{organisation_id}/research-office")
async def set_research_office(
    request: Request, org: LedOrganisation, user: CurrentUser, session: SessionDep
) -> Response:
    """Where the classifier sends people whose project is research."""
    form = form_dict(await request.form(), "research_office_url", "research_office_email")
    try:
        data = ResearchOfficeUpdate.model_validate(form)
    except ValidationError as exc:
        page_ = _organisation(request, org, user, session, office_form=form)
        raise page_.refuse(exc, "research_office_url") from exc
    service.set_research_office(session, organisation_id=org.id, data=data)
    return done_redirect(f"/portfolio/organisations/{org.id}", "saved")
