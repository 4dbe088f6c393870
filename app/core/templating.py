"""One Jinja environment: autoescaped, NHS.UK component macros, and a page renderer for routes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path
from threading import Lock
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from markupsafe import escape
from starlette.responses import HTMLResponse

from app.core.config import get_settings
from app.core.csrf import token_for
from app.core.timefmt import FILTERS

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
NHSUK_FRONTEND_VERSION = "10.6.1"

_env = Environment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATES_DIR), PackageLoader("nhsuk_frontend_jinja")]),
    autoescape=True,
    undefined=ChainableUndefined,  # the NHS.UK macros read optional nested params
    trim_blocks=True,
    lstrip_blocks=True,
    # Outside development templates never change while the app runs: checking every template's
    # file (and each macro's in nhsuk_frontend_jinja) on every render cost 30% of the dashboard.
    auto_reload=get_settings().env == "dev",
)
_env.globals["nhsuk_version"] = NHSUK_FRONTEND_VERSION
_env.filters.update(FILTERS)
_env.globals.update(FILTERS)  # day(x) and x|day both read well in templates
templates = Jinja2Templates(env=_env)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with what every page needs: the user, a CSRF token and the CSP nonce."""
    settings = get_settings()
    ctx: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": token_for(request),
        "cspNonce": getattr(request.state, "csp_nonce", ""),
        "assetPath": "/static/nhsuk-frontend/assets",
        "base_url": settings.base_url,
        "base_url_warning": _base_url_warning(request, settings.base_url)
        if settings.env == "dev"
        else None,
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def _base_url_warning(request: Request, base_url: str) -> dict[str, str] | None:
    """In development, a page opened at another address than QIA_BASE_URL says so: every link
    the app signs or emails would point to the other address."""
    seen = f"{request.url.scheme}://{request.url.netloc}"
    base = base_url.rstrip("/")
    return None if seen == base else {"seen": seen, "base": base}


# Pages that differ between users only in the header's name, the CSRF token and the CSP nonce are
# rendered once with placeholders and then filled in per request: the NHS.UK macros cost ~5 ms a page.
_HOLE_NAME, _HOLE_CSRF, _HOLE_NONCE = "QIAHOLEFULLNAME", "QIAHOLECSRFTOKEN", "QIAHOLECSPNONCE"
_HOLE_UNREAD = "QIAHOLEUNREAD"  # the bell's count of unread notifications
_PAGE_CACHE_SIZE = 2048
_pages: OrderedDict[Hashable, str] = OrderedDict()
_pages_lock = Lock()


class _HoleViewer:
    full_name = _HOLE_NAME
    unread = _HOLE_UNREAD


def render_cached(
    request: Request, name: str, context: dict[str, Any], *, key: Hashable
) -> HTMLResponse:
    """Render a signed-in page once per `key` (which must capture everything else the page shows)."""
    cache_key = (name, key)
    with _pages_lock:
        html = _pages.get(cache_key)
        if html is not None:
            _pages.move_to_end(cache_key)
    if html is None:
        ctx: dict[str, Any] = {
            "request": request,
            "current_user": _HoleViewer(),
            "csrf_token": _HOLE_CSRF,
            "cspNonce": _HOLE_NONCE,
            "assetPath": "/static/nhsuk-frontend/assets",
            "base_url": get_settings().base_url,
            **context,
        }
        html = _env.get_template(name).render(ctx)
        with _pages_lock:
            _pages[cache_key] = html
            if len(_pages) > _PAGE_CACHE_SIZE:
                _pages.popitem(last=False)
    viewer = getattr(request.state, "user", None)
    filled = (
        html.replace(_HOLE_NAME, str(escape(viewer.full_name if viewer else "")))
        .replace(_HOLE_UNREAD, str(getattr(viewer, "unread", 0)))
        .replace(_HOLE_CSRF, token_for(request))
        .replace(_HOLE_NONCE, getattr(request.state, "csp_nonce", ""))
    )
    return HTMLResponse(filled)
