"""Opening a module: signed in, tier unlocked and prerequisites done, or a 403 that says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.accounts.dependencies import Claims, NotSignedIn, TokenClaims, load_user
from app.accounts.models import User
from app.awards.access import open_tiers
from app.content import service as content_service
from app.content.dependencies import ContentDep, ModuleDep
from app.content.registry import ContentRegistry, RegisteredModule
from app.core.deps import SessionDep
from app.core.errors import Forbidden
from app.core.openapi import declare
from app.progress import service
from app.progress.models import ModuleProgress


class ModuleLocked(Forbidden):
    kind = "ModuleLocked"


@dataclass
class ModuleAccess:
    user: User
    module: RegisteredModule
    registry: ContentRegistry
    rows: dict[int, ModuleProgress]


def _load_access(
    request: Request,
    session: Session,
    claims: TokenClaims,
    module: RegisteredModule,
    registry: ContentRegistry,
) -> ModuleAccess:
    """User and progress in one trip to the threadpool: this is the hottest path in the app."""
    user = load_user(session, claims, request)
    if user is None:
        raise NotSignedIn()
    rows = service.rows_for(session, user_id=user.id)
    reason = content_service.lock_reason(
        module,
        registry=registry,
        unlocked_tiers=open_tiers(session, user, tier=module.tier),
        completed=service.completed_slugs(rows, registry),
    )
    if reason:
        raise ModuleLocked(reason)
    return ModuleAccess(user=user, module=module, registry=registry, rows=rows)


async def _open_module(
    request: Request, claims: Claims, module: ModuleDep, registry: ContentDep, session: SessionDep
) -> ModuleAccess:
    if claims is None:
        raise NotSignedIn()
    return await run_in_threadpool(_load_access, request, session, claims, module, registry)


OpenModule = Annotated[ModuleAccess, Depends(declare(_open_module, 401, 403, security="required"))]
