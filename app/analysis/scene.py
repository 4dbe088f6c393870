"""The scene every chart is made of: colours, simple shapes and the marker styles.

Colours follow Making Data Count (grey common cause, blue improvement, orange concern, purple
neutral) but darkened where MDC's own shades fall below the WCAG 2.1 AA 3:1 contrast for
graphics on white (#289DE0 is 3.0:1, #FAB428 is 1.8:1). Every special cause also has its own
marker shape and a legend entry, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

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
