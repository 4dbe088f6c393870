"""A measure's run chart or XmR chart, built with the analysis engine, and the words around it.

Nothing here computes statistics: :mod:`app.analysis.spc` judges the series and
:mod:`app.analysis.charts` draws it. This module turns a measure's stored settings (baseline,
rebase dates, direction, target, rule set) and the project's PDSA cycles into the engine's
arguments, and explains the result in plain words with a data table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.analysis import charts, spc
from app.analysis.schemas import MIN_BASELINE
from app.projects import chooser, measure_charts
from app.projects.schemas import ChartType, MeasureData, PdsaPublic

PNG_SCALE = 2.0


@dataclass(frozen=True)
class Row:
    period: date
    value: float
    note: str


@dataclass(frozen=True)
class Signal:
    rule: str
    explanation: str
    found: bool
    where: str = ""


@dataclass(frozen=True)
class Mark:
    label: str
    title: str
    starts_on: date
    shown: bool


@dataclass
class ChartView:
    chart_type: ChartType
    title: str
    rules: str
    chart: charts.Chart | None = None
    message: str | None = None
    summary: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    improvement: bool = False  # special cause in the improvement direction (XmR)

    @property
    def svg(self) -> str:
        return charts.to_svg(self.chart) if self.chart else ""

    @property
    def description(self) -> str:
        return self.chart.description if self.chart else ""

    def png(self) -> bytes | None:
        return charts.to_png(self.chart, scale=PNG_SCALE) if self.chart else None


def default_type(method: str) -> ChartType:
    """The chart a measure's rule set draws: run charts for run rules, XmR for limits, and the
    attribute chart (p, u, c, g, ...) for the attribute rules."""
    return chooser.chart_type(method)  # type: ignore[return-value]


def available_types(measure: MeasureData) -> list[tuple[ChartType, str]]:
    """Every chart the measure's type can draw, its own first: (type, name)."""
    own = default_type(measure.method)
    kinds = dict.fromkeys([own, *(c.chart_type for c in chooser.choices(measure.data_type))])
    return [(k, type_name(k)) for k in kinds]  # type: ignore[misc]


def type_name(chart_type: str) -> str:
    if measure_charts.is_attribute(chart_type):
        return measure_charts.chart_name(chart_type)
    return "run chart" if chart_type == "run" else "XmR chart"


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def pdsa_labels(cycles: Sequence[PdsaPublic]) -> dict[int, str]:
    """'PDSA 1', 'PDSA 2'... by start date, the same on every chart of the project."""
    ordered = sorted(cycles, key=lambda c: (c.starts_on, c.id))
    return {c.id: f"PDSA {i}" for i, c in enumerate(ordered, start=1)}


def _marks(cycles: Sequence[PdsaPublic], dates: Sequence[date]) -> list[Mark]:
    labels = pdsa_labels(cycles)
    first, last = dates[0], dates[-1]
    return [
        Mark(labels[c.id], c.title, c.starts_on, first <= c.starts_on <= last)
        for c in sorted(cycles, key=lambda c: (c.starts_on, c.id))
    ]


def build(measure: MeasureData, cycles: Sequence[PdsaPublic], chart_type: ChartType) -> ChartView:
    """The chart of this type for the measure, or a view whose message says what is missing."""
    title = f"{measure.name} ({measure.unit}): {type_name(chart_type)}"
    if chart_type == "run":
        rules = "IHI run chart rules" if measure.method == "run_ihi" else "Anhøj run chart rules"
    elif chart_type == "xmr":
        rules = "Making Data Count (NHS England) XmR rules"
    else:
        rules = "Anhøj run chart rules and 3-sigma limits (qicharts2)"
    view = ChartView(chart_type=chart_type, title=title, rules=rules)
    data = measure_charts.series(measure)
    if len(data.plotted) < 2:
        count = len(data.plotted)
        what = "gap between events" if measure.data_type == "rare_event" else "value"
        view.message = (
            f"There {'is' if count == 1 else 'are'} {count} {what}"
            f"{'' if count == 1 else 's'} so far: a chart needs at least 2. Add data on "
            "the measure's page. A run chart is useful from about 10 points, and limits "
            "from about 15 to 20."
        )
        return view
    values, dates = data.plotted, data.dates
    view.marks = _marks(cycles, dates)
    outside = [m for m in view.marks if not m.shown]
    if outside:
        listed = "; ".join(f"{m.label} ({m.title}) starts {day(m.starts_on)}" for m in outside)
        view.notices.append(
            f"Not marked because they start outside the dates of the data: {listed}."
        )
    annotations: list[charts.Annotation] = [(m.starts_on, m.label) for m in view.marks if m.shown]
    try:
        if chart_type == "run":
            _run(view, measure, values, dates, annotations)
        elif chart_type == "xmr":
            _xmr(view, measure, values, dates, annotations)
        else:
            _attribute(view, measure, data, annotations)
    except spc.SeriesError as exc:
        view.chart = None
        view.message = f"The chart cannot be drawn yet: {exc}"
    return view


