"""Annotated dependencies shared by every domain: the request's session, settings and CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.core.db import get_db
from app.core.errors import Forbidden
from app.core.security import csrf_token_valid

# scope="function": commit before the response goes out, so a failed commit is an error response.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


async def _settings() -> Settings:
    return get_settings()  # async: a cached value needs no trip to the threadpool


SettingsDep = Annotated[Settings, Depends(_settings)]


class CsrfFailed(Forbidden):
    kind = "CsrfFailed"

    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from QI Academy. Go back, refresh the page and try again."
        )


async def verify_csrf(request: Request, settings: SettingsDep) -> None:
    """Every state-changing form post carries the signed token that matches its CSRF cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.query_params.get("csrf_token")
    if token is None:
        form = await request.form()  # Starlette caches the parsed form for the route itself
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    secret = request.cookies.get("qia_csrf")
    if not csrf_token_valid(secret, token, settings=settings):
        raise CsrfFailed()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
