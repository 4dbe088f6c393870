"""Account pages (register, sign in, sign out) and the auth API; thin: parse, call the service, respond."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from app.accounts import service
from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import SESSION_COOKIE, CurrentUser
from app.accounts.exceptions import InvalidCredentials, ResetLinkInvalid
from app.accounts.schemas import Token, UserCreate, UserPublic
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep, client_ip, verify_csrf
from app.core.errors import AppError
from app.core.forms import field_errors, form_dict, safe_next
from app.core.handlers import error_response
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
_REGISTER_FIELDS = ("email", "full_name", "organisation", "staff_group", "password")


def _signed_in(response: Response, *, token: str, settings: Settings) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def _token_for(user_id: int, token_version: int, settings: Settings) -> str:
    return create_access_token(settings=settings, user_id=user_id, token_version=token_version)


@pages.get("/register")
def register_page(request: Request) -> Response:
    """The registration form."""
    return render(
        request,
        "accounts/register.html",
        {"title": "Create an account", "form": {}, "staff_groups": STAFF_GROUPS},
    )


@pages.post("/register")
async def register_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Create the account and sign the new learner in, or show what to fix."""
    form = form_dict(await request.form(), *_REGISTER_FIELDS)
    try:
        user = service.register(session, data=UserCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        errors = (
            field_errors(exc, _LABELS)
            if isinstance(exc, ValidationError)
            else {exc.field or "email": exc.message}
        )
        code = 422 if isinstance(exc, ValidationError) else exc.status_code
        form.pop("password")
        return render(
            request,
            "accounts/register.html",
            {
                "title": "Create an account",
                "form": form,
                "errors": errors,
                "staff_groups": STAFF_GROUPS,
            },
            status_code=code,
        )
    redirect = RedirectResponse("/dashboard", status_code=status.HTTP_303_SEE_OTHER)
    return _signed_in(
        redirect, token=_token_for(user.id, user.token_version, settings), settings=settings
    )


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


@pages.post("/login")
async def login_submit(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Check the password (rate limited) and set the session cookie."""
    form = form_dict(await request.form(), "email", "password", "next")
    ctx = {"title": "Sign in", "next": safe_next(form["next"]), "email": form["email"]}
    if not form["email"] or not form["password"]:
        errors = {
            k: f"Enter {_LABELS[k].replace('a password', 'your password')}"
            for k in ("email", "password")
            if not form[k]
        }
        return render(request, "accounts/login.html", {**ctx, "errors": errors}, status_code=422)
    try:
        user = service.authenticate(
            session,
            email=form["email"],
            password=form["password"],
            ip=client_ip(request),
            settings=settings,
        )
    except AppError as exc:  # a response, not a raise: the failed attempt must be committed
        return render(
            request,
            "accounts/login.html",
            {**ctx, "errors": {"email": exc.message}},
            status_code=exc.status_code,
        )
    redirect = RedirectResponse(ctx["next"], status_code=status.HTTP_303_SEE_OTHER)
    return _signed_in(
        redirect, token=_token_for(user.id, user.token_version, settings), settings=settings
    )


@pages.post("/logout")
def logout() -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@api.post("/auth/register", status_code=201)
def register_api(data: UserCreate, session: SessionDep) -> UserPublic:
    """Create a learner account."""
    return service.to_public(service.register(session, data=data))


@api.post("/auth/token", response_model=Token)
def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token | Response:
    """OAuth2 password flow: exchange email (as username) and password for a Bearer token."""
    try:
        user = service.authenticate(
            session,
            email=form.username,
            password=form.password,
            ip=client_ip(request),
            settings=settings,
        )
    except (InvalidCredentials, AppError) as exc:  # returned, so the failed attempt is committed
        return error_response(
            request, status_code=exc.status_code, detail=exc.message, kind=exc.kind
        )
    return Token(access_token=_token_for(user.id, user.token_version, settings))


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


@pages.post("/forgot-password")
async def forgot_password_submit(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Email a reset link if the address has an account; the answer is the same either way."""
    email = form_dict(await request.form(), "email")["email"].strip()
    ctx = {"title": "Reset your password", "email": email}
    if not email or "@" not in email or len(email) > 254:
        error = (
            "Enter your email address"
            if not email
            else "Enter an email address in the right format, like name@example.nhs.uk"
        )
        return render(
            request,
            "accounts/forgot_password.html",
            {**ctx, "errors": {"email": error}},
            status_code=422,
        )
    service.request_password_reset(session, email=email, settings=settings)
    return render(
        request, "accounts/forgot_password_sent.html", {"title": "Check your email", "email": email}
    )


@pages.get("/reset-password/{token}")
def reset_password_page(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The form to choose a new password, if the link is still good."""
    if not service.reset_link_usable(session, token=token, settings=settings):
        return _private(_reset_invalid(request))
    return _private(
        render(request, "accounts/reset_password.html", {"title": "Choose a new password"})
    )


@pages.post("/reset-password/{token}")
async def reset_password_submit(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Set the new password: every session ends and the link stops working."""
    password = form_dict(await request.form(), "password")["password"]
    try:
        service.reset_password(session, token=token, password=password, settings=settings)
    except ResetLinkInvalid:
        return _private(_reset_invalid(request))
    except AppError as exc:
        return _private(
            render(
                request,
                "accounts/reset_password.html",
                {"title": "Choose a new password", "errors": {"password": exc.message}},
                status_code=exc.status_code,
            )
        )
    return _private(
        render(
            request,
            "accounts/reset_password_done.html",
            {"title": "Your password has been changed"},
        )
    )


def _reset_invalid(request: Request) -> Response:
    return render(
        request,
        "accounts/reset_password_invalid.html",
        {"title": "This link has expired"},
        status_code=ResetLinkInvalid.status_code,
    )
