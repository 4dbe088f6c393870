"""Read pasted or uploaded measure data: every problem found, with its line.

A line is "date,value" for a continuous measure or a count, "date,numerator,denominator" for a
proportion ("date,count,exposure" for a rate) and "date" (or "date,number of events") for rare
events. Pure: no database. Either every line is good and the points come back, or
:class:`DataRejected` lists what to fix and nothing is stored.
"""

from __future__ import annotations

import math
import re
from datetime import date

from app.analysis.schemas import MAX_MAGNITUDE, MAX_POINTS
from app.core.errors import InvalidInput

MAX_ERRORS_SHOWN = 20
MAX_EVENTS_A_DAY = 50
MAX_BYTES = 1_000_000
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPLIT = re.compile(r"[,\t;]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE_FORMATS = "YYYY-MM-DD (2026-03-31) or DD/MM/YYYY (31/03/2026)"
# (period, value, denominator): the denominator only for proportions (cases) and rates (exposure).
Point = tuple[date, float, float | None]
LINE_SHAPES = {
    "continuous": "date,value",
    "count": "date,count",
    "proportion": "date,numerator,denominator",
    "rate": "date,count,exposure",
    "rare_event": "date (one line per event)",
}
EXAMPLES = {
    "continuous": "2026-01-05,42",
    "count": "2026-01-05,3",
    "proportion": "2026-01-05,18,25",
    "rate": "2026-01-05,3,2140",
    "rare_event": "2026-01-05",
}


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


def day(when: date) -> str:
    return f"{when.day} {when:%b %Y}"


def as_point(point: Point | tuple[date, float]) -> Point:
    return (point[0], point[1], point[2] if len(point) == 3 else None)  # type: ignore[misc]


def point_problem(data_type: str, value: float, denominator: float | None) -> str | None:
    """What is wrong with one period's numbers for a measure of this type, or None."""
    paired = data_type in ("proportion", "rate")
    what = {"proportion": "denominator", "rate": "exposure"}.get(data_type, "")
    if not paired and denominator is not None:
        return (
            "this measure records one number per period, so give no second number (or make it "
            "a proportion or a rate measure)"
        )
    if paired and denominator is None:
        example = "18,25" if data_type == "proportion" else "3,2140"
        return f"give the {what} as well, after a comma (for example 2026-05-04,{example})"
    if data_type in ("proportion", "count", "rate", "rare_event"):
        name = "numerator" if data_type == "proportion" else "number of events"
        if data_type == "count":
            name = "count"
        if value < 0 or value != int(value):
            least = "1" if data_type == "rare_event" else "0"
            return f"the {name} is {value:g}: it must be a whole number, {least} or more"
        if data_type == "rare_event" and value < 1:
            return "the number of events on a date must be 1 or more"
        if data_type == "rare_event" and value > MAX_EVENTS_A_DAY:
            return (
                f"{value:g} events on one date are not rare: record them as a count measure "
                f"(at most {MAX_EVENTS_A_DAY} a date here)"
            )
    if data_type == "proportion" and denominator is not None:
        if denominator != int(denominator) or denominator < 0:
            return f"the denominator is {denominator:g}: it must be a whole number of people"
        if denominator == 0:
            return "the denominator is 0: a proportion needs at least one case in the period"
        if value > denominator:
            return (
                f"the numerator ({value:g}) is more than the denominator ({denominator:g}): it "
                "counts the people who got it, out of everyone who could have"
            )
    if data_type == "rate" and denominator is not None and denominator <= 0:
        return f"the exposure is {denominator:g}: a rate needs some exposure (more than 0)"
    return None


def _is_header(cells: list[str]) -> bool:
    try:
        parse_date(cells[0])
    except ValueError:
        return True
    return False


def _cells_wanted(data_type: str) -> tuple[int, ...]:
    if data_type in ("proportion", "rate"):
        return (3,)
    return (1, 2) if data_type == "rare_event" else (2,)


def _parse_line(cells: list[str], data_type: str) -> tuple[Point | None, list[str]]:
    problems: list[str] = []
    when: date | None = None
    numbers: list[float] = []
    try:
        when = parse_date(cells[0])
    except ValueError as exc:
        problems.append(str(exc))
    for cell in cells[1:]:
        try:
            numbers.append(parse_value(cell))
        except ValueError as exc:
            problems.append(str(exc))
    if problems or when is None:
        return None, problems
    value = numbers[0] if numbers else 1.0
    denominator = numbers[1] if len(numbers) > 1 else None
    problem = point_problem(data_type, value, denominator)
    # A line that reads but does not fit the measure says which period it is about.
    return (None, [f"({day(when)}) {problem}"]) if problem else ((when, value, denominator), [])


def parse_points(text: str, data_type: str = "continuous") -> list[Point]:
    """Every point in ``text``, in date order, or DataRejected naming each bad line.

    Rare events: a date given on several lines is several events on that day.
    """
    wanted = _cells_wanted(data_type)
    shape = LINE_SHAPES[data_type]
    errors: list[str] = []
    points: dict[date, Point] = {}
    first_line: dict[date, int] = {}
    seen_data = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        cells = [c.strip().strip('"') for c in _SPLIT.split(line)]
        header = len(cells) in wanted and _is_header(cells)
        if not seen_data and header and not any(map(_looks_numeric, cells[1:])):
            seen_data = True  # a header such as "date,value" (only as the first line)
            continue
        seen_data = True
        if len(cells) not in wanted:
            errors.append(
                f"Line {number}: expected {' or '.join(map(str, wanted))} value"
                f"{'s' if wanted[-1] > 1 else ''} ({shape}) but found {len(cells)}."
            )
            continue
        point, problems = _parse_line(cells, data_type)
        if point is None:
            text_ = "; ".join(problems)
            if text_.startswith("("):
                where, _, text_ = text_.partition(") ")
                errors.append(f"Line {number} {where}): {text_}.")
            else:
                errors.append(f"Line {number}: {text_}.")
            continue
        when = point[0]
        if when in first_line:
            if data_type == "rare_event":
                points[when] = (when, points[when][1] + point[1], None)
                continue
            errors.append(
                f"Line {number}: {when.isoformat()} appears again (first on line "
                f"{first_line[when]}); give each date once."
            )
            continue
        first_line[when] = number
        points[when] = point
    if errors:
        raise DataRejected(errors)
    if not points:
        raise DataRejected(
            [
                f"There are no data lines. Give one line per period ({shape}), like "
                f"{EXAMPLES[data_type]}."
            ]
        )
    if len(points) > MAX_POINTS:
        raise DataRejected([f"There are {len(points)} lines; at most {MAX_POINTS} are allowed."])
    return sorted(points.values())


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
