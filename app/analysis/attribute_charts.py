"""Accessible p, p', u, u', c, g and t charts: the same scene, layout and back ends as the run
and XmR charts (:mod:`app.analysis.charts`), with limits that may change from point to point.

Values are drawn as the chart computed them (proportions, rates, counts or intervals) times
``multiply`` (100 for a percentage, 1,000 for a rate per 1,000 bed days). Points outside the
limits and the points of an unusually long run have their own marker and legend entry, so
colour is never the only cue; the description says the same in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.analysis.attribute import AttributeChart
from app.analysis.layout import (
    _annotation_positions,
    _draw_legend,
    _draw_levels,
    _draw_series,
    _Placed,
    _ranges,
    _span_words,
    _start,
    _x_texts,
    fmt,
)
from app.analysis.scene import (
    _LONG_RUN,
    _RUN_POINT,
    AXIS,
    CONCERN,
    LIMIT_DASH,
    SIGNAL_LINE,
    TEXT,
    Annotation,
    Chart,
    LegendEntry,
    Line,
    XLabel,
    _Style,
)

_OUTSIDE = _Style("diamond", CONCERN, 6, "Outside the limits")
NAMES = {
    "p_anhoej": "p chart",
    "pp_anhoej": "Laney p' chart",
    "u_anhoej": "u chart",
    "up_anhoej": "Laney u' chart",
    "c_anhoej": "c chart",
    "g_anhoej": "g chart",
    "t_anhoej": "t chart",
}
_CENTRE_WORD = {"g_anhoej": "Median"}


def _styles(chart: AttributeChart) -> list[_Style]:
    styles = [_RUN_POINT] * len(chart.y)
    runs = chart.runs
    if runs.longest_run_span and runs.longest_run_max is not None and runs.longest_run:
        if runs.longest_run > runs.longest_run_max:
            first, last = runs.longest_run_span
            for i in range(first, last + 1):
                if chart.y[i] != chart.cl[i]:
                    styles[i] = _LONG_RUN
    for i in chart.outside:
        styles[i] = _OUTSIDE
    return styles


def _limit_lines(
    y: Callable[[float], float], xs: Sequence[float], limits: Sequence[float | None]
) -> list[Line]:
    """Dashed segments joining each point's limit to the next; a missing limit breaks them."""
    lines: list[Line] = []
    for i in range(len(limits) - 1):
        a, b = limits[i], limits[i + 1]
        if a is None or b is None:
            continue
        lines.append(Line(xs[i], y(a), xs[i + 1], y(b), AXIS, 1.5, LIMIT_DASH))
    if len(limits) == 1 and limits[0] is not None:
        lines.append(Line(xs[0] - 6, y(limits[0]), xs[0] + 6, y(limits[0]), AXIS, 1.5))
    return lines


