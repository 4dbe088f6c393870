"""Admin schemas: users and organisations as admins see and change them, and audit log entries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.accounts.constants import ORGANISATION_KINDS, REGIONS, Role
from app.core.schemas import Schema


def _kind(value: str) -> str:
    if value not in ORGANISATION_KINDS:
        raise ValueError("Choose a type: " + ", ".join(ORGANISATION_KINDS.values()).lower())
    return value


def _region(value: str | None) -> str | None:
    if value and value not in REGIONS:
        raise ValueError("Choose a region from the list: " + ", ".join(REGIONS))
    return value or None


OrganisationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
OrganisationKind = Annotated[str, AfterValidator(_kind)]
Region = Annotated[str | None, BeforeValidator(lambda v: v or None), AfterValidator(_region)]


class UserAdmin(Schema):
    id: int
    email: str
    full_name: str
    organisation_id: int | None
    organisation: str | None
    staff_group: str
    roles: list[str]
    is_active: bool
    status: str = (
        "active"  # a key of accounts' ACCOUNT_STATUSES: active, invited, deactivated, deleted
    )
    deleted: bool = Field(description="The holder deleted their account; personal data is gone")
    created_at: datetime
    last_login_at: datetime | None


class UserList(Schema):
    items: list[UserAdmin]
    total: int
    page: int
    pages: int


class UserAdminUpdate(Schema):
    roles: list[Role] | None = Field(
        default=None, description="Exactly these roles; learner is always kept"
    )
    is_active: bool | None = Field(default=None, description="false deactivates: sessions end")


class OrganisationCreate(Schema):
    name: OrganisationName
    kind: OrganisationKind = "other"
    region: Region = None


class OrganisationUpdate(Schema):
    name: OrganisationName | None = None
    kind: OrganisationKind | None = None
    region: Region = Field(default=None, description="Omit to leave unchanged; null removes it")


class OrganisationAdmin(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: str | None
    members: int
    listed: bool = True
    created_at: datetime


class AuditEntry(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str | None = Field(description="None when the platform itself acted")
    action: str
    summary: str = Field(description="The action in words, with its target")
    target_type: str
    target_id: str
    detail: dict[str, Any]


class AuditList(Schema):
    items: list[AuditEntry]
    total: int
    page: int
    pages: int
    actions: list[str]


class AdminOverview(Schema):
    users: int
    active_users: int
    organisations: int
    outbox_pending: int
    outbox_failed: int
