"""Administration: every change to a user or organisation is made and audited in one unit of work."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import ORGANISATION_KINDS, Role
from app.accounts.models import Organisation, User
from app.admin.exceptions import AccountInactive, CannotDeactivateSelf, CannotRemoveOwnAdmin
from app.admin.schemas import (
    AdminOverview,
    AuditEntry,
    AuditList,
    OrganisationAdmin,
    OrganisationCreate,
    OrganisationUpdate,
    UserAdmin,
    UserList,
)
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.core.config import Settings
from app.core.db import as_utc
from app.core.errors import InvalidInput
from app.core.pagination import Pager, offset_for
from app.outbox import service as outbox_service

USERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50

# How the log reads each action; actions other domains record show as they are named.
ACTION_LABELS = {
    "user.roles_changed": "Changed the roles of",
    "user.deactivated": "Deactivated",
    "user.reactivated": "Reactivated",
    "user.password_reset_sent": "Sent a password reset link to",
    "user.deleted": "Deleted their own account:",
    "organisation.created": "Created organisation",
    "organisation.updated": "Edited organisation",
    "organisation.listed": "Added organisation to the list",
    "organisation.merged": "Merged organisation",
}


def role_filter(value: str) -> Role | None:
    """The role to search by: empty means any role (the search form sends role= for 'Any role')."""
    if not value:
        return None
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            "Choose a role from the list: " + ", ".join(r.value for r in Role), field="role"
        ) from None


def user_admin(user: User) -> UserAdmin:
    return UserAdmin(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        organisation_id=user.organisation_id,
        organisation=user.organisation.name if user.organisation else None,
        staff_group=user.staff_group,
        roles=sorted(user.role_names),
        is_active=user.is_active,
        status=accounts_service.account_status(user),
        deleted=user.deleted_at is not None,
        created_at=as_utc(user.created_at),
        last_login_at=as_utc(user.last_login_at) if user.last_login_at else None,
    )


def overview(session: Session) -> AdminOverview:
    total, active = accounts_service.user_counts(session)
    mail = outbox_service.counts(session)
    return AdminOverview(
        users=total,
        active_users=active,
        organisations=len(accounts_service.organisations_with_counts(session)),
        outbox_pending=mail.pending,
        outbox_failed=mail.failed,
    )


def user_list(session: Session, *, query: str, role: str | None, page: int) -> UserList:
    users, total = accounts_service.search_users(
        session,
        query=query,
        role=role,
        limit=USERS_PER_PAGE,
        offset=offset_for(page, USERS_PER_PAGE),
    )
    pager = Pager(page=page, per_page=USERS_PER_PAGE, total=total)
    return UserList(items=[user_admin(u) for u in users], total=total, page=page, pages=pager.pages)


def change_roles(
    session: Session, *, actor: User, user: User, roles: Collection[Role]
) -> UserAdmin:
    """Set a user's roles; an admin cannot take away their own admin role."""
    wanted = {Role(r) for r in roles}
    if user.id == actor.id and Role.ADMIN not in wanted:
        raise CannotRemoveOwnAdmin()
    # An admin editing their own roles stays signed in; anyone else's sessions end.
    added, removed = accounts_service.set_roles(
        session, user=user, roles=wanted, end_sessions=user.id != actor.id
    )
    if added or removed:
        audit.record(
            session,
            actor_id=actor.id,
            action="user.roles_changed",
            target_type="user",
            target_id=user.id,
            detail={"added": added, "removed": removed},
        )
    return user_admin(user)


def set_active(session: Session, *, actor: User, user: User, active: bool) -> UserAdmin:
    """Deactivate (sessions end, sign-in refused) or reactivate; never yourself."""
    if user.id == actor.id and not active:
        raise CannotDeactivateSelf()
    if accounts_service.set_active(session, user=user, active=active):
        audit.record(
            session,
            actor_id=actor.id,
            action="user.reactivated" if active else "user.deactivated",
            target_type="user",
            target_id=user.id,
        )
    return user_admin(user)


def update_user(
    session: Session,
    *,
    actor: User,
    user: User,
    roles: Collection[Role] | None,
    is_active: bool | None,
) -> UserAdmin:
    if roles is not None:
        change_roles(session, actor=actor, user=user, roles=roles)
    if is_active is not None:
        set_active(session, actor=actor, user=user, active=is_active)
    return user_admin(user)


def send_reset_link(session: Session, *, actor: User, user: User, settings: Settings) -> None:
    """Email the user a single-use link to set a new password (through the outbox)."""
    if not user.is_active and user.deleted_at is None:
        raise AccountInactive()
    accounts_service.issue_password_reset(
        session, user=user, settings=settings, requested_by_id=actor.id
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="user.password_reset_sent",
        target_type="user",
        target_id=user.id,
    )


def organisation_admin(org: Organisation, members: int) -> OrganisationAdmin:
    return OrganisationAdmin(
        id=org.id,
        name=org.name,
        kind=org.kind,
        kind_label=ORGANISATION_KINDS.get(org.kind, org.kind),
        region=org.region,
        members=members,
        listed=org.listed,
        created_at=as_utc(org.created_at),
    )


