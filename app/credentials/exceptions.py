"""Credential errors that are not plain not-found or forbidden."""

from __future__ import annotations

from app.core.errors import AppError


class HolderErased(AppError):
    status_code = 410
    kind = "Gone"

    def __init__(self) -> None:
        super().__init__(
            "The holder of this credential deleted their account, so it is no longer published. "
            "Its verification page still says whether it was valid."
        )


class NotAcceptable(AppError):
    status_code = 406
    kind = "Not Acceptable"

    def __init__(self, offers: tuple[str, ...]) -> None:
        super().__init__(
            f"This address can send {', '.join(offers)}. Ask for one of them in the Accept header."
        )
