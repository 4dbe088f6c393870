"""Accessible funnel plots: each unit's value against its denominator, inside 95% and 99.8%
limits that narrow as the denominator grows (Spiegelhalter 2005), on the shared chart scene.

Units beyond a limit have their own marker shape and legend entry, and the description lists
them by name in words, so the picture is never the only way to read the comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

from app.analysis.funnel import Funnel
from app.analysis.layout import (
    _canvas,
    _draw_legend,
    _draw_levels,
    _legend_rows,
    _nice_step,
    _strip_zeros,
    _title,
    fmt,
)
from app.analysis.scene import (
    AXIS,
    COMMON,
    CONCERN,
    GRID,
    IMPROVEMENT,
    LIMIT_DASH,
    TEXT,
    Chart,
    Item,
    Label,
    LegendEntry,
    Line,
    Marker,
    Shape,
)

_BANDS: dict[str, tuple[Shape, str, float, str]] = {
    "within": ("circle", COMMON, 4, "Within the 95% limits"),
    "above_95": ("triangle_up", IMPROVEMENT, 6, "Above the 95% limit"),
    "below_95": ("triangle_down", IMPROVEMENT, 6, "Below the 95% limit"),
    "above_99_8": ("square", CONCERN, 5, "Above the 99.8% limit"),
    "below_99_8": ("diamond", CONCERN, 6, "Below the 99.8% limit"),
}
_DOTTED = (1.5, 3.0)


def funnel_chart(
    plot: Funnel,
    *,
    names: Sequence[str] | None = None,
    multiply: float = 1.0,
    unit: str = "",
    denominator_label: str = "Denominator",
    title: str = "Funnel plot",
    chart_id: str = "funnel-chart",
    width: int = 800,
    height: int = 440,
) -> Chart:
    """Units as points at (denominator, value); the limits as curves; the target as a line."""
    names = list(names) if names is not None else [f"Unit {u.index + 1}" for u in plot.units]
    if len(names) != len(plot.units):
        raise ValueError(f"{len(names)} names for {len(plot.units)} units; give one per unit.")
    values = [u.value * multiply for u in plot.units]
    curves = {
        key: [getattr(c, key) * multiply for c in plot.curve]
        for key in ("lower_95", "upper_95", "lower_998", "upper_998")
    }
    target = plot.target * multiply
    used = [b for b in _BANDS if any(u.band == b for u in plot.units)]
    legend: list[LegendEntry] = [(_BANDS[b][0], _BANDS[b][1], _BANDS[b][3]) for b in used]
    legend += [(LIMIT_DASH, AXIS, "95% limits"), (_DOTTED, AXIS, "99.8% limits")]
    legend.append(((), TEXT, "Target"))
    canvas, tick_texts, ticks = _canvas(
        width=width,
        height=height,
        values=values,
        levels=[target, *curves["lower_998"], *curves["upper_998"]],
        annotation_rows=0,
        legend_rows=len(_legend_rows(legend, width)),
    )
    canvas.n = 2  # x is a share of the denominator range, 0 to 1
    low, high = plot.curve[0].denominator, plot.curve[-1].denominator
    span = (high - low) or 1.0

    def x(denominator: float) -> float:
        return canvas.x((denominator - low) / span) if high > low else canvas.x(0.5)

    _title(canvas, title)
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = canvas.y(tick)
        canvas.items.append(Line(canvas.left, y, canvas.right, y, GRID))
        canvas.items.append(Label(canvas.left - 6, y + 4, text, 11, TEXT, "end"))
    canvas.items.append(Line(canvas.left, canvas.top, canvas.left, canvas.bottom, AXIS))
    canvas.items.append(Line(canvas.left, canvas.bottom, canvas.right, canvas.bottom, AXIS))
    _x_axis(canvas.items, x, low, high, canvas.bottom, denominator_label, width)
    ty = canvas.y(target)
    canvas.items.append(Line(canvas.left, ty, canvas.right, ty, TEXT, 1.5))
    for key, dash in (("95", LIMIT_DASH), ("998", _DOTTED)):
        for side in ("lower", "upper"):
            ys = curves[f"{side}_{key}"]
            points = [(x(c.denominator), canvas.y(v)) for c, v in zip(plot.curve, ys, strict=True)]
            if len(points) == 1:  # every unit has the same denominator: a short bar per limit
                (px, py) = points[0]
                points = [(px - 20, py), (px + 20, py)]
            for (x1, y1), (x2, y2) in pairwise(points):
                canvas.items.append(Line(x1, y1, x2, y2, AXIS, 1.5, dash))
    _draw_levels(canvas, [(target, f"Target {fmt(target)}{unit}", TEXT)])
    for unit_, value in zip(plot.units, values, strict=True):
        shape, colour, radius, _words = _BANDS[unit_.band]
        canvas.items.append(Marker(x(unit_.denominator), canvas.y(value), shape, radius, colour))
    _draw_legend(canvas, legend)
    return Chart(
        width,
        height,
        title,
        _description(plot, names, values, target, unit),
        tuple(canvas.items),
        chart_id,
    )


def _x_axis(
    items: list[Item],
    position: Callable[[float], float],
    low: float,
    high: float,
    bottom: float,
    label: str,
    width: int,
) -> None:
    """Nice ticks along the denominator axis, and the axis name under them."""
    step = _nice_step(max(high - low, 1.0))
    first = math.ceil(low / step) * step
    tick = first
    while tick <= high + 1e-9 * step:
        px = position(tick)
        items.append(Line(px, bottom, px, bottom + 4, AXIS))
        items.append(Label(px, bottom + 17, _strip_zeros(f"{tick:.6f}"), 11, TEXT, "middle"))
        tick += step
    items.append(Label(width / 2, bottom + 33, label, 11, TEXT, "middle"))


def _description(
    plot: Funnel, names: Sequence[str], values: Sequence[float], target: float, unit: str
) -> str:
    what = "proportions" if plot.kind == "proportion" else "rates"
    method = (
        "widened for overdispersion (normal approximation)"
        if plot.adjusted
        else "exact binomial"
        if plot.method == "exact" and plot.kind == "proportion"
        else "exact Poisson"
        if plot.method == "exact"
        else "normal approximation"
    )
    sentences = [
        f"Funnel plot of {len(values)} units' {what} against their denominators.",
        f"Target {fmt(target)}{unit}; 95% and 99.8% limits, {method}.",
    ]
    for band, (_shape, _colour, _radius, words) in _BANDS.items():
        if band == "within":
            continue
        hits = [
            f"{names[u.index]} ({fmt(values[u.index])}{unit})" for u in plot.units if u.band == band
        ]
        if hits:
            sentences.append(f"{words}: {', '.join(hits)}.")
    within = sum(u.band == "within" for u in plot.units)
    sentences.append(f"{within} of {len(values)} units are within the 95% limits.")
    return " ".join(sentences)
