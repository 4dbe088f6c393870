"""Form plumbing for page routes: pydantic errors to per-field messages, and safe redirects."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

_FRIENDLY = {
    "string_too_short": "Enter {field}",
    "missing": "Enter {field}",
}


def form_dict(form: FormData, *fields: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in fields:
        value = form.get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


def field_errors(exc: ValidationError, labels: dict[str, str]) -> dict[str, str]:
    """First message per field, worded for the page ("Enter your email address")."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc: tuple[Any, ...] = tuple(err.get("loc", ()))
        field = str(loc[0]) if loc else "form"
        if field in errors:
            continue
        label = labels.get(field, field.replace("_", " "))
        template = _FRIENDLY.get(str(err.get("type")))
        if template:
            errors[field] = template.format(field=label)
        else:
            msg = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
            if err.get("type", "").startswith("value_error") and "email" in field:
                msg = "Enter an email address in the right format, like name@example.nhs.uk"
            errors[field] = msg[0].upper() + msg[1:]
    return errors


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths: never '//evil.example' or 'https://...'."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
