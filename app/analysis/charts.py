"""Accessible run and XmR charts: one layout of simple shapes, drawn as SVG or as PNG.

The builders (:func:`run_chart`, :func:`xmr_chart`) place every line, marker and label once, in
pixels, and write the words a screen reader needs. :func:`to_svg` and :func:`to_png` only
translate those shapes, so the two downloads cannot drift apart.

Colours follow Making Data Count (grey common cause, blue improvement, orange concern, purple
neutral) but darkened where MDC's own shades fall below the WCAG 2.1 AA 3:1 contrast for
graphics on white (#289DE0 is 3.0:1, #FAB428 is 1.8:1). Every special cause also has its own
marker shape and a legend entry, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.analysis import spc
from app.analysis.layout import (
    _annotation_positions,
    _draw_legend,
    _draw_levels,
    _draw_series,
    _legend_entries,
    _Placed,
    _ranges,
    _span_words,
    _start,
    _x_texts,
    fmt,
)
from app.analysis.render import to_png, to_svg
from app.analysis.scene import (
    _LONG_RUN,
    _POINT_STYLES,
    _RUN_POINT,
    _SHIFT,
    _TREND_DOWN,
    _TREND_UP,
    AXIS,
    CONCERN,
    GRID,
    IMPROVEMENT,
    LIMIT_DASH,
    SIGNAL_LINE,
    TARGET_DASH,
    TEXT,
    Annotation,
    Chart,
    Label,
    Line,
    Marker,
    Polyline,
    XLabel,
    _Style,
)

# What callers use from here: the builders, the back ends, the shapes and colours they test.
__all__ = [
    "CONCERN",
    "GRID",
    "IMPROVEMENT",
    "SIGNAL_LINE",
    "Annotation",
    "Chart",
    "Label",
    "Line",
    "Marker",
    "Polyline",
    "XLabel",
    "fmt",
    "run_chart",
    "to_png",
    "to_svg",
    "xmr_chart",
]

# --------------------------------------------------------------------------------------------
# Run chart
# --------------------------------------------------------------------------------------------


def run_chart(
    values: Sequence[float],
    analysis: spc.IhiRunChart | spc.RunsAnalysis,
    *,
    x_labels: Sequence[XLabel] | None = None,
    annotations: Sequence[Annotation] = (),
    baseline: int | None = None,
    title: str = "Run chart",
    chart_id: str = "run-chart",
    width: int = 800,
    height: int = 440,
) -> Chart:
    """Values, median and the points behind each signal (IHI shifts and trends, or the
    Anhøj longest run), with PDSA markers. ``analysis`` must come from the same values."""
    texts = _x_texts(len(values), x_labels)
    placed = _annotation_positions(annotations, x_labels, texts)
    styles = _run_styles(values, analysis)
    runs_signal = _runs_signal(analysis)
    legend = _legend_entries(styles)
    if runs_signal:
        legend.append((LIMIT_DASH, SIGNAL_LINE, "Median: runs signal"))
    canvas = _start(
        title=title,
        width=width,
        height=height,
        values=values,
        levels=[analysis.centre],
        texts=texts,
        placed=placed,
        legend=legend,
    )
    centre_colour = SIGNAL_LINE if runs_signal else TEXT
    y = canvas.y(analysis.centre)
    canvas.items.append(
        Line(canvas.left, y, canvas.right, y, centre_colour, 2, LIMIT_DASH if runs_signal else ())
    )
    _draw_levels(canvas, [(analysis.centre, f"Median {fmt(analysis.centre)}", centre_colour)])
    _draw_series(canvas, values, styles)
    _draw_legend(canvas, legend)
    description = _run_description(values, analysis, texts, x_labels is not None, baseline, placed)
    return Chart(width, height, title, description, tuple(canvas.items), chart_id)


def _runs_signal(analysis: spc.IhiRunChart | spc.RunsAnalysis) -> bool:
    if isinstance(analysis, spc.IhiRunChart):
        return analysis.too_few_runs or analysis.too_many_runs
    return analysis.signal


def _run_styles(
    values: Sequence[float], analysis: spc.IhiRunChart | spc.RunsAnalysis
) -> list[_Style]:
    styles = [_RUN_POINT] * len(values)
    off_centre = [v != analysis.centre for v in values]
    if isinstance(analysis, spc.RunsAnalysis):
        first, last = analysis.longest_run_span
        if analysis.longest_run > analysis.longest_run_max:
            for i in range(first, last + 1):
                if off_centre[i]:
                    styles[i] = _LONG_RUN
        return styles
    for first, last in analysis.trends:
        style = _TREND_UP if values[last] > values[first] else _TREND_DOWN
        for i in range(first, last + 1):
            styles[i] = style
    # Shifts are drawn over trends: a point in both is shown as part of the shift.
    for first, last in analysis.shifts:
        for i in range(first, last + 1):
            if off_centre[i]:
                styles[i] = _SHIFT
    return styles


def _run_description(
    values: Sequence[float],
    analysis: spc.IhiRunChart | spc.RunsAnalysis,
    texts: Sequence[str],
    labelled: bool,
    baseline: int | None,
    placed: Sequence[_Placed],
) -> str:
    n = len(values)
    span = _span_words(0, n - 1, texts, labelled)
    basis = f" of the first {baseline} points" if baseline else ""
    sentences = [f"Run chart of {n} points, {span}.", f"Median{basis} {fmt(analysis.centre)}."]
    if isinstance(analysis, spc.IhiRunChart):
        sentences += _ihi_sentences(values, analysis, texts, labelled)
    else:
        sentences += _anhoej_sentences(analysis, texts, labelled)
    sentences += _pdsa_sentences(placed)
    return " ".join(sentences)


def _ihi_sentences(
    values: Sequence[float], analysis: spc.IhiRunChart, texts: Sequence[str], labelled: bool
) -> list[str]:
    sentences = []
    for first, last in analysis.shifts:
        side = "above" if values[first] > analysis.centre else "below"
        count = sum(1 for i in range(first, last + 1) if values[i] != analysis.centre)
        where = _span_words(first, last, texts, labelled)
        sentences.append(f"Shift of {count} points {side} the median, {where}.")
    for first, last in analysis.trends:
        direction = "up" if values[last] > values[first] else "down"
        # Repeated values count once, as the rule counts them.
        count = 1 + sum(1 for i in range(first, last) if values[i + 1] != values[i])
        where = _span_words(first, last, texts, labelled)
        sentences.append(f"Trend of {count} points going {direction}, {where}.")
    if analysis.runs_limits is not None:
        lower, upper = analysis.runs_limits
        verdict = (
            "too few runs"
            if analysis.too_few_runs
            else "too many runs"
            if analysis.too_many_runs
            else "within the expected range"
        )
        sentences.append(
            f"{analysis.runs} runs; {lower} to {upper} expected for {analysis.n_useful} points "
            f"off the median: {verdict}."
        )
    else:
        sentences.append(
            f"{analysis.runs} runs; the runs rule needs at least 10 points off the median."
        )
    if not analysis.signal:
        sentences.append(
            "No shift, trend or unusual number of runs: no signal of non-random variation."
        )
    return sentences


def _anhoej_sentences(
    analysis: spc.RunsAnalysis, texts: Sequence[str], labelled: bool
) -> list[str]:
    first, last = analysis.longest_run_span
    sentences = [
        f"Longest run {analysis.longest_run} points ({_span_words(first, last, texts, labelled)}), "
        f"signal above {analysis.longest_run_max}.",
        f"{analysis.crossings} crossings of the median, signal below {analysis.crossings_min}.",
    ]
    if analysis.signal:
        reasons = []
        if analysis.longest_run > analysis.longest_run_max:
            reasons.append("an unusually long run")
        if analysis.crossings < analysis.crossings_min:
            reasons.append("unusually few crossings")
        sentences.append(f"Non-random variation: {' and '.join(reasons)}.")
    else:
        sentences.append("No signal of non-random variation.")
    return sentences


def _pdsa_sentences(placed: Sequence[_Placed]) -> list[str]:
    if not placed:
        return []
    marks = "; ".join(f"{mark.label} at {mark.when}" for mark in placed)
    return [f"Changes tested (PDSA cycles): {marks}."]


# --------------------------------------------------------------------------------------------
# XmR chart (Making Data Count)
# --------------------------------------------------------------------------------------------


def xmr_chart(
    values: Sequence[float],
    analysis: spc.XmrMdc,
    *,
    x_labels: Sequence[XLabel] | None = None,
    annotations: Sequence[Annotation] = (),
    target: float | None = None,
    improvement: spc.Improvement | None = None,
    title: str = "XmR chart",
    chart_id: str = "xmr-chart",
    width: int = 800,
    height: int = 440,
) -> Chart:
    """Mean and process limits per group, points by MDC type, target and PDSA markers."""
    texts = _x_texts(len(values), x_labels)
    placed = _annotation_positions(annotations, x_labels, texts)
    levels = [v for g in analysis.groups for v in (g.mean, g.lpl, g.upl)]
    styles = [_POINT_STYLES[p.point_type] for p in analysis.points]
    legend = _legend_entries(styles)
    legend.append((LIMIT_DASH, AXIS, "Process limits"))
    if target is not None:
        legend.append((TARGET_DASH, SIGNAL_LINE, "Target"))
    canvas = _start(
        title=title,
        width=width,
        height=height,
        values=values,
        levels=levels + ([target] if target is not None else []),
        texts=texts,
        placed=placed,
        legend=legend,
    )
    for group in analysis.groups:
        x1, x2 = canvas.x(group.start), canvas.x(group.end)
        canvas.items.append(Line(x1, canvas.y(group.mean), x2, canvas.y(group.mean), TEXT, 2))
        for limit in (group.lpl, group.upl):
            canvas.items.append(
                Line(x1, canvas.y(limit), x2, canvas.y(limit), AXIS, 1.5, LIMIT_DASH)
            )
    last = analysis.groups[-1]
    level_labels = [
        (last.upl, f"Upper limit {fmt(last.upl)}", AXIS),
        (last.mean, f"Mean {fmt(last.mean)}", TEXT),
        (last.lpl, f"Lower limit {fmt(last.lpl)}", AXIS),
    ]
    if target is not None:
        y = canvas.y(target)
        canvas.items.append(Line(canvas.left, y, canvas.right, y, SIGNAL_LINE, 1.5, TARGET_DASH))
        level_labels.append((target, f"Target {fmt(target)}", SIGNAL_LINE))
    _draw_levels(canvas, level_labels)
    _draw_series(canvas, values, styles)
    _draw_legend(canvas, legend)
    description = _xmr_description(
        analysis, texts, x_labels is not None, target, improvement, placed
    )
    return Chart(width, height, title, description, tuple(canvas.items), chart_id)


_TYPE_WORDS: dict[spc.PointType, str] = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause (high)",
    "special_cause_neutral_low": "special cause (low)",
}
_ASSURANCE_WORDS = {
    "pass": "the process will consistently meet it",
    "fail": "the process will consistently miss it",
    "inconsistent": "the process will sometimes meet it and sometimes miss it",
}


def _xmr_description(
    analysis: spc.XmrMdc,
    texts: Sequence[str],
    labelled: bool,
    target: float | None,
    improvement: spc.Improvement | None,
    placed: Sequence[_Placed],
) -> str:
    n = len(analysis.points)
    sentences = [f"XmR chart of {n} points, {_span_words(0, n - 1, texts, labelled)}."]
    if improvement in ("increase", "decrease"):
        sentences.append("Higher is better." if improvement == "increase" else "Lower is better.")
    for group in analysis.groups:
        limits = f"mean {fmt(group.mean)}, process limits {fmt(group.lpl)} to {fmt(group.upl)}."
        if len(analysis.groups) == 1:
            sentences.append(limits.capitalize())
        else:
            sentences.append(f"{_span_words(group.start, group.end, texts, labelled)}: {limits}")
    for kind, words in _TYPE_WORDS.items():
        if kind == "common_cause":
            continue
        indices = [p.index for p in analysis.points if p.point_type == kind]
        if indices:
            spans = ", ".join(_span_words(a, b, texts, labelled) for a, b in _ranges(indices))
            sentences.append(f"{words.capitalize()}: {spans}.")
    if all(p.point_type == "common_cause" for p in analysis.points):
        sentences.append("Every point shows common cause variation.")
    sentences.append(f"Latest point: {_TYPE_WORDS[analysis.variation]}.")
    if target is not None and analysis.assurance is not None:
        sentences.append(f"Target {fmt(target)}: {_ASSURANCE_WORDS[analysis.assurance]}.")
    sentences += _pdsa_sentences(placed)
    return " ".join(sentences)
