"""Admin page helpers: what each page shows, the forms' parsing, and the pages that failed forms redraw
(raised as FormInvalid, so the request rolls back)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.accounts.constants import ORGANISATION_KINDS, REGIONS, STAFF_GROUPS, Role
from app.accounts.models import Organisation, User
from app.admin import service
from app.core.errors import AppError, InvalidInput
from app.core.forms import FormInvalid, field_errors
from app.core.pagination import Pager

USER_TEMPLATE = "admin/user.html"
ORGANISATION_TEMPLATE = "admin/organisation_form.html"
ORGANISATION_FIELDS = ("name", "kind", "region")
DONE = {
    "roles": "Roles saved. The user's other sessions have ended.",
    "deactivated": "Account deactivated. The user has been signed out everywhere.",
    "reactivated": "Account reactivated. The user can sign in again.",
    "reset": "A password reset link has been emailed to the user. It works once, for 24 hours.",
    "created": "Organisation added.",
    "saved": "Organisation saved.",
    "listed": "Organisation added to the list people choose from.",
    "merged": "Organisations merged. Its people, cohorts and report history have moved.",
}
_ORG_LABELS = {"name": "the organisation's name", "kind": "a type", "region": "a region"}
ROLE_CHOICES = (Role.TRAINER, Role.LEADER, Role.ADMIN)


def users_context(session: Session, *, q: str, role: str, page: int) -> dict[str, Any]:
    """Users found by name or email, optionally by role, a page at a time."""
    chosen = service.role_filter(role)
    found = service.user_list(session, query=q, role=chosen, page=page)
    pager = Pager(page=page, per_page=service.USERS_PER_PAGE, total=found.total)
    return {
        "title": "Users",
        "found": found,
        "q": q,
        "role": chosen.value if chosen else "",
        "roles": [r.value for r in Role],
        "pager": pager,
        "pagination": pager.links("/admin/users", q=q, role=chosen.value if chosen else None),
        "nav": "admin",
    }


def user_context(
    session: Session, *, admin: User, user: User, done: str | None = None
) -> dict[str, Any]:
    """One user: details, roles, status, and what admins have done to the account."""
    view = service.user_admin(user)
    return {
        "title": view.full_name,
        "user": view,
        "is_self": user.id == admin.id,
        "staff_group": STAFF_GROUPS.get(view.staff_group, view.staff_group),
        "role_choices": [r.value for r in ROLE_CHOICES],
        "history": service.user_history(session, user=user),
        "done": DONE.get(done or ""),
        "errors": {},
        "nav": "admin",
    }


def user_invalid(session: Session, *, admin: User, user: User, exc: AppError) -> FormInvalid:
    """The user page again, saying why the action was refused."""
    ctx = user_context(session, admin=admin, user=user)
    errors = field_errors(exc, {}, default="status")
    return FormInvalid(errors, template=USER_TEMPLATE, context=ctx, status_code=exc.status_code)


def roles_from_form(form: FormData) -> list[Role]:
    """The roles ticked on the user page; anything not on the list is refused."""
    try:
        roles = [Role(v) for v in form.getlist("roles") if isinstance(v, str)]
    except ValueError:
        roles = []
    else:
        if set(roles) <= set(ROLE_CHOICES) | {Role.LEARNER}:
            return roles
    raise InvalidInput("Choose roles from the list.", field="roles")


def organisations_context(session: Session, *, done: str | None) -> dict[str, Any]:
    every = service.organisation_list(session)
    return {
        "title": "Organisations",
        "organisations": [o for o in every if o.listed],
        "unlisted": [o for o in every if not o.listed],
        "done": DONE.get(done or ""),
        "nav": "admin",
    }


def organisation_context(
    *, form: dict[str, Any], organisation_id: int | None = None
) -> dict[str, Any]:
    return {
        "title": "Edit organisation" if organisation_id else "Add an organisation",
        "form": form,
        "organisation_id": organisation_id,
        "kinds": ORGANISATION_KINDS,
        "regions": REGIONS,
        "errors": {},
        "nav": "admin",
    }


def merge_context(session: Session, *, organisation: Organisation) -> dict[str, Any]:
    """What the edit page needs to list a typed name or merge it into a listed organisation."""
    every = service.organisation_list(session)
    return {
        "organisation": next(o for o in every if o.id == organisation.id),
        "targets": [o for o in every if o.listed and o.id != organisation.id],
    }


def organisation_invalid(
    exc: ValidationError | AppError, *, form: dict[str, Any], organisation_id: int | None = None
) -> FormInvalid:
    """The organisation form again, with what to fix."""
    if isinstance(exc, ValidationError):
        errors, code = field_errors(exc, _ORG_LABELS), 422
    else:
        errors, code = field_errors(exc, {}, default="name"), exc.status_code
    ctx = organisation_context(form=form, organisation_id=organisation_id)
    return FormInvalid(errors, template=ORGANISATION_TEMPLATE, context=ctx, status_code=code)


def audit_context(session: Session, *, action: str | None, page: int) -> dict[str, Any]:
    """Every privileged action, newest first, a page at a time."""
    log = service.audit_log(session, page=page, action=action)
    pager = Pager(page=page, per_page=service.AUDIT_PER_PAGE, total=log.total)
    return {
        "title": "Audit log",
        "log": log,
        "action": action or "",
        "pager": pager,
        "pagination": pager.links("/admin/audit", action=action),
        "nav": "admin",
    }
