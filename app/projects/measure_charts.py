"""What a measure's type puts on its charts: the plotted series, and the p, p', u, u', c, g and t
charts with per-period limits, in words and with a data table.

A proportion is plotted as a percentage, a rate per 1,000 units of exposure (1,000 occupied bed
days), a count as it is, and rare events as the days between them (dated by the later event).
Nothing here computes statistics: :mod:`app.analysis.attribute` does, and
:mod:`app.analysis.attribute_charts` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.analysis import attribute, attribute_charts, charts
from app.analysis.schemas import MIN_BASELINE
from app.projects import chooser
from app.projects.constants import ATTRIBUTE_METHODS
from app.projects.dataio import day
from app.projects.schemas import MeasureData, PointPublic

RATE_PER = 1000.0
# The chart page's ?type= for each attribute chart, and back.
METHOD_OF_TYPE = {
    c.chart_type: c.method for c in chooser.CHARTS.values() if c.method in ATTRIBUTE_METHODS
}


@dataclass
class Drawn:
    """An attribute chart and its words, for :class:`app.projects.charts.ChartView`."""

    chart: charts.Chart
    summary: list[str] = field(default_factory=list)
    rows: list[tuple[date, float, str]] = field(default_factory=list)
    signals: list[tuple[str, str, bool, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Series:
    dates: list[date]
    plotted: list[float]  # what a run or XmR chart shows: %, per 1,000, counts, days between
    numerators: list[float]
    denominators: list[float] | None
    multiply: float
    unit: str  # after a number on the chart: "%" or ""


def series(measure: MeasureData) -> Series:
    """The measure's data as its charts use it, oldest first."""
    return series_of(measure.data_type, measure.data)


def series_of(kind: str, data: Sequence[PointPublic]) -> Series:
    """Stored points (period, value, denominator) of a measure of this type, as charted."""
    points = sorted(data, key=lambda p: p.period)
    if kind == "rare_event":
        return _intervals(points)
    values = [p.value for p in points]
    dates = [p.period for p in points]
    if kind in ("proportion", "rate"):
        dens = [p.denominator or 0.0 for p in points]
        scale, unit = (100.0, "%") if kind == "proportion" else (RATE_PER, "")
        plotted = [scale * v / d if d else 0.0 for v, d in zip(values, dens, strict=True)]
        return Series(dates, plotted, values, dens, scale, unit)
    return Series(dates, values, values, None, 1.0, "")


def _intervals(points: Sequence[PointPublic]) -> Series:
    """Days between consecutive events: a date with k events adds k - 1 gaps of 0 days."""
    dates: list[date] = []
    gaps: list[float] = []
    previous: date | None = None
    for p in points:
        when, count = p.period, int(p.value)
        if previous is not None:
            dates.append(when)
            gaps.append(float((when - previous).days))
        dates.extend([when] * (count - 1))
        gaps.extend([0.0] * (count - 1))
        previous = when
    return Series(dates, gaps, gaps, None, 1.0, "")


def is_attribute(chart_type: str) -> bool:
    return chart_type in METHOD_OF_TYPE


def chart_name(chart_type: str) -> str:
    return attribute_charts.NAMES[METHOD_OF_TYPE[chart_type]]


def draw(
    chart_type: str,
    title: str,
    measure: MeasureData,
    data: Series,
    annotations: Sequence[charts.Annotation],
    baseline: int | None,
) -> Drawn:
    """The attribute chart of this type, with its words; SeriesError if it cannot be drawn."""
    method = METHOD_OF_TYPE[chart_type]
    if method in attribute.RATIO_CHARTS and data.denominators is None:
        raise attribute.SeriesError(
            "this chart needs a denominator for every period; the measure records one number."
        )
    chart = attribute.attribute_chart(
        method,
        data.numerators,
        data.denominators if method in attribute.RATIO_CHARTS else None,
        baseline=baseline,
    )
    view = Drawn(
        attribute_charts.attribute_chart(
            chart,
            multiply=data.multiply,
            unit=data.unit,
            x_labels=data.dates,
            annotations=annotations,
            title=title,
            chart_id=f"measure-{measure.id}-{chart_type}",
        )
    )
    _words(view, measure, data, chart, baseline)
    return view


