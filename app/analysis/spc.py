"""Pure run chart and SPC rules, each rule set pinned to one published reference.

Three rule sets live here, and they disagree with each other on purpose (see
/work/shared/conformance/spc/SOURCES.md, "Cross-implementation differences"):

* ``anhoej``: qicharts2 0.8.1 (run chart and I chart, Anhøj runs rules, 3-sigma limits).
* ``ihi``: Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51 (shift, trend, number of runs).
* ``mdc``: NHS "Making Data Count" as coded in NHSRplotthedots 0.2.2 (XmR, 2.66 x mean MR).

All indices are 0-based. Nothing here does I/O or knows about HTTP: callers validate input
(finite numbers, enough points) and turn :class:`SeriesError` into a user-facing error.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
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


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean with exact summation, so adding points in another order gives the same."""
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float:
    """Median as R's stats::median: the mean of the two middle values for an even count."""
    return float(statistics.median(values))


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _baseline_of(values: Sequence[float], baseline: int | None) -> Sequence[float]:
    # Both qicharts2 (freeze) and NHSRplotthedots (fix_after_n_points) treat a baseline longer
    # than the series as "use every point".
    return values if baseline is None else values[:baseline]


def _moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in pairwise(values)]


def screened_mean_mr(values: Sequence[float], *, screen: bool) -> float:
    """Mean moving range, optionally without the MRs >= 3.267 x the unscreened mean MR.

    Upstream returns NaN when screening removes every MR, which only happens when every MR is 0
    (a flat series). We return 0 instead so a flat series gets limits equal to its centre.
    """
    ranges = _moving_ranges(values)
    if not ranges:
        raise SeriesError("At least 2 values are needed to measure point-to-point variation.")
    amr = mean(ranges)
    if screen:
        kept = [mr for mr in ranges if mr < MR_SCREEN_FACTOR * amr]
        amr = mean(kept) if kept else 0.0
    return amr


def _signs(values: Sequence[float], centre: float) -> list[int]:
    return [sign(v - centre) for v in values]


@dataclass(frozen=True)
class _Run:
    side: int
    indices: tuple[int, ...]


def _runs_about_centre(signs: Sequence[int]) -> list[_Run]:
    """Runs of useful points (those off the centre line); points on the line are skipped."""
    runs: list[_Run] = []
    current: list[int] = []
    side = 0
    for index, s in enumerate(signs):
        if s == 0:
            continue
        if s != side and current:
            runs.append(_Run(side, tuple(current)))
            current = []
        side = s
        current.append(index)
    if current:
        runs.append(_Run(side, tuple(current)))
    return runs


# --------------------------------------------------------------------------------------------
# Anhøj rules, as qicharts2 0.8.1 computes them
# --------------------------------------------------------------------------------------------


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
    runs = _runs_about_centre(_signs(values, centre))
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
    return anhoej_runs(values, median(_baseline_of(values, baseline)))


def i_anhoej(
    values: Sequence[float], *, baseline: int | None = None, screen_outliers: bool = True
) -> IChartAnhoej:
    """I chart: centre = baseline mean, limits = centre +/- 3 x (screened mean MR / 1.128).

    Screening defaults to on because qicharts2 sets ``qic.screenedmr = TRUE`` when attached.
    """
    base = _baseline_of(values, baseline)
    centre = mean(base)
    sigma = screened_mean_mr(base, screen=screen_outliers) / D2
    lcl = centre - 3 * sigma
    ucl = centre + 3 * sigma
    outside = tuple(i for i, v in enumerate(values) if v > ucl or v < lcl)
    return IChartAnhoej(runs=anhoej_runs(values, centre), lcl=lcl, ucl=ucl, outside=outside)


# --------------------------------------------------------------------------------------------
# IHI run chart rules (Perla, Provost & Murray 2011)
# --------------------------------------------------------------------------------------------


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
        for run in _runs_about_centre(signs)
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
    centre = median(_baseline_of(values, baseline))
    signs = _signs(values, centre)
    useful_runs = _runs_about_centre(signs)
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


# --------------------------------------------------------------------------------------------
# Making Data Count, as NHSRplotthedots 0.2.2 computes it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MdcGroup:
    """One rebase group: its own mean and process limits."""

    start: int
    end: int
    mean: float
    lpl: float
    upl: float
    nlpl: float
    nupl: float