def organisation_list(session: Session) -> list[OrganisationAdmin]:
    return [
        organisation_admin(org, n) for org, n in accounts_service.organisations_with_counts(session)
    ]


def organisation_view(session: Session, *, organisation: Organisation) -> OrganisationAdmin:
    members = {org.id: n for org, n in accounts_service.organisations_with_counts(session)}.get(
        organisation.id, 0
    )
    return organisation_admin(organisation, members)


def create_organisation(
    session: Session, *, actor: User, data: OrganisationCreate
) -> OrganisationAdmin:
    org = accounts_service.create_organisation(
        session, name=data.name, kind=data.kind, region=data.region
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.created",
        target_type="organisation",
        target_id=org.id,
        detail={"name": org.name, "kind": org.kind, "region": org.region},
    )
    return organisation_admin(org, 0)


def update_organisation(
    session: Session, *, actor: User, organisation: Organisation, data: OrganisationUpdate
) -> OrganisationAdmin:
    given = data.model_fields_set
    changes = accounts_service.update_organisation(
        session,
        organisation=organisation,
        name=data.name if data.name is not None else organisation.name,
        kind=data.kind if data.kind is not None else organisation.kind,
        region=data.region if "region" in given else organisation.region,
    )
    if changes:
        audit.record(
            session,
            actor_id=actor.id,
            action="organisation.updated",
            target_type="organisation",
            target_id=organisation.id,
            detail={"changes": changes},
        )
    return organisation_view(session, organisation=organisation)


def _describe(detail: dict[str, Any]) -> str:
    """An audit detail in words: 'added: leader; removed: trainer', 'name: A to B'."""
    parts = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                before, after = (
                    ([*pair, None, None])[:2] if isinstance(pair, list) else (None, pair)
                )
                parts.append(f"{field}: {before or 'not set'} to {after or 'not set'}")
        elif isinstance(value, list):
            if value:
                parts.append(f"{key.replace('_', ' ')}: {', '.join(str(v) for v in value)}")
        elif value not in (None, ""):
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def _entries(session: Session, events: list[AuditEvent]) -> list[AuditEntry]:
    """Events with the names of who acted and whom it was about: one query for all the names."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    ids |= {int(e.target_id) for e in events if e.target_type == "user" and e.target_id.isdigit()}
    people = accounts_service.users_by_id(session, user_ids=ids)
    out = []
    for e in events:
        actor = people.get(e.actor_id) if e.actor_id is not None else None
        if e.target_type == "user" and e.target_id.isdigit() and int(e.target_id) in people:
            target = people[int(e.target_id)].full_name
        else:
            target = f"{e.target_type.replace('_', ' ')} {e.target_id}"
        label = ACTION_LABELS.get(e.action, e.action.replace("_", " ").replace(".", ": "))
        described = _describe(e.detail or {})
        out.append(
            AuditEntry(
                id=e.id,
                created_at=as_utc(e.created_at),
                actor_id=e.actor_id,
                actor_name=actor.full_name if actor else None,
                action=e.action,
                summary=f"{label} {target}" + (f" ({described})" if described else ""),
                target_type=e.target_type,
                target_id=e.target_id,
                detail=e.detail or {},
            )
        )
    return out


def audit_log(session: Session, *, page: int, action: str | None) -> AuditList:
    events, total = audit.page(
        session,
        limit=AUDIT_PER_PAGE,
        offset=offset_for(page, AUDIT_PER_PAGE),
        action=action or None,
    )
    pager = Pager(page=page, per_page=AUDIT_PER_PAGE, total=total)
    return AuditList(
        items=_entries(session, events),
        total=total,
        page=page,
        pages=pager.pages,
        actions=audit.actions(session),
    )


def user_history(session: Session, *, user: User) -> list[AuditEntry]:
    return _entries(session, audit.about(session, target_type="user", target_id=user.id))


def list_organisation(session: Session, *, actor: User, organisation: Organisation) -> None:
    """Add a typed name to the list people choose from, and record who did."""
    if accounts_service.organisations.add_to_list(session, organisation=organisation):
        audit.record(
            session,
            actor_id=actor.id,
            action="organisation.listed",
            target_type="organisation",
            target_id=organisation.id,
            detail={"name": organisation.name},
        )


def merge_organisation(
    session: Session, *, actor: User, source: Organisation, target_id: str
) -> int:
    """Merge `source` into the listed organisation `target_id`; returns how many accounts moved."""
    if not target_id.isdigit():
        raise InvalidInput("Choose the organisation to merge into.", field="target_id")
    target = accounts_service.get_organisation(session, organisation_id=int(target_id))
    source_id, source_name = source.id, source.name
    moved = accounts_service.organisations.merge(session, source=source, target=target)
    audit.record(
        session,
        actor_id=actor.id,
        action="organisation.merged",
        target_type="organisation",
        target_id=target.id,
        detail={
            "from_id": source_id,
            "from_name": source_name,
            "into": target.name,
            "accounts": moved,
        },
    )
    return moved
