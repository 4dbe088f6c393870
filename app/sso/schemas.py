"""Single sign-on schemas: an identity provider as admins register, change and see it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from app.accounts.constants import StaffGroupCode
from app.core.schemas import Schema

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _domains(value: Any) -> list[str]:
    """Email domains from a list or from text (one a line, or separated by commas or spaces)."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value or [])
    out: list[str] = []
    for item in items:
        domain = str(item).strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValueError(f"'{domain[:100]}' is not an email domain; write it like trust.nhs.uk")
        if domain not in out:
            out.append(domain)
    if not out:
        raise ValueError("Enter at least one email domain, like trust.nhs.uk")
    return out


def _issuer(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^https?://[^\s/?#]+", value.strip()):
        raise ValueError("Enter the issuer as a URL, like https://login.microsoftonline.com/...")
    return value


Domains = Annotated[list[str], BeforeValidator(_domains)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Issuer = Annotated[Text, BeforeValidator(_issuer)]


class ProviderCreate(Schema):
    name: Name = Field(description='Shown to people signing in: "Sign in with <name>"')
    issuer: Issuer = Field(description="The issuer URL; its discovery document must name it")
    client_id: Text
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    domains: Domains = Field(description="Email domains whose people sign in through it")
    organisation_id: int
    default_staff_group: StaffGroupCode
    trust_email: bool = Field(
        default=False, description="Treat every email the provider sends as verified"
    )


class ProviderUpdate(Schema):
    name: Name | None = None
    issuer: Issuer | None = None
    client_id: Text | None = None
    client_secret: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="Omitted or empty: the saved secret stays"
    )
    domains: Domains | None = None
    organisation_id: int | None = None
    default_staff_group: StaffGroupCode | None = None
    trust_email: bool | None = None
    enabled: bool | None = None


class ProviderPublic(Schema):
    """The client secret is never shown again once saved."""

    id: int
    name: str
    issuer: str
    client_id: str
    domains: list[str]
    organisation_id: int
    organisation: str
    default_staff_group: StaffGroupCode
    trust_email: bool
    enabled: bool
    redirect_uri: str = Field(description="Register this at the provider as the redirect URI")
    post_logout_redirect_uri: str = Field(description="Register this as the post-logout URI")
    created_at: datetime