@dataclass(frozen=True)
class MdcPoint:
    index: int
    value: float
    outside_limits: bool
    relative_to_mean: int
    close_to_limits: bool
    special_cause_type: str
    point_type: PointType

    @property
    def special_cause(self) -> bool:
        return self.point_type != "common_cause"


@dataclass(frozen=True)
class XmrMdc:
    groups: tuple[MdcGroup, ...]
    points: tuple[MdcPoint, ...]
    variation: PointType
    assurance: Assurance | None


def seven_point_one_side_mean(relative_to_mean: Sequence[int]) -> list[int]:
    """1 where this point and the 6 before it are all on the same side of the mean."""
    padded = [0] * (MDC_RUN - 1) + list(relative_to_mean)
    return [
        int(padded[i] != 0 and all(padded[i] == padded[i - k] for k in range(1, MDC_RUN)))
        for i in range(MDC_RUN - 1, len(padded))
    ]


def part_of_seven(end_flags: Sequence[int]) -> list[int]:
    """1 for every point of a 7-point pattern whose last point is flagged (+1 or -1)."""
    padded = list(end_flags) + [0] * (MDC_RUN - 1)
    return [
        int(any(abs(padded[i + k]) == 1 for k in range(MDC_RUN))) for i in range(len(end_flags))
    ]


def seven_point_trend(values: Sequence[float]) -> list[int]:
    """+1 / -1 where this point ends 7 points strictly rising / falling; a tie breaks it."""
    flags = [0] * len(values)
    for i in range(MDC_RUN - 1, len(values)):
        steps = {sign(values[j] - values[j - 1]) for j in range(i - MDC_RUN + 2, i + 1)}
        if steps == {1}:
            flags[i] = 1
        elif steps == {-1}:
            flags[i] = -1
    return flags


def two_in_three(close_to_limits: Sequence[int], relative_to_mean: Sequence[int]) -> list[int]:
    """1 for points in a 3-point window with 2+ close points and all 3 on one side of the mean."""
    close = [0, 0, *close_to_limits, 0, 0]
    side = [0, 0, *relative_to_mean, 0, 0]

    def window(start: int) -> bool:
        return sum(close[start : start + 3]) >= 2 and abs(sum(side[start : start + 3])) == 3

    return [int(window(i) or window(i + 1) or window(i + 2)) for i in range(len(close_to_limits))]


def part_of_two_in_three(flags: Sequence[int], close_to_limits: Sequence[int]) -> list[int]:
    """Only the close points of a 2-in-3 window are highlighted, not the third point."""
    return [int(f == 1 and abs(c) == 1) for f, c in zip(flags, close_to_limits, strict=True)]


def _trend_directions(values: Sequence[float], in_trend: Sequence[int]) -> list[int]:
    """Direction of the trend each point belongs to: the step to its right if the next point
    is in a trend too, otherwise the step to its left (NHSRplotthedots ptd_special_cause_type)."""
    n = len(values)
    steps = [sign(values[i + 1] - values[i]) for i in range(n - 1)]
    directions = []
    for i in range(n):
        next_in_trend = i + 1 < n and in_trend[i + 1]
        if next_in_trend and in_trend[i]:
            directions.append(steps[i])
        else:
            directions.append(steps[i - 1] if i > 0 else 0)
    return directions


def special_cause_types(
    values: Sequence[float],
    relative_to_mean: Sequence[int],
    close_to_limits: Sequence[bool],
    outside_limits: Sequence[bool],
) -> list[str]:
    """Upstream labels, by precedence: outside > 7-point trend > 2 in 3 > 7 one side of mean."""
    trend = part_of_seven(seven_point_trend(values))
    close = [int(c) for c in close_to_limits]
    two_of_three = part_of_two_in_three(two_in_three(close, relative_to_mean), close)
    one_side = part_of_seven(seven_point_one_side_mean(relative_to_mean))
    directions = _trend_directions(values, trend)
    labels = []
    for i, side in enumerate(relative_to_mean):
        above_or_below = "Above" if side > 0 else "Below"
        if outside_limits[i]:
            labels.append("Above UCL" if side == 1 else "Below LCL")
        elif trend[i]:
            # Upstream writes "Increasing" only for +1; a 0 step reads as "Decreasing".
            labels.append(f"7 Point Trend ({'In' if directions[i] == 1 else 'De'}creasing)")
        elif two_of_three[i]:
            labels.append(f"2 in 3 {above_or_below} CL")
        elif one_side[i]:
            labels.append(f"7 Points {above_or_below} CL")
        else:
            labels.append("Common Cause")
    return labels


