"""Page helpers for cohorts: UK-style dates and times, form parsing, friendly form errors, and the
context of the pages that forms redraw (raised as FormInvalid, so the request rolls back)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from app.cohorts import service
from app.cohorts.dependencies import CohortAccess
from app.cohorts.exceptions import ImportRejected
from app.cohorts.schemas import KIND_NAMES, CohortCreate, ImportResult, SessionCreate, SessionPublic
from app.core.config import get_settings
from app.core.errors import AppError, InvalidInput
from app.core.forms import FormInvalid, field_errors
from app.core.responses import done_message
from app.core.timefmt import clock, day, local

NEW_TEMPLATE = "cohorts/trainer_new.html"
MEMBERS_TEMPLATE = "cohorts/trainer_members.html"
SESSIONS_TEMPLATE = "cohorts/trainer_sessions.html"
MY_COHORTS_TEMPLATE = "cohorts/learner_list.html"

COHORT_FIELDS = (
    "name",
    "kind",
    "organisation",
    "starts_on",
    "ends_on",
    "capacity",
    "attendance_required",
    "co_trainers",
)
COHORT_MESSAGES = {
    "name": "Enter the cohort name (200 characters or fewer)",
    "kind": "Choose Silver for Individuals or Silver for Teams",
    "organisation": "Enter the organisation running the cohort",
    "starts_on": "Enter the start date as a real date, like 14/03/2027",
    "ends_on": "Enter the end date as a real date, like 27/06/2027",
    "capacity": "Enter the number of places as a whole number from 1 to 500",
    "attendance_required": "Enter the attendance needed as a whole number from 0 to 100",
    "co_trainers": "Enter co-trainers' email addresses, separated by commas",
}
SESSION_FIELDS = ("title", "date", "start_time", "end_time", "venue", "online_url")
SESSION_MESSAGES = {
    "title": "Enter the session title (200 characters or fewer)",
    "date": "Enter the date of the session, like 14/03/2027",
    "start_time": "Enter the start time, like 09:30",
    "end_time": "Enter the end time, like 12:30",
    "venue": "Enter the venue in 300 characters or fewer",
    "online_url": "Enter the online link as a full address starting with https://",
}
# Fixed confirmations shown after a form redirects back (?done=<key>): no user text in the URL.
DONE = {
    "created": "Cohort created. Share the invite link or import learners below.",
    "imported": "Learners imported.",
    "removed": "Learner removed from the cohort.",
    "team": "Team changed.",
    "moved": "Learner moved to the other cohort.",
    "team_added": "Team added.",
    "team_deleted": "Team deleted. Its learners are now without a team.",
    "trainer_added": "Co-trainer added.",
    "trainer_removed": "Co-trainer removed.",
    "invite": "New invite link made. The old link no longer works.",
    "session": "Session added.",
    "session_deleted": "Session cancelled.",
    "register": "Register saved.",
    "joined": "You have joined this cohort. Silver modules are now open to you.",
}
_SPLIT = re.compile(r"[\s,;]+")


def cohort_input(form: dict[str, str]) -> dict[str, Any]:
    """Form strings to the shape CohortCreate validates; blanks are 'missing', not 'invalid'."""
    data: dict[str, Any] = {k: v for k, v in form.items() if v.strip()}
    data["co_trainers"] = [e for e in _SPLIT.split(form.get("co_trainers", "")) if e]
    return data


def cohort_create(form: dict[str, str]) -> CohortCreate:
    """The create-a-cohort form as CohortCreate (ValidationError if a field is wrong)."""
    return CohortCreate.model_validate(cohort_input(form))


def session_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Date and two times to starts_at/ends_at; problems with those three fields reported here."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "title": form["title"],
        "venue": form["venue"].strip() or None,
        "online_url": form["online_url"].strip() or None,
    }
    try:
        day = date.fromisoformat(form["date"].strip())
    except ValueError:
        errors["date"] = SESSION_MESSAGES["date"]
        day = None
    for field, key in (("start_time", "starts_at"), ("end_time", "ends_at")):
        value = form[field].strip()
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            errors[field] = SESSION_MESSAGES[field]
        elif day is not None:
            data[key] = datetime.fromisoformat(f"{day.isoformat()}T{value.zfill(5)}")
    return data, errors


def session_create(form: dict[str, str]) -> tuple[SessionCreate | None, dict[str, str]]:
    """The add-a-session form as SessionCreate, or None and what to fix on each field."""
    data, errors = session_input(form)
    if errors:
        return None, errors
    try:
        return SessionCreate.model_validate(data), {}
    except ValidationError as exc:
        return None, form_errors(exc, SESSION_MESSAGES, model_field="end_time")


def register_marks(form: FormData) -> dict[int, str]:
    """The register form's `mark-<user id>` fields: user id to "present" or "absent"."""
    return {
        int(key.removeprefix("mark-")): str(value)
        for key, value in form.multi_items()
        if key.startswith("mark-") and key.removeprefix("mark-").isdigit()
    }


