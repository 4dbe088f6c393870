"""One error hierarchy: services raise AppError subclasses; one handler turns them into HTML or JSON."""

from __future__ import annotations


class AppError(Exception):
    """A failure the user can act on. `message` says what to fix; never a stack trace."""

    status_code: int = 400
    kind: str = "BadRequest"

    def __init__(
        self, message: str, status_code: int | None = None, *, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    @property
    def error(self) -> str:
        return self.kind


class NotFound(AppError):
    status_code = 404
    kind = "NotFound"


class Forbidden(AppError):
    status_code = 403
    kind = "Forbidden"


class Unauthorized(AppError):
    status_code = 401
    kind = "Unauthorized"


class Conflict(AppError):
    status_code = 409
    kind = "Conflict"


class InvalidInput(AppError):
    status_code = 422
    kind = "InvalidInput"


class TooManyRequests(AppError):
    status_code = 429
    kind = "TooManyRequests"
