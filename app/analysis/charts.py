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

import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from app.analysis import spc

Shape = Literal["circle", "square", "diamond", "triangle_up", "triangle_down"]
Anchor = Literal["start", "middle", "end"]
XLabel = str | date
Annotation = tuple[int | date, str]
# (marker shape, or the dash pattern of a line sample; colour; words)
LegendEntry = tuple[Shape | tuple[float, ...], str, str]

# Contrast on white, WCAG 2.1: text needs 4.5:1, lines and markers 3:1.
TEXT = "#212B32"  # 14.4:1
AXIS = "#4C6272"  # 6.4:1
GRID = "#D8DDE0"  # decorative only
COMMON = "#7B7D7D"  # MDC grey, 4.1:1
IMPROVEMENT = "#1D70B8"  # MDC blue darkened, 5.2:1
CONCERN = "#B35900"  # MDC orange darkened, 4.8:1
NEUTRAL = "#361475"  # MDC purple, 13.9:1
TREND = "#7C2855"  # 9.2:1
SIGNAL_LINE = "#D5281B"  # 5.1:1
PDSA = "#330072"  # 15.2:1
FONT_FAMILY = "Arial, Helvetica, sans-serif"
# Layout estimates text width as 0.6 em per character, close to Arial's digits and letters.
CHAR_WIDTH = 0.6
MAX_MARKED_POINTS = 250  # beyond this every marker would merge into a solid band
LIMIT_DASH = (6.0, 4.0)
TARGET_DASH = (2.0, 3.0)


# --------------------------------------------------------------------------------------------
# The scene: what both back ends draw
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 1.0
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 1.5


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shape: Shape
    radius: float
    colour: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: float = 12
    colour: str = TEXT
    anchor: Anchor = "start"
    bold: bool = False


Item = Line | Polyline | Marker | Label


@dataclass(frozen=True)
class Chart:
    """A laid-out chart: its size, its words for assistive technology, and its shapes."""

    width: int
    height: int
    title: str
    description: str
    items: tuple[Item, ...]
    chart_id: str = "chart"


@dataclass(frozen=True)
class _Style:
    shape: Shape
    colour: str
    radius: float
    legend: str


_COMMON_STYLE = _Style("circle", COMMON, 3.5, "Common cause")
_POINT_STYLES: dict[spc.PointType, _Style] = {
    "common_cause": _COMMON_STYLE,
    "special_cause_improvement": _Style("square", IMPROVEMENT, 5, "Special cause: improvement"),
    "special_cause_concern": _Style("diamond", CONCERN, 6, "Special cause: concern"),
    "special_cause_neutral_high": _Style("triangle_up", NEUTRAL, 6, "Special cause: high"),
    "special_cause_neutral_low": _Style("triangle_down", NEUTRAL, 6, "Special cause: low"),
}
_RUN_POINT = _Style("circle", COMMON, 3.5, "Data point")
_SHIFT = _Style("square", IMPROVEMENT, 5, "Part of a shift")
_TREND_UP = _Style("triangle_up", TREND, 6, "Part of a trend (up)")
_TREND_DOWN = _Style("triangle_down", TREND, 6, "Part of a trend (down)")
_LONG_RUN = _Style("square", IMPROVEMENT, 5, "Part of an unusually long run")
_LEGEND_ORDER = (
    _RUN_POINT,
    *_POINT_STYLES.values(),
    _SHIFT,
    _TREND_UP,
    _TREND_DOWN,
    _LONG_RUN,
)