def _lim(value: float | None, data: Series) -> str:
    return "none" if value is None else f"{charts.fmt(value * data.multiply)}{data.unit}"


def _words(
    view: Drawn,
    measure: MeasureData,
    data: Series,
    chart: attribute.AttributeChart,
    baseline: int | None,
) -> None:
    name = attribute_charts.NAMES[chart.method]
    basis = f"the first {baseline} points" if baseline else "every point"
    centre = "median" if chart.method == "g_anhoej" else "centre line"
    each = (
        "; the limits are worked out for each period from its own "
        + ("denominator" if measure.data_type == "proportion" else "exposure")
        if chart.method in attribute.RATIO_CHARTS
        else ""
    )
    view.summary.append(
        f"{name[0].upper()}{name[1:]}: {centre} {_lim(chart.cl[-1], data)}, from {basis}{each}."
    )
    lows = [v for v in chart.lcl if v is not None]
    highs = [v for v in chart.ucl if v is not None]
    if highs:
        view.summary.append(
            f"Upper limits from {_lim(min(highs), data)} to {_lim(max(highs), data)}"
            + (
                f"; lower limits from {_lim(min(lows), data)} to {_lim(max(lows), data)}."
                if lows
                else "."
            )
        )
    if chart.sigma_z is not None:
        view.summary.append(f"Laney's sigma z is {charts.fmt(chart.sigma_z)}.")
    outside = set(chart.outside)
    runs = chart.runs
    long_run = bool(
        runs.longest_run
        and runs.longest_run_max is not None
        and runs.longest_run > runs.longest_run_max
    )
    in_run = (
        set(range(runs.longest_run_span[0], runs.longest_run_span[1] + 1))
        if long_run and runs.longest_run_span
        else set()
    )
    for i, when in enumerate(data.dates):
        parts = []
        if data.denominators is not None:
            of = "of" if measure.data_type == "proportion" else "in"
            parts.append(
                f"{charts.fmt(data.numerators[i])} {of} {charts.fmt(data.denominators[i])}"
            )
        parts.append(f"limits {_lim(chart.lcl[i], data)} to {_lim(chart.ucl[i], data)}")
        if i in outside:
            parts.append("outside the limits")
        if i in in_run and chart.y[i] != chart.cl[i]:
            parts.append("part of an unusually long run")
        note = "; ".join(parts)
        view.rows.append((when, chart.y[i] * data.multiply, note[0].upper() + note[1:]))
    spans = _spans(sorted(outside))
    view.signals.append(
        (
            "A point outside the limits",
            "A single point above the upper or below the lower limit is very unlikely from "
            "common cause variation alone.",
            bool(outside),
            "; ".join(
                day(data.dates[a]) if a == b else f"{day(data.dates[a])} to {day(data.dates[b])}"
                for a, b in spans
            ),
        )
    )
    if runs.longest_run is None or runs.crossings is None:
        view.notices.append("Every point is on the centre line, so there are no runs to judge.")
        return
    a, b = runs.longest_run_span or (0, 0)
    view.signals.append(
        (
            "Unusually long run",
            f"The longest run of points on one side of the centre line is {runs.longest_run}; "
            f"with {runs.n_useful} points off it, more than {runs.longest_run_max} is a signal.",
            long_run,
            f"{day(data.dates[a])} to {day(data.dates[b])}",
        )
    )
    view.signals.append(
        (
            "Unusually few crossings",
            f"The line crosses the centre line {runs.crossings} times; fewer than "
            f"{runs.crossings_min} would be a signal that the data are not varying at random.",
            runs.crossings < (runs.crossings_min or 0),
            "",
        )
    )


def _spans(indices: Sequence[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for i in indices:
        if spans and spans[-1][1] == i - 1:
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans


def min_baseline(chart_type: str) -> int:
    return MIN_BASELINE.get(METHOD_OF_TYPE.get(chart_type, "run_anhoej"), 2)
