"""The shape the code keeps (docs/architecture.md): small modules, thin routes, contracts that hold."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi.routing import APIRoute

from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
MAX_MODULE_LINES = 500
MAX_ROUTE_LINES = 15


def _python_modules() -> list[Path]:
    return [p for p in APP.rglob("*.py") if "static" not in p.parts]


def test_no_module_in_app_is_over_500_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def _route_lines(endpoint: object) -> int:
    """Lines of a route function without its decorators and docstring: signature and body."""
    source = textwrap.dedent(inspect.getsource(endpoint))  # type: ignore[arg-type]
    fn = ast.parse(source).body[0]
    assert isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        doc = body[0]
        docstring_lines = (doc.end_lineno or doc.lineno) - doc.lineno + 1
    else:
        docstring_lines = 0
    end = fn.end_lineno or fn.lineno
    return end - fn.lineno + 1 - docstring_lines


def _app_routes() -> list[APIRoute]:
    app = create_app()
    routes: list[APIRoute] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, APIRoute):
                routes.append(item)
            for attr in ("routes", "original_router"):
                inner = getattr(item, attr, None)
                if inner is not None and hasattr(inner, "routes"):
                    walk(list(inner.routes))
                elif isinstance(inner, list):
                    walk(inner)

    walk(list(app.router.routes))
    return routes


def test_every_route_function_is_at_most_15_lines() -> None:
    long = {}
    for route in _app_routes():
        endpoint = route.endpoint
        if not endpoint.__module__.startswith("app."):
            continue
        if (n := _route_lines(endpoint)) > MAX_ROUTE_LINES:
            long[f"{endpoint.__module__}.{endpoint.__name__}"] = n
    assert long == {}


def test_the_route_walk_finds_the_routes() -> None:
    """The two tests above mean nothing if the walk misses routers."""
    paths = {r.path for r in _app_routes()}
    assert {"/dashboard", "/api/v1/me", "/trainer/cohorts/{cohort_id}", "/achievements"} <= paths
    assert len(paths) > 150


def test_import_contracts_hold() -> None:
    """import-linter's layers (pyproject.toml): core imports no domain; no arrow runs back up."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