def _baseline(
    view: ChartView, measure: MeasureData, n: int, *, minimum: int, what: str
) -> int | None:
    base = measure.baseline_points
    if base is None:
        return None
    if base < minimum:
        view.notices.append(
            f"The baseline is fixed at {base} points, but {what} needs at least {minimum}; "
            f"this chart uses every point."
        )
        return None
    if base >= n:
        view.notices.append(
            f"The baseline is fixed at {base} points and there are {n} so far, so this chart "
            "uses every point until there are more."
        )
        return None
    return base


def _attribute(
    view: ChartView,
    measure: MeasureData,
    data: measure_charts.Series,
    annotations: Sequence[charts.Annotation],
) -> None:
    minimum = measure_charts.min_baseline(view.chart_type)
    baseline = _baseline(view, measure, len(data.plotted), minimum=minimum, what="this chart")
    drawn = measure_charts.draw(view.chart_type, view.title, measure, data, annotations, baseline)
    view.chart = drawn.chart
    view.summary.extend(drawn.summary)
    view.notices.extend(drawn.notices)
    view.rows.extend(Row(*r) for r in drawn.rows)
    view.signals.extend(Signal(*s) for s in drawn.signals)


# --- run chart --------------------------------------------------------------------------------


def _run(
    view: ChartView,
    measure: MeasureData,
    values: list[float],
    dates: list[date],
    annotations: Sequence[charts.Annotation],
) -> None:
    n = len(values)
    baseline = _baseline(view, measure, n, minimum=MIN_BASELINE["run_anhoej"], what="a median")
    analysis: spc.IhiRunChart | spc.RunsAnalysis
    if measure.method == "run_ihi":
        ihi = spc.run_ihi(values, baseline=baseline)
        if ihi.n_useful == 0:
            raise spc.SeriesError("every value equals the median, so there are no runs to analyse.")
        analysis = ihi
        flags = _ihi_signals(view, ihi, values, dates)
    else:
        anhoej = spc.run_anhoej(values, baseline=baseline)
        analysis = anhoej
        flags = _anhoej_signals(view, anhoej, values, dates)
    basis = f"the first {baseline} points" if baseline else "every point"
    view.summary.append(f"Median {charts.fmt(analysis.centre)} {measure.unit}, from {basis}.")
    view.chart = charts.run_chart(
        values,
        analysis,
        x_labels=dates,
        annotations=annotations,
        baseline=baseline,
        title=view.title,
        chart_id=f"measure-{measure.id}-run",
    )
    for i, (when, value) in enumerate(zip(dates, values, strict=True)):
        side = (
            "above the median"
            if value > analysis.centre
            else "below the median"
            if value < analysis.centre
            else "on the median"
        )
        note = "; ".join([side, *flags.get(i, [])])
        view.rows.append(Row(when, value, note[0].upper() + note[1:]))


def _spans(spans: Sequence[tuple[int, int]], dates: Sequence[date]) -> str:
    return "; ".join(
        day(dates[a]) if a == b else f"{day(dates[a])} to {day(dates[b])}" for a, b in spans
    )


