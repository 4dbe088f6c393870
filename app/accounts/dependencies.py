"""Who is asking: the signed-in user from the session cookie or a Bearer token, and role checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.accounts import auth
from app.accounts.constants import Role
from app.accounts.models import User
from app.accounts.schemas import Viewer
from app.core import csrf
from app.core.config import get_settings
from app.core.csrf import SESSION_COOKIE
from app.core.deps import SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.core.openapi import declare
from app.core.security import decode_access_token

__all__ = ["SESSION_COOKIE", "AdminUser", "CurrentUser", "LeaderUser", "OptionalUser"]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    version: int
    session_id: str


async def _claims(
    request: Request, bearer: Annotated[str | None, Depends(_bearer)]
) -> TokenClaims | None:
    """A valid token's claims from the Bearer header or the session cookie (CPU only, no I/O).

    A write authenticated by the cookie must also carry the CSRF token and come from our pages.
    """
    token = bearer or request.cookies.get(SESSION_COOKIE)
    claims = decode_access_token(token, settings=get_settings()) if token else None
    if claims is None:
        return None
    if not bearer:
        await csrf.check(request)
    return TokenClaims(user_id=int(claims["sub"]), version=claims["ver"], session_id=claims["sid"])


Claims = Annotated[TokenClaims | None, Depends(_claims)]


def load_user(session: Session, claims: TokenClaims, request: Request) -> User | None:
    """The token's user if the account is active and the session has not ended. Blocking I/O."""
    user = auth.get_active_user(
        session, user_id=claims.user_id, token_version=claims.version, session_id=claims.session_id
    )
    if user is not None:
        request.state.user = Viewer(
            id=user.id,
            full_name=user.full_name,
            roles=sorted(user.role_names),
            unread=user.unread_notifications or 0,
        )
        request.state.session_id = claims.session_id
        request.state.personal = True  # the middleware sends Cache-Control: no-store
    return user


async def _optional_user(request: Request, session: SessionDep, claims: Claims) -> User | None:
    if claims is None:
        return None
    return await run_in_threadpool(load_user, session, claims, request)


class NotSignedIn(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Sign in to continue. Your session may have expired.")


async def _current_user(user: Annotated[User | None, Depends(_optional_user)]) -> User:
    if user is None:
        raise NotSignedIn()
    return user


# What the OpenAPI document says of routes that use these (app/core/openapi.py): a signed-in
# route can answer 401, and 403 for a cookie-authenticated write without its CSRF token.
declare(_optional_user, 403, security="optional")
declare(_current_user, 401, 403, security="required")

OptionalUser = Annotated[User | None, Depends(_optional_user)]
CurrentUser = Annotated[User, Depends(_current_user)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that admits only users holding one of `roles`."""

    async def check(user: CurrentUser) -> User:
        if not user.has_role(*roles):
            names = " or ".join(r.value for r in roles)
            article = "an" if names[0] in "aeiou" else "a"
            raise Forbidden(f"Only {article} {names} can do this.")
        return user

    declare(check, 401, 403, security="required")
    return check


# Improvement leaders (and administrators) read reports and decide Gold; administrators run the site.
LeaderUser = Annotated[User, Depends(require_roles(Role.LEADER, Role.ADMIN))]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
