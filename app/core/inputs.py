"""Bad input stops at the door with a message, whatever the route: one app-wide dependency.

Three kinds of input used to reach the database and come back as a 500: control characters
(PostgreSQL refuses a NUL byte in text), integers beyond 64 bits (no id column can hold them) and
dates near the edges of the calendar (adding a day to 9999-12-31 overflows). Every path and query
parameter, form field and JSON value is checked here before any route runs, so a new route is
covered without being listed. Tab, newline and carriage return are allowed: multi-line text
fields need them and they are harmless everywhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from app.core.errors import InvalidInput, NotFound

INT64_MAX = 2**63 - 1
YEAR_MIN, YEAR_MAX = 1900, 2200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"-?\d+")
_DATE = re.compile(r"(\d{4})-\d{2}(-\d{2})?([T ][\d:.]+([+-]\d{2}:?\d{2}|Z)?)?")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem(name: str, value: Any) -> str | None:
    """What is wrong with one input value, worded for the person who sent it, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > INT64_MAX:
            return f"{name}: enter a whole number no bigger than {INT64_MAX}"
        return None
    if not isinstance(value, str):
        return None
    if _CONTROL.search(value):
        return f"{name}: remove the control character (such as a NUL byte) from this text"
    if len(value) < 40 and _INTEGER.fullmatch(value) and abs(int(value)) > INT64_MAX:
        return f"{name}: enter a whole number no bigger than {INT64_MAX}"
    if len(value) < 40 and (found := _DATE.fullmatch(value)):
        year = int(found.group(1))
        if not YEAR_MIN <= year <= YEAR_MAX:
            return f"{name}: enter a date between the years {YEAR_MIN} and {YEAR_MAX}"
    return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}" if path else str(key), str(key)
            yield from _walk(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk(inner, f"{path}.{i}" if path else str(i))
    else:
        yield path or "body", value


def _first(pairs: Iterator[tuple[str, Any]]) -> str | None:
    return next((msg for name, value in pairs if (msg := problem(name, value))), None)


async def guard_input(request: Request) -> None:
    """App-wide dependency: refuse bad input with a 4xx that names the field (see module doc)."""
    for name, value in request.path_params.items():
        if problem(name, value):
            # An id that cannot exist, or an address no page has: nothing is at it.
            raise NotFound(
                "There is nothing at this address. Check it, or start again from the home page."
            )
    message = _first(iter(request.query_params.multi_items()))
    if message is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        message = await _body_problem(request)
    if message is not None:
        raise InvalidInput(message, field=message.split(":", 1)[0])


async def _body_problem(request: Request) -> str | None:
    kind = request.headers.get("content-type", "")
    if kind.startswith(_FORMS):
        form = await request.form()  # Starlette caches it for the route
        return _first((k, v) for k, v in form.multi_items() if isinstance(v, str))
    if "json" in kind:
        body = await request.body()  # cached too: the route reads the same bytes
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return None  # the route's own parser says what is wrong with the JSON
        return _first(_walk(data, ""))
    return None
