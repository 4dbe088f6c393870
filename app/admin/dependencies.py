"""Admin-only access, and the user or organisation an admin route acts on (403 before 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from app.accounts import service as accounts_service
from app.accounts.dependencies import AdminUser
from app.accounts.models import Organisation, User
from app.core.deps import SessionDep


async def _managed_user(user_id: int, _admin: AdminUser, session: SessionDep) -> User:
    return await run_in_threadpool(accounts_service.get_user, session, user_id=user_id)


async def _managed_organisation(
    organisation_id: int, _admin: AdminUser, session: SessionDep
) -> Organisation:
    return await run_in_threadpool(
        accounts_service.get_organisation, session, organisation_id=organisation_id
    )


ManagedUser = Annotated[User, Depends(_managed_user)]
ManagedOrganisation = Annotated[Organisation, Depends(_managed_organisation)]
