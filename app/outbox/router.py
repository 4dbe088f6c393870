"""The development outbox page (the delivery loop is started by the app's lifespan, app/main.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.deps import SettingsDep
from app.core.errors import NotFound
from app.core.templating import render
from app.outbox import service
from app.outbox.transport import outbox_dir

pages = APIRouter(include_in_schema=False)
api = APIRouter()


@pages.get("/dev/outbox")
def dev_outbox(request: Request, settings: SettingsDep) -> Response:
    """Emails written by the development transport, newest first (development only)."""
    if settings.env != "dev":
        raise NotFound(
            "There is nothing at this address. Check it, or start again from the home page."
        )
    messages = service.read_dev_outbox(outbox_dir(settings))
    return render(
        request,
        "outbox/dev_outbox.html",
        {"title": "Development outbox", "messages": messages, "folder": str(outbox_dir(settings))},
    )