def attribute_chart(
    chart: AttributeChart,
    *,
    multiply: float = 1.0,
    unit: str = "",
    x_labels: Sequence[XLabel] | None = None,
    annotations: Sequence[Annotation] = (),
    title: str | None = None,
    chart_id: str = "attribute-chart",
    width: int = 800,
    height: int = 440,
) -> Chart:
    """The chart's points, centre line and per-point limits, with words for a screen reader."""
    name = NAMES[chart.method]
    title = title or name[0].upper() + name[1:]
    values = [v * multiply for v in chart.y]
    cl = [c * multiply for c in chart.cl]
    lcl = [None if v is None else v * multiply for v in chart.lcl]
    ucl = [None if v is None else v * multiply for v in chart.ucl]
    texts = _x_texts(len(values), x_labels)
    placed = _annotation_positions(annotations, x_labels, texts)
    styles = _styles(chart)
    legend: list[LegendEntry] = [
        (s.shape, s.colour, s.legend) for s in (_RUN_POINT, _LONG_RUN, _OUTSIDE) if s in styles
    ]
    if any(v is not None for v in (*lcl, *ucl)):
        legend.append((LIMIT_DASH, AXIS, "Control limits (3 sigma)"))
    if chart.runs.signal:
        legend.append((LIMIT_DASH, SIGNAL_LINE, "Centre line: runs signal"))
    levels = [*cl, *(v for v in (*lcl, *ucl) if v is not None)]
    canvas = _start(
        title=title,
        width=width,
        height=height,
        values=values,
        levels=levels,
        texts=texts,
        placed=placed,
        legend=legend,
    )
    xs = [canvas.x(i) for i in range(len(values))]
    centre_colour = SIGNAL_LINE if chart.runs.signal else TEXT
    dash = LIMIT_DASH if chart.runs.signal else ()
    canvas.items.append(
        Line(canvas.left, canvas.y(cl[-1]), canvas.right, canvas.y(cl[-1]), centre_colour, 2, dash)
    )
    canvas.items.extend(_limit_lines(canvas.y, xs, lcl))
    canvas.items.extend(_limit_lines(canvas.y, xs, ucl))
    word = _CENTRE_WORD.get(chart.method, "Centre")
    labels = [(cl[-1], f"{word} {fmt(cl[-1])}{unit}", centre_colour)]
    if ucl[-1] is not None:
        labels.append((ucl[-1], f"Upper {fmt(ucl[-1])}{unit}", AXIS))
    if lcl[-1] is not None:
        labels.append((lcl[-1], f"Lower {fmt(lcl[-1])}{unit}", AXIS))
    _draw_levels(canvas, labels)
    _draw_series(canvas, values, styles)
    _draw_legend(canvas, legend)
    description = _description(
        chart, name, values, cl, lcl, ucl, unit, texts, x_labels is not None, placed
    )
    return Chart(width, height, title, description, tuple(canvas.items), chart_id)


def _range_words(limits: Sequence[float | None], unit: str) -> str | None:
    known = [v for v in limits if v is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    return f"{fmt(low)}{unit}" if low == high else f"{fmt(low)}{unit} to {fmt(high)}{unit}"


def _description(
    chart: AttributeChart,
    name: str,
    values: Sequence[float],
    cl: Sequence[float],
    lcl: Sequence[float | None],
    ucl: Sequence[float | None],
    unit: str,
    texts: Sequence[str],
    labelled: bool,
    placed: Sequence[_Placed],
) -> str:
    n = len(values)
    word = _CENTRE_WORD.get(chart.method, "Centre line")
    sentences = [
        f"{name[0].upper() + name[1:]} of {n} points, {_span_words(0, n - 1, texts, labelled)}.",
        f"{word} {fmt(cl[-1])}{unit}.",
    ]
    upper, lower = _range_words(ucl, unit), _range_words(lcl, unit)
    if upper is None or lower is None:
        sentences.append("No limits: the data show no spread to measure them from.")
    else:
        varies = "; they vary with each point's denominator" if len(set(ucl)) > 1 else ""
        sentences.append(f"Upper limit {upper}, lower limit {lower}{varies}.")
    if chart.outside:
        spans = ", ".join(_span_words(a, b, texts, labelled) for a, b in _ranges(chart.outside))
        sentences.append(f"Outside the limits: {spans}.")
    else:
        sentences.append("No point is outside the limits.")
    runs = chart.runs
    if runs.longest_run is None or runs.longest_run_span is None:
        sentences.append("Every point is on the centre line, so there are no runs to test.")
    else:
        first, last = runs.longest_run_span
        sentences.append(
            f"Longest run {runs.longest_run} points "
            f"({_span_words(first, last, texts, labelled)}), signal above "
            f"{runs.longest_run_max}; {runs.crossings} crossings, signal below "
            f"{runs.crossings_min}."
        )
    sentences.append(
        "Anhøj rules: non-random variation." if runs.signal else "Anhøj rules: no runs signal."
    )
    if placed:
        marks = "; ".join(f"{mark.label} at {mark.when}" for mark in placed)
        sentences.append(f"Changes tested (PDSA cycles): {marks}.")
    return " ".join(sentences)
