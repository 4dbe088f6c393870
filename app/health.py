"""Health for load balancers and orchestrators: liveness (the process answers) and readiness
(the database answers, its schema is at the migrations' head, the course content is loaded)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse, Response

from app.core.deps import SessionDep
from app.core.schemas import Schema

ROOT = Path(__file__).resolve().parents[1]
pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["health"])


class Health(Schema):
    status: Literal["ok", "unavailable"]
    database: str
    migrations: str | None = None
    content: str | None = None


@lru_cache
def _heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads())


def _readiness(request: Request, session: Session) -> Health:
    try:
        versions = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as exc:  # the reason goes to the caller: that is the point of the check
        return Health(status="unavailable", database=f"error: {type(exc).__name__}")
    migrations = (
        "ok" if versions == _heads() else f"behind: at {', '.join(sorted(versions)) or 'none'}"
    )
    content = "ok" if getattr(request.app.state, "content", None) is not None else "not loaded"
    ready = migrations == "ok" and content == "ok"
    return Health(
        status="ok" if ready else "unavailable",
        database="ok",
        migrations=migrations,
        content=content,
    )


@api.get("/healthz", responses={503: {"model": Health}})
def healthz(request: Request, session: SessionDep) -> Response:
    """Ready to serve: database reachable, migrations at head, content loaded (503 if not)."""
    health = _readiness(request, session)
    return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)


@api.get("/healthz/ready", responses={503: {"model": Health}})
def ready(request: Request, session: SessionDep) -> Response:
    """The same as /healthz: send traffic here only while this answers 200."""
    return healthz(request, session)


@api.get("/healthz/live")
def live() -> Health:
    """The process answers (no database call): restart it only when this stops answering."""
    return Health(status="ok", database="not checked")
