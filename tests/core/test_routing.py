"""The routing gates (app/core/routing.py) pick exactly the route FastAPI alone would pick."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Match

from app.core import routing
from app.main import create_app


def _first_match(app: FastAPI, path: str, method: str = "GET") -> int | None:
    """Index of the top-level route that takes the path (FULL, else the first PARTIAL)."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    partial = None
    for i, route in enumerate(app.router.routes):
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return i
        if match == Match.PARTIAL and partial is None:
            partial = i
    return partial


def _ungated() -> FastAPI:
    app = create_app()
    for route in app.router.routes:
        route.__dict__.pop("matches", None)  # back to the class's own method
    return app


def _route_paths(app: FastAPI) -> list[str]:
    paths: list[str] = []
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter):
            paths += [p for p in routing._route_paths(route) if p]
    return paths


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_literal_prefixes_stop_at_the_first_parameter() -> None:
    assert routing.literal_prefix("/") == ()
    assert routing.literal_prefix("/api/v1/projects/{id}") == ("api", "v1", "projects")
    assert routing.literal_prefix("/credentials/{id}.jwt") == ("credentials",)
    assert routing.literal_prefix("/a/b/c/d/e") == ("a", "b", "c")
    assert routing.literal_prefix("/api/v1/") == ("api", "v1")


def test_every_route_is_found_by_the_same_router_with_and_without_gates() -> None:
    gated, plain = create_app(), _ungated()
    paths = _route_paths(gated)
    assert len(paths) > 150
    found = 0
    for path in paths:
        for method in ("GET", "POST"):
            sample = _sample(path)  # a few parameters take only their own shape ("1" is not one)
            expected = _first_match(plain, sample, method)
            found += expected is not None
            assert _first_match(gated, sample, method) == expected, (sample, method)
    assert found > 0.9 * 2 * len(paths)


def test_a_gate_skips_the_routers_a_path_cannot_belong_to() -> None:
    app = create_app()
    scope = {"type": "http", "path": "/plaintext", "root_path": "", "method": "GET"}
    asked = [r for r in app.router.routes if isinstance(r, _IncludedRouter)]
    # Only the router holding "/" could take the path; every other one answers at its gate.
    passed = [r for r in asked if () in routing.prefixes_of(r)]
    assert len(passed) < len(asked) / 4
    for route in asked:
        if route not in passed:
            assert route.matches(dict(scope)) == (Match.NONE, {})


SEGMENTS = ["api", "v1", "me", "modules", "cohorts", "projects", "trainer", "leader", "admin"]
SEGMENTS += ["credentials", "gold", "1", "x", "", "healthz", "achievements", "static", "issuer"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(SEGMENTS), min_size=0, max_size=6), st.sampled_from(["GET", "POST"])
)
def test_any_path_is_routed_as_fastapi_alone_routes_it(segments: list[str], method: str) -> None:
    path = "/" + "/".join(segments)
    assert _first_match(GATED, path, method) == _first_match(PLAIN, path, method)


GATED, PLAIN = create_app(), _ungated()
