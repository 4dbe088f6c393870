"""Email verification pages: confirm an address from the emailed link, send the link again, and
ask to change to a new address (which must be confirmed before it replaces the old)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import EmailStr, Field, ValidationError
from starlette.responses import Response

from app.accounts import verification
from app.accounts.dependencies import CurrentUser
from app.accounts.exceptions import VerificationLinkInvalid
from app.core.deps import SessionDep, SettingsDep
from app.core.errors import InvalidInput
from app.core.forms import FormInvalid, safe_next
from app.core.responses import done_redirect
from app.core.schemas import Schema
from app.core.templating import render

pages = APIRouter(include_in_schema=False)
CONFIRM = "accounts/verify_email.html"


class EmailChange(Schema):
    email: EmailStr = Field(max_length=254)


def _private(response: Response) -> Response:
    # The URL holds the token: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid() -> FormInvalid:
    context = {"title": "This link has expired", "invalid": True}
    return FormInvalid({}, template=CONFIRM, context=context, status_code=410)


@pages.get("/verify-email/{token}")
def verify_page(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Ask to confirm the address the link was sent to (a GET never changes anything)."""
    email = verification.link_email(session, token=token, settings=settings)
    if email is None:
        raise _invalid()
    context = {"title": "Confirm your email address", "email": email}
    return _private(render(request, CONFIRM, context))


@pages.post("/verify-email/{token}")
def verify_submit(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Confirm the address: a changed address replaces the old one now; waiting awards are issued."""
    try:
        user = verification.verify(session, token=token, settings=settings)
    except VerificationLinkInvalid as exc:
        raise _invalid() from exc
    context = {"title": "Your email address is confirmed", "email": user.email, "done": True}
    return _private(render(request, CONFIRM, context))


@pages.post("/account/email/resend")
def resend_submit(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    next_url: Annotated[str, Form(alias="next")] = "/account",
) -> Response:
    """Send the confirmation link again (at most 3 an hour)."""
    verification.resend(session, user=user, settings=settings)
    return done_redirect(safe_next(next_url, default="/account"), "link_sent")


def request_change(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, email: str
) -> None:
    """Validate the new address and send it a link; raises InvalidInput naming the field."""
    try:
        data = EmailChange(email=email.strip())
    except ValidationError as exc:
        message = (
            "Enter your new email address"
            if not email.strip()
            else ("Enter an email address in the right format, like name@example.nhs.uk")
        )
        raise InvalidInput(message, field="email") from exc
    verification.request_change(session, user=user, new_email=str(data.email), settings=settings)
