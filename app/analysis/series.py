"""What every rule set shares: the vocabulary, the constants, means, moving ranges and runs.

All indices are 0-based. Nothing here does I/O or knows about HTTP: callers validate input
(finite numbers, enough points) and turn :class:`SeriesError` into a user-facing error.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Improvement = Literal["increase", "decrease", "neutral"]
PointType = Literal[
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
]
Assurance = Literal["pass", "fail", "inconsistent"]
Span = tuple[int, int]

# Nelson (1982) screening: moving ranges at or above 3.267 x the mean MR are dropped. Both
# qicharts2 (qic.i) and NHSRplotthedots (ptd_spc_standard) use this constant.
MR_SCREEN_FACTOR = 3.267
# qicharts2 turns the mean MR into sigma with d2 = 1.128 and draws 3 sigma limits.
D2 = 1.128
# NHSRplotthedots uses 2.66 directly, and 2/3 of it for the "close to limits" band. Kept as
# the same expression as upstream so the float is bit-identical.
MDC_LIMIT = 2.66
MDC_CLOSE = 2 * (MDC_LIMIT / 3)
MDC_RUN = 7
IHI_SHIFT = 6
IHI_TREND = 5
IHI_RUNS_TABLE_MIN = 10


class SeriesError(ValueError):
    """The series is valid input but this rule set cannot analyse it (the message says why)."""


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean with exact summation, so adding points in another order gives the same."""
    return math.fsum(values) / len(values)


def r_mean(values: Sequence[float]) -> float:
    """Mean as R's mean.default computes it: a second pass adds the mean residual.

    That pass makes the mean of identical values that value exactly, which the one-pass mean
    misses for about one series in ten; a constant series must sit on its centre line.
    """
    first = math.fsum(values) / len(values)
    return first + math.fsum(v - first for v in values) / len(values)


def median(values: Sequence[float]) -> float:
    """Median as R's stats::median: the mean of the two middle values for an even count."""
    return float(statistics.median(values))


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


def baseline_of(values: Sequence[float], baseline: int | None) -> Sequence[float]:
    # Both qicharts2 (freeze) and NHSRplotthedots (fix_after_n_points) treat a baseline longer
    # than the series as "use every point".
    return values if baseline is None else values[:baseline]


def moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in pairwise(values)]


def screened_mean_mr(values: Sequence[float], *, screen: bool) -> float:
    """Mean moving range, optionally without the MRs >= 3.267 x the unscreened mean MR.

    Upstream returns NaN when screening removes every MR, which only happens when every MR is 0
    (a flat series). We return 0 instead so a flat series gets limits equal to its centre.
    """
    ranges = moving_ranges(values)
    if not ranges:
        raise SeriesError("At least 2 values are needed to measure point-to-point variation.")
    amr = mean(ranges)
    if screen:
        kept = [mr for mr in ranges if mr < MR_SCREEN_FACTOR * amr]
        amr = mean(kept) if kept else 0.0
    return amr


def signs_about(values: Sequence[float], centre: float) -> list[int]:
    return [sign(v - centre) for v in values]


@dataclass(frozen=True)
class Run:
    side: int
    indices: tuple[int, ...]


def runs_about_centre(signs: Sequence[int]) -> list[Run]:
    """Runs of useful points (those off the centre line); points on the line are skipped."""
    runs: list[Run] = []
    current: list[int] = []
    side = 0
    for index, s in enumerate(signs):
        if s == 0:
            continue
        if s != side and current:
            runs.append(Run(side, tuple(current)))
            current = []
        side = s
        current.append(index)
    if current:
        runs.append(Run(side, tuple(current)))
    return runs
