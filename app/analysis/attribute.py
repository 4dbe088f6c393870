"""Attribute and rare-event control charts, as qicharts2 0.8.1 computes them.

p, p' (Laney), u, u' (Laney), c, g and t charts, each a transcription of the matching
``qic.*`` function in qicharts2's ``R/helper.functions.R`` at the pinned commit (see
tests/data/conformance/spc/SOURCES.md), with ``qic.screenedmr = TRUE`` as the package sets
when attached. Every chart reports per-point centre and limits, the points outside the limits
(qicharts2's ``sigma.signal``) and the Anhøj runs analysis about the centre line
(``runs.analysis``). ``baseline`` is qicharts2's ``freeze``: the centre line and the Laney
sigma come from the first ``baseline`` points, the limits still follow each point's own
denominator. Points on the centre line are skipped by the runs analysis; with none off it the
runs fields are None and there is no runs signal, as upstream returns NA and FALSE.

Indices are 0-based. Callers validate the input (lengths, signs, numerators within
denominators); :class:`SeriesError` is raised only for what needs the computation to see.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from app.analysis.anhoej import crossings_min, longest_run_max
from app.analysis.series import (
    D2,
    MR_SCREEN_FACTOR,
    SeriesError,
    Span,
    baseline_of,
    mean,
    median,
    moving_ranges,
    r_mean,
    runs_about_centre,
    screened_mean_mr,
)

AttributeMethod = Literal[
    "p_anhoej", "pp_anhoej", "u_anhoej", "up_anhoej", "c_anhoej", "g_anhoej", "t_anhoej"
]
# qic.t runs the I chart on y^(1/3.6) (Nelson's transformation for exponential data).
T_POWER = 3.6


@dataclass(frozen=True)
class Runs:
    """qicharts2 ``runs.analysis``: None where upstream returns NA (no point off the line)."""

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    signal: bool
    longest_run_span: Span | None


@dataclass(frozen=True)
class AttributeChart:
    method: AttributeMethod
    y: tuple[float, ...]  # what is plotted: proportions, rates, counts or intervals
    cl: tuple[float, ...]
    lcl: tuple[float | None, ...]
    ucl: tuple[float | None, ...]
    outside: tuple[int, ...]
    runs: Runs
    sigma_z: float | None = None  # Laney's between-period factor, p' and u' only

    @property
    def signal(self) -> bool:
        return self.runs.signal or bool(self.outside)


def runs_analysis(y: Sequence[float], cl: Sequence[float]) -> Runs:
    """Runs about a (per-point) centre line, as qicharts2's runs.analysis."""
    signs = [(v > c) - (v < c) for v, c in zip(y, cl, strict=True)]
    runs = runs_about_centre(signs)
    n_useful = sum(len(run.indices) for run in runs)
    if n_useful == 0:
        return Runs(0, None, None, None, None, False, None)
    longest = max(runs, key=lambda run: len(run.indices))
    run_max = longest_run_max(n_useful)
    cross_min = crossings_min(n_useful)
    crossings = len(runs) - 1
    return Runs(
        n_useful=n_useful,
        longest_run=len(longest.indices),
        longest_run_max=run_max,
        crossings=crossings,
        crossings_min=cross_min,
        signal=len(longest.indices) > run_max or crossings < cross_min,
        longest_run_span=(longest.indices[0], longest.indices[-1]),
    )


def _finish(
    method: AttributeMethod,
    y: Sequence[float],
    cl: float,
    lcl: Sequence[float | None],
    ucl: Sequence[float | None],
    sigma_z: float | None = None,
) -> AttributeChart:
    # sigma.signal: y > ucl | y < lcl, and FALSE where a limit is NA.
    outside = tuple(
        i
        for i, (v, lo, hi) in enumerate(zip(y, lcl, ucl, strict=True))
        if lo is not None and hi is not None and (v > hi or v < lo)
    )
    centre = [cl] * len(y)
    return AttributeChart(
        method=method,
        y=tuple(y),
        cl=tuple(centre),
        lcl=tuple(lcl),
        ucl=tuple(ucl),
        outside=outside,
        runs=runs_analysis(y, centre),
        sigma_z=sigma_z,
    )


