"""Cohort pages for trainers (/trainer/cohorts) and learners (/cohorts), and the cohorts API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser
from app.cohorts import ics, service, views
from app.cohorts.dependencies import (
    CohortAccess,
    CohortForMember,
    CohortForTrainer,
    TrainerUser,
)
from app.cohorts.exceptions import ImportRejected
from app.cohorts.schemas import (
    KIND_NAMES,
    AttendanceUpdate,
    CohortCreate,
    CohortList,
    CohortPublic,
    CohortTrainerView,
    EnrolmentPublic,
    ImportResult,
    JoinRequest,
    MemberRow,
    RegisterRow,
    SessionCreate,
    SessionPublic,
)
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.forms import form_dict
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.core.timefmt import day

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["cohorts"])

# ---------------------------------------------------------------- trainer pages


@pages.get("/trainer/cohorts")
def trainer_cohorts(request: Request, user: TrainerUser, session: SessionDep) -> Response:
    """The cohorts this trainer leads or co-trains."""
    cohorts = service.cohorts_for_trainer(session, user_id=user.id)
    return render(
        request,
        "cohorts/trainer_list.html",
        {
            "title": "Your cohorts",
            "cohorts": cohorts,
            "kinds": KIND_NAMES,
            "nav": "trainer",
        },
    )


@pages.get("/trainer/cohorts/new")
def new_cohort_page(request: Request, _user: TrainerUser) -> Response:
    """The form to create a cohort."""
    return render(
        request,
        "cohorts/trainer_new.html",
        {
            "title": "Create a cohort",
            "form": {"attendance_required": "80"},
            "kinds": KIND_NAMES,
            "nav": "trainer",
        },
    )


@pages.post("/trainer/cohorts/new")
async def create_cohort_submit(
    request: Request, user: TrainerUser, session: SessionDep
) -> Response:
    """Create the cohort and go to its learners page, or show what to fix."""
    form = form_dict(await request.form(), *views.COHORT_FIELDS)
    try:
        cohort = service.create_cohort(
            session, data=CohortCreate.model_validate(views.cohort_input(form)), creator=user
        )
    except (ValidationError, AppError) as exc:
        errors = (
            views.form_errors(exc, views.COHORT_MESSAGES, model_field="ends_on")
            if isinstance(exc, ValidationError)
            else {exc.field or "name": exc.message}
        )
        ctx = {
            "title": "Create a cohort",
            "form": form,
            "errors": errors,
            "kinds": KIND_NAMES,
            "nav": "trainer",
        }
        return render(request, "cohorts/trainer_new.html", ctx, status_code=422)
    return done_redirect(f"/trainer/cohorts/{cohort.id}/members", "created")


def _imported(request: Request) -> dict[str, int] | None:
    """The import counts carried back in the redirect's query string."""
    if request.query_params.get("done") != "imported":
        return None
    values = {k: request.query_params.get(k, "") for k in ImportResult.model_fields}
    return {k: int(v) for k, v in values.items() if v.isdigit()}


def _members_page(
    request: Request, access: CohortForTrainer, session: SessionDep, **extra: Any
) -> Response:
    cohort = access.cohort
    ctx = views.trainer_frame(access, "members", "Learners and teams")
    ctx.update(
        view=service.trainer_view(session, cohort=cohort),
        members=service.members(session, cohort_id=cohort.id),
        teams=service.teams(session, cohort_id=cohort.id),
        join_url=f"{get_settings().base_url}/cohorts/join/{cohort.invite_code}",
        expires=day(cohort.invite_expires_at),
        done=done_message(request, views.DONE),
        imported=_imported(request),
        errors=extra.pop("errors", {}),
        **extra,
    )
    return render(request, "cohorts/trainer_members.html", ctx, status_code=extra.get("code", 200))


