"""Aim helper: does an aim statement say how much, by when and for whom? Hints only, never blocking.

The checks follow the Silver module on scoping and aims (content/silver/01): a specific aim names
a direction, how much (baseline and target), by when, and for whom or where, and keeps the
solution out. They look for the words such an aim uses, so they guide rather than judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WHEN = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"
    rf"|\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d\b"
    r"|\b(?:19|20)\d\d\b"
    r"|\b(?:by|within|in|over|after)\s+(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?(?:next\s+)?"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen)?\s*"
    r"(?:weeks?|months?|years?|quarters?|financial\s+year|winter|spring|summer|autumn)\b"
    r"|\bq[1-4]\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(
    r"\d|%|\bper\s?cent\b|\b(?:zero|half|halve|double|one|two|three|four|five|six|seven|eight"
    r"|nine|ten|twenty|fifty|hundred)\b",
    re.IGNORECASE,
)
_WHOM_WORDS = re.compile(
    r"\b(?:ward|unit|clinic|practice|patients?|residents?|service\s+users?|people|department|"
    r"team|home|hospital|surgery|staff|children|adults|women|men|mothers|babies|families|"
    r"carers|population|community|trust|site|theatres?|bay|caseload|clients?|pupils|students|"
    r"learners|visitors|callers|emergency|outpatients?|inpatients?|admissions?|referrals?)\b",
    re.IGNORECASE,
)
# Names of places and groups are capitalised, so this one must not ignore case.
_PLACE = re.compile(r"\b(?:on|in|at|across|for|within)\s+(?:the\s+)?[A-Z][\w'\u2019-]+")
# "Ward 7" names a place, not an amount.
_PLACE_NUMBER = re.compile(
    r"\b(?:ward|bay|room|unit|floor|level|theatre|clinic|block|wing|suite)\s+\d+\w*", re.IGNORECASE
)
_DIRECTION = re.compile(
    r"\b(?:increase|increasing|reduce|reducing|reduction|decrease|decreasing|improve|improving|"
    r"raise|raising|lower|lowering|cut|cutting|halve|double|eliminate|prevent|rise|fall|drop)\w*\b",
    re.IGNORECASE,
)
_SOLUTION = re.compile(
    r"\b(?:by|through)\s+(?:the\s+)?(?:introducing|introduction\s+of|using|implementing|"
    r"implementation\s+of|rolling\s+out|launching|adding|starting)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AimCheck:
    key: str
    label: str
    met: bool
    hint: str


def _how_much(aim: str) -> bool:
    # Dates and timeframes carry digits too; a number only counts once they are taken out.
    return bool(_HOW_MUCH.search(_PLACE_NUMBER.sub(" ", _WHEN.sub(" ", aim))))


def check_aim(aim: str) -> list[AimCheck]:
    """The four parts of a specific aim, each met or not, with a hint for what is missing."""
    aim = aim.strip()
    checks = [
        AimCheck(
            "direction",
            "Which way",
            bool(_DIRECTION.search(aim)),
            "Say which way the measure should move, for example 'increase' or 'reduce'.",
        ),
        AimCheck(
            "how_much",
            "How much",
            _how_much(aim),
            "Say how much: give the baseline and the target as numbers, for example "
            "'from 62% to 90%'.",
        ),
        AimCheck(
            "by_when",
            "By when",
            bool(_WHEN.search(aim)),
            "Say by when: give a date or a timeframe, for example 'by 31 March 2027'.",
        ),
        AimCheck(
            "for_whom",
            "For whom",
            bool(_WHOM_WORDS.search(aim) or _PLACE.search(aim)),
            "Say for whom or where: name the group of people and the place, for example "
            "'for patients on Ward 7'.",
        ),
    ]
    return checks


def solution_in_aim(aim: str) -> bool:
    """True when the aim names the change to be made ("by introducing a checklist")."""
    return bool(_SOLUTION.search(aim))


def aim_hints(aim: str) -> list[str]:
    """What to add or change, in the order to do it; empty when the aim reads as specific."""
    if not aim.strip():
        return ["Write an aim statement that says how much, by when and for whom."]
    hints = [c.hint for c in check_aim(aim) if not c.met]
    if solution_in_aim(aim):
        hints.append(
            "Keep the solution out of the aim: the changes you will test belong on the driver "
            "diagram as change ideas."
        )
    return hints
