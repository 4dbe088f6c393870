"""Page helpers for cohorts: UK-style dates and times, form parsing and friendly form errors."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from app.cohorts.dependencies import CohortAccess
from app.cohorts.schemas import KIND_NAMES, SessionPublic
from app.core.timefmt import clock, local

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