@pages.get("/trainer/cohorts/{cohort_id}/members")
def cohort_members(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Learners, teams, co-trainers, the invite link and the CSV import."""
    return _members_page(request, access, session)


@pages.post("/trainer/cohorts/{cohort_id}/members/import")
async def import_members(
    request: Request, access: CohortForTrainer, session: SessionDep
) -> Response:
    """Import learners from a CSV file, all or nothing; every bad row is listed by line."""
    upload = (await request.form()).get("file")
    content = (
        await upload.read(service.MAX_IMPORT_BYTES + 1) if isinstance(upload, UploadFile) else b""
    )
    if not content:
        errors = {"file": "Choose a CSV file of learners to upload"}
        return _members_page(request, access, session, errors=errors, code=422)
    try:
        result = service.import_csv(
            session, cohort=access.cohort, content=content, actor_id=access.user.id
        )
    except ImportRejected as exc:
        errors = {"file": exc.message}
        return _members_page(
            request, access, session, errors=errors, row_errors=exc.errors, code=422
        )
    return done_redirect(
        f"/trainer/cohorts/{access.cohort.id}/members", "imported", **result.model_dump()
    )


async def _field(request: Request, name: str) -> str:
    return form_dict(await request.form(), name)[name].strip()


@pages.post("/trainer/cohorts/{cohort_id}/teams")
async def add_team(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Add a team to a team cohort."""
    try:
        service.create_team(session, cohort=access.cohort, name=await _field(request, "name"))
    except AppError as exc:
        return _members_page(
            request, access, session, errors={"name": exc.message}, code=exc.status_code
        )
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "team_added")


@pages.post("/trainer/cohorts/{cohort_id}/teams/{team_id}/delete")
def delete_team(team_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Delete a team; its learners stay in the cohort. Not a team with a project."""
    service.delete_team(session, cohort=access.cohort, team_id=team_id)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "team_deleted")


@pages.post("/trainer/cohorts/{cohort_id}/trainers")
async def add_trainer(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Add a co-trainer by email."""
    email = await _field(request, "email")
    try:
        service.add_co_trainer(session, cohort=access.cohort, email=email, actor_id=access.user.id)
    except AppError as exc:
        return _members_page(
            request,
            access,
            session,
            errors={"email": exc.message},
            trainer_email=email,
            code=exc.status_code,
        )
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "trainer_added")


