"""HEAD for every GET route, and CORS for the public credential documents (browser verifiers).

One ASGI middleware, not a setting per route. HEAD is answered as GET without the body, on every
path (FastAPI routes answer GET only). Every public, read-only credential document (keys, DID
document, issuer, achievements and their images, status lists, a credential's JSON, JWT and
badges) is readable from any origin (`Access-Control-Allow-Origin: *`, no cookies) and a preflight
is answered. The certificate PDF is private and is not opened up; nor are pages or the API.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PATHS = re.compile(
    r"^/(?:\.well-known/(?:jwks|did)\.json|did\.json|issuer(?:/image\.png)?|keys/[^/]+"
    r"|status/(?:revocations|bitstring/revocation)"
    r"|achievements/[^/]+(?:/image\.(?:png|svg))?"
    r"|credentials/[0-9a-fA-F-]{36}(?:\.(?:jwt|jsonld|png|svg)|/wallet-qr\.svg)?)$"
)
ALLOWED_METHODS = "GET, HEAD, OPTIONS"


class PublicDocuments:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        public = bool(PUBLIC_PATHS.match(scope["path"]))
        if public and method == "OPTIONS":
            await _preflight(scope, send)
            return
        if method not in ("GET", "HEAD") or (method == "GET" and not public):
            await self.app(scope, receive, send)
            return
        head = method == "HEAD"

        async def send_open(message: Message) -> None:
            if message["type"] == "http.response.start" and public:
                MutableHeaders(scope=message)["Access-Control-Allow-Origin"] = "*"
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # Content-Length stays: what GET would send
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_open)


async def _preflight(scope: Scope, send: Send) -> None:
    requested = Headers(scope=scope).get("access-control-request-headers")
    headers = {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-max-age": "86400",
        "allow": ALLOWED_METHODS,
        "content-length": "0",
    }
    if requested:
        headers["access-control-allow-headers"] = requested[:1000]
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": 204, "headers": raw})
    await send({"type": "http.response.body", "body": b""})