def _ratio_centre(
    numerators: Sequence[float], denominators: Sequence[float], baseline: int | None
) -> float:
    """sum(y.sum[base]) / sum(n[base])."""
    return math.fsum(baseline_of(numerators, baseline)) / math.fsum(
        baseline_of(denominators, baseline)
    )


def laney_sigma_z(
    y: Sequence[float],
    cl: float,
    stdev: Sequence[float],
    *,
    baseline: int | None,
    screen: bool = True,
) -> float | None:
    """Laney's sigma_z: the screened mean moving range of the baseline z-scores / 1.128.

    None when a baseline point has no spread (centre 0, or 1 for a proportion): its z-score is
    undefined, and upstream's limits are NA.
    """
    base_y, base_sd = baseline_of(y, baseline), baseline_of(stdev, baseline)
    if any(s == 0 for s in base_sd):
        return None
    z = [(v - cl) / s for v, s in zip(base_y, base_sd, strict=True)]
    ranges = moving_ranges(z)
    if not ranges:
        raise SeriesError("Laney's charts need at least 2 baseline points for a moving range.")
    amr = mean(ranges)
    if screen:
        kept = [mr for mr in ranges if mr < MR_SCREEN_FACTOR * amr]
        # Upstream gives NaN when nothing is kept (every z-score equal); as for the I chart we
        # take 0, so the limits close onto the centre line. See series.screened_mean_mr.
        amr = mean(kept) if kept else 0.0
    return amr / D2


def _p_limits(cl: float, sd: Sequence[float], factor: float) -> tuple[list[float], list[float]]:
    lcl = [max(cl - 3 * (s * factor), 0.0) for s in sd]
    ucl = [min(cl + 3 * (s * factor), 1.0) for s in sd]
    return lcl, ucl


def p_anhoej(
    numerators: Sequence[float], denominators: Sequence[float], *, baseline: int | None = None
) -> AttributeChart:
    """p chart (qic.p): cl = sum(y)/sum(n); cl +/- 3 sqrt(cl (1 - cl) / n_i), kept in [0, 1]."""
    y = [a / b for a, b in zip(numerators, denominators, strict=True)]
    cl = _ratio_centre(numerators, denominators, baseline)
    sd = [math.sqrt(cl * (1 - cl) / n) for n in denominators]
    lcl, ucl = _p_limits(cl, sd, 1.0)
    return _finish("p_anhoej", y, cl, lcl, ucl)


def pp_anhoej(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    baseline: int | None = None,
    screen_outliers: bool = True,
) -> AttributeChart:
    """Laney p' chart (qic.pp): the p chart's sigma times sigma_z, limits kept in [0, 1]."""
    y = [a / b for a, b in zip(numerators, denominators, strict=True)]
    cl = _ratio_centre(numerators, denominators, baseline)
    sd = [math.sqrt(cl * (1 - cl) / n) for n in denominators]
    sigma_z = laney_sigma_z(y, cl, sd, baseline=baseline, screen=screen_outliers)
    if sigma_z is None:
        return _finish("pp_anhoej", y, cl, [None] * len(y), [None] * len(y))
    lcl, ucl = _p_limits(cl, sd, sigma_z)
    return _finish("pp_anhoej", y, cl, lcl, ucl, sigma_z)


def u_anhoej(
    numerators: Sequence[float], denominators: Sequence[float], *, baseline: int | None = None
) -> AttributeChart:
    """u chart (qic.u): cl = sum(y)/sum(n); cl +/- 3 sqrt(cl / n_i), lower limit at least 0."""
    y = [a / b for a, b in zip(numerators, denominators, strict=True)]
    cl = _ratio_centre(numerators, denominators, baseline)
    sd = [math.sqrt(cl / n) for n in denominators]
    lcl = [max(cl - 3 * s, 0.0) for s in sd]
    ucl = [cl + 3 * s for s in sd]
    return _finish("u_anhoej", y, cl, lcl, ucl)


