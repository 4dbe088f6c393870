"""The OpenAPI document as the app really behaves: one error schema, every status, security, servers.

FastAPI describes each route's success and a validation error in its own default shape. Our errors
all have one shape (`ErrorPublic`), and which errors a route can return follows from what it
depends on, so the table of error responses is built here from each route's dependency tree:

- every operation: 422 (bad input: app/core/inputs.py and request validation);
- a path parameter: 404 (nothing at that id);
- a write (POST, PUT, PATCH, DELETE): 400, 404 and 409 (a request the current state refuses, or
  naming something in its body that does not exist);
- whatever its dependencies declare with `declare()`: signed in (401, and 403 for a cookie write
  without its CSRF token), a role (403), a throttle (429), ...

A new route is described correctly without being listed anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

Security = Literal["required", "optional"]
SCHEME = "OAuth2PasswordBearer"
ERROR_REF = {"$ref": "#/components/schemas/ErrorPublic"}
WRITES = frozenset({"post", "put", "patch", "delete"})


class FieldErrorPublic(BaseModel):
    field: str
    message: str


class ErrorPublic(BaseModel):
    """Every error the API sends: a kind, a sentence saying what to fix, and per-field messages."""

    error: str
    detail: str
    errors: list[FieldErrorPublic] | None = None


@dataclass(frozen=True)
class Declared:
    statuses: frozenset[int] = frozenset()
    security: Security | None = None


_DECLARED: dict[Callable[..., Any], Declared] = {}


@dataclass
class _Facts:
    statuses: set[int] = field(default_factory=set)
    security: Security | None = None


def declare(
    dependency: Callable[..., Any], *statuses: int, security: Security | None = None
) -> Callable[..., Any]:
    """Say which error statuses a dependency can raise (and whether it signs the caller in)."""
    _DECLARED[dependency] = Declared(frozenset(statuses), security)
    return dependency


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _facts(route: APIRoute, method: str) -> _Facts:
    facts = _Facts(statuses={422})
    if "{" in route.path_format:  # ids and slugs, whether the route or a dependency loads them
        facts.statuses.add(404)
    if method in WRITES:
        facts.statuses |= {400, 404, 409}
    for call in _calls(route.dependant):
        declared = _DECLARED.get(call)
        if declared is None:
            continue
        facts.statuses |= declared.statuses
        if declared.security == "required" or (declared.security and not facts.security):
            facts.security = declared.security
    return facts


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
        }
    return response


def _describe(operation: dict[str, Any], facts: _Facts) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # Errors a route declares itself (responses={429: ...}) get the one error body too.
    declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    for status in sorted(facts.statuses | declared):
        current = responses.get(str(status), {})
        description = current.get("description")
        entry = _error_response(status)
        if description and description != "Validation Error":
            entry["description"] = description
        responses[str(status)] = entry
    if facts.security == "required":
        operation["security"] = [{SCHEME: []}]
    elif facts.security == "optional":
        operation["security"] = [{}, {SCHEME: []}]
    else:
        operation["security"] = []


def _routes(app: FastAPI) -> Iterator[APIRoute]:
    stack: list[Any] = list(app.router.routes)
    while stack:
        item = stack.pop()
        if isinstance(item, APIRoute):
            yield item
        inner = getattr(item, "original_router", None)
        if inner is not None:
            stack.extend(inner.routes)
        elif isinstance(getattr(item, "routes", None), list):
            stack.extend(item.routes)


def build(app: FastAPI, *, server_url: str) -> dict[str, Any]:
    """The whole document, made once per app and then served from memory."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        servers=[{"url": server_url, "description": "This QI Academy"}],
    )
    paths: dict[str, dict[str, Any]] = spec.get("paths", {})
    for route in _routes(app):
        if not route.include_in_schema or route.path_format not in paths:
            continue
        for method in route.methods or ():
            operation = paths[route.path_format].get(method.lower())
            if operation is not None:
                _describe(operation, _facts(route, method.lower()))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["FieldErrorPublic"] = FieldErrorPublic.model_json_schema()
    schemas["ErrorPublic"] = ErrorPublic.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schemas["ErrorPublic"].pop("$defs", None)
    return spec


def install(app: FastAPI, *, server_url: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app, server_url=server_url)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
