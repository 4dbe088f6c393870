"""The learning platform an admin route acts on (403 before 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from app.accounts.dependencies import AdminUser
from app.core.deps import SessionDep
from app.lti import platforms
from app.lti.models import LtiPlatform


async def _managed_platform(
    platform_id: int, _admin: AdminUser, session: SessionDep
) -> LtiPlatform:
    return await run_in_threadpool(platforms.get_platform, session, platform_id=platform_id)


ManagedPlatform = Annotated[LtiPlatform, Depends(_managed_platform)]