def _ihi_signals(
    view: ChartView, analysis: spc.IhiRunChart, values: list[float], dates: list[date]
) -> dict[int, list[str]]:
    flags: dict[int, list[str]] = {}
    for a, b in analysis.shifts:
        for i in range(a, b + 1):
            if values[i] != analysis.centre:
                flags.setdefault(i, []).append("part of a shift")
    for a, b in analysis.trends:
        for i in range(a, b + 1):
            flags.setdefault(i, []).append("part of a trend")
    view.signals.append(
        Signal(
            "Shift",
            "6 or more points in a row all above or all below the median (points on the "
            "median are skipped). A shift suggests the process has changed.",
            bool(analysis.shifts),
            _spans(analysis.shifts, dates),
        )
    )
    view.signals.append(
        Signal(
            "Trend",
            "5 or more points in a row all going up or all going down (a repeated value "
            "counts once). A trend suggests a gradual change.",
            bool(analysis.trends),
            _spans(analysis.trends, dates),
        )
    )
    if analysis.runs_limits is None:
        where = (
            f"{analysis.runs} runs; this rule needs at least 10 points off the median "
            f"({analysis.n_useful} so far)."
        )
    else:
        lower, upper = analysis.runs_limits
        where = f"{analysis.runs} runs; {lower} to {upper} expected for {analysis.n_useful} points."
    view.signals.append(
        Signal(
            "Too few or too many runs",
            "A run is one or more points in a row on the same side of the median. Fewer runs "
            "than expected suggest a shift; more suggest the data swing too regularly.",
            analysis.too_few_runs or analysis.too_many_runs,
            where,
        )
    )
    return flags


def _anhoej_signals(
    view: ChartView, analysis: spc.RunsAnalysis, values: list[float], dates: list[date]
) -> dict[int, list[str]]:
    flags: dict[int, list[str]] = {}
    long_run = analysis.longest_run > analysis.longest_run_max
    a, b = analysis.longest_run_span
    if long_run:
        for i in range(a, b + 1):
            if values[i] != analysis.centre:
                flags.setdefault(i, []).append("part of an unusually long run")
    view.signals.append(
        Signal(
            "Unusually long run",
            f"The longest run of points on one side of the median is {analysis.longest_run}; "
            f"with {analysis.n_useful} points off the median, more than "
            f"{analysis.longest_run_max} is a signal that the process has shifted.",
            long_run,
            _spans([(a, b)], dates),
        )
    )
    view.signals.append(
        Signal(
            "Unusually few crossings",
            f"The line crosses the median {analysis.crossings} times; fewer than "
            f"{analysis.crossings_min} would be a signal that the data are not varying at random.",
            analysis.crossings < analysis.crossings_min,
        )
    )
    return flags


# --- XmR chart --------------------------------------------------------------------------------

_RULES = (
    (
        "outside",
        "A point outside the process limits",
        "A single point above the upper or below the lower process limit is very unlikely "
        "from common cause variation alone.",
    ),
    (
        "trend",
        "A run of 7 points going up or down",
        "7 points in a row each higher (or each lower) than the one before.",
    ),
    (
        "close",
        "2 of 3 points close to a limit",
        "Two out of three points in a row in the outer third of the limits, on the same side "
        "of the mean.",
    ),
    (
        "side",
        "7 points on one side of the mean",
        "7 or more points in a row all above or all below the mean: a shift in the process.",
    ),
)
_TYPE_WORDS: dict[str, str] = {
    "common_cause": "common cause",
    "special_cause_improvement": "special cause: improvement",
    "special_cause_concern": "special cause: concern",
    "special_cause_neutral_high": "special cause: high",
    "special_cause_neutral_low": "special cause: low",
}


def _rule_of(label: str) -> str | None:
    if "UCL" in label or "LCL" in label:
        return "outside"
    if "Trend" in label:
        return "trend"
    if "2 in 3" in label:
        return "close"
    if "7 Points" in label:
        return "side"
    return None


def _rebase_indices(view: ChartView, measure: MeasureData, dates: list[date]) -> list[int]:
    starts: list[int] = []
    for rebase in sorted(measure.rebases, key=lambda r: r.starts_on):
        index = next((i for i, d in enumerate(dates) if d >= rebase.starts_on), None)
        if index is None or index == 0:
            when = "after the last" if index is None else "on or before the first"
            view.notices.append(
                f"Limits are not recalculated from {day(rebase.starts_on)} ({rebase.reason}): "
                f"that date is {when} value."
            )
            continue
        previous = starts[-1] if starts else 0
        if index - previous < 2 or len(dates) - index < 2:
            view.notices.append(
                f"Limits will be recalculated from {day(rebase.starts_on)} ({rebase.reason}) once "
                "each period has at least 2 points."
            )
            continue
        starts.append(index)
    return starts


