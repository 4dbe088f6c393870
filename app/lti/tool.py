"""What the LTI routes do between parsing and rendering: the launch's error page, where a launch
goes next, the frame cookie, and the deep-linking page's modules."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.content import registry
from app.content.registry import ContentRegistry
from app.content.service import tier_name
from app.core.config import Settings
from app.core.db import SessionFactory
from app.core.errors import AppError
from app.core.forms import FormInvalid
from app.lti import deeplinking, framing, launches, messages, platforms, roster
from app.lti.exceptions import LaunchRefused
from app.lti.launches import Launched

log = logging.getLogger("qi_academy.lti")
T = TypeVar("T")
_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id")


async def params(request: Request) -> dict[str, str]:
    """Login initiation parameters, from the query (GET) or the form (POST)."""
    source: Any = request.query_params
    if request.method == "POST":
        source = await request.form()
    return {k: str(source.get(k) or "")[:2000] for k in _PARAMS}


def guarded(step: Callable[[], T]) -> T:
    """Run a launch step; a refusal rolls back and shows the LTI problem page with its reason."""
    try:
        return step()
    except AppError as exc:
        raise FormInvalid(
            {"lti": exc.message},
            template="lti/problem.html",
            context={"title": "We could not open this activity"},
            status_code=exc.status_code,
        ) from exc


def launch(
    request: Request, session: Session, isolated: SessionFactory, id_token: str, state: str
) -> Launched:
    return launches.finish(
        session,
        id_token=id_token,
        state=state,
        browser_state=request.cookies.get(framing.STATE_COOKIE),
        isolated=isolated,
    )


def after_launch(session: Session, settings: Settings, launch: Launched) -> str:
    """Where the launched person goes: the teacher's module picker, or the module itself."""
    if launch.kind == messages.DEEP_LINKING:
        return f"/lti/deep-linking/{deeplinking.start(session, launch=launch)}"
    if messages.is_instructor(launch.claims):
        try:
            with session.begin_nested():
                roster.sync_cohort(session, settings, launch)
        except Exception as exc:  # a roster the platform will not give must not stop the launch
            log.warning("NRPS roster sync failed for platform %s: %s", launch.platform.id, exc)
    slug = launches.module_slug(launch.claims)
    if not slug:
        return "/dashboard"
    if registry.current().get(slug) is None:
        raise LaunchRefused(
            f"the activity opens a module QI Academy does not have ({slug[:80]}); ask your "
            "teacher to add it again with Select content"
        )
    launches.remember_grade_target(session, launch=launch, slug=slug)
    return f"/modules/{slug}"


def framed(response: Response, launch: Launched) -> Response:
    """Let the launching platform frame our pages for this browser (and forget the state)."""
    origin = platforms.origin(launch.platform.auth_login_url)
    value = framing.cookie_value(origin)
    framing.cross_site_cookie(
        response, framing.FRAME_COOKIE, value, seconds=framing.FRAME_SECONDS, path="/"
    )
    response.delete_cookie(framing.STATE_COOKIE, path="/lti", secure=True, samesite="none")
    return response


def choose_context(registry: ContentRegistry, token: str, chosen: list[str]) -> dict[str, Any]:
    tiers = []
    for key in ("bronze", "silver", "gold"):
        modules = [
            {"slug": m.slug, "title": m.meta.title, "summary": m.meta.summary}
            for m in registry.tier(key)
        ]
        if modules:
            tiers.append({"key": key, "name": tier_name(key), "modules": modules})
    return {
        "title": "Choose modules for your course",
        "token": token,
        "tiers": tiers,
        "chosen": chosen,
    }


def respond(
    session: Session,
    token: str,
    user_id: int,
    slugs: list[str],
    registry: ContentRegistry,
    settings: Settings,
) -> deeplinking.Response:
    try:
        return deeplinking.respond(
            session, token=token, user_id=user_id, slugs=slugs, registry=registry, settings=settings
        )
    except AppError as exc:
        raise FormInvalid(
            {"modules": exc.message},
            template="lti/choose.html",
            context=choose_context(registry, token, slugs),
            status_code=exc.status_code,
        ) from exc