@pages.post("/trainer/cohorts/{cohort_id}/trainers/{user_id}/remove")
def remove_trainer(user_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Remove a co-trainer (never the lead)."""
    service.remove_co_trainer(
        session, cohort=access.cohort, user_id=user_id, actor_id=access.user.id
    )
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "trainer_removed")


@pages.post("/trainer/cohorts/{cohort_id}/invite")
def reset_invite(access: CohortForTrainer, session: SessionDep) -> Response:
    """Make a new invite link; the old one stops working."""
    service.reset_invite(session, cohort=access.cohort)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "invite")


def _member_or_404(session: SessionDep, access: CohortAccess, user_id: int) -> MemberRow:
    for m in service.members(session, cohort_id=access.cohort.id):
        if m.user_id == user_id:
            return m
    raise NotFound("That person is not a learner in this cohort.")


@pages.get("/trainer/cohorts/{cohort_id}/members/{user_id}")
def member_page(
    request: Request, user_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """One learner: change team, move to another cohort, or remove."""
    member = _member_or_404(session, access, user_id)
    others = [
        c
        for c in service.cohorts_for_trainer(session, user_id=access.user.id)
        if c.id != access.cohort.id
    ]
    ctx = views.trainer_frame(access, "members", member.full_name)
    ctx.update(
        member=member, teams=service.teams(session, cohort_id=access.cohort.id), others=others
    )
    return render(request, "cohorts/trainer_member.html", ctx)


@pages.post("/trainer/cohorts/{cohort_id}/members/{user_id}/team")
async def change_team(
    request: Request, user_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """Put a learner in a team, or in none."""
    raw = await _field(request, "team_id")
    team_id = int(raw) if raw.isdigit() else None
    service.move_to_team(session, cohort=access.cohort, user_id=user_id, team_id=team_id)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "team")


@pages.post("/trainer/cohorts/{cohort_id}/members/{user_id}/move")
async def move_member(
    request: Request, user_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """Move a learner to another cohort this trainer runs."""
    raw = await _field(request, "cohort_id")
    target_id = int(raw) if raw.isdigit() else 0
    if not service.is_trainer_of(session, cohort_id=target_id, user_id=access.user.id):
        raise InvalidInput(
            "Choose one of your other cohorts to move the learner to.", field="cohort_id"
        )
    target = service.get_cohort(session, cohort_id=target_id)
    service.move_to_cohort(
        session, cohort=access.cohort, user_id=user_id, target=target, actor_id=access.user.id
    )
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "moved")


@pages.post("/trainer/cohorts/{cohort_id}/members/{user_id}/remove")
def remove_member(user_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Remove a learner from the cohort."""
    service.remove_learner(session, cohort=access.cohort, user_id=user_id, actor_id=access.user.id)
    return done_redirect(f"/trainer/cohorts/{access.cohort.id}/members", "removed")


def _sessions_page(
    request: Request, access: CohortAccess, session: SessionDep, **extra: Any
) -> Response:
    ctx = views.trainer_frame(access, "sessions", "Workshop sessions")
    sessions = service.sessions_for(session, cohort_id=access.cohort.id)
    ctx.update(
        sessions=[views.session_view(s) for s in sessions],
        form=extra.pop("form", {}),
        errors=extra.pop("errors", {}),
        done=done_message(request, views.DONE),
    )
    return render(request, "cohorts/trainer_sessions.html", ctx, status_code=extra.get("code", 200))


@pages.get("/trainer/cohorts/{cohort_id}/sessions")
def cohort_sessions(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Scheduled sessions and the form to add one."""
    return _sessions_page(request, access, session)


@pages.post("/trainer/cohorts/{cohort_id}/sessions")
async def add_session(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Schedule a workshop session, or show what to fix."""
    form = form_dict(await request.form(), *views.SESSION_FIELDS)
    data, errors = views.session_input(form)
    try:
        if errors:
            raise InvalidInput("see errors")
        service.create_session(
            session, cohort=access.cohort, data=SessionCreate.model_validate(data)
        )
    except ValidationError as exc:
        errors = views.form_errors(exc, views.SESSION_MESSAGES, model_field="end_time")
    except InvalidInput:
        pass
    if errors:
        return _sessions_page(request, access, session, form=form, errors=errors, code=422)
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
    request: Request,
    session_id: int,
    access: CohortForTrainer,
    session: SessionDep,
) -> Response:
    """Save the register; learners left unmarked stay unmarked."""
    form = await request.form()
    marks = {
        int(key.removeprefix("mark-")): str(value)
        for key, value in form.multi_items()
        if key.startswith("mark-") and key.removeprefix("mark-").isdigit()
    }
    service.record_attendance(
        session,
        cohort=access.cohort,
        session_id=session_id,
        marks=marks,
        actor_id=access.user.id,
    )
    return done_redirect(
        f"/trainer/cohorts/{access.cohort.id}/sessions/{session_id}/register", "register"
    )


# ---------------------------------------------------------------- learner pages


def _my_cohorts_page(
    request: Request, user: CurrentUser, session: SessionDep, *, errors: dict[str, str]
) -> Response:
    ctx = {
        "title": "My cohorts",
        "cohorts": service.cohorts_for_learner(session, user_id=user.id),
        "kinds": KIND_NAMES,
        "errors": errors,
        "nav": "cohorts",
    }
    return render(request, "cohorts/learner_list.html", ctx, status_code=422 if errors else 200)


@pages.get("/cohorts")
def my_cohorts(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The learner's cohorts, and a box to join one with an invite code."""
    return _my_cohorts_page(request, user, session, errors={})


@pages.post("/cohorts/join")
async def join_code_submit(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Go to the confirmation page for the code the learner typed."""
    code = "".join((await _field(request, "code")).split())
    if not code:
        errors = {"code": "Enter the invite code your trainer gave you"}
        return _my_cohorts_page(request, user, session, errors=errors)
    return RedirectResponse(f"/cohorts/join/{quote(code[:40], safe='')}", status_code=303)


@pages.get("/cohorts/join/{code}")
def join_page(request: Request, code: str, user: CurrentUser, session: SessionDep) -> Response:
    """Show which cohort the invite is for and ask the learner to confirm."""
    cohort = service.find_by_code(session, code=code)
    enrolment = service.get_enrolment(session, cohort_id=cohort.id, user_id=user.id)
    ctx = {
        "title": f"Join {cohort.name}",
        "view": service.cohort_public(session, cohort=cohort),
        "code": cohort.invite_code,
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
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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


# ---------------------------------------------------------------- API


@api.post("/cohorts", status_code=201)
def create_cohort(data: CohortCreate, user: TrainerUser, session: SessionDep) -> CohortTrainerView:
    """Create a cohort you lead (trainers, leaders and admins)."""
    cohort = service.create_cohort(session, data=data, creator=user)
    return service.trainer_view(session, cohort=cohort)


@api.get("/cohorts")
def list_my_cohorts(user: CurrentUser, session: SessionDep) -> CohortList:
    """Cohorts you train (role lead or co) and cohorts you are a learner in (role learner)."""
    data = service.cohorts_for_trainer(session, user_id=user.id) + service.cohorts_for_learner(
        session, user_id=user.id
    )
    return CohortList(data=data, count=len(data))


@api.post("/cohorts/join", status_code=201)
def join_cohort(data: JoinRequest, user: CurrentUser, session: SessionDep) -> EnrolmentPublic:
    """Join a cohort with its invite code."""
    enrolment = service.join_by_code(session, code=data.code, user=user)
    return service.enrolment_public(session, enrolment=enrolment)


@api.get("/cohorts/{cohort_id}")
def read_cohort(access: CohortForMember, session: SessionDep) -> CohortTrainerView | CohortPublic:
    """A cohort you train (with its invite code) or are a learner in."""
    if access.is_trainer:
        return service.trainer_view(session, cohort=access.cohort)
    return service.cohort_public(session, cohort=access.cohort)


@api.get("/cohorts/{cohort_id}/members")
def list_members(access: CohortForTrainer, session: SessionDep) -> list[MemberRow]:
    """The cohort's active learners (trainers only)."""
    return service.members(session, cohort_id=access.cohort.id)


@api.get("/cohorts/{cohort_id}/sessions")
def list_sessions(access: CohortForMember, session: SessionDep) -> list[SessionPublic]:
    """The cohort's workshop sessions in time order."""
    return service.sessions_for(session, cohort_id=access.cohort.id)


@api.post("/cohorts/{cohort_id}/sessions", status_code=201)
def create_session(
    data: SessionCreate, access: CohortForTrainer, session: SessionDep
) -> SessionPublic:
    """Schedule a session (times without a zone are UK local time)."""
    return service.create_session(session, cohort=access.cohort, data=data)


@api.get("/cohorts/{cohort_id}/sessions/{session_id}/attendance")
def read_attendance(
    session_id: int, access: CohortForTrainer, session: SessionDep
) -> list[RegisterRow]:
    """The register of one session (trainers only)."""
    service.get_session(session, cohort_id=access.cohort.id, session_id=session_id)
    return service.register_for(session, cohort_id=access.cohort.id, session_id=session_id)


@api.put("/cohorts/{cohort_id}/sessions/{session_id}/attendance")
def record_attendance(
    session_id: int,
    data: AttendanceUpdate,
    access: CohortForTrainer,
    session: SessionDep,
) -> list[RegisterRow]:
    """Mark learners present or absent at a session (trainers only)."""
    marks = {m.user_id: m.status for m in data.marks}
    return service.record_attendance(
        session,
        cohort=access.cohort,
        session_id=session_id,
        marks=marks,
        actor_id=access.user.id,
    )
