"""IHI run chart rules (Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from app.analysis.series import (
    IHI_RUNS_TABLE_MIN,
    IHI_SHIFT,
    IHI_TREND,
    Span,
    baseline_of,
    median,
    runs_about_centre,
    sign,
    signs_about,
)


@dataclass(frozen=True)
class IhiRunChart:
    """IHI rules: shifts, trends and the number of runs against Table 1."""

    centre: float
    n_useful: int
    runs: int
    runs_limits: Span | None
    shifts: tuple[Span, ...]
    trends: tuple[Span, ...]
    too_few_runs: bool
    too_many_runs: bool
    signal: bool


def _runs_distribution(above: int, below: int) -> dict[int, int]:
    """Swed & Eisenhart (1943): how many arrangements of the two kinds give r runs.

    With E(k) = C(above - 1, k - 1) * C(below - 1, k - 1), r = 2k runs arise in 2 E(k) ways and
    r = 2k + 1 in E(k) (above + below - 2k) / k ways. Stepping E(k) by small exact divisions
    keeps 10,000 points well under a second; a math.comb per term does not.
    """
    counts: dict[int, int] = {}
    e = 1
    for k in range(1, min(above, below) + 1):
        counts[2 * k] = 2 * e
        odd = e * (above + below - 2 * k) // k
        if odd:
            counts[2 * k + 1] = odd
        e = e * (above - k) * (below - k) // (k * k)
    return counts


@lru_cache(maxsize=1024)
def ihi_runs_limits(n_useful: int) -> Span | None:
    """Table 1 of Perla et al. for ``n_useful`` points off the median, or None below 10.

    SOURCES.md warned that the table behind the derived vectors came from one reproduction,
    so we do not copy a transcription. Table 1 says it is "adapted from Swed and Eisenhart
    (1943)" at "about a 5% risk"; we compute it from the exact Swed-Eisenhart distribution of
    the number of runs, with the useful points split as a median splits them (n // 2 above):

    * lower = the largest r with P(R <= r) <= 0.05  (Swed-Eisenhart's 5% lower value)
    * upper = the smallest r with P(R >= r) <= 0.05 (its 5% upper value)

    Evidence: for every even n from 10 to 30 this gives Table 1's rows as we know them from
    IHI teaching copies (10: 3/9, 12: 3/11, 14: 4/12, 16: 5/13, 20: 6/16, 24: 8/18, 30: 11/21)
    and the n = 12 row of the reproduction SOURCES.md used. SOURCES.md doubted 12 -> 3/11
    because it compared it with the acceptance region of a 2.5%-per-tail test (4..10), a
    different test. The printed odd-n rows could not be confirmed here (remembered rows for
    15, 17, 23, 25, 27 and 29 differ from this rule by one, in no consistent direction) and
    the paper was not available, so odd n uses the same exact rule. The paper's reading of
    the limits is kept: fewer runs than the lower limit is "too few", more than the upper
    limit is "too many". The exact distribution also covers n beyond the printed table.
    """
    if n_useful < IHI_RUNS_TABLE_MIN:
        return None
    above = n_useful // 2
    counts = _runs_distribution(above, n_useful - above)
    total = math.comb(n_useful, above)
    # Defaults that can never fire, in case no count reaches the 5% tail.
    lower = min(counts) - 1
    cumulative = 0
    for r in sorted(counts):
        cumulative += counts[r]
        if cumulative * 20 > total:
            break
        lower = r
    upper = max(counts) + 1
    cumulative = 0
    for r in sorted(counts, reverse=True):
        cumulative += counts[r]
        if cumulative * 20 > total:
            break
        upper = r
    return (lower, upper)


def ihi_shifts(signs: Sequence[int]) -> tuple[Span, ...]:
    """Runs of 6+ useful points on one side of the median; on-median points are skipped."""
    return tuple(
        (run.indices[0], run.indices[-1])
        for run in runs_about_centre(signs)
        if len(run.indices) >= IHI_SHIFT
    )


def ihi_trends(values: Sequence[float]) -> tuple[Span, ...]:
    """Runs of 5+ points going all up or all down; a repeated value is counted once.

    "Like values neither make nor break a trend", so consecutive equal values collapse into
    one point. A trend's span runs from the last copy of its first value (where the climb
    starts) to the first copy of its last value (where it stops).
    """
    groups: list[tuple[float, int, int]] = []  # (value, first index, last index)
    for index, value in enumerate(values):
        if groups and groups[-1][0] == value:
            groups[-1] = (value, groups[-1][1], index)
        else:
            groups.append((value, index, index))
    steps = [sign(after[0] - before[0]) for before, after in pairwise(groups)]
    trends: list[Span] = []
    first = 0
    while first < len(steps):
        last = first
        while last + 1 < len(steps) and steps[last + 1] == steps[first]:
            last += 1
        # steps first..last join the points first..last + 1
        if last - first + 2 >= IHI_TREND:
            trends.append((groups[first][2], groups[last + 1][1]))
        first = last + 1
    return tuple(trends)


def run_ihi(values: Sequence[float], *, baseline: int | None = None) -> IhiRunChart:
    """IHI run chart rules against the median of the baseline (all points by default)."""
    centre = median(baseline_of(values, baseline))
    signs = signs_about(values, centre)
    useful_runs = runs_about_centre(signs)
    n_useful = sum(len(run.indices) for run in useful_runs)
    runs = len(useful_runs)
    limits = ihi_runs_limits(n_useful)
    too_few = limits is not None and runs < limits[0]
    too_many = limits is not None and runs > limits[1]
    shifts = ihi_shifts(signs)
    trends = ihi_trends(values)
    return IhiRunChart(
        centre=centre,
        n_useful=n_useful,
        runs=runs,
        runs_limits=limits,
        shifts=shifts,
        trends=trends,
        too_few_runs=too_few,
        too_many_runs=too_many,
        signal=bool(shifts or trends or too_few or too_many),
    )
