"""Loading a credential and checking who may touch it: anyone, its holder, or a leader or admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser, require_roles
from app.accounts.models import User
from app.core.deps import SessionDep
from app.core.errors import Forbidden
from app.core.openapi import declare
from app.credentials import service
from app.credentials.models import Credential


def _public(credential_id: uuid.UUID, session: SessionDep) -> Credential:
    """Any credential by id: its JSON, token and badge images are public, like the link itself."""
    credential = service.get(session, credential_id=credential_id, load=("jwt", "document"))
    service.check_published(session, credential=credential)
    return credential


def _holders(credential_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Credential:
    """The certificate lists modules and dates: for its holder, and for those who manage it."""
    credential = service.get(session, credential_id=credential_id)
    if credential.user_id != user.id and not service.may_manage(
        session, actor=user, holder_id=credential.user_id
    ):
        raise Forbidden("Only the holder of this credential can download its certificate.")
    service.check_published(session, credential=credential)
    return credential


@dataclass(frozen=True)
class Revocation:
    actor: User
    credential: Credential


Manager = Annotated[User, Depends(require_roles(Role.LEADER, Role.ADMIN))]


def _revocable(credential_id: uuid.UUID, actor: Manager, session: SessionDep) -> Revocation:
    """A leader (in the holder's organisation) or an admin, and the credential they may revoke."""
    credential = service.get(session, credential_id=credential_id)
    service.check_may_manage(session, actor=actor, credential=credential)
    return Revocation(actor=actor, credential=credential)


# 410: the holder deleted their account (HolderErased).
PublicCredential = Annotated[Credential, Depends(declare(_public, 410))]
HoldersCredential = Annotated[Credential, Depends(declare(_holders, 403, 410))]
RevocableCredential = Annotated[Revocation, Depends(_revocable)]