def marker_outline(shape: Shape, x: float, y: float, r: float) -> list[tuple[float, float]]:
    """Corners of a polygon marker, shared by both back ends (circles are drawn natively)."""
    if shape == "square":
        return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    if shape == "diamond":
        return [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    if shape == "triangle_up":
        return [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    if shape == "triangle_down":
        return [(x, y + r), (x + r, y - r * 0.8), (x - r, y - r * 0.8)]
    raise ValueError(f"{shape} is drawn natively")


# --------------------------------------------------------------------------------------------
# Words: numbers, x labels and spans, as a screen reader should hear them
# --------------------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """About three significant figures, no trailing zeros: 50.333 -> '50.3', 12.0 -> '12'."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = min(4, max(0, 2 - magnitude))
    return _strip_zeros(f"{value:.{decimals}f}")


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _label_text(label: XLabel) -> str:
    if isinstance(label, date):
        return f"{label.day} {label:%b %Y}"
    return str(label)


def _x_texts(n: int, x_labels: Sequence[XLabel] | None) -> list[str]:
    if x_labels is None:
        return [str(i + 1) for i in range(n)]
    if len(x_labels) != n:
        raise ValueError(f"x_labels has {len(x_labels)} labels for {n} values; give one per value.")
    return [_label_text(label) for label in x_labels]


def _span_words(first: int, last: int, texts: Sequence[str], labelled: bool) -> str:
    def at(i: int) -> str:
        return texts[i] if labelled else f"point {i + 1}"

    return at(first) if first == last else f"{at(first)} to {at(last)}"


def _ranges(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive indices merged: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    merged: list[tuple[int, int]] = []
    for i in sorted(indices):
        if merged and i == merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], i)
        else:
            merged.append((i, i))
    return merged


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


def _nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


@dataclass
class _Canvas:
    """Plot-area geometry plus the growing list of shapes."""

    width: int
    height: int
    n: int
    y_low: float
    y_high: float
    left: float = 0
    right: float = 0
    top: float = 0
    bottom: float = 0
    items: list[Item] = field(default_factory=list)

    def x(self, i: float) -> float:
        if self.n == 1:
            return (self.left + self.right) / 2
        return self.left + (self.right - self.left) * i / (self.n - 1)

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)


def _canvas(
    *,
    width: int,
    height: int,
    values: Sequence[float],
    levels: Sequence[float],
    annotation_rows: int,
    legend_rows: int,
) -> tuple[_Canvas, list[str], list[float]]:
    """Scale and margins: the y range covers the data and every horizontal line."""
    low = min(*values, *levels)
    high = max(*values, *levels)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.06
    step = _nice_step(high - low + 2 * pad)
    low = math.floor((low - pad) / step) * step
    high = math.ceil((high + pad) / step) * step
    ticks = [low + k * step for k in range(round((high - low) / step) + 1)]
    canvas = _Canvas(width=width, height=height, n=len(values), y_low=low, y_high=high)
    # One decimal more than the step's magnitude, so a step of 2.5 prints 7.5, not 8.
    decimals = min(6, max(0, 1 - math.floor(math.log10(step))))
    tick_texts = [_strip_zeros(f"{t:.{decimals}f}") for t in ticks]
    canvas.left = 14 + max(_text_width(t, 11) for t in tick_texts)
    canvas.right = width - 118  # room for the line labels ("Upper limit 60.7")
    canvas.top = 44 + 16 * annotation_rows
    canvas.bottom = height - 44 - 18 * legend_rows  # x labels, then the legend
    return canvas, tick_texts, ticks


def _draw_axes(
    canvas: _Canvas, ticks: Sequence[float], tick_texts: Sequence[str], texts: Sequence[str]
) -> None:
    items = canvas.items
    for tick, tick_text in zip(ticks, tick_texts, strict=True):
        y = canvas.y(tick)
        items.append(Line(canvas.left, y, canvas.right, y, GRID))
        items.append(Label(canvas.left - 6, y + 4, tick_text, 11, TEXT, "end"))
    items.append(Line(canvas.left, canvas.top, canvas.left, canvas.bottom, AXIS))
    items.append(Line(canvas.left, canvas.bottom, canvas.right, canvas.bottom, AXIS))
    spacing = (canvas.right - canvas.left) / max(canvas.n - 1, 1)
    widest = max(_text_width(t, 11) for t in texts)
    every = max(1, math.ceil((widest + 10) / spacing))
    for i in range(0, canvas.n, every):
        x = canvas.x(i)
        items.append(Line(x, canvas.bottom, x, canvas.bottom + 4, AXIS))
        half = _text_width(texts[i], 11) / 2
        centre = min(max(x, 4 + half), canvas.width - 4 - half)  # keep end labels inside
        items.append(Label(centre, canvas.bottom + 17, texts[i], 11, TEXT, "middle"))


