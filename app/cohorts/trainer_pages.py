"""The trainer's cohort pages: their cohorts, creating one, and its learners, teams and co-trainers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.cohorts import service, views
from app.cohorts.dependencies import CohortForTrainer, TrainerUser
from app.cohorts.schemas import KIND_NAMES
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError, InvalidInput
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.core.templating import render

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


async def _field(request: Request, name: str) -> str:
    return form_dict(await request.form(), name)[name].strip()


def _members(cohort_id: int, done: str, **extra: int | str) -> Response:
    return done_redirect(f"/trainer/cohorts/{cohort_id}/members", done, **extra)


@pages.get("/trainer/cohorts")
def trainer_cohorts(request: Request, user: TrainerUser, session: SessionDep) -> Response:
    """The cohorts this trainer leads or co-trains."""
    cohorts = service.cohorts_for_trainer(session, user_id=user.id)
    return render(
        request,
        "cohorts/trainer_list.html",
        {"title": "Your cohorts", "cohorts": cohorts, "kinds": KIND_NAMES, "nav": "trainer"},
    )


@pages.get("/trainer/cohorts/new")
def new_cohort_page(request: Request, _user: TrainerUser) -> Response:
    """The form to create a cohort."""
    return render(
        request, views.NEW_TEMPLATE, views.new_cohort_context({"attendance_required": "80"})
    )


@pages.post("/trainer/cohorts/new")
async def create_cohort_submit(
    request: Request, user: TrainerUser, session: SessionDep
) -> Response:
    """Create the cohort and go to its learners page, or show what to fix."""
    form = form_dict(await request.form(), *views.COHORT_FIELDS)
    try:
        cohort = service.create_cohort(session, data=views.cohort_create(form), creator=user)
    except (ValidationError, AppError) as exc:
        raise views.new_cohort_invalid(form, exc) from exc
    return _members(cohort.id, "created")


@pages.get("/trainer/cohorts/{cohort_id}/members")
def cohort_members(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Learners, teams, co-trainers, the invite link and the CSV import."""
    ctx = views.members_context(request, access, session, errors={})
    return render(request, views.MEMBERS_TEMPLATE, ctx)


@pages.post("/trainer/cohorts/{cohort_id}/members/import")
async def import_members(
    request: Request, access: CohortForTrainer, session: SessionDep
) -> Response:
    """Import learners from a CSV file, all or nothing; every bad row is listed by line."""
    upload = (await request.form()).get("file")
    try:
        content = await views.upload_bytes(upload)
        result = service.import_csv(
            session, cohort=access.cohort, content=content, actor_id=access.user.id
        )
    except InvalidInput as exc:  # an empty upload, or ImportRejected: nothing was imported
        raise views.members_invalid(request, access, session, exc, field="file") from exc
    return _members(access.cohort.id, "imported", **result.model_dump())


@pages.post("/trainer/cohorts/{cohort_id}/teams")
async def add_team(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Add a team to a team cohort."""
    name = await _field(request, "name")
    try:
        service.create_team(session, cohort=access.cohort, name=name)
    except AppError as exc:
        raise views.members_invalid(request, access, session, exc, field="name") from exc
    return _members(access.cohort.id, "team_added")


@pages.post("/trainer/cohorts/{cohort_id}/teams/{team_id}/delete")
def delete_team(team_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Delete a team; its learners stay in the cohort. Not a team with a project."""
    service.delete_team(session, cohort=access.cohort, team_id=team_id)
    return _members(access.cohort.id, "team_deleted")


@pages.post("/trainer/cohorts/{cohort_id}/trainers")
async def add_trainer(request: Request, access: CohortForTrainer, session: SessionDep) -> Response:
    """Add a co-trainer by email."""
    email = await _field(request, "email")
    try:
        service.add_co_trainer(session, cohort=access.cohort, email=email, actor_id=access.user.id)
    except AppError as exc:
        raise views.members_invalid(
            request, access, session, exc, field="email", trainer_email=email
        ) from exc
    return _members(access.cohort.id, "trainer_added")


@pages.post("/trainer/cohorts/{cohort_id}/trainers/{user_id}/remove")
def remove_trainer(user_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Remove a co-trainer (never the lead)."""
    service.remove_co_trainer(
        session, cohort=access.cohort, user_id=user_id, actor_id=access.user.id
    )
    return _members(access.cohort.id, "trainer_removed")


@pages.post("/trainer/cohorts/{cohort_id}/invite")
def reset_invite(access: CohortForTrainer, session: SessionDep) -> Response:
    """Make a new invite link; the old one stops working."""
    service.reset_invite(session, cohort=access.cohort)
    return _members(access.cohort.id, "invite")


@pages.get("/trainer/cohorts/{cohort_id}/members/{user_id}")
def member_page(
    request: Request, user_id: int, access: CohortForTrainer, session: SessionDep
) -> Response:
    """One learner: change team, move to another cohort, or remove."""
    member = service.member(session, cohort_id=access.cohort.id, user_id=user_id)
    others = service.other_cohorts_of(session, user_id=access.user.id, cohort_id=access.cohort.id)
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
    return _members(access.cohort.id, "team")


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
    return _members(access.cohort.id, "moved")


@pages.post("/trainer/cohorts/{cohort_id}/members/{user_id}/remove")
def remove_member(user_id: int, access: CohortForTrainer, session: SessionDep) -> Response:
    """Remove a learner from the cohort."""
    service.remove_learner(session, cohort=access.cohort, user_id=user_id, actor_id=access.user.id)
    return _members(access.cohort.id, "removed")
