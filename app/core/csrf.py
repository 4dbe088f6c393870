"""CSRF protection for every cookie-authenticated write, page or JSON.

A write that the browser's cookies authenticate must carry a token that is an HMAC of the session it
belongs to (or, before signing in, of the anonymous CSRF cookie), in the form field `csrf_token` or
the `X-CSRF-Token` header, never in the query string; and it must not come from another site
(`Origin`, `Sec-Fetch-Site`). Requests authenticated by a Bearer token, and anonymous API calls,
carry no ambient credentials and are not checked. SameSite=Lax cookies stay as a second layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Request

from app.core.config import get_settings
from app.core.errors import Forbidden
from app.core.security import csrf_token_for, csrf_token_valid, decode_access_token

F = TypeVar("F", bound=Callable[..., Any])
SESSION_COOKIE = "qia_session"
CSRF_COOKIE = "qia_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfFailed(Forbidden):
    kind = "CsrfFailed"

    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from QI Academy. Go back, refresh the page and try again."
        )


class CrossSiteRequest(Forbidden):
    kind = "CrossSiteRequest"

    def __init__(self) -> None:
        super().__init__(
            "This request came from another website, so it was refused. Use QI Academy's own pages, "
            "or call the API with a Bearer token."
        )


def session_claims(request: Request) -> dict[str, object] | None:
    """The session cookie's claims if its signature and expiry are good (CPU only, cached)."""
    token = request.cookies.get(SESSION_COOKIE)
    return decode_access_token(token, settings=get_settings()) if token else None


def binding(request: Request) -> str:
    """What this browser's CSRF tokens are bound to: its session, or its anonymous cookie."""
    claims = session_claims(request)
    if claims is not None:
        return f"session:{claims['sid']}"
    return f"anonymous:{getattr(request.state, 'csrf_secret', '')}"


def token_for(request: Request) -> str:
    return csrf_token_for(binding(request), settings=get_settings())


def _same_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site", "")
    if site == "cross-site":
        return False
    if site == "same-origin":
        return True  # the browser says so (it sends Origin: null from a no-referrer page)
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True  # older browsers and non-browser clients: the token is the check
    own = {_origin(get_settings().base_url), f"{request.url.scheme}://{request.url.netloc}"}
    return origin in own


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def cross_site_by_design(endpoint: F) -> F:
    """Mark a route that another site posts to by design (an LTI platform's launch): it has no
    ambient session to protect and brings its own single-use, browser-bound state instead."""
    endpoint.__cross_site_by_design__ = True  # type: ignore[attr-defined]
    return endpoint


def _cross_site_route(request: Request) -> bool:
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), "__cross_site_by_design__", False))


async def verify_csrf(request: Request) -> None:
    """App-wide dependency for pages: every form post carries this browser's token.

    JSON API routes are checked where the cookie is used as the credential (`check`, called by
    the signed-in user's dependency), so a Bearer call or a sign-in with a password is never
    refused for lack of a token it could not have.
    """
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    if _cross_site_route(request):
        return
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if bearer and SESSION_COOKIE not in request.cookies:
        return
    await check(request)


async def check(request: Request) -> None:
    """Refuse a write from another site, or without this browser's token (403)."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise CrossSiteRequest()
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get("csrf_token")  # Starlette caches the parsed form
        token = value if isinstance(value, str) else None
    if not csrf_token_valid(binding(request), token, settings=get_settings()):
        raise CsrfFailed()
