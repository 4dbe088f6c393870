"""Which learning platform may show our pages in its frame: the one this browser was launched
from, named in a signed cookie (SameSite=None; Secure) that only a checked launch sets."""

from __future__ import annotations

import base64
import hashlib
import hmac
from http.cookies import CookieError, SimpleCookie

from starlette.responses import Response
from starlette.types import Scope

from app.core.config import get_settings

FRAME_COOKIE = "qia_lti_frame"
STATE_COOKIE = "qia_lti_state"
FRAME_SECONDS = 8 * 3600


def _mac(origin: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"lti-frame:" + origin.encode(), hashlib.sha256).hexdigest()[:32]


def cookie_value(origin: str) -> str:
    return base64.urlsafe_b64encode(origin.encode()).decode().rstrip("=") + "." + _mac(origin)


def origin_from(value: str | None) -> str | None:
    if not value or "." not in value:
        return None
    encoded, mac = value.rsplit(".", 1)
    try:
        origin = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return origin if hmac.compare_digest(mac, _mac(origin)) else None


def allowed(scope: Scope) -> str | None:
    """SecurityMiddleware's frame_ancestors hook."""
    for key, raw in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw.decode("latin-1"))
            except CookieError:
                return None
            morsel = jar.get(FRAME_COOKIE)
            return origin_from(morsel.value) if morsel else None
    return None


def cross_site_cookie(
    response: Response, name: str, value: str, *, seconds: int, path: str
) -> None:
    """A cookie an LTI flow needs inside a platform's frame: SameSite=None; Secure."""
    response.set_cookie(
        name, value, max_age=seconds, path=path, httponly=True, samesite="none", secure=True
    )
