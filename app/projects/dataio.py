"""Read pasted or uploaded measure data ("date,value" lines): every problem found, with its line.

Pure: no database. Either every line is good and the points come back, or :class:`DataRejected`
lists what to fix and nothing is stored.
"""

from __future__ import annotations

import math
import re
from datetime import date

from app.analysis.schemas import MAX_MAGNITUDE, MAX_POINTS
from app.core.errors import InvalidInput

MAX_ERRORS_SHOWN = 20
MAX_BYTES = 1_000_000
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPLIT = re.compile(r"[,\t;]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE_FORMATS = "YYYY-MM-DD (2026-03-31) or DD/MM/YYYY (31/03/2026)"


class DataRejected(InvalidInput):
    """Data with problems: each one with its line number; nothing was saved."""

    kind = "DataRejected"

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        tail = f" And {more} more." if more else ""
        count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        super().__init__(
            f"Nothing was saved: the data has {count}. " + " ".join(shown) + tail,
            field="data",
        )


def parse_date(text: str) -> date:
    """ISO (YYYY-MM-DD) or UK (DD/MM/YYYY); ValueError saying which rule the text breaks."""
    text = text.strip()
    iso, uk = _ISO.match(text), _UK.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month, year = (int(g) for g in uk.groups())
    else:
        raise ValueError(f"'{text[:40]}' is not a date in the form {DATE_FORMATS}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"'{text}' is not a real date" + (" (dates are day/month/year)" if uk else "")
        ) from None


def parse_value(text: str) -> float:
    """A finite number; a trailing % is allowed (62% is stored as 62)."""
    cleaned = text.strip().removesuffix("%").strip()
    if not _NUMBER.match(cleaned):
        raise ValueError(f"'{text.strip()[:40]}' is not a number")
    value = float(cleaned)
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"'{text.strip()[:40]}' is too large")
    return value


def _is_header(cells: list[str]) -> bool:
    try:
        parse_date(cells[0])
    except ValueError:
        return True
    return False


def parse_points(text: str) -> list[tuple[date, float]]:
    """Every (date, value) in ``text``, in date order, or DataRejected naming each bad line."""
    lines = text.splitlines()
    errors: list[str] = []
    points: list[tuple[date, float]] = []
    first_line: dict[date, int] = {}
    seen_data = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        cells = [c.strip().strip('"') for c in _SPLIT.split(line)]
        if not seen_data and len(cells) == 2 and _is_header(cells) and not _looks_numeric(cells[1]):
            seen_data = True  # a header such as "date,value" (only as the first line)
            continue
        seen_data = True
        if len(cells) != 2:
            errors.append(f"Line {number}: expected 2 values (date,value) but found {len(cells)}.")
            continue
        problems = []
        when: date | None = None
        value: float | None = None
        try:
            when = parse_date(cells[0])
        except ValueError as exc:
            problems.append(str(exc))
        try:
            value = parse_value(cells[1])
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            errors.append(f"Line {number}: {'; '.join(problems)}.")
            continue
        assert when is not None
        assert value is not None
        if when in first_line:
            errors.append(
                f"Line {number}: {when.isoformat()} appears again (first on line "
                f"{first_line[when]}); give each date once."
            )
            continue
        first_line[when] = number
        points.append((when, value))
    if errors:
        raise DataRejected(errors)
    if not points:
        raise DataRejected(
            ["There are no data lines. Give one line per period, like 2026-01-05,42."]
        )
    if len(points) > MAX_POINTS:
        raise DataRejected([f"There are {len(points)} lines; at most {MAX_POINTS} are allowed."])
    return sorted(points)


def _looks_numeric(text: str) -> bool:
    try:
        parse_value(text)
    except ValueError:
        return False
    return True


def decode_upload(content: bytes) -> str:
    """An uploaded CSV as text (UTF-8, with or without a BOM, or Windows-1252 from Excel)."""
    if len(content) > MAX_BYTES:
        raise DataRejected([f"The file is larger than {MAX_BYTES // 1_000_000} MB."])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
