"""What a series must look like for each attribute chart, worded as what to change.

The request schema calls these; each raises a PydanticCustomError whose message names the
point (1-based, as a person counts) and says what to fix, which the API returns as a 422.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_core import PydanticCustomError

RATIO = ("p_anhoej", "pp_anhoej", "u_anhoej", "up_anhoej")
PROPORTION = ("p_anhoej", "pp_anhoej")
METHODS = (*RATIO, "c_anhoej", "g_anhoej", "t_anhoej")

_WHAT = {
    "p_anhoej": "a numerator counts cases with the outcome",
    "pp_anhoej": "a numerator counts cases with the outcome",
    "u_anhoej": "a count of events",
    "up_anhoej": "a count of events",
    "c_anhoej": "a count of events",
    "g_anhoej": "the number of opportunities or days between events",
}


def _fail(kind: str, message: str) -> PydanticCustomError:
    # The message is final text: braces in it would be read as placeholders, and there are none.
    return PydanticCustomError(kind, message)


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


def check_values(method: str, values: Sequence[float]) -> None:
    """Counts and intervals cannot be negative; the t chart's times must be above 0."""
    for position, value in enumerate(values, start=1):
        if method == "t_anhoej" and value <= 0:
            raise _fail(
                "time_not_positive",
                f"value {position} is {_num(value)}: the time between events must be greater "
                "than 0 (two events on the same day are 1 day apart, or use a g chart).",
            )
        if method != "t_anhoej" and value < 0:
            raise _fail(
                "value_negative",
                f"value {position} is {_num(value)}: {_WHAT[method]}, so it cannot be negative.",
            )


def check_denominators(
    method: str, values: Sequence[float] | None, denominators: Sequence[float] | None
) -> None:
    """Ratio charts need one positive denominator per value; the others take none."""
    if method not in RATIO:
        if denominators is not None:
            raise _fail(
                "denominators_not_supported",
                "are only used by p_anhoej, pp_anhoej, u_anhoej and up_anhoej; remove them "
                "or choose one of those methods.",
            )
        return
    what = "cases" if method in PROPORTION else "exposure (for example bed days)"
    if denominators is None:
        raise _fail(
            "denominators_missing",
            f"are required by {method}: give one per value, the {what} in each period.",
        )
    if values is None:
        return  # the values themselves failed; that error is the one to fix first
    if len(denominators) != len(values):
        raise _fail(
            "denominators_length",
            f"has {len(denominators)} entries for {len(values)} values; give exactly one "
            "denominator per value.",
        )
    for position, (value, n) in enumerate(zip(values, denominators, strict=True), start=1):
        if n <= 0:
            need = (
                "a proportion needs at least one case in the period"
                if method in PROPORTION
                else "a rate needs some exposure in the period"
            )
            raise _fail(
                "denominator_not_positive",
                f"denominator {position} is {_num(n)}: {need}; correct it or leave the period out.",
            )
        if method in PROPORTION and value > n:
            raise _fail(
                "numerator_above_denominator",
                f"value {position} is {_num(value)} but its denominator is {_num(n)}: the "
                "cases with the outcome cannot be more than all the cases.",
            )