@dataclass(frozen=True, order=True)
class _Placed:
    """A PDSA marker at a fractional point index (a date may fall between two points)."""

    position: float
    label: str
    when: str  # the caller's date, or the point's x label, for the description


def _annotation_positions(
    annotations: Sequence[Annotation], x_labels: Sequence[XLabel] | None, texts: Sequence[str]
) -> list[_Placed]:
    placed = []
    for at, label in annotations:
        if isinstance(at, date):
            placed.append(_Placed(_date_position(at, x_labels), label, _label_text(at)))
        elif 0 <= at < len(texts):
            when = texts[at] if x_labels is not None else f"point {at + 1}"
            placed.append(_Placed(float(at), label, when))
        else:
            raise ValueError(
                f"Annotation '{label}' is at index {at}, outside 0 to {len(texts) - 1}."
            )
    return sorted(placed)


def _date_position(when: date, x_labels: Sequence[XLabel] | None) -> float:
    dates = [d for d in x_labels or () if isinstance(d, date)]
    if not x_labels or len(dates) != len(x_labels):
        raise ValueError("Annotations given as dates need dates as x labels.")
    for i, current in enumerate(dates):
        if current == when:
            return float(i)
        if i and dates[i - 1] < when < current:
            before = dates[i - 1]
            return i - 1 + (when - before).days / (current - before).days
    raise ValueError(f"Annotation date {when.isoformat()} is outside the dates on the chart.")


def _annotation_rows(width: int, placed: Sequence[_Placed], n: int) -> int:
    return len(set(_stagger(width, placed, n)))


def _stagger(width: int, placed: Sequence[_Placed], n: int) -> list[int]:
    """Row for each annotation label so neighbouring labels do not overlap (layout estimate)."""
    rough = _Canvas(width=width, height=0, n=n, y_low=0, y_high=1, left=60, right=width - 118)
    row_ends: list[float] = []
    rows = []
    for mark in placed:
        x = rough.x(mark.position)
        row = next((r for r, end in enumerate(row_ends) if x > end + 8), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0)
        row_ends[row] = x + 4 + _text_width(mark.label, 11)
        rows.append(row)
    return rows


def _draw_annotations(canvas: _Canvas, placed: Sequence[_Placed]) -> None:
    """Dashed verticals over the plot; their labels stacked in rows above it."""
    rows = _stagger(canvas.width, placed, canvas.n)
    for mark, row in zip(placed, rows, strict=True):
        x = canvas.x(mark.position)
        canvas.items.append(Line(x, canvas.top, x, canvas.bottom, PDSA, 1.5, (4, 3)))
        canvas.items.append(Label(x + 3, canvas.top - 6 - 16 * row, mark.label, 11, PDSA))


def _draw_levels(canvas: _Canvas, labels: Sequence[tuple[float, str, str]]) -> None:
    """Right-hand labels for horizontal lines, nudged apart so they never overlap."""
    placed: list[float] = []
    for value, text, colour in sorted(labels, key=lambda item: -item[0]):
        y = canvas.y(value) + 4
        if placed and y < placed[-1] + 14:
            y = placed[-1] + 14
        placed.append(y)
        canvas.items.append(Label(canvas.right + 6, y, text, 11, colour))


def _draw_series(canvas: _Canvas, values: Sequence[float], styles: Sequence[_Style]) -> None:
    canvas.items.append(
        Polyline(tuple((canvas.x(i), canvas.y(v)) for i, v in enumerate(values)), COMMON, 1.5)
    )
    mark_all = len(values) <= MAX_MARKED_POINTS
    for i, (value, style) in enumerate(zip(values, styles, strict=True)):
        if mark_all or style.legend not in (_COMMON_STYLE.legend, _RUN_POINT.legend):
            canvas.items.append(
                Marker(canvas.x(i), canvas.y(value), style.shape, style.radius, style.colour)
            )


