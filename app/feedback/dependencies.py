"""Who may read feedback: leaders (and admins) see it all."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.constants import Role
from app.accounts.dependencies import require_roles
from app.accounts.models import User

LeaderUser = Annotated[User, Depends(require_roles(Role.LEADER, Role.ADMIN))]
