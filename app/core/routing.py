"""Route matching that skips, at once, the domains a path cannot belong to.

FastAPI (0.165) matches a request by asking each included router in turn, and each router asks
each of its routes, with scope bookkeeping per candidate: about 240 checks, twice (match, then
handle), before the app's last route is found. Neither FastAPI nor Starlette indexes routes (they
match in order, by regular expression), so this module adds the product's own gate in front of
each included router: the literal leading segments of its routes (up to three, before the first
path parameter), checked against the request's first segments before FastAPI's own matching
runs. The gate keeps FastAPI's order and semantics: a router it skips has no route whose literal
segments fit the path, so it could not have matched, fully or partly.

Gates are computed when the app is built (`install`, after every router is included); a router
that gains routes later keeps the gate it had, so routes are added before `install` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

DEPTH = 3
_SCOPE_KEY = "qia.path_prefixes"


def literal_prefix(path: str) -> tuple[str, ...]:
    """The leading segments of a route path that hold no parameter, at most DEPTH of them."""
    prefix: list[str] = []
    for segment in path.lstrip("/").split("/")[:DEPTH]:
        if not segment or "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)


def request_prefixes(scope: Scope) -> tuple[tuple[str, ...], ...]:
    """The request path's first 0..DEPTH segments, worked out once per request."""
    cached = scope.get(_SCOPE_KEY)
    if cached is None:
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        segments = tuple(path.lstrip("/").split("/")[:DEPTH])
        cached = tuple(segments[:k] for k in range(DEPTH + 1))
        scope[_SCOPE_KEY] = cached
    return cached  # type: ignore[no-any-return]


def _route_paths(router: _IncludedRouter) -> Iterable[str | None]:
    for candidate in router.effective_candidates():
        if isinstance(candidate, _IncludedRouter):
            yield from _route_paths(candidate)
            continue
        route = candidate.starlette_route or candidate.original_route
        # An unknown kind of route (a host, a frontend group) gets no prefix: it is always asked.
        yield candidate.path or (route.path if isinstance(route, Route | Mount) else None)


def prefixes_of(router: _IncludedRouter) -> frozenset[tuple[str, ...]]:
    """Every literal prefix of the router's routes; () when a route could match any path."""
    return frozenset(literal_prefix(path) if path else () for path in _route_paths(router))


def _gate(router: _IncludedRouter) -> Callable[[Scope], tuple[Match, Scope]]:
    prefixes = prefixes_of(router)
    lengths = sorted({len(p) for p in prefixes})
    matches = router.matches

    def gated(scope: Scope) -> tuple[Match, Scope]:
        wanted = scope.get(_SCOPE_KEY) or request_prefixes(scope)
        for k in lengths:
            if wanted[k] in prefixes:
                return matches(scope)
        return Match.NONE, {}

    return gated


def install(app: FastAPI) -> None:
    """Gate every router included in the app (call once every route is in place)."""
    routes: list[BaseRoute] = app.router.routes
    for route in routes:
        if isinstance(route, _IncludedRouter):
            gate: Any = _gate(route)
            # An instance attribute shadows the dataclass's method for this router alone.
            object.__setattr__(route, "matches", gate)
