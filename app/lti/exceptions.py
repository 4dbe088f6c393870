"""Errors the LTI domain raises, each saying what the person (or the platform's admin) can do."""

from __future__ import annotations

from app.core.errors import AppError, Conflict, InvalidInput, NotFound

_AGAIN = "Go back to your course and open the activity again"


class LaunchRefused(AppError):
    """A launch failed a check of the LTI 1.3 security framework: nobody is signed in."""

    status_code = 401
    kind = "LaunchRefused"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"QI Academy could not open this activity: {reason}. {_AGAIN}; if it keeps "
            "happening, tell your learning platform's administrator."
        )
        self.reason = reason


class PlatformUnreachable(AppError):
    status_code = 502
    kind = "PlatformUnreachable"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"We could not reach your learning platform ({what[:200]}). Try again in a few minutes."
        )


class PlatformNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no learning platform with that id. Choose one from the list.")


class PlatformTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "A platform with this issuer and client ID is already registered. Edit that one instead.",
            field="client_id",
        )


class DeepLinkExpired(AppError):
    status_code = 400
    kind = "DeepLinkExpired"

    def __init__(self) -> None:
        super().__init__(
            "This choice of modules has already been sent or took longer than an hour. Go back "
            "to your course and add the activity again."
        )


class NoModulesChosen(InvalidInput):
    def __init__(self) -> None:
        super().__init__("Choose at least one module to add to your course", field="modules")
