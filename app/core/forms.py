"""Form plumbing for page routes: one wording of field errors, FormInvalid, and safe redirects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core.errors import AppError

# Pydantic error types worded as the NHS.UK error message guidance asks ("Enter...", "Choose...").
_KIND_WORDS = {
    "missing": "Enter {label}",
    "string_too_short": "Enter {label}",
    "literal_error": "Choose {label}",
    "enum": "Choose {label}",
    "date_from_datetime_parsing": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "date_parsing": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "date_type": "Enter {label} as YYYY-MM-DD or DD/MM/YYYY",
    "datetime_parsing": "Enter {label} as a date and time",
    "datetime_from_date_parsing": "Enter {label} as a date and time",
    "float_parsing": "Enter {label} as a number",
    "finite_number": "Enter {label} as a number",
    "int_parsing": "Enter {label} as a whole number",
    "greater_than_equal": "{label_cap} must be at least {ge}",
    "less_than_equal": "{label_cap} must be at most {le}",
    "greater_than": "{label_cap} must be more than {gt}",
    "string_too_long": "{label_cap} must be {max_length} characters or fewer",
}
_CHOICE_KINDS = ("literal_error", "enum")
_EMAIL = "Enter an email address in the right format, like name@example.nhs.uk"


class FormInvalid(AppError):
    """A page form with errors: the one error handler redraws `template` with the error summary.

    Raised, never returned, so the request's unit of work rolls back whatever the route or its
    services had already written. `context` must hold plain values or schemas, not ORM objects
    (the rollback expires them).
    """

    status_code = 422
    kind = "InvalidInput"

    def __init__(
        self,
        errors: Mapping[str, str],
        *,
        template: str,
        context: Mapping[str, Any],
        status_code: int | None = None,
    ) -> None:
        first = next(iter(errors.values()), "There is a problem")
        super().__init__(first, status_code)
        self.errors = dict(errors)
        self.template = template
        self.context = dict(context)


def form_dict(form: FormData, *fields: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in fields:
        value = form.get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


def _message(err: Mapping[str, Any], field: str, label: str) -> str:
    given = err.get("input")
    if isinstance(given, str) and not given.strip() and err.get("type") not in _CHOICE_KINDS:
        return f"Enter {label}"  # left blank: say what to enter, not what format it was not in
    template = _KIND_WORDS.get(str(err.get("type")))
    if template:
        cap = label[0].upper() + label[1:]
        return template.format(label=label, label_cap=cap, **(err.get("ctx") or {}))
    msg = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    if str(err.get("type", "")).startswith("value_error") and "email" in field:
        return _EMAIL
    return msg[0].upper() + msg[1:]


def field_errors(
    exc: ValidationError | AppError,
    labels: Mapping[str, str],
    *,
    default: str = "form",
    order: tuple[str, ...] = (),
) -> dict[str, str]:
    """First message per field, worded for the page ("Enter your email address").

    `labels` name each field as a sentence would ("your email address"). An AppError lands on
    its own field (or `default`). `order` puts the fields in the order the page shows them, so
    the error summary reads top to bottom.
    """
    if isinstance(exc, AppError):
        return {exc.field or default: exc.message}
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc: tuple[Any, ...] = tuple(err.get("loc", ()))
        field = str(loc[0]) if loc else default
        if field not in errors:
            label = labels.get(field, field.replace("_", " "))
            errors[field] = _message(err, field, label)
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths: never '//evil.example' or 'https://...'."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