async def upload_bytes(upload: object) -> bytes:
    """The uploaded CSV file (at most one byte over the limit, so the import can refuse it)."""
    content = (
        await upload.read(service.MAX_IMPORT_BYTES + 1) if isinstance(upload, UploadFile) else b""
    )
    if not content:
        raise InvalidInput("Choose a CSV file of learners to upload", field="file")
    return content


def form_errors(
    exc: ValidationError, messages: dict[str, str], *, model_field: str
) -> dict[str, str]:
    """One message per field: our wording for type errors, the validator's own for rule errors."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        field = str(loc[0]) if loc else model_field
        field = {"starts_at": "start_time", "ends_at": "end_time"}.get(field, field)
        if field in errors:
            continue
        if err.get("type") == "value_error":
            errors[field] = str(err.get("msg", "")).removeprefix("Value error, ")
        else:
            errors[field] = messages.get(field, str(err.get("msg", "is not valid")))
    if "Enter a venue" in errors.get(model_field, ""):
        errors["venue"] = errors.pop(model_field)
    return errors


def when(s: SessionPublic) -> str:
    start, end = local(s.starts_at), local(s.ends_at)
    first = f"{start:%A} {start.day} {start:%B %Y}"
    if start.date() == end.date():
        return f"{first}, {clock(start)} to {clock(end)}"
    return f"{first}, {clock(start)} to {end:%A} {end.day} {end:%B %Y}, {clock(end)}"


def session_view(s: SessionPublic) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "when": when(s),
        "venue": s.venue,
        "online_url": s.online_url,
    }


def trainer_frame(access: CohortAccess, section: str, title: str) -> dict[str, Any]:
    """What every trainer page of a cohort shows around its content: title, cohort and tab."""
    c = access.cohort
    return {
        "title": f"{title} - {c.name}",
        "cohort": {"id": c.id, "name": c.name, "kind": c.kind, "kind_name": KIND_NAMES[c.kind]},
        "section": section,
        "nav": "trainer",
    }


# ---------------------------------------------------------------- pages that forms redraw


def new_cohort_context(form: dict[str, str]) -> dict[str, Any]:
    return {"title": "Create a cohort", "form": form, "kinds": KIND_NAMES, "nav": "trainer"}


def new_cohort_invalid(form: dict[str, str], exc: ValidationError | AppError) -> FormInvalid:
    """The create-a-cohort form again, with what to fix."""
    errors = (
        form_errors(exc, COHORT_MESSAGES, model_field="ends_on")
        if isinstance(exc, ValidationError)
        else field_errors(exc, {}, default="name")
    )
    return FormInvalid(errors, template=NEW_TEMPLATE, context=new_cohort_context(form))


def imported(request: Request) -> dict[str, int] | None:
    """The import counts carried back in the redirect's query string."""
    if request.query_params.get("done") != "imported":
        return None
    values = {k: request.query_params.get(k, "") for k in ImportResult.model_fields}
    return {k: int(v) for k, v in values.items() if v.isdigit()}


def members_context(
    request: Request, access: CohortAccess, session: Session, **extra: Any
) -> dict[str, Any]:
    """The learners page: learners, teams, co-trainers, the invite link and the CSV import."""
    cohort = access.cohort
    ctx = trainer_frame(access, "members", "Learners and teams")
    ctx.update(
        view=service.trainer_view(session, cohort=cohort),
        members=service.members(session, cohort_id=cohort.id),
        teams=service.teams(session, cohort_id=cohort.id),
        join_url=f"{get_settings().base_url}/cohorts/join/{cohort.invite_code}",
        expires=day(cohort.invite_expires_at),
        done=done_message(request, DONE),
        imported=imported(request),
        **extra,
    )
    return ctx


def members_invalid(
    request: Request,
    access: CohortAccess,
    session: Session,
    exc: AppError,
    *,
    field: str,
    **extra: Any,
) -> FormInvalid:
    """The learners page again with `exc` on `field` (and an import's rejected rows)."""
    if isinstance(exc, ImportRejected):
        extra["row_errors"] = exc.errors
    ctx = members_context(request, access, session, **extra)
    return FormInvalid(
        {field: exc.message}, template=MEMBERS_TEMPLATE, context=ctx, status_code=exc.status_code
    )


def sessions_context(
    request: Request, access: CohortAccess, session: Session, *, form: dict[str, str]
) -> dict[str, Any]:
    """The sessions page: the cohort's workshop sessions and the form to add one."""
    ctx = trainer_frame(access, "sessions", "Workshop sessions")
    sessions = service.sessions_for(session, cohort_id=access.cohort.id)
    ctx.update(
        sessions=[session_view(s) for s in sessions],
        form=form,
        done=done_message(request, DONE),
    )
    return ctx


def sessions_invalid(
    request: Request,
    access: CohortAccess,
    session: Session,
    *,
    form: dict[str, str],
    errors: dict[str, str],
) -> FormInvalid:
    ctx = sessions_context(request, access, session, form=form)
    return FormInvalid(errors, template=SESSIONS_TEMPLATE, context=ctx)


def my_cohorts_context(session: Session, *, user_id: int) -> dict[str, Any]:
    return {
        "title": "My cohorts",
        "cohorts": service.cohorts_for_learner(session, user_id=user_id),
        "kinds": KIND_NAMES,
        "nav": "cohorts",
    }
