"""What every project page shares: the frame around it, the confirmations, and form errors.

A page is built as a `Page` (template and context). A GET draws it; a form that fails raises it
again as `FormInvalid`, so the request rolls back and the one error handler redraws it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.core.deps import verify_csrf
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors
from app.core.responses import done_message
from app.core.templating import render
from app.projects import dataio, views
from app.projects.constants import RUBRIC, RUBRIC_NAMES
from app.projects.permissions import ProjectAccess

LABELS = {
    "title": "a title",
    "name": "a name",
    "role": "their role",
    "text": "the words for the box",
    "parent_id": "where the box goes",
    "kind": "the type of measure",
    "definition": "an operational definition",
    "unit": "the unit",
    "direction": "which direction is better",
    "method": "the chart rules",
    "target": "the target",
    "baseline_points": "the number of baseline points",
    "reason": "the reason for recalculating",
    "body": "a comment",
    "starts_on": "a start date",
    "ends_on": "an end date",
    "change_idea_id": "a change idea",
    "decision": "a decision",
    "comment": "a comment",
    "impact": "an impact judgement",
    "impact_reasons": "the reasons for the impact judgement",
    **{c: f"a level for {RUBRIC_NAMES[c].lower()}" for c in RUBRIC},
}
DONE = {
    "saved": "Your changes have been saved.",
    "imported": "Your data has been saved. New values: {added}. Values replaced: {updated}.",
    "started": "Your project has been created. Start with the problem and your aim.",
    "submitted": "Your project has been submitted for sign-off. Your trainer will review it.",
    "withdrawn": "Your submission has been withdrawn. You can change the project and submit it "
    "again when you are ready.",
    "commented": "Your comment has been added.",
    "deleted": "Deleted.",
    "decided": "Your decision has been recorded and the learner can see it.",
}


def page_router() -> APIRouter:
    """A router for HTML pages: CSRF-checked forms, left out of the OpenAPI document."""
    return APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@dataclass(frozen=True)
class Page:
    """A page's template and context: drawn as it is, or raised again with a form's errors."""

    template: str
    context: dict[str, Any]

    def render(self, request: Request) -> Response:
        return render(request, self.template, self.context)

    def invalid(self, errors: Mapping[str, str], status: int = 422) -> FormInvalid:
        """The page again with `errors` in its error summary, and no confirmation."""
        context = {**self.context, "done": None} if "done" in self.context else self.context
        return FormInvalid(errors, template=self.template, context=context, status_code=status)

    def refuse(self, exc: ValidationError | AppError, default: str) -> FormInvalid:
        """The page again with the errors of a refused form (`default` names the field an error
        without one lands on)."""
        return self.invalid(form_errors(exc, default), status_of(exc))


def workspace_page(
    request: Request,
    access: ProjectAccess,
    section: str,
    template: str,
    title: str,
    context: dict[str, Any] | None = None,
) -> Page:
    """A page inside a project: its navigation, its state, and the confirmation it came with."""
    ws = views.workspace(access, section)
    return Page(
        f"projects/{template}",
        {
            "title": f"{title}: {ws.title}",
            "nav": "trainer" if ws.is_trainer else "projects",
            "heading": title,
            "ws": ws,
            "errors": {},
            "done": done_message(request, DONE),
            **(context or {}),
        },
    )


def form_errors(exc: ValidationError | AppError, default: str) -> dict[str, str]:
    """One message per field, worded as the NHS.UK error message guidance asks ("Enter...")."""
    return field_errors(exc, LABELS, default=default)


def status_of(exc: ValidationError | AppError) -> int:
    return 422 if isinstance(exc, ValidationError) else exc.status_code


def nones(form: dict[str, str], *optional: str) -> dict[str, Any]:
    """Empty optional fields mean "none", not an empty string."""
    return {k: (None if k in optional and not v.strip() else v) for k, v in form.items()}


def dates(form: dict[str, Any], *fields: str) -> dict[str, Any]:
    """Dates typed as YYYY-MM-DD or DD/MM/YYYY, as on the data forms; bad ones left for pydantic."""
    out = dict(form)
    for name in fields:
        value = out.get(name)
        if isinstance(value, str) and value.strip():
            try:
                out[name] = dataio.parse_date(value)
            except ValueError:
                out[name] = value
    return out
