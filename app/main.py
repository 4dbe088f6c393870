"""Application factory: load and sync content, mount routers, static files and error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.responses import JSONResponse, PlainTextResponse, Response

import app.models  # noqa: F401  (register every mapper before first use)
from app.accounts import router as accounts_router
from app.admin import router as admin_router
from app.analysis import router as analysis_router
from app.cohorts import router as cohorts_router
from app.content import router as content_router
from app.content import service as content_service
from app.content.registry import load_or_fail
from app.core import handlers
from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from app.core.middleware import SecurityMiddleware
from app.core.templating import render
from app.credentials import router as credentials_router
from app.feedback import router as feedback_router
from app.gold import api as gold_api
from app.gold import router as gold_router
from app.outbox import router as outbox_router
from app.privacy import router as privacy_router
from app.progress import router as progress_router
from app.projects import api as projects_api
from app.projects import router as projects_router
from app.quizzes import router as quizzes_router
from app.reports import api as reports_api
from app.reports import router as reports_router

log = logging.getLogger("qi_academy")
STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER = "swagger-ui-5.35.0"


def load_content_into(app: FastAPI) -> None:
    """Validate every module (refusing to start on bad content), render once, record versions."""
    settings = get_settings()
    modules = load_or_fail(settings.content_dir)
    with get_sessionmaker()() as session, session.begin():
        app.state.content = content_service.sync(session, modules=modules)
    log.info("content loaded: %d modules", len(app.state.content))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if not hasattr(app.state, "content"):
        load_content_into(app)
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="QI Academy API",
        version="1.0",
        description="Quality improvement learning for health and social care. Errors are "
        '`{"error": "<Kind>", "detail": "<what to fix>"}`.',
        lifespan=lifespan,
        docs_url=None,  # served below from vendored Swagger UI: the default loads it from a CDN
        redoc_url=None,
    )
    app.add_middleware(SecurityMiddleware, secure_cookies=settings.secure_cookies)
    handlers.install(app)
    for module in (accounts_router, content_router, progress_router, quizzes_router):
        app.include_router(module.pages)
        app.include_router(module.api)
    app.include_router(analysis_router.router)
    for domain in (admin_router, feedback_router, privacy_router):
        app.include_router(domain.pages)
        app.include_router(domain.api)
    app.include_router(outbox_router.router)  # also starts the email delivery loop
    app.include_router(cohorts_router.pages)
    app.include_router(cohorts_router.api)
    app.include_router(credentials_router.router)
    app.include_router(gold_router.pages)
    app.include_router(gold_api.api)
    app.include_router(reports_router.pages)
    app.include_router(reports_api.api)
    app.include_router(projects_router.pages)
    app.include_router(projects_api.api)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["health"])
    def healthz() -> Response:
        """Liveness and database check."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # the reason goes to the caller: that is the point of the check
            return JSONResponse(
                {"status": "unavailable", "database": f"error: {type(exc).__name__}"},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        """Interactive API documentation, with no outside requests."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="QI Academy API",
            swagger_js_url=f"/static/{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"/static/{SWAGGER}/swagger-ui.css",
            swagger_favicon_url=f"/static/{SWAGGER}/favicon-32x32.png",
            oauth2_redirect_url=f"/static/{SWAGGER}/oauth2-redirect.html",
        )

    @app.get("/plaintext", include_in_schema=False)
    def plaintext() -> Response:
        """A bare route: the benchmark's baseline for framework overhead."""
        return PlainTextResponse("ok")

    @app.get("/privacy", include_in_schema=False)
    def privacy(request: Request) -> Response:
        """What we store about you and why."""
        return render(request, "privacy.html", {"title": "Privacy"})

    return app
