"""xAPI schemas: an organisation's learning record store as admins save and see it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from app.core.schemas import Schema


def _endpoint(value: Any) -> Any:
    """The LRS's xAPI base URL, always ending in '/', without a query or fragment."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", text):
        raise ValueError("Enter the endpoint as a web address, like https://lrs.trust.nhs.uk/xAPI/")
    return text if text.endswith("/") else text + "/"


Endpoint = Annotated[
    str, BeforeValidator(_endpoint), StringConstraints(min_length=1, max_length=500)
]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class LrsCreate(Schema):
    endpoint: Endpoint = Field(
        description="The LRS's xAPI base URL; statements go to <it>statements"
    )
    username: Username = Field(description="The LRS key or user name (HTTP Basic authentication)")
    password: Password = Field(description="The LRS secret; stored encrypted, never shown again")
    send_email: bool = Field(
        default=False, description="Name learners by their email (mbox) instead of an opaque id"
    )
    enabled: bool = True


class LrsUpdate(Schema):
    endpoint: Endpoint | None = None
    username: Username | None = None
    password: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="Omitted or empty: the saved password stays"
    )
    send_email: bool | None = None
    enabled: bool | None = None


class LrsPublic(Schema):
    """The password is never shown again once saved."""

    organisation_id: int
    organisation: str
    endpoint: str
    username: str
    send_email: bool
    enabled: bool
    pending: int = Field(description="Statements waiting to be sent (or retried)")
    sent: int
    failed: int = Field(description="Statements given up on after the last retry")
    updated_at: datetime


class OrganisationLrs(Schema):
    """One row of the admin list: every organisation, with its LRS if it has one."""

    organisation_id: int
    organisation: str
    lrs: LrsPublic | None
