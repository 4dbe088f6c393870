"""Account settings pages: your details, your password, signing out everywhere."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.accounts import auth, organisations, verification, verify_pages
from app.accounts import settings as account
from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import CurrentUser
from app.accounts.models import User
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep, client_ip
from app.core.errors import AppError, InvalidInput
from app.core.forms import FormInvalid, field_errors
from app.core.responses import done_message, done_redirect
from app.core.templating import render

pages = APIRouter(include_in_schema=False)
TEMPLATE = "accounts/account.html"
DONE = {
    "details": "Your details have been saved.",
    "password": "Your password has been changed. You are still signed in here.",
    "email": "We have sent a link to your new email address. Your old address works until you confirm.",
    "link_sent": "We have sent you a new link. It works for 48 hours.",
}
_LABELS = {
    "full_name": "your full name",
    "organisation": "your organisation",
    "staff_group": "your staff group",
    "current_password": "your current password",
    "new_password": "a new password",
    "email": "your new email address",
    "email_password": "your current password",
}
_DETAILS = ("full_name", "organisation", "staff_group")


def _context(request: Request, user: User, session: Session, **extra: Any) -> dict[str, Any]:
    details = {
        "full_name": user.full_name,
        "organisation": user.organisation.name if user.organisation else "",
        "staff_group": user.staff_group,
    }
    return {
        "title": "Your account",
        "email": user.email,
        "email_verified": verification.is_verified(user),
        "pending_email": extra.pop("pending_email", None),
        "form": details | extra.pop("form", {}),
        "staff_groups": STAFF_GROUPS,
        "organisations": organisations.listed_names(session),
        "has_password": user.password_hash is not None,
        "done": done_message(request, DONE),
        **extra,
    }


@pages.get("/account")
def account_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Your details, email address and password, and signing out everywhere."""
    pending = verification.pending_email(session, user=user)
    return render(request, TEMPLATE, _context(request, user, session, pending_email=pending))


@pages.post("/account/details")
def details_submit(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    full_name: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    staff_group: Annotated[str, Form()] = "",
) -> Response:
    """Save your name, organisation and staff group."""
    form = {"full_name": full_name, "organisation": organisation, "staff_group": staff_group}
    _save_details(request, user, session, form)
    return done_redirect("/account", "details")


def _save_details(request: Request, user: User, session: Session, form: dict[str, str]) -> None:
    try:
        account.update_details(session, user=user, data=account.DetailsUpdate.model_validate(form))
    except (ValidationError, AppError) as exc:
        errors = field_errors(exc, _LABELS, default="full_name", order=_DETAILS)
        context = _context(request, user, session, form=form)
        raise FormInvalid(errors, template=TEMPLATE, context=context) from exc


def _password_errors(
    request: Request, user: User, session: Session, settings: Settings, current: str, new: str
) -> dict[str, str] | None:
    try:
        checked = account.check_new_password(new)
        keep, ip = request.state.session_id, client_ip(request)
        account.change_password(
            session,
            user=user,
            current=current,
            new=checked,
            keep_session=keep,
            ip=ip,
            settings=settings,
        )
    except (ValidationError, AppError) as exc:
        return field_errors(exc, _LABELS, default="current_password")
    return None


@pages.post("/account/password")
def password_submit(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Change your password; every other session ends."""
    errors = _password_errors(request, user, session, settings, current_password, new_password)
    if errors:
        # Returned, not raised: a wrong current password's failed attempt must be committed.
        return render(
            request, TEMPLATE, _context(request, user, session, errors=errors), status_code=422
        )
    return done_redirect("/account", "password")


def _email_errors(
    request: Request, user: User, session: Session, settings: Settings, email: str, current: str
) -> dict[str, str] | None:
    try:
        if user.password_hash is not None:
            if not current:
                raise InvalidInput("Enter your current password", field="email_password")
            ip = client_ip(request)
            if not auth.confirm_password(
                session, user=user, password=current, ip=ip, settings=settings
            ):
                raise InvalidInput("Your current password is not right", field="email_password")
        verify_pages.request_change(session, user, settings, email)
    except AppError as exc:
        return field_errors(exc, _LABELS, default="email")
    return None


@pages.post("/account/email")
def email_submit(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()] = "",
    email_password: Annotated[str, Form()] = "",
) -> Response:
    """Ask to use a new email address: a link goes there; the old one works until it is used."""
    errors = _email_errors(request, user, session, settings, email, email_password)
    if errors:
        # Returned, not raised: a wrong current password's failed attempt must be committed.
        context = _context(request, user, session, errors=errors, new_email=email)
        return render(request, TEMPLATE, context, status_code=422)
    return done_redirect("/account", "email")
