"""Gold dependencies: a candidacy loaded for a leader (accounts' LeaderUser), live trainers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser, LeaderUser
from app.accounts.models import User
from app.core.deps import SessionDep
from app.core.errors import Forbidden
from app.gold import service
from app.gold.models import GoldCandidacy


def _candidacy(candidacy_id: int, _leader: LeaderUser, session: SessionDep) -> GoldCandidacy:
    return service.get_candidacy(session, candidacy_id=candidacy_id)


CandidacyForLeader = Annotated[GoldCandidacy, Depends(_candidacy)]


def _active_trainer(user: CurrentUser) -> User:
    """A trainer whose Gold has not lapsed (a lapsed role no longer counts: UserRole.expires_at)."""
    if not user.has_role(Role.TRAINER, Role.ADMIN):
        raise Forbidden(
            "Only a Gold trainer can do this. If your Gold certification has expired, renew it at /gold."
        )
    return user


ActiveTrainer = Annotated[User, Depends(_active_trainer)]
