"""Turn every error into the right response: JSON {error, detail} for the API, an NHS.UK page otherwise."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.core.errors import AppError, Unauthorized
from app.core.forms import FormInvalid
from app.core.templating import render

log = logging.getLogger("qi_academy")

_STATUS_KIND = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "InvalidInput",
    429: "TooManyRequests",
    500: "ServerError",
    503: "Unavailable",
}
_TITLES = {
    401: "Sign in to continue",
    403: "You cannot open this page",
    404: "Page not found",
    409: "That conflicts with something that already exists",
    422: "There is a problem",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def wants_json(request: Request) -> bool:
    """JSON errors for the API and every document in the OpenAPI description (credentials,
    keys, the issuer profile): machines read those. An NHS.UK error page for everything else."""
    path = request.url.path
    if path.startswith(("/api/", "/.well-known/")) or path == "/openapi.json":
        return True
    route = request.scope.get("route")
    if route is not None:
        return bool(getattr(route, "include_in_schema", False))
    return path.startswith(_MACHINE_PREFIXES)  # no route matched: a malformed document address


# Documents for machines even where no route matched (a malformed credential id, say).
_MACHINE_PREFIXES = ("/credentials/", "/keys/", "/status/", "/achievements/")


def _browser_navigation(request: Request) -> bool:
    """A person following a link (a download on a page), who should be asked to sign in."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request,
    *,
    status_code: int,
    detail: str,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> Response:
    kind = kind or _STATUS_KIND.get(status_code, "Error")
    if wants_json(request):
        body: dict[str, Any] = {"error": kind, "detail": detail}
        if errors:
            body["errors"] = errors
        headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
        return JSONResponse(body, status_code=status_code, headers=headers)
    return render(
        request,
        "errors/error.html",
        {
            "title": _TITLES.get(status_code, "There is a problem"),
            "detail": detail,
            "status": status_code,
        },
        status_code=status_code,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "body"


def _validation_message(err: dict[str, Any]) -> str:
    if err.get("type") == "json_invalid":
        return "The request body is not valid JSON. Check quotes, commas and brackets."
    name = _field(tuple(err.get("loc", ())))
    if err.get("type") in ("literal_error", "enum"):
        expected = str((err.get("ctx") or {}).get("expected", ""))
        return f"{name}: choose one of {expected}"
    msg = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{name}: {msg}"


def install(app: FastAPI) -> None:
    @app.exception_handler(FormInvalid)
    async def form_invalid(request: Request, exc: FormInvalid) -> Response:
        # The request's session has already rolled back: the page is drawn from plain values.
        context = {**exc.context, "errors": exc.errors}
        return render(request, exc.template, context, status_code=exc.status_code)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        signing_in = not wants_json(request) or _browser_navigation(request)
        if isinstance(exc, Unauthorized) and request.method == "GET" and signing_in:
            # The whole address, query too, so signing in (or registering) comes back to it.
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(back, safe='/')}", status_code=303)
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return error_response(
            request, status_code=exc.status_code, detail=exc.message, kind=exc.kind, errors=errors
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())
        fields = [
            {"field": _field(tuple(e.get("loc", ()))), "message": _validation_message(e)}
            for e in errs
        ]
        detail = "; ".join(f["message"] for f in fields[:10]) or "The request is not valid."
        return error_response(
            request, status_code=422, detail=detail, kind="InvalidInput", errors=fields
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
        if exc.status_code == 404:
            detail = (
                "There is nothing at this address. Check it, or start again from the home page."
            )
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed here."
        return error_response(request, status_code=exc.status_code, detail=detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(
            request,
            status_code=500,
            detail="Something went wrong on our side. Nothing you did caused it; try again.",
        )
