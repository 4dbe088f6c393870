"""Application factory: load and sync content, mount routers, static files and error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, PlainTextResponse, Response

import app.events
import app.models  # noqa: F401  (register every mapper before first use)
from app import health, site, workers
from app.accounts import router as accounts
from app.admin import router as admin
from app.analysis import router as analysis
from app.awards import router as awards
from app.cohorts import router as cohorts
from app.content import service as content_service
from app.content.registry import ContentRegistry, install, load_or_fail
from app.core import handlers, openapi, routing
from app.core.config import get_settings
from app.core.csrf import verify_csrf
from app.core.db import get_sessionmaker
from app.core.inputs import guard_input
from app.core.middleware import SecurityMiddleware
from app.core.templating import render
from app.credentials import router as credentials
from app.credentials.http import PublicDocuments
from app.esr import router as esr
from app.feedback import router as feedback
from app.gold import router as gold
from app.learning import router as learning
from app.lti import framing as lti_framing
from app.lti import router as lti
from app.outbox import router as outbox
from app.portfolio import router as portfolio
from app.privacy import router as privacy
from app.projects import router as projects
from app.reports import router as reports
from app.sso import router as sso
from app.xapi import router as xapi

log = logging.getLogger("qi_academy")
STATIC_DIR = Path(__file__).resolve().parent / "static"
SWAGGER = "swagger-ui-5.35.0"


def load_catalogue() -> ContentRegistry:
    """Validate every module (refusing to start on bad content) and render it once; record new
    versions (QIA_CONTENT_SYNC=true, one instance) or find them recorded by the deploy step."""
    settings = get_settings()
    modules = load_or_fail(settings.content_dir)
    with get_sessionmaker()() as session, session.begin():
        if settings.content_sync:
            registry = content_service.sync(session, modules=modules)
        else:
            registry = content_service.lookup(session, modules=modules)
    install(registry)  # for code outside a request: event handlers and jobs
    log.info("content loaded: %d modules", len(registry))
    return registry


def load_content_into(app: FastAPI) -> None:
    app.state.content = load_catalogue()


# Every domain's router module has `pages` (HTML, not in the OpenAPI document) and `api` (JSON).
DOMAINS = (
    learning,  # home, modules, the glossary, quizzes, the dashboard
    accounts,
    cohorts,  # before awards: /trainer/cohorts/new is cohorts', not the dashboard of cohort "new"
    awards,  # achievements and Silver progress
    credentials,
    projects,
    portfolio,  # the organisation's QI project registry and progress scores
    gold,
    reports,
    feedback,
    privacy,
    admin,
    sso,  # sign in with your organisation; /admin/sso
    lti,  # LTI 1.3 tool: launches from Moodle and others; /admin/lti
    xapi,  # /admin/xapi: each organisation's learning record store
    esr,  # /admin/esr and each organisation's ESR completions file
    analysis,
    outbox,
    site,  # accessibility statement, help, contact
    health,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if not hasattr(app.state, "content"):
        load_content_into(app)
    if not get_settings().workers_in_app:  # `qi-academy worker` runs them instead
        yield
        return
    async with workers.all_running(app):  # app/workers.py: outbox, report rollups, Gold sweep
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
        openapi_url="/openapi.json" if settings.api_docs else None,
        # Every page form post carries this browser's CSRF token (JSON writes authenticated by
        # the cookie are checked with the user); bad input stops here with a message.
        dependencies=[Depends(verify_csrf), Depends(guard_input)],
    )
    app.add_middleware(
        SecurityMiddleware,
        secure_cookies=settings.secure_cookies,
        frame_ancestors=lti_framing.allowed,  # only a platform this browser was launched from
    )
    app.add_middleware(PublicDocuments)  # outermost: HEAD everywhere, CORS for credential documents
    handlers.install(app)
    openapi.install(app, server_url=settings.base_url)
    for domain in DOMAINS:
        app.include_router(domain.pages)
        app.include_router(domain.api)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    if settings.api_docs:

        @app.get("/docs", include_in_schema=False)
        def api_docs(request: Request) -> Response:
            """Interactive API documentation, with no outside requests."""
            page = get_swagger_ui_html(
                openapi_url="/openapi.json",
                title="QI Academy API",
                swagger_js_url=f"/static/{SWAGGER}/swagger-ui-bundle.js",
                swagger_css_url=f"/static/{SWAGGER}/swagger-ui.css",
                swagger_favicon_url=f"/static/{SWAGGER}/favicon-32x32.png",
                oauth2_redirect_url=f"/static/{SWAGGER}/oauth2-redirect.html",
            )
            # The start-up script is inline: the page's CSP admits it by this request's nonce.
            nonce = request.state.csp_nonce
            html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
            return HTMLResponse(html)

    @app.get("/plaintext", include_in_schema=False)
    def plaintext() -> Response:
        """A bare route: the benchmark's baseline for framework overhead."""
        return PlainTextResponse("ok")

    @app.get("/privacy", include_in_schema=False)
    def privacy(request: Request) -> Response:
        """What we store about you and why."""
        return render(request, "privacy.html", {"title": "Privacy"})

    routing.install(app)  # last: each domain's router is skipped for paths outside it
    return app
