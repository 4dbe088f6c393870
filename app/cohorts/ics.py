"""iCalendar (RFC 5545) files for workshop sessions: escaped text, folded lines, CRLF, times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from app.cohorts.schemas import SessionPublic

PRODID = "-//QI Academy//Silver cohorts//EN"
_MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines are escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = "", 0
            limit = _MAX_OCTETS - 1  # continuation lines start with one space
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_uid(session_id: int, host: str) -> str:
    """Stable per session, so re-importing an updated file updates the event instead of copying it."""
    return f"qia-workshop-session-{session_id}@{host}"


def calendar(
    sessions: Iterable[SessionPublic],
    *,
    calendar_name: str,
    host: str,
    cohort_url: str,
    now: datetime,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
    ]
    for s in sessions:
        location = ", ".join(p for p in (s.venue, s.online_url) if p)
        description = f"{calendar_name}. Details: {cohort_url}"
        if s.online_url:
            description += f"\nJoin online: {s.online_url}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session_uid(s.id, host)}",
            f"DTSTAMP:{utc_stamp(now)}",
            f"DTSTART:{utc_stamp(s.starts_at)}",
            f"DTEND:{utc_stamp(s.ends_at)}",
            f"SUMMARY:{escape_text(s.title)}",
            f"LOCATION:{escape_text(location)}",
            f"DESCRIPTION:{escape_text(description)}",
        ]
        if s.online_url:
            lines.append(f"URL:{s.online_url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
