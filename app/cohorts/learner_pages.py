"""The learner's cohort pages: their cohorts, joining with an invite code, and session calendars."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, OptionalUser
from app.cohorts import ics, service, views
from app.cohorts.dependencies import CohortAccess, CohortForMember
from app.cohorts.schemas import KIND_NAMES, SessionPublic
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.deps import SessionDep, verify_csrf
from app.core.forms import FormInvalid, form_dict
from app.core.responses import attachment, done_redirect
from app.core.templating import render

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@pages.get("/cohorts")
def my_cohorts(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The learner's cohorts, and a box to join one with an invite code."""
    ctx = views.my_cohorts_context(session, user_id=user.id)
    return render(request, views.MY_COHORTS_TEMPLATE, {**ctx, "errors": {}})


@pages.post("/cohorts/join")
async def join_code_submit(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Go to the confirmation page for the code the learner typed."""
    code = "".join(form_dict(await request.form(), "code")["code"].split())
    if not code:
        errors = {"code": "Enter the invite code your trainer gave you"}
        ctx = views.my_cohorts_context(session, user_id=user.id)
        raise FormInvalid(errors, template=views.MY_COHORTS_TEMPLATE, context=ctx)
    return RedirectResponse(f"/cohorts/join/{quote(code[:40], safe='')}", status_code=303)


@pages.get("/cohorts/join/{code}")
def join_page(request: Request, code: str, user: OptionalUser, session: SessionDep) -> Response:
    """Show which cohort the invite is for: to confirm, or (signed out) to register or sign in first."""
    cohort = service.find_by_code(session, code=code)
    enrolment = user and service.get_enrolment(session, cohort_id=cohort.id, user_id=user.id)
    ctx = {
        "title": f"Join {cohort.name}" if user else f"You are invited to join {cohort.name}",
        "view": service.cohort_public(session, cohort=cohort),
        "code": cohort.invite_code,
        "signed_out": user is None,
        "back_here": f"/cohorts/join/{quote(cohort.invite_code, safe='')}",
        "already": enrolment is not None,
        "kinds": KIND_NAMES,
        "nav": "cohorts",
    }
    return render(request, "cohorts/join.html", ctx)


@pages.post("/cohorts/join/{code}")
def join_submit(code: str, user: CurrentUser, session: SessionDep) -> Response:
    """Join the cohort (harmless if already in it)."""
    enrolment = service.join_by_code(session, code=code, user=user)
    return done_redirect(f"/cohorts/{enrolment.cohort_id}", "joined")


def _ics(access: CohortAccess, sessions: list[SessionPublic], filename: str) -> Response:
    settings = get_settings()
    body = ics.calendar(
        sessions,
        calendar_name=access.cohort.name,
        host=settings.base_url.split("://")[-1].split("/")[0].split(":")[0] or "qi-academy",
        cohort_url=f"{settings.base_url}/cohorts/{access.cohort.id}",
        now=utcnow(),
    )
    media_type = "text/calendar; charset=utf-8"
    return attachment(body, filename=filename, media_type=media_type, private=False)


@pages.get("/cohorts/{cohort_id}/sessions.ics")
def cohort_calendar(access: CohortForMember, session: SessionDep) -> Response:
    """Every session of the cohort as one calendar file."""
    sessions = service.sessions_for(session, cohort_id=access.cohort.id)
    return _ics(access, sessions, f"cohort-{access.cohort.id}-sessions.ics")


@pages.get("/cohorts/{cohort_id}/sessions/{session_id}.ics")
def session_calendar(session_id: int, access: CohortForMember, session: SessionDep) -> Response:
    """One session as a calendar file."""
    workshop = service.get_session(session, cohort_id=access.cohort.id, session_id=session_id)
    return _ics(access, [workshop], f"session-{workshop.id}.ics")