def _xmr(
    view: ChartView,
    measure: MeasureData,
    values: list[float],
    dates: list[date],
    annotations: Sequence[charts.Annotation],
) -> None:
    n = len(values)
    rebase = _rebase_indices(view, measure, dates)
    shortest = min(b - a for a, b in zip([0, *rebase], [*rebase, n], strict=True))
    baseline = _baseline(
        view, measure, shortest, minimum=MIN_BASELINE["xmr_mdc"], what="Making Data Count"
    )
    analysis = spc.xmr_mdc(
        values,
        baseline=baseline,
        improvement=measure.direction,
        target=measure.target,
        rebase=rebase,
    )
    view.chart = charts.xmr_chart(
        values,
        analysis,
        x_labels=dates,
        annotations=annotations,
        target=measure.target,
        improvement=measure.direction,
        title=view.title,
        chart_id=f"measure-{measure.id}-xmr",
    )
    for group in analysis.groups:
        period = f"{day(dates[group.start])} to {day(dates[group.end])}: " if rebase else ""
        basis = f" (from its first {baseline} points)" if baseline else ""
        line = (
            f"{period}mean {charts.fmt(group.mean)} {measure.unit}, process limits "
            f"{charts.fmt(group.lpl)} to {charts.fmt(group.upl)}{basis}."
        )
        view.summary.append(line[0].upper() + line[1:])
    group_of = {i: g for g in analysis.groups for i in range(g.start, g.end + 1)}
    for p in analysis.points:
        rule = _rule_of(p.special_cause_type)
        g = group_of[p.index]
        words = _TYPE_WORDS[p.point_type]
        note = words[0].upper() + words[1:]
        if rule:
            note += f" ({next(title for key, title, _ in _RULES if key == rule).lower()})"
        view.rows.append(
            Row(
                dates[p.index],
                p.value,
                f"{note}. Mean {charts.fmt(g.mean)}, limits {charts.fmt(g.lpl)} to "
                f"{charts.fmt(g.upl)}",
            )
        )
    # One row per rule with every span it fired over, whole: the point labels above follow
    # MDC's precedence and would hide a shift under a trend or a limit.
    fired = {str(rule): spans for rule, spans in spc.rule_spans(analysis).items()}
    for key, title, explanation in _RULES:
        view.signals.append(Signal(title, explanation, bool(fired[key]), _spans(fired[key], dates)))
    latest = _TYPE_WORDS[analysis.variation]
    view.summary.append(f"Latest point ({day(dates[-1])}): {latest}.")
    if measure.target is not None and analysis.assurance is not None:
        view.summary.append(
            f"Target {charts.fmt(measure.target)}: "
            + {
                "pass": "the process will consistently meet it.",
                "fail": "the process will consistently miss it unless something changes.",
                "inconsistent": "the process will sometimes meet it and sometimes miss it.",
            }[analysis.assurance]
        )
    view.improvement = any(p.point_type == "special_cause_improvement" for p in analysis.points)
    if measure.method == "i_anhoej":
        _i_chart_words(view, values, baseline)


def _i_chart_words(view: ChartView, values: list[float], baseline: int | None) -> None:
    """The measure asks for qicharts2's I chart: its limits and Anhøj runs, in words."""
    chart = spc.i_anhoej(values, baseline=baseline)
    runs = chart.runs
    outside = len(chart.outside)
    verdict = "a signal of non-random variation" if runs.signal else "no runs signal"
    view.summary.append(
        f"I chart (qicharts2, Anhøj rules): centre {charts.fmt(runs.centre)}, 3-sigma limits "
        f"{charts.fmt(chart.lcl)} to {charts.fmt(chart.ucl)}, {outside} point"
        f"{'' if outside == 1 else 's'} outside; longest run {runs.longest_run} "
        f"(signal above {runs.longest_run_max}), {runs.crossings} crossings (signal below "
        f"{runs.crossings_min}): {verdict}."
    )


def shows_improvement(measure: MeasureData) -> bool:
    """Special cause in the improvement direction on the measure's XmR chart (for reports)."""
    if measure.direction == "neutral" or len(measure.data) < 2:
        return False
    return build(measure, [], "xmr").improvement
