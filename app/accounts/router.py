"""Account pages (register, sign in, sign out, password resets) and the auth API; thin routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ValidationError
from starlette.responses import Response

from app.accounts import account_pages, auth, organisations, service, verify_pages, web
from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import CurrentUser
from app.accounts.exceptions import ResetLinkInvalid
from app.accounts.models import User
from app.accounts.schemas import Token, UserCreate, UserPublic, VocabularyItem
from app.core.config import Settings
from app.core.csrf import session_claims
from app.core.deps import IsolatedSessions, SessionDep, SettingsDep, client_ip, verify_csrf
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict, safe_next
from app.core.openapi import declare
from app.core.security import create_access_token
from app.core.templating import render

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["auth"])

_LABELS = {
    "email": "your email address",
    "password": "a password",
    "full_name": "your full name",
    "organisation": "your organisation",
    "staff_group": "your staff group",
}
_REGISTER_FIELDS = ("full_name", "email", "password", "organisation", "staff_group")


def _register_form(form: dict[str, str], errors: dict[str, str], names: list[str]) -> FormInvalid:
    context = {
        "title": "Create an account",
        "organisations": names,
        "form": {k: v for k, v in form.items() if k != "password"},
        "staff_groups": STAFF_GROUPS,
        "next": safe_next(form.get("next")),
    }
    return FormInvalid(errors, template="accounts/register.html", context=context)


@pages.get("/register")
def register_page(
    request: Request,
    session: SessionDep,
    next_url: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The registration form; `next` is where the new account goes once made (an invitation)."""
    names = organisations.listed_names(session)
    context = {"form": {}, "staff_groups": STAFF_GROUPS, "next": safe_next(next_url)}
    context["organisations"] = names
    return render(request, "accounts/register.html", {"title": "Create an account", **context})


def _registration(request: Request, isolated: IsolatedSessions, settings: SettingsDep) -> None:
    limit = auth.hourly_limit("register", client_ip(request), settings.register_max_per_ip_per_hour)
    auth.check_rate(
        isolated,
        limit,
        message="Too many accounts were made from this network in the last hour. Try again in an hour.",
    )


RegistrationAllowed = Depends(declare(_registration, 429))


@pages.post("/register", dependencies=[RegistrationAllowed])
async def register_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Create the account and sign the new learner in, or show what to fix."""
    form = form_dict(await request.form(), *_REGISTER_FIELDS, "next")
    try:
        data = UserCreate.model_validate(form)
        user = service.register(session, data=data, settings=settings)
    except (ValidationError, AppError) as exc:
        errors = field_errors(exc, _LABELS, default="email", order=_REGISTER_FIELDS)
        raise _register_form(form, errors, organisations.listed_names(session)) from exc
    return web.signed_in(request, session, settings, user, to=safe_next(form["next"]))


@pages.get("/login")
def login_page(
    request: Request, next_url: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The sign-in form."""
    return render(
        request,
        "accounts/login.html",
        {"title": "Sign in", "next": safe_next(next_url), "email": ""},
    )


def _login_form(email: str, next_url: str, errors: dict[str, str], code: int = 422) -> FormInvalid:
    context = {"title": "Sign in", "next": safe_next(next_url), "email": email}
    return FormInvalid(errors, template="accounts/login.html", context=context, status_code=code)


@dataclass(frozen=True)
class _LoginForm:
    email: str
    password: str
    next: str


async def _login_fields(request: Request) -> _LoginForm:
    """The sign-in form, or the form again naming what is missing."""
    form = form_dict(await request.form(), "email", "password", "next")
    missing = {
        k: f"Enter your {'email address' if k == 'email' else k}"
        for k in ("email", "password")
        if not form[k]
    }
    if missing:
        raise _login_form(form["email"], form["next"], missing)
    return _LoginForm(email=form["email"], password=form["password"], next=form["next"])


@pages.post("/login")
def login_submit(
    request: Request,
    form: Annotated[_LoginForm, Depends(_login_fields)],
    session: SessionDep,
    settings: SettingsDep,
    isolated: IsolatedSessions,
) -> Response:
    """Check the password (throttled) and start a session."""
    try:
        user = _authenticate(request, session, settings, isolated, form.email, form.password)
    except AppError as exc:
        errors = {"email": exc.message}
        raise _login_form(form.email, form.next, errors, exc.status_code) from exc
    return web.signed_in(request, session, settings, user, to=safe_next(form.next))


def _authenticate(
    request: Request,
    session: SessionDep,
    settings: Settings,
    isolated: IsolatedSessions,
    email: str,
    password: str,
) -> User:
    return auth.authenticate(
        session,
        email=email,
        password=password,
        ip=client_ip(request),
        device=request.cookies.get(auth.DEVICE_COOKIE),
        settings=settings,
        isolated=isolated,
    )


@pages.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """End this session (its cookie stops working everywhere at once) and forget the cookie."""
    claims = session_claims(request)
    if claims is not None:
        auth.end_session(session, session_id=str(claims["sid"]))
    return web.signed_out(request)


