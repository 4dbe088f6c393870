"""The pages every public service has: accessibility statement, help and contact; and the short
addresses people guess (`/users` for administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.accounts.constants import Role
from app.accounts.dependencies import OptionalUser
from app.core.config import get_settings
from app.core.errors import NotFound
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


@pages.get("/users")
def users_shortcut(request: Request, user: OptionalUser) -> Response:
    """Administrators who type /users reach the users page; for anyone else there is nothing here."""
    if user is None or not user.has_role(Role.ADMIN):
        raise NotFound(
            "There is nothing at this address. Check it, or start again from the home page."
        )
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/admin/users{query}", status_code=303)
