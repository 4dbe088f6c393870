"""Anhøj rules, as qicharts2 0.8.1 computes them: run chart, I chart, runs analysis."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from app.analysis.series import (
    D2,
    SeriesError,
    Span,
    baseline_of,
    mean,
    median,
    runs_about_centre,
    screened_mean_mr,
    signs_about,
)


@dataclass(frozen=True)
class RunsAnalysis:
    """qicharts2 runs analysis: longest run and number of crossings against their limits."""

    centre: float
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool
    longest_run_span: Span


@dataclass(frozen=True)
class IChartAnhoej:
    """qicharts2 I chart: mean, 3-sigma limits from the (screened) mean MR, and runs analysis."""

    runs: RunsAnalysis
    lcl: float
    ucl: float
    outside: tuple[int, ...]


def longest_run_max(n_useful: int) -> int:
    """Schilling's limit, round(log2(n)) + 3. Python's round is half-even like R's."""
    return round(math.log2(n_useful)) + 3


@lru_cache(maxsize=4096)
def crossings_min(n_useful: int) -> int:
    """R's qbinom(0.05, n_useful - 1, 0.5): the smallest x with P(X <= x) >= 0.05.

    Exact integer arithmetic: with p = 0.5 the CDF is k / 2**trials, a dyadic fraction that is
    never exactly 0.05, so the comparison needs no rounding and R's tiny "left continuity"
    fuzz cannot change the answer. (Off-by-one here is the classic bug: pyqicharts takes the
    largest x with P(X <= x) <= 0.05 and is one lower.)
    """
    trials = max(n_useful - 1, 0)
    target = Fraction(1, 20)
    total = 1 << trials
    cumulative = 0
    coefficient = 1
    for x in range(trials + 1):
        cumulative += coefficient
        if cumulative * target.denominator >= target.numerator * total:
            return x
        coefficient = coefficient * (trials - x) // (x + 1)
    return trials


def anhoej_runs(values: Sequence[float], centre: float) -> RunsAnalysis:
    """Anhøj rules over every point against ``centre`` (qicharts2 runs.analysis)."""
    runs = runs_about_centre(signs_about(values, centre))
    n_useful = sum(len(run.indices) for run in runs)
    if n_useful == 0:
        raise SeriesError(
            "Every value equals the centre line, so there are no runs to analyse: "
            "at least one value must differ from it."
        )
    longest = max(runs, key=lambda run: len(run.indices))
    longest_run = len(longest.indices)
    crossings = len(runs) - 1
    run_max = longest_run_max(n_useful)
    cross_min = crossings_min(n_useful)
    return RunsAnalysis(
        centre=centre,
        n_useful=n_useful,
        longest_run=longest_run,
        longest_run_max=run_max,
        crossings=crossings,
        crossings_min=cross_min,
        signal=longest_run > run_max or crossings < cross_min,
        longest_run_span=(longest.indices[0], longest.indices[-1]),
    )


def run_anhoej(values: Sequence[float], *, baseline: int | None = None) -> RunsAnalysis:
    """Run chart: median of the baseline (qicharts2 ``freeze``) as centre, runs over all points."""
    return anhoej_runs(values, median(baseline_of(values, baseline)))


def i_anhoej(
    values: Sequence[float], *, baseline: int | None = None, screen_outliers: bool = True
) -> IChartAnhoej:
    """I chart: centre = baseline mean, limits = centre +/- 3 x (screened mean MR / 1.128).

    Screening defaults to on because qicharts2 sets ``qic.screenedmr = TRUE`` when attached.
    """
    base = baseline_of(values, baseline)
    centre = mean(base)
    sigma = screened_mean_mr(base, screen=screen_outliers) / D2
    lcl = centre - 3 * sigma
    ucl = centre + 3 * sigma
    outside = tuple(i for i, v in enumerate(values) if v > ucl or v < lcl)
    return IChartAnhoej(runs=anhoej_runs(values, centre), lcl=lcl, ucl=ucl, outside=outside)
