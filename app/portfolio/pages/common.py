"""What every portfolio page shares: the page object, confirmations and form-error wording."""

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
from app.portfolio.constants import KINDS, SCALE, STATUS_COLOURS, STATUSES, THEMES

LABELS = {
    "title": "a title",
    "aim": "the aim",
    "division": "the division or service",
    "themes": "at least one theme",
    "team": "the team's email addresses",
    "decision": "approve or return",
    "comment": "a comment",
    "score": "a progress score",
    "scored_on": "the date of the score",
    "note": "a note",
    "email": "an email address",
    "body": "a comment",
    "research_office_url": "the research office's web address (starting https://)",
    "research_office_email": "the research office's email address",
    "randomised": "an answer about random groups",
    "changes_care": "an answer about changes to care",
    "generalisable": "an answer about findings for elsewhere",
    "purpose": "what the project is for",
    "answers": "the answers to the questions",
    "scope": "where to publish the project",
    "lessons": "the lessons learned",
    "consent": "whether you agree",
}
DONE = {
    "registered": "Your project has been registered. A QI lead of your organisation will review it.",
    "saved": "Your changes have been saved.",
    "resubmitted": "Your changes have been saved and sent to the QI lead again.",
    "approved": "The project has been approved. Its team can now record progress scores.",
    "returned": "The project has been returned to its team with your comment.",
    "scored": "The progress score has been recorded.",
    "confirmed": "The progress score has been confirmed.",
    "lead_added": "The QI lead has been added.",
    "lead_removed": "The QI lead has been removed.",
    "coached": "The coach has been assigned and told by notification.",
    "asked": "Your request has been sent to your organisation's QI leads.",
    "commented": "Your comment has been added.",
    "read": "All your notifications are marked as read.",
    "status": "The project's status has been changed.",
    "proposed": "The rest of the team has been asked to agree. The project is published once "
    "everyone has agreed.",
    "published": "Everyone on the team agreed: the project is published in the library.",
    "consented": "Thank you: you agreed to publish the project. It is published once everyone "
    "has agreed.",
    "declined": "You did not agree to publish the project, so it will not be published.",
    "withdrawn": "The project has been withdrawn from the library.",
    "adapted": "Your new project has been started from the one in the library. Check its title "
    "and aim, add your division or service, then save it: a QI lead will review it.",
}

VOCAB = {
    "kinds": KINDS,
    "statuses": STATUSES,
    "colours": STATUS_COLOURS,
    "themes": THEMES,
    "scale": SCALE,
}


def page_router() -> APIRouter:
    """A router for HTML pages: CSRF-checked forms, left out of the OpenAPI document."""
    return APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@dataclass(frozen=True)
class Page:
    template: str
    context: dict[str, Any]

    def render(self, request: Request) -> Response:
        return render(request, self.template, self.context)

    def invalid(self, errors: Mapping[str, str], status: int = 422) -> FormInvalid:
        return FormInvalid(
            errors,
            template=self.template,
            context={**self.context, "done": None},
            status_code=status,
        )

    def refuse(self, exc: ValidationError | AppError, default: str, **context: Any) -> FormInvalid:
        """The page again with the refused form's errors (and `context` replacing its values)."""
        status = 422 if isinstance(exc, ValidationError) else exc.status_code
        again = Page(self.template, {**self.context, **context})
        return again.invalid(field_errors(exc, LABELS, default=default), status)


def page(request: Request, template: str, title: str, **context: Any) -> Page:
    return Page(
        f"portfolio/{template}",
        {
            "title": title,
            "nav": "portfolio",
            "errors": {},
            "done": done_message(request, DONE),
            **VOCAB,
            **context,
        },
    )
