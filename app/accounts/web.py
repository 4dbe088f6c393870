"""The cookies of a web sign-in, shared by every way of signing in (password, an organisation's
single sign-on): start the session, set its cookie and the device cookie, and say where sign-out
goes next."""

from __future__ import annotations

from typing import Any

from fastapi import Request, status
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from app.accounts import auth
from app.accounts.models import User
from app.core.config import Settings
from app.core.csrf import SESSION_COOKIE
from app.core.deps import client_ip
from app.core.forms import safe_next
from app.core.security import create_access_token

# A same-site path to show after signing out (single sign-on offers the provider's sign-out).
AFTER_SIGN_OUT_COOKIE = "qia_after_sign_out"


def signed_in(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    *,
    to: str,
    after_sign_out: str | None = None,
    cross_site: bool = False,
) -> Response:
    """Start a web session for `user`, set its cookie and the device cookie, and redirect.

    `cross_site`: a launch from a learning platform, shown in its frame, where only
    SameSite=None; Secure cookies reach us (LTI only; every other sign-in stays Lax)."""
    row = auth.start_session(
        session,
        user=user,
        kind="web",
        settings=settings,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    token = create_access_token(
        settings=settings, user_id=user.id, token_version=user.token_version, session_id=row.id
    )
    response = RedirectResponse(to, status_code=status.HTTP_303_SEE_OTHER)
    cookie: dict[str, Any] = {
        "httponly": True,
        "samesite": "none" if cross_site else "lax",
        "secure": True if cross_site else settings.secure_cookies,
    }
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.token_minutes * 60, **cookie)
    device = auth.device_cookie(user.id, settings)
    response.set_cookie(auth.DEVICE_COOKIE, device, max_age=auth.DEVICE_DAYS * 86400, **cookie)
    if after_sign_out:
        response.set_cookie(AFTER_SIGN_OUT_COOKIE, after_sign_out, **cookie)
    else:
        response.delete_cookie(AFTER_SIGN_OUT_COOKIE, path="/")
    return response


def signed_out(request: Request, to: str | None = None) -> Response:
    """Forget the session cookie; go to `to`, else where the sign-in asked (same-site paths
    only), else the home page."""
    after = to or safe_next(request.cookies.get(AFTER_SIGN_OUT_COOKIE), default="/")
    response = RedirectResponse(after, status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(AFTER_SIGN_OUT_COOKIE, path="/")
    return response
