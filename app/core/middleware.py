"""Pure ASGI middleware: security headers, a CSP nonce per request, and the anonymous CSRF cookie."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.csrf import CSRF_COOKIE
from app.core.security import new_csrf_secret

_PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI: its vendored bundle and its start-up script (given the nonce), inline styles it sets
# on elements, and requests to our own /openapi.json. Nothing from anywhere else.
_DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


# Given the request, the one origin allowed to frame our pages (an LTI platform the browser
# launched us from, as a domain above core decides), or None: frame-ancestors 'none'.
FrameAncestors = Callable[[Scope], str | None]
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        secure_cookies: bool = False,
        frame_ancestors: FrameAncestors | None = None,
    ) -> None:
        self.app = app
        self.secure = secure_cookies
        self.frame_ancestors = frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state = scope.setdefault("state", {})
        state["csp_nonce"] = nonce
        cookie = _read_cookie(scope, CSRF_COOKIE)
        set_cookie = not cookie
        state["csrf_secret"] = cookie or new_csrf_secret()
        path: str = scope.get("path", "")
        csp = (_DOCS_CSP if path == "/docs" else _PAGE_CSP).format(nonce=nonce)
        framer = self.frame_ancestors(scope) if self.frame_ancestors else None
        framed = bool(framer and _ORIGIN.match(framer))
        if framed:
            csp = csp.replace("frame-ancestors 'none'", f"frame-ancestors {framer}")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if not framed:  # CSP's frame-ancestors decides; X-Frame-Options has no allow-list
                    headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                # A page that posts a signed answer back to a platform (LTI deep linking) names
                # that one origin; every other form posts only to us.
                extra = state.get("form_action")
                page_csp = csp
                if isinstance(extra, str) and _ORIGIN.match(extra):
                    page_csp = csp.replace("form-action 'self'", f"form-action 'self' {extra}")
                headers.setdefault("Content-Security-Policy", page_csp)
                if self.secure:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                # Pages and API answers that show a signed-in person's data are never stored by
                # browsers or proxies (the auth dependency marks them).
                if state.get("personal"):
                    headers["Cache-Control"] = "no-store"
                if set_cookie and headers.get("content-type", "").startswith("text/html"):
                    # In a platform's frame the cookie is third-party: only SameSite=None reaches us.
                    flags = "; SameSite=None; Secure" if framed else "; SameSite=Lax"
                    flags += "; Secure" if self.secure and not framed else ""
                    headers.append(
                        "Set-Cookie",
                        f"{CSRF_COOKIE}={state['csrf_secret']}; Path=/; HttpOnly{flags}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _read_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is the client's problem, not a 500
                return None
            morsel = jar.get(name)
            if morsel and morsel.value:
                return morsel.value
    return None
