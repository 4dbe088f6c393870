"""Errors the admin domain raises."""

from __future__ import annotations

from app.core.errors import Conflict


class CannotRemoveOwnAdmin(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "You cannot remove your own admin role. Ask another admin to do it.", field="roles"
        )


class CannotDeactivateSelf(Conflict):
    def __init__(self) -> None:
        super().__init__("You cannot deactivate your own account. Ask another admin to do it.")


class AccountInactive(Conflict):
    def __init__(self) -> None:
        super().__init__("This account is deactivated. Reactivate it before sending a reset link.")
