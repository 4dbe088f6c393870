"""Chart layout: scales, axes, PDSA markers, legends and the words a screen reader hears."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.analysis.scene import (
    _COMMON_STYLE,
    _LEGEND_ORDER,
    _RUN_POINT,
    AXIS,
    CHAR_WIDTH,
    COMMON,
    GRID,
    MAX_MARKED_POINTS,
    PDSA,
    TEXT,
    Annotation,
    Item,
    Label,
    LegendEntry,
    Line,
    Marker,
    Polyline,
    XLabel,
    _Style,
)

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
