"""Load a portfolio project and check who may touch it; the organisation a leader or QI lead acts on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser, LeaderUser
from app.accounts.models import Organisation
from app.core.deps import SessionDep
from app.core.errors import Forbidden
from app.portfolio import service
from app.portfolio.service import ProjectAccess


def _reader(project_id: int, session: SessionDep, user: CurrentUser) -> ProjectAccess:
    return service.access(session, project_id=project_id, user=user)


def _member(access: Annotated[ProjectAccess, Depends(_reader)]) -> ProjectAccess:
    service.require_member(access)
    return access


def _qi_lead(access: Annotated[ProjectAccess, Depends(_reader)]) -> ProjectAccess:
    service.require_qi_lead(access)
    return access


def _led(organisation_id: int, session: SessionDep, user: CurrentUser) -> Organisation:
    """An organisation for its QI leads, leaders and administrators (403 for anyone else)."""
    if not (
        user.has_role(Role.LEADER, Role.ADMIN)
        or service.is_qi_lead(session, user_id=user.id, organisation_id=organisation_id)
    ):
        raise Forbidden(
            "Only a QI lead of this organisation, a leader or an administrator can do this."
        )
    return accounts_service.get_organisation(session, organisation_id=organisation_id)


def _managed(organisation_id: int, session: SessionDep, _leader: LeaderUser) -> Organisation:
    return accounts_service.get_organisation(session, organisation_id=organisation_id)


# The project `{project_id}`: its team, its coach, its organisation's QI leads, leaders (else 404).
PortfolioReader = Annotated[ProjectAccess, Depends(_reader)]
# ... only someone on its team (others who may read it get 403).
PortfolioMember = Annotated[ProjectAccess, Depends(_member)]
# ... only a QI lead of its organisation.
PortfolioQiLead = Annotated[ProjectAccess, Depends(_qi_lead)]
# The organisation `{organisation_id}`, for its QI leads, leaders and administrators.
LedOrganisation = Annotated[Organisation, Depends(_led)]
# ... for leaders and administrators only (they grant the QI lead role).
ManagedOrganisation = Annotated[Organisation, Depends(_managed)]
