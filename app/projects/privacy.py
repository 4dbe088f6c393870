"""Keep patient identifiers out of projects: NHS numbers (Modulus 11) and a date of birth by a name.

Projects hold aggregate measures only. Every free-text field a learner or trainer writes passes
through :func:`identifier_problem`; text that holds a valid NHS number, or a date of birth next to a
capitalised name, is refused with an explanation of what to change.
"""

from __future__ import annotations

import re
from datetime import date

# 3-3-4 with optional spaces or hyphens, not part of a longer number or a decimal.
_NHS = re.compile(r"(?<![\d.,])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d]|[.,]\d)")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m3>{_MONTH})\.?,?\s+(?P<y3>\d{{4}})"
    rf"|(?P<m4>{_MONTH})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y4>\d{{4}})"
    r")(?!\d)",
    re.IGNORECASE,
)
_DOB = re.compile(
    r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|born(?:\s+on)?)(?![A-Za-z])",
    re.IGNORECASE,
)
_APOS = "'\u2019"  # straight and curly apostrophes (O'Neill)
_WORD = rf"(?:[A-Z][a-z]+(?:[{_APOS}-][A-Z]?[a-z]+)*|[A-Z][{_APOS}][A-Z][a-z]+)"
_NAME = re.compile(rf"\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+{_WORD}|{_WORD}(?:\s+{_WORD})+)\b")
# How far apart the parts may be and still read as one person's details.
DATE_AFTER_KEYWORD = 25
NAME_BEFORE = 80
NAME_AFTER = 40

NHS_NUMBER_MESSAGE = (
    "This looks like an NHS number (10 digits, starting {start}, that pass the NHS number "
    "check). Projects hold aggregate measures only, never details that identify a patient: "
    "remove the number and describe the group instead, for example 'patients on Ward 7'."
)
DOB_MESSAGE = (
    "This looks like a date of birth next to a person's name. Projects hold aggregate measures "
    "only, never details that identify a patient: remove the name and the date of birth, and "
    "describe the group instead, for example 'patients aged over 80'."
)


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when there is none (remainder 10)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("give exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    """Ten digits (spaces and hyphens ignored) whose last digit is the Modulus 11 check digit."""
    digits = re.sub(r"[ -]", "", value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def nhs_numbers_in(text: str) -> list[str]:
    """Every valid NHS number written in ``text``, as its ten digits."""
    found = []
    for match in _NHS.finditer(text):
        digits = "".join(match.groups())
        if is_valid_nhs_number(digits):
            found.append(digits)
    return found


def _real_date(match: re.Match[str]) -> bool:
    g = match.groupdict()
    for d, m, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("d3", "m3", "y3"), ("d4", "m4", "y4")):
        if g[d] is None:
            continue
        month = int(g[m]) if g[m].isdigit() else _MONTHS[g[m].lower()]
        year = int(g[y]) + (1900 if len(g[y]) == 2 else 0)
        try:
            date(year, month, int(g[d]))
        except ValueError:
            return False
        return True
    return False


def has_dob_by_name(text: str) -> bool:
    """A date-of-birth marker ("DOB", "date of birth", "born") followed by a date, with a
    capitalised name (two capitalised words, or a title and a surname) close by."""
    for keyword in _DOB.finditer(text):
        after = text[keyword.end() : keyword.end() + DATE_AFTER_KEYWORD + 30]
        when = next(
            (m for m in _DATE.finditer(after) if m.start() <= DATE_AFTER_KEYWORD and _real_date(m)),
            None,
        )
        if when is None:
            continue
        date_end = keyword.end() + when.end()
        before = text[max(0, keyword.start() - NAME_BEFORE) : keyword.start()]
        following = text[date_end : date_end + NAME_AFTER]
        if _NAME.search(before) or _NAME.search(following):
            return True
    return False


def identifier_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None if it holds no patient identifier we can detect."""
    numbers = nhs_numbers_in(text)
    if numbers:
        return NHS_NUMBER_MESSAGE.format(start=numbers[0][:3])
    if has_dob_by_name(text):
        return DOB_MESSAGE
    return None


def refuse_identifiers(value: str) -> str:
    """Pydantic validator: the text back, or a ValueError that explains what to remove."""
    problem = identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value
