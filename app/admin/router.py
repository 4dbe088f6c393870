"""Admin pages and the /api/v1/admin API: users, organisations, the audit log. Admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import AdminUser
from app.admin import service, views
from app.admin.dependencies import ManagedOrganisation, ManagedUser
from app.admin.schemas import (
    AuditList,
    OrganisationAdmin,
    OrganisationCreate,
    OrganisationUpdate,
    UserAdmin,
    UserAdminUpdate,
    UserList,
)
from app.content import scorm
from app.content.dependencies import ContentDep, GlossaryDep, ModuleDep
from app.content.schemas import TIER_NAMES
from app.core.deps import SessionDep, SettingsDep, verify_csrf
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import attachment
from app.core.templating import render

pages = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/admin", tags=["admin"])

Page = Annotated[int, Query(ge=1, le=100_000)]
SearchText = Annotated[str, Query(max_length=200)]
RoleFilter = Annotated[str, Query(max_length=20, description="learner, trainer, leader or admin")]
Done = Annotated[str | None, Query(max_length=20)]
Action = Annotated[str | None, Query(max_length=60)]


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


# ---- pages -------------------------------------------------------------------------------------


@pages.get("")
def admin_index(request: Request, _admin: AdminUser, session: SessionDep) -> Response:
    """The admin home: counts and where to go."""
    return render(
        request,
        "admin/index.html",
        {"title": "Administration", "overview": service.overview(session), "nav": "admin"},
    )


@pages.get("/users")
def users_page(
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
    q: SearchText = "",
    role: RoleFilter = "",
    page: Page = 1,
) -> Response:
    """Find users by name or email, optionally by role, 25 to a page."""
    ctx = views.users_context(session, q=q, role=role, page=page)
    return render(request, "admin/users.html", ctx)


@pages.get("/users/{user_id}")
def user_page(
    request: Request, admin: AdminUser, user: ManagedUser, session: SessionDep, done: Done = None
) -> Response:
    """One user: details, roles, status, reset link, and what admins have done to the account."""
    ctx = views.user_context(session, admin=admin, user=user, done=done)
    return render(request, views.USER_TEMPLATE, ctx)


@pages.post("/users/{user_id}/roles")
async def user_roles_submit(
    request: Request, admin: AdminUser, user: ManagedUser, session: SessionDep
) -> Response:
    """Save the roles ticked on the user page."""
    form = await request.form()
    try:
        roles = views.roles_from_form(form)
        service.change_roles(session, actor=admin, user=user, roles=roles)
    except AppError as exc:
        raise views.user_invalid(session, admin=admin, user=user, exc=exc) from exc
    return _redirect(f"/admin/users/{user.id}?done=roles")


@pages.get("/users/{user_id}/deactivate")
def user_deactivate_page(request: Request, admin: AdminUser, user: ManagedUser) -> Response:
    """Check before deactivating: what it does, and a way back."""
    if user.id == admin.id or not user.is_active:
        return _redirect(f"/admin/users/{user.id}")
    context = {"title": f"Deactivate {user.full_name}?", "user": user, "nav": "admin"}
    return render(request, "admin/deactivate.html", context)


@pages.post("/users/{user_id}/deactivate")
def user_deactivate(admin: AdminUser, user: ManagedUser, session: SessionDep) -> Response:
    """Deactivate the account: sign-in refused and every session ended."""
    try:
        service.set_active(session, actor=admin, user=user, active=False)
    except AppError as exc:
        raise views.user_invalid(session, admin=admin, user=user, exc=exc) from exc
    return _redirect(f"/admin/users/{user.id}?done=deactivated")


@pages.post("/users/{user_id}/reactivate")
def user_reactivate(admin: AdminUser, user: ManagedUser, session: SessionDep) -> Response:
    """Let a deactivated account sign in again."""
    try:
        service.set_active(session, actor=admin, user=user, active=True)
    except AppError as exc:
        raise views.user_invalid(session, admin=admin, user=user, exc=exc) from exc
    return _redirect(f"/admin/users/{user.id}?done=reactivated")


@pages.post("/users/{user_id}/reset-link")
def user_reset_link(
    admin: AdminUser, user: ManagedUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Email the user a link to set a new password."""
    try:
        service.send_reset_link(session, actor=admin, user=user, settings=settings)
    except AppError as exc:
        raise views.user_invalid(session, admin=admin, user=user, exc=exc) from exc
    return _redirect(f"/admin/users/{user.id}?done=reset")


@pages.get("/organisations")
def organisations_page(
    request: Request, _admin: AdminUser, session: SessionDep, done: Done = None
) -> Response:
    """Every organisation with its type, region and number of accounts."""
    ctx = views.organisations_context(session, done=done)
    return render(request, "admin/organisations.html", ctx)


@pages.get("/organisations/new")
def organisation_new(request: Request, _admin: AdminUser) -> Response:
    """The form to add an organisation."""
    ctx = views.organisation_context(form={"kind": "other"})
    return render(request, views.ORGANISATION_TEMPLATE, ctx)


@pages.post("/organisations/new")
async def organisation_create_submit(
    request: Request, admin: AdminUser, session: SessionDep
) -> Response:
    """Add the organisation, or show what to fix."""
    form = form_dict(await request.form(), *views.ORGANISATION_FIELDS)
    try:
        data = OrganisationCreate.model_validate(form)
        service.create_organisation(session, actor=admin, data=data)
    except (ValidationError, AppError) as exc:
        raise views.organisation_invalid(exc, form=form) from exc
    return _redirect("/admin/organisations?done=created")


