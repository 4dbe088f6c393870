"""The trainer's workshop session pages: schedule and cancel sessions, and take each one's register."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.cohorts import service, views
from app.cohorts.dependencies import CohortForTrainer
from app.core.deps import SessionDep, verify_csrf
from app.core.forms import form_dict
from app.core.responses import done_message, done_redirect
from app.core.templating import render

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@pages.get("/trainer/cohorts/{cohort_id}/sessions")
def cohort_sessions(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Scheduled sessions and the form to add one."""
    ctx = views.sessions_context(request, access, session, form={})
    return render(request, views.SESSIONS_TEMPLATE, {**ctx, "errors": {}})


@pages.post("/trainer/cohorts/{cohort_id}/sessions")
async def add_session(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Schedule a workshop session, or show what to fix."""
    form = form_dict(await request.form(), *views.SESSION_FIELDS)
    data, errors = views.session_create(form)
    if data is None:
        raise views.sessions_invalid(request, access, session, form=form, errors=errors)
    service.create_session(session, cohort=access.cohort, data=data)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/sessions", "session")


@pages.post("/trainer/cohorts/{cohort_id}/sessions/{session_id}/delete")
def delete_session(session_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Cancel a session and its register."""
    service.delete_session(session, cohort=access.cohort, session_id=session_id)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/sessions", "session_deleted")


@pages.get("/trainer/cohorts/{cohort_id}/sessions/{session_id}/register")
def register_page(
    request: Request, session_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """The register for one session: present or absent for each learner."""
    workshop = service.get_session(session, cohort_id=access.cohort.id, session_id=session_id)
    ctx = views.trainer_frame(access, "sessions", f"Register: {workshop.title}")
    ctx.update(
        workshop=views.session_view(workshop),
        rows=service.register_for(session, cohort_id=access.cohort.id, session_id=session_id),
        done=done_message(request, views.DONE),
    )
    return render(request, "cohorts/trainer_register.html", ctx)


@pages.post("/trainer/cohorts/{cohort_id}/sessions/{session_id}/register")
async def register_submit(
    request: Request, session_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """Save the register; learners left unmarked stay unmarked."""
    marks = views.register_marks(await request.form())
    service.record_attendance(
        session, cohort=access.cohort, session_id=session_id, marks=marks, actor_id=access.user.id
    )
    return done_redirect(
        f"/trainer/cohorts/{access.cohort.id}/sessions/{session_id}/register", "register"
    )
