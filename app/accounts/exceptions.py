"""Errors the accounts domain raises."""

from __future__ import annotations

from app.core.errors import AppError, Conflict, NotFound, TooManyRequests, Unauthorized


class EmailTaken(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "An account with this email address already exists. Sign in, or use another email address.",
            field="email",
        )


class InvalidCredentials(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Email address or password is not right. Check them and try again.")


class LoginThrottled(TooManyRequests):
    def __init__(self, minutes: int, *, message: str | None = None) -> None:
        super().__init__(
            message or f"Too many failed sign-in attempts. Wait {minutes} minutes, then try again."
        )
        self.retry_after = minutes * 60


class ResetLinkInvalid(AppError):
    status_code = 410
    kind = "ResetLinkInvalid"

    def __init__(self) -> None:
        super().__init__(
            "This password reset link has expired or has already been used. Ask for a new one."
        )


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no user with that id. Search for them on the users page.")


class OrganisationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no organisation with that id. Choose one from the list.")


class OrganisationNameTaken(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"An organisation called '{name[:200]}' already exists. Edit that one, or use another name.",
            field="name",
        )


class AccountDeleted(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This account was deleted by its holder. It cannot be changed or reactivated."
        )


class VerificationLinkInvalid(AppError):
    status_code = 410
    kind = "VerificationLinkInvalid"

    def __init__(self) -> None:
        super().__init__(
            "This link to confirm an email address has expired or has already been used. "
            "Sign in and ask for a new one."
        )


class VerificationResendThrottled(TooManyRequests):
    def __init__(self) -> None:
        super().__init__(
            "We have sent 3 links in the last hour. Check your inbox and spam folder for the "
            "latest one, or try again in an hour.",
            field="resend",
        )