def _legend_rows(
    entries: Sequence[LegendEntry], width: int
) -> list[list[tuple[float, LegendEntry]]]:
    """Legend entries placed left to right, wrapping onto a new row when the width runs out."""
    rows: list[list[tuple[float, LegendEntry]]] = [[]]
    x = 14.0
    for entry in entries:
        shape, _colour, text = entry
        needed = (24 if isinstance(shape, tuple) else 14) + _text_width(text, 11) + 18
        if rows[-1] and x + needed > width - 10:
            rows.append([])
            x = 14.0
        rows[-1].append((x, entry))
        x += needed
    return rows


def _draw_legend(canvas: _Canvas, entries: Sequence[LegendEntry]) -> None:
    """Legend under the x labels: a marker (or a line sample) and its words."""
    rows = _legend_rows(entries, canvas.width)
    for r, row in enumerate(rows):
        y = canvas.height - 14 - 18 * (len(rows) - 1 - r)
        for x, (shape, colour, text) in row:
            if isinstance(shape, tuple):
                canvas.items.append(Line(x, y - 4, x + 18, y - 4, colour, 2, shape))
                text_x = x + 24
            else:
                canvas.items.append(Marker(x + 5, y - 4, shape, 5, colour))
                text_x = x + 14
            canvas.items.append(Label(text_x, y, text, 11, TEXT))


def _start(
    *,
    title: str,
    width: int,
    height: int,
    values: Sequence[float],
    levels: Sequence[float],
    texts: Sequence[str],
    placed: Sequence[_Placed],
    legend: Sequence[LegendEntry],
) -> _Canvas:
    """Canvas with title, axes and PDSA markers drawn; the caller adds lines and points."""
    canvas, tick_texts, ticks = _canvas(
        width=width,
        height=height,
        values=values,
        levels=levels,
        annotation_rows=_annotation_rows(width, placed, len(values)),
        legend_rows=len(_legend_rows(legend, width)),
    )
    _title(canvas, title)
    _draw_axes(canvas, ticks, tick_texts, texts)
    _draw_annotations(canvas, placed)
    return canvas


def _title(canvas: _Canvas, title: str) -> None:
    canvas.items.append(Label(14, 24, title, 16, TEXT, "start", bold=True))


def _legend_entries(styles: Sequence[_Style]) -> list[LegendEntry]:
    """One entry per style in use, always in the same order (ordinary points first)."""
    used = set(styles)
    return [(s.shape, s.colour, s.legend) for s in _LEGEND_ORDER if s in used]


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


# --------------------------------------------------------------------------------------------
# Back ends
# --------------------------------------------------------------------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def to_svg(chart: Chart) -> str:
    """Self-contained SVG: role="img", a title and description, no external resources."""
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    root = ET.Element(
        "svg",
        {
            "xmlns": _SVG_NS,
            "width": str(chart.width),
            "height": str(chart.height),
            "viewBox": f"0 0 {chart.width} {chart.height}",
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "font-family": FONT_FAMILY,
        },
    )
    ET.SubElement(root, "title", {"id": title_id}).text = chart.title
    ET.SubElement(root, "desc", {"id": desc_id}).text = chart.description
    ET.SubElement(root, "rect", {"width": "100%", "height": "100%", "fill": "#FFFFFF"})
    for item in chart.items:
        _svg_item(root, item)
    return ET.tostring(root, encoding="unicode")


