"""Errors the xAPI domain raises, each saying what the person can do next."""

from __future__ import annotations

from app.core.errors import AppError


class LrsSecretUnreadable(AppError):
    status_code = 409
    kind = "LrsSecretUnreadable"

    def __init__(self) -> None:
        super().__init__(
            "The saved LRS password can no longer be read (the site's secret key changed). "
            "Enter the password again and save."
        )
