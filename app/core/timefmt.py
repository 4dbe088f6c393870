"""Dates and times as the NHS.UK style guide writes them, in UK local time: '3 March 2026 at 2:05pm'."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC, so say so."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local(value: datetime) -> datetime:
    """A stored UTC time as UK local time."""
    return as_utc(value).astimezone(LONDON)


def day(value: date | datetime) -> str:
    """'3 March 2026' (a datetime is first moved to UK local time)."""
    if isinstance(value, datetime):
        value = local(value)
    return f"{value.day} {value:%B %Y}"


def clock(value: datetime) -> str:
    """'9:30am', '2:05pm' (the time of a naive datetime is taken as it is)."""
    at = local(value) if value.tzinfo else value
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d}{'am' if at.hour < 12 else 'pm'}"


def when(value: datetime) -> str:
    """'3 March 2026 at 2:05pm', UK local time."""
    at = local(value)
    return f"{at.day} {at:%B %Y} at {clock(at)}"


def month(value: date | str) -> str:
    """'January 2026' from a date or a 'YYYY-MM' key."""
    if isinstance(value, str):
        value = date(int(value[:4]), int(value[5:7]), 1)
    return f"{value:%B %Y}"


def duration(minutes: int | float) -> str:
    """A length of time as people say it: "4 hours 20 minutes", "1 hour", "45 minutes"."""
    total = round(minutes)
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if mins or not hours:
        parts.append(f"{mins} minute" + ("s" if mins != 1 else ""))
    return " ".join(parts)


FILTERS = {
    "day": day,
    "when": when,
    "clock": clock,
    "month": month,
    "local": local,
    "duration": duration,
}
