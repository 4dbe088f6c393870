"""The admin form for a learning platform: read, fill, validate and save (or redraw with errors)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.core.config import Settings
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict
from app.lti import platforms
from app.lti.models import LtiPlatform
from app.lti.schemas import PlatformCreate, PlatformPublic, PlatformUpdate

FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "keyset_url",
    "organisation_id",
    "enabled",
)
LABELS = {
    "name": "a name",
    "issuer": "the platform ID",
    "client_id": "the client ID",
    "deployment_ids": "the deployment IDs",
    "auth_login_url": "the authentication request URL",
    "auth_token_url": "the access token URL",
    "keyset_url": "the public keyset URL",
    "organisation_id": "the organisation",
}
DONE = {"created": "Learning platform added.", "saved": "Learning platform saved."}


async def read(request: Request) -> dict[str, str]:
    return form_dict(await request.form(), *FIELDS)


def initial(public: PlatformPublic | None) -> dict[str, str]:
    if public is None:
        return {"enabled": "yes"}
    return {
        **{k: str(v) for k, v in public.model_dump().items() if isinstance(v, str | int)},
        "deployment_ids": "\n".join(public.deployment_ids),
        "enabled": "yes" if public.enabled else "",
    }


def context(
    session: Session, settings: Settings, form: dict[str, str], platform_id: int | None
) -> dict[str, Any]:
    orgs = accounts_service.organisations_with_counts(session)
    return {
        "title": "Edit learning platform" if platform_id else "Add a learning platform",
        "form": form,
        "platform_id": platform_id,
        "organisations": [{"id": o.id, "name": o.name} for o, _ in orgs],
        "tool": platforms.tool_urls(settings),
        "nav": "admin",
    }


def save(
    session: Session,
    settings: Settings,
    admin: User,
    form: dict[str, str],
    platform: LtiPlatform | None,
) -> None:
    """Validate and save the form, or raise FormInvalid with the form again."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("enabled", "id")}
    try:
        if platform is None:
            created = PlatformCreate.model_validate(data)
            platforms.register_platform(session, actor=admin, data=created, settings=settings)
        else:
            update = PlatformUpdate.model_validate({**data, "enabled": form["enabled"] == "yes"})
            platforms.update_platform(session, actor=admin, platform=platform, data=update)
    except (ValidationError, AppError) as exc:
        errors = field_errors(exc, LABELS, default="name", order=FIELDS)
        if "organisation_id" in errors:
            errors["organisation_id"] = "Choose the organisation these people belong to"
        pid = int(form["id"]) if form.get("id") else None
        status = exc.status_code if isinstance(exc, AppError) else 422
        raise FormInvalid(
            errors,
            template="lti/platform_form.html",
            context=context(session, settings, form, pid),
            status_code=status,
        ) from exc
