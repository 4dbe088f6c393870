"""Who may download an organisation's ESR completions: its improvement leaders, and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from starlette.concurrency import run_in_threadpool

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.dependencies import LeaderUser
from app.accounts.models import Organisation
from app.core.deps import SessionDep
from app.core.errors import Forbidden

OrgId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def _organisation_for_leader(
    organisation_id: OrgId, user: LeaderUser, session: SessionDep
) -> Organisation:
    """403 before 404: a leader of another organisation learns nothing about this one."""
    if not user.has_role(Role.ADMIN) and user.organisation_id != organisation_id:
        raise Forbidden("You can download completions only for your own organisation.")
    return await run_in_threadpool(
        accounts_service.get_organisation, session, organisation_id=organisation_id
    )


LedOrganisation = Annotated[Organisation, Depends(_organisation_for_leader)]