def up_anhoej(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    baseline: int | None = None,
    screen_outliers: bool = True,
) -> AttributeChart:
    """Laney u' chart (qic.up): the u chart's sigma times sigma_z, lower limit at least 0."""
    y = [a / b for a, b in zip(numerators, denominators, strict=True)]
    cl = _ratio_centre(numerators, denominators, baseline)
    sd = [math.sqrt(cl / n) for n in denominators]
    sigma_z = laney_sigma_z(y, cl, sd, baseline=baseline, screen=screen_outliers)
    if sigma_z is None:
        return _finish("up_anhoej", y, cl, [None] * len(y), [None] * len(y))
    lcl = [max(cl - 3 * (s * sigma_z), 0.0) for s in sd]
    ucl = [cl + 3 * (s * sigma_z) for s in sd]
    return _finish("up_anhoej", y, cl, lcl, ucl, sigma_z)


def c_anhoej(counts: Sequence[float], *, baseline: int | None = None) -> AttributeChart:
    """c chart (qic.c): cl = baseline mean; cl +/- 3 sqrt(cl), lower limit at least 0."""
    cl = r_mean(baseline_of(counts, baseline))
    sd = math.sqrt(cl)
    n = len(counts)
    return _finish("c_anhoej", counts, cl, [max(cl - 3 * sd, 0.0)] * n, [cl + 3 * sd] * n)


def g_anhoej(intervals: Sequence[float], *, baseline: int | None = None) -> AttributeChart:
    """g chart (qic.g): limits from the baseline mean m, m +/- 3 sqrt(m (m + 1)), lower at
    least 0; the centre line is then the baseline median, as qicharts2 draws it."""
    base = baseline_of(intervals, baseline)
    m = r_mean(base)
    sd = math.sqrt(m * (m + 1))
    n = len(intervals)
    lcl, ucl = max(m - 3 * sd, 0.0), m + 3 * sd
    return _finish("g_anhoej", intervals, median(base), [lcl] * n, [ucl] * n)


def t_anhoej(
    intervals: Sequence[float], *, baseline: int | None = None, screen_outliers: bool = True
) -> AttributeChart:
    """t chart (qic.t): an I chart of y^(1/3.6), centre and limits raised back to the 3.6th
    power; a negative lower limit (NaN upstream) becomes 0."""
    if min(intervals) <= 0:
        raise SeriesError("Time between events must be greater than zero.")
    yt = [v ** (1 / T_POWER) for v in intervals]
    base = baseline_of(yt, baseline)
    cl_t = r_mean(base)
    sigma = screened_mean_mr(base, screen=screen_outliers) / D2
    lcl_t, ucl_t = cl_t - 3 * sigma, cl_t + 3 * sigma
    # Upstream compares the back-transformed y, (y^(1/3.6))^3.6, with the limits.
    y = [v**T_POWER for v in yt]
    n = len(y)
    lcl = 0.0 if lcl_t < 0 else lcl_t**T_POWER
    return _finish("t_anhoej", y, cl_t**T_POWER, [lcl] * n, [ucl_t**T_POWER] * n)


RATIO_CHARTS: dict[str, Callable[..., AttributeChart]] = {
    "p_anhoej": p_anhoej,
    "pp_anhoej": pp_anhoej,
    "u_anhoej": u_anhoej,
    "up_anhoej": up_anhoej,
}
SINGLE_CHARTS: dict[str, Callable[..., AttributeChart]] = {
    "c_anhoej": c_anhoej,
    "g_anhoej": g_anhoej,
    "t_anhoej": t_anhoej,
}
LANEY = frozenset({"pp_anhoej", "up_anhoej", "t_anhoej"})  # take screen_outliers


def attribute_chart(
    method: str,
    values: Sequence[float],
    denominators: Sequence[float] | None = None,
    *,
    baseline: int | None = None,
    screen_outliers: bool = True,
) -> AttributeChart:
    """Dispatch by method name; ratio charts need ``denominators``."""
    extra = {"screen_outliers": screen_outliers} if method in LANEY else {}
    if method in RATIO_CHARTS:
        if denominators is None:
            raise SeriesError(f"{method} needs denominators, one per value.")
        return RATIO_CHARTS[method](values, denominators, baseline=baseline, **extra)
    return SINGLE_CHARTS[method](values, baseline=baseline, **extra)


__all__ = [
    "AttributeChart",
    "AttributeMethod",
    "Runs",
    "attribute_chart",
    "c_anhoej",
    "g_anhoej",
    "laney_sigma_z",
    "p_anhoej",
    "pp_anhoej",
    "runs_analysis",
    "t_anhoej",
    "u_anhoej",
    "up_anhoej",
]