def _svg_item(root: ET.Element, item: Item) -> None:
    if isinstance(item, Line):
        attrs = {
            "x1": _n(item.x1),
            "y1": _n(item.y1),
            "x2": _n(item.x2),
            "y2": _n(item.y2),
            "stroke": item.colour,
            "stroke-width": _n(item.width),
        }
        if item.dash:
            attrs["stroke-dasharray"] = " ".join(_n(d) for d in item.dash)
        ET.SubElement(root, "line", attrs)
    elif isinstance(item, Polyline):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in item.points)
        ET.SubElement(
            root,
            "polyline",
            {
                "points": points,
                "fill": "none",
                "stroke": item.colour,
                "stroke-width": _n(item.width),
            },
        )
    elif isinstance(item, Marker):
        if item.shape == "circle":
            attrs = {"cx": _n(item.x), "cy": _n(item.y), "r": _n(item.radius), "fill": item.colour}
            ET.SubElement(root, "circle", attrs)
        else:
            outline = marker_outline(item.shape, item.x, item.y, item.radius)
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in outline)
            ET.SubElement(root, "polygon", {"points": points, "fill": item.colour})
    else:
        attrs = {
            "x": _n(item.x),
            "y": _n(item.y),
            "font-size": _n(item.size),
            "fill": item.colour,
            "text-anchor": item.anchor,
        }
        if item.bold:
            attrs["font-weight"] = "bold"
        ET.SubElement(root, "text", attrs).text = item.text


_PIL_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}


# Liberation Sans has Arial's metrics, so the PNG matches the SVG's layout estimates; DejaVu is
# the common fallback. Pillow's built-in font is the last resort and lacks letters such as "ø".
_FONT_FILES = {
    False: ("LiberationSans-Regular.ttf", "Arial.ttf", "DejaVuSans.ttf"),
    True: ("LiberationSans-Bold.ttf", "Arial Bold.ttf", "DejaVuSans-Bold.ttf"),
}
_FONT_DIRS = ("", "/usr/share/fonts/truetype/liberation/", "/usr/share/fonts/truetype/dejavu/")


@lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in _FONT_FILES[bold]:
        for folder in _FONT_DIRS:
            try:
                return ImageFont.truetype(folder + name, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def to_png(chart: Chart, *, scale: float = 2.0) -> bytes:
    """The same chart as PNG (``scale`` x the SVG size), with its title and description kept in
    the file's text chunks for tools that read them."""
    image = Image.new("RGB", (round(chart.width * scale), round(chart.height * scale)), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    for item in chart.items:
        _png_item(draw, item, scale)
    info = PngInfo()
    info.add_text("Title", chart.title)
    info.add_text("Description", chart.description)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _png_item(draw: ImageDraw.ImageDraw, item: Item, scale: float) -> None:
    if isinstance(item, Line):
        width = max(1, round(item.width * scale))
        start, end = (item.x1 * scale, item.y1 * scale), (item.x2 * scale, item.y2 * scale)
        for a, b in _dashes(start, end, tuple(d * scale for d in item.dash)):
            draw.line([a, b], fill=item.colour, width=width)
    elif isinstance(item, Polyline):
        points = [(x * scale, y * scale) for x, y in item.points]
        draw.line(points, fill=item.colour, width=max(1, round(item.width * scale)), joint="curve")
    elif isinstance(item, Marker):
        x, y, r = item.x * scale, item.y * scale, item.radius * scale
        if item.shape == "circle":
            draw.ellipse([x - r, y - r, x + r, y + r], fill=item.colour)
        else:
            draw.polygon(marker_outline(item.shape, x, y, r), fill=item.colour)
    else:
        draw.text(
            (item.x * scale, item.y * scale),
            item.text,
            fill=item.colour,
            font=_font(round(item.size * scale), item.bold),
            anchor=_PIL_ANCHOR[item.anchor],
        )


def _dashes(
    start: tuple[float, float], end: tuple[float, float], pattern: tuple[float, ...]
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Pillow has no dashed lines: cut the segment into the pattern's on-pieces."""
    if not pattern:
        return [(start, end)]
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return []
    pieces = []
    travelled, k = 0.0, 0
    while travelled < length:
        run = pattern[k % len(pattern)]
        stop = min(travelled + run, length)
        if k % 2 == 0:
            a, b = travelled / length, stop / length
            pieces.append(
                ((x1 + (x2 - x1) * a, y1 + (y2 - y1) * a), (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b))
            )
        travelled, k = stop, k + 1
    return pieces