_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}


def point_type(special_cause_type: str, improvement: Improvement) -> PointType:
    """Orient a special cause label by the improvement direction (ptd_point_type)."""
    if "Above" in special_cause_type or "Increasing" in special_cause_type:
        v = 1
    elif "Below" in special_cause_type or "Decreasing" in special_cause_type:
        v = -1
    else:
        return "common_cause"
    direction = _DIRECTION[improvement]
    if direction == 0:
        return "special_cause_neutral_high" if v > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if v * direction > 0 else "special_cause_concern"


def mdc_group_limits(
    values: Sequence[float], *, start: int, baseline: int | None, screen_outliers: bool
) -> MdcGroup:
    """Mean and limits of one group; ``baseline`` counts from the group's first point, as
    upstream's ``row_number() <= fix_after_n_points`` runs inside each rebase group."""
    base = _baseline_of(values, baseline)
    centre = mean(base)
    amr = screened_mean_mr(base, screen=screen_outliers)
    return MdcGroup(
        start=start,
        end=start + len(values) - 1,
        mean=centre,
        lpl=centre - (MDC_LIMIT * amr),
        upl=centre + (MDC_LIMIT * amr),
        nlpl=centre - (MDC_CLOSE * amr),
        nupl=centre + (MDC_CLOSE * amr),
    )


def _group_points(
    values: Sequence[float], group: MdcGroup, improvement: Improvement
) -> list[MdcPoint]:
    outside = [v > group.upl or v < group.lpl for v in values]
    side = _signs(values, group.mean)
    close = [
        not o and (v < group.nlpl or v > group.nupl) for v, o in zip(values, outside, strict=True)
    ]
    labels = special_cause_types(values, side, close, outside)
    return [
        MdcPoint(
            index=group.start + i,
            value=values[i],
            outside_limits=outside[i],
            relative_to_mean=side[i],
            close_to_limits=close[i],
            special_cause_type=labels[i],
            point_type=point_type(labels[i], improvement),
        )
        for i in range(len(values))
    ]


def group_bounds(n: int, rebase: Sequence[int]) -> list[Span]:
    """Split 0..n-1 into groups, each rebase index starting a new one."""
    starts = sorted({0, *rebase})
    if starts[-1] >= n or starts[0] < 0:
        raise SeriesError(f"Rebase indices must lie between 1 and {n - 1}.")
    ends = [s - 1 for s in starts[1:]] + [n - 1]
    return list(zip(starts, ends, strict=True))


def mdc_assurance(
    target: float | None, group: MdcGroup, improvement: Improvement
) -> Assurance | None:
    """Target against the latest limits: outside them means it is consistently hit or missed."""
    if target is None or improvement == "neutral":
        return None
    increasing = improvement == "increase"
    if target > group.upl:
        return "fail" if increasing else "pass"
    if target < group.lpl:
        return "pass" if increasing else "fail"
    return "inconsistent"


def xmr_mdc(
    values: Sequence[float],
    *,
    baseline: int | None = None,
    screen_outliers: bool = True,
    improvement: Improvement = "increase",
    target: float | None = None,
    rebase: Sequence[int] = (),
) -> XmrMdc:
    """XmR chart with Making Data Count rules, evaluated separately inside each rebase group."""
    groups: list[MdcGroup] = []
    points: list[MdcPoint] = []
    for start, end in group_bounds(len(values), rebase):
        segment = values[start : end + 1]
        if len(segment) < 2:
            raise SeriesError(
                f"The group starting at index {start} has 1 value; each rebase group needs at "
                "least 2 to measure its moving range."
            )
        group = mdc_group_limits(
            segment, start=start, baseline=baseline, screen_outliers=screen_outliers
        )
        groups.append(group)
        points.extend(_group_points(segment, group, improvement))
    return XmrMdc(
        groups=tuple(groups),
        points=tuple(points),
        variation=points[-1].point_type,
        assurance=mdc_assurance(target, groups[-1], improvement),
    )
