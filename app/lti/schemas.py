"""LTI schemas: a learning platform as admins register, change and see it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from app.core.schemas import Schema

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _url(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^https?://[^\s/?#]+\S*$", value.strip()):
        raise ValueError("Enter a full web address starting with https://")
    return value.strip() if isinstance(value, str) else value


def _deployments(value: Any) -> list[str]:
    """Deployment IDs from a list or from text (one a line, or separated by commas)."""
    items = re.split(r"[\n,;]+", value) if isinstance(value, str) else list(value or [])
    out = [str(i).strip()[:255] for i in items if str(i).strip()]
    if not out:
        raise ValueError("Enter at least one deployment ID, like 1")
    return list(dict.fromkeys(out))


Url = Annotated[str, BeforeValidator(_url), StringConstraints(max_length=1000)]
Issuer = Annotated[str, BeforeValidator(_url), StringConstraints(max_length=500)]
Deployments = Annotated[list[str], BeforeValidator(_deployments)]


class PlatformCreate(Schema):
    name: Name = Field(description="What admins call it, like 'Leeds Moodle'")
    issuer: Issuer = Field(
        description="The platform ID (Moodle: 'Platform ID'); launches must carry it as `iss`"
    )
    client_id: Text
    deployment_ids: Deployments
    auth_login_url: Url = Field(description="Moodle: 'Authentication request URL'")
    auth_token_url: Url = Field(description="Moodle: 'Access token URL'")
    keyset_url: Url = Field(description="Moodle: 'Public keyset URL'")
    organisation_id: int


class PlatformUpdate(Schema):
    name: Name | None = None
    issuer: Issuer | None = None
    client_id: Text | None = None
    deployment_ids: Deployments | None = None
    auth_login_url: Url | None = None
    auth_token_url: Url | None = None
    keyset_url: Url | None = None
    organisation_id: int | None = None
    enabled: bool | None = None


class ToolUrls(Schema):
    """What to enter at the platform when adding QI Academy as an external tool."""

    tool_url: str
    login_url: str
    redirect_url: str
    deep_linking_url: str
    keyset_url: str


class PlatformPublic(Schema):
    id: int
    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    keyset_url: str
    organisation_id: int
    organisation: str
    enabled: bool
    tool: ToolUrls
    created_at: datetime
