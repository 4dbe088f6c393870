"""The pages every public service has: accessibility statement, help and contact."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.config import get_settings
from app.core.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter()

# The statement's facts: when it was prepared and last reviewed, and how the service was tested.
STATEMENT_PREPARED = "2 December 2026"


@pages.get("/accessibility")
def accessibility(request: Request) -> Response:
    """Accessibility statement (Public Sector Bodies Accessibility Regulations 2018)."""
    context = {"title": "Accessibility statement", "prepared": STATEMENT_PREPARED}
    return render(request, "site/accessibility.html", context | _contact())


@pages.get("/help")
def help_page(request: Request) -> Response:
    """Answers to what people ask most, and where to go next."""
    return render(request, "site/help.html", {"title": "Help"} | _contact())


@pages.get("/contact")
def contact(request: Request) -> Response:
    """How to reach the QI Academy team."""
    return render(request, "site/contact.html", {"title": "Contact us"} | _contact())


def _contact() -> dict[str, str]:
    return {"support_email": get_settings().support_email}
