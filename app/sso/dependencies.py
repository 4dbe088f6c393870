"""The identity provider an admin route acts on (403 before 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from app.accounts.dependencies import AdminUser
from app.core.deps import SessionDep
from app.sso import providers
from app.sso.models import IdentityProvider


async def _managed_provider(
    provider_id: int, _admin: AdminUser, session: SessionDep
) -> IdentityProvider:
    return await run_in_threadpool(providers.get_provider, session, provider_id=provider_id)


ManagedProvider = Annotated[IdentityProvider, Depends(_managed_provider)]