@pages.post("/logout/everywhere")
def logout_everywhere(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """End every session of this account, on every device."""
    auth.end_sessions(session, user_id=user.id)
    return web.signed_out(request, "/login?signed_out=everywhere")


@api.post("/auth/register", status_code=201, dependencies=[RegistrationAllowed])
def register_api(data: UserCreate, session: SessionDep, settings: SettingsDep) -> UserPublic:
    """Create a learner account (a link to confirm the email address is sent)."""
    return service.to_public(service.register(session, data=data, settings=settings))


@api.post("/auth/token", response_model=Token, responses={401: {}, 429: {}})
def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    isolated: IsolatedSessions,
) -> Token:
    """OAuth2 password flow: exchange email (as username) and password for a Bearer token."""
    user = _authenticate(request, session, settings, isolated, form.username, form.password)
    row = auth.start_session(
        session, user=user, kind="api", settings=settings, ip=client_ip(request)
    )
    token = create_access_token(
        settings=settings, user_id=user.id, token_version=user.token_version, session_id=row.id
    )
    return Token(access_token=token)


@api.post("/auth/logout", status_code=204)
def revoke_token(request: Request, _user: CurrentUser, session: SessionDep) -> Response:
    """End the session this token (or cookie) belongs to; it stops working at once."""
    auth.end_session(session, session_id=request.state.session_id)
    return Response(status_code=204)


@api.get("/staff-groups", tags=["vocabularies"])
def list_staff_groups() -> list[VocabularyItem]:
    """The staff groups a person can choose (the codes `staff_group` takes), in the order shown."""
    return [VocabularyItem(value=k, label=v) for k, v in STAFF_GROUPS.items()]


@api.get("/me")
def read_me(user: CurrentUser) -> UserPublic:
    """The signed-in user, with roles."""
    return service.to_public(user)


# --- Password resets ------------------------------------------------------------------------------


def _private(response: Response) -> Response:
    # Pages whose URL holds a reset token: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@pages.get("/forgot-password")
def forgot_password_page(request: Request) -> Response:
    """Ask for a password reset link."""
    return render(
        request, "accounts/forgot_password.html", {"title": "Reset your password", "email": ""}
    )


def _forgot_email(email: Annotated[str, Form()] = "") -> str:
    """The address typed, or the form again with what to fix."""
    email = email.strip()
    error = None
    if not email:
        error = "Enter your email address"
    elif "@" not in email or len(email) > 254:
        error = "Enter an email address in the right format, like name@example.nhs.uk"
    if error:
        context = {"title": "Reset your password", "email": email}
        raise FormInvalid(
            {"email": error}, template="accounts/forgot_password.html", context=context
        )
    return email


def _reset_rate(request: Request, isolated: IsolatedSessions, settings: SettingsDep) -> None:
    limit = auth.hourly_limit("reset", client_ip(request), settings.reset_max_per_ip_per_hour)
    auth.check_rate(
        isolated,
        limit,
        message="Too many reset links were asked for from this network in the last hour. Try again in an hour.",
    )


@pages.post("/forgot-password", dependencies=[Depends(_reset_rate)])
def forgot_password_submit(
    request: Request,
    email: Annotated[str, Depends(_forgot_email)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Email a reset link if the address has an account; the answer is the same either way."""
    service.request_password_reset(session, email=email, settings=settings)
    return render(
        request, "accounts/forgot_password_sent.html", {"title": "Check your email", "email": email}
    )


def _reset_invalid() -> FormInvalid:
    context = {"title": "This link has expired"}
    template = "accounts/reset_password_invalid.html"
    return FormInvalid(
        {}, template=template, context=context, status_code=ResetLinkInvalid.status_code
    )


@pages.get("/reset-password/{token}")
def reset_password_page(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to choose a new password, if the link is still good."""
    if not service.reset_link_usable(session, token=token, settings=settings):
        raise _reset_invalid()
    return _private(
        render(request, "accounts/reset_password.html", {"title": "Choose a new password"})
    )


def _reset(session: SessionDep, token: str, password: str, settings: Settings) -> None:
    try:
        service.reset_password(session, token=token, password=password, settings=settings)
    except ResetLinkInvalid as exc:
        raise _reset_invalid() from exc
    except AppError as exc:
        raise FormInvalid(
            {"password": exc.message},
            template="accounts/reset_password.html",
            context={"title": "Choose a new password"},
            status_code=exc.status_code,
        ) from exc


@pages.post("/reset-password/{token}")
def reset_password_submit(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    password: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password: every session ends and the link stops working."""
    _reset(session, token, password, settings)
    title = "Your password has been changed"
    return _private(render(request, "accounts/reset_password_done.html", {"title": title}))


pages.include_router(account_pages.pages)  # your account: details, email, password
pages.include_router(verify_pages.pages)  # confirming an email address
