"""Making Data Count XmR rules, as NHSRplotthedots 0.2.2 computes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from app.analysis.series import (
    MDC_CLOSE,
    MDC_LIMIT,
    MDC_RUN,
    Assurance,
    Improvement,
    PointType,
    SeriesError,
    Span,
    baseline_of,
    mean,
    screened_mean_mr,
    sign,
    signs_about,
)


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
    base = baseline_of(values, baseline)
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
    side = signs_about(values, group.mean)
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


# --------------------------------------------------------------------------------------------
# Each rule on its own: every span where it fired, whole, whatever the precedence says
# --------------------------------------------------------------------------------------------

RuleName = Literal["outside", "trend", "close", "side"]
RULE_NAMES: tuple[RuleName, ...] = ("outside", "trend", "close", "side")


def _flag_spans(flags: Sequence[bool], offset: int) -> list[Span]:
    spans: list[Span] = []
    for i, flagged in enumerate(flags):
        if not flagged:
            continue
        if spans and spans[-1][1] == offset + i - 1:
            spans[-1] = (spans[-1][0], offset + i)
        else:
            spans.append((offset + i, offset + i))
    return spans


def _trend_spans(values: Sequence[float], offset: int) -> list[Span]:
    """Maximal strictly rising or falling stretches of 7 or more points; a tie ends one.

    A rise and the fall after it share their turning point, so each is its own span."""
    steps = [sign(b - a) for a, b in pairwise(values)]
    spans: list[Span] = []
    first = 0
    while first < len(steps):
        last = first
        while last + 1 < len(steps) and steps[last + 1] == steps[first]:
            last += 1
        # steps first..last join the points first..last + 1
        if steps[first] != 0 and last - first + 2 >= MDC_RUN:
            spans.append((offset + first, offset + last + 1))
        first = last + 1
    return spans


def _side_spans(sides: Sequence[int], offset: int) -> list[Span]:
    """Runs of 7 or more points on one side of the mean; a point on the mean ends a run."""
    spans: list[Span] = []
    start = 0
    for i in range(1, len(sides) + 1):
        if i < len(sides) and sides[i] == sides[start] and sides[i] != 0:
            continue
        if sides[start] != 0 and i - start >= MDC_RUN:
            spans.append((offset + start, offset + i - 1))
        start = i
    return spans


def rule_spans(chart: XmrMdc) -> dict[RuleName, tuple[Span, ...]]:
    """For each Making Data Count rule, every span where it fires, inside each rebase group.

    The point types keep MDC's precedence (a point is labelled by its strongest rule), which is
    right for colouring points and wrong for saying where each rule fired: a shift hidden under
    a trend is still a shift. Spans are [first, last], 0-based, inclusive.
    """
    found: dict[RuleName, list[Span]] = {name: [] for name in RULE_NAMES}
    for group in chart.groups:
        points = chart.points[group.start : group.end + 1]
        values = [p.value for p in points]
        sides = [p.relative_to_mean for p in points]
        close = [int(p.close_to_limits) for p in points]
        found["outside"] += _flag_spans([p.outside_limits for p in points], group.start)
        found["trend"] += _trend_spans(values, group.start)
        two_of_three = part_of_two_in_three(two_in_three(close, sides), close)
        found["close"] += _flag_spans([bool(f) for f in two_of_three], group.start)
        found["side"] += _side_spans(sides, group.start)
    return {name: tuple(spans) for name, spans in found.items()}