@pages.get("/organisations/{organisation_id}")
def organisation_edit(
    request: Request, _admin: AdminUser, organisation: ManagedOrganisation, session: SessionDep
) -> Response:
    """The form to change an organisation's name, type and region; listing it; merging it."""
    form = {"name": organisation.name, "kind": organisation.kind, "region": organisation.region}
    ctx = views.organisation_context(form=form, organisation_id=organisation.id)
    ctx |= views.merge_context(session, organisation=organisation)
    return render(request, views.ORGANISATION_TEMPLATE, ctx)


@pages.post("/organisations/{organisation_id}/list")
def organisation_list_submit(
    admin: AdminUser, organisation: ManagedOrganisation, session: SessionDep
) -> Response:
    """Add a typed name to the list people choose from."""
    service.list_organisation(session, actor=admin, organisation=organisation)
    return _redirect("/admin/organisations?done=listed")


@pages.post("/organisations/{organisation_id}/merge")
async def organisation_merge_submit(
    request: Request, admin: AdminUser, organisation: ManagedOrganisation, session: SessionDep
) -> Response:
    """Merge this organisation into a listed one: people, cohorts and report history move."""
    target = form_dict(await request.form(), "target_id")["target_id"]
    service.merge_organisation(session, actor=admin, source=organisation, target_id=target)
    return _redirect("/admin/organisations?done=merged")


@pages.post("/organisations/{organisation_id}")
async def organisation_edit_submit(
    request: Request, admin: AdminUser, organisation: ManagedOrganisation, session: SessionDep
) -> Response:
    """Save the organisation, or show what to fix."""
    form = form_dict(await request.form(), *views.ORGANISATION_FIELDS)
    organisation_id = organisation.id
    try:
        data = OrganisationUpdate.model_validate(form)
        service.update_organisation(session, actor=admin, organisation=organisation, data=data)
    except (ValidationError, AppError) as exc:
        raise views.organisation_invalid(exc, form=form, organisation_id=organisation_id) from exc
    return _redirect("/admin/organisations?done=saved")


@pages.get("/audit")
def audit_page(
    request: Request, _admin: AdminUser, session: SessionDep, action: Action = None, page: Page = 1
) -> Response:
    """Every privileged action: who did what, to whom, and when; newest first."""
    return render(
        request, "admin/audit.html", views.audit_context(session, action=action, page=page)
    )


@pages.get("/scorm")
def scorm_page(request: Request, _admin: AdminUser, registry: ContentDep) -> Response:
    """Every module, each with its SCORM 1.2 package to download for an LMS or ESR."""
    modules = [
        {"slug": m.slug, "title": m.meta.title, "tier": TIER_NAMES[m.tier]} for m in registry.all()
    ]
    return render(
        request, "admin/scorm.html", {"title": "SCORM packages", "modules": modules, "nav": "admin"}
    )


@pages.get("/scorm/{slug}.zip")
def scorm_download(_admin: AdminUser, module: ModuleDep, glossary: GlossaryDep) -> Response:
    """One module as a SCORM 1.2 zip (the same file `qi-academy content export-scorm` writes)."""
    package = scorm.build_package(module.source, glossary)
    return attachment(package.data, filename=package.filename, media_type="application/zip")


# ---- API ---------------------------------------------------------------------------------------


@api.get("/users")
def list_users(
    _admin: AdminUser,
    session: SessionDep,
    q: SearchText = "",
    role: RoleFilter = "",
    page: Page = 1,
) -> UserList:
    """Users whose name or email contains `q`, optionally with `role`; 25 a page, by name."""
    return service.user_list(session, query=q, role=service.role_filter(role), page=page)


@api.get("/users/{user_id}")
def read_user(user: ManagedUser) -> UserAdmin:
    """One user as admins see them."""
    return service.user_admin(user)


@api.patch("/users/{user_id}")
def update_user(
    data: UserAdminUpdate, admin: AdminUser, user: ManagedUser, session: SessionDep
) -> UserAdmin:
    """Set roles and/or deactivate or reactivate; every change is audited and ends their sessions."""
    return service.update_user(
        session, actor=admin, user=user, roles=data.roles, is_active=data.is_active
    )


@api.post("/users/{user_id}/password-reset", status_code=202)
def send_password_reset(
    admin: AdminUser, user: ManagedUser, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    """Email the user a single-use link to set a new password (valid 24 hours)."""
    service.send_reset_link(session, actor=admin, user=user, settings=settings)
    return {"detail": "A password reset link has been queued for the user's email address."}


@api.get("/organisations")
def list_organisations(_admin: AdminUser, session: SessionDep) -> list[OrganisationAdmin]:
    """Every organisation, by name, with its number of accounts."""
    return service.organisation_list(session)


@api.post("/organisations", status_code=201)
def create_organisation(
    data: OrganisationCreate, admin: AdminUser, session: SessionDep
) -> OrganisationAdmin:
    """Add an organisation (name, type, region)."""
    return service.create_organisation(session, actor=admin, data=data)


@api.get("/organisations/{organisation_id}")
def read_organisation(organisation: ManagedOrganisation, session: SessionDep) -> OrganisationAdmin:
    """One organisation."""
    return service.organisation_view(session, organisation=organisation)


@api.patch("/organisations/{organisation_id}")
def update_organisation(
    data: OrganisationUpdate,
    admin: AdminUser,
    organisation: ManagedOrganisation,
    session: SessionDep,
) -> OrganisationAdmin:
    """Change an organisation's name, type or region (omitted fields stay as they are)."""
    return service.update_organisation(session, actor=admin, organisation=organisation, data=data)


@api.get("/audit")
def read_audit_log(
    _admin: AdminUser,
    session: SessionDep,
    action: Action = None,
    page: Page = 1,
) -> AuditList:
    """The audit log, newest first, 50 a page; `action` keeps one kind of action."""
    return service.audit_log(session, page=page, action=action)
