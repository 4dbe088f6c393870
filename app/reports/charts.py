"""Small accessible SVG bar charts for the reports: role=img, a title, a description, and a table."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56
# NHS.UK palette colours that keep 3:1 contrast against white and against each other's neighbours.
COLOURS = ("#005eb8", "#ffb81c", "#330072", "#007f3b")


def _nice_max(value: int) -> int:
    """The axis top: four equal whole-number steps of 1, 2 or 5 times a power of ten."""
    scale = 1
    while True:
        for unit in (1, 2, 5):
            if 4 * unit * scale >= value:
                return 4 * unit * scale
        scale *= 10


def _month_words(label: str, first: bool) -> tuple[str, str]:
    """'2026-01' as 'Jan' with '2026' under it (on the first bar and each January)."""
    if not _MONTH.fullmatch(label):
        return label, ""
    year, month = int(label[:4]), int(label[5:7])
    return _ABBR[month - 1], str(year) if first or month == 1 else ""


_MONTH = re.compile(r"\d{4}-\d{2}")
_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
) -> str:
    """Grouped bars, one group per label; the data table beside it carries the exact numbers."""
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="qia-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for i in range(5):  # gridlines and y labels
        value = top * i // 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dde0"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#212b32">{value}</text>'
        )
    for g, label in enumerate(labels):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, values in enumerate(series.values()):
            v = values[g] if g < len(values) else 0
            h = plot_h * v / top if top else 0
            out.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"/>'
            )
        if groups <= 12 or g % max(groups // 12, 1) == 0:
            words, year = _month_words(label, first=g == 0)
            x = LEFT + g * group_w + group_w / 2
            out.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="12" '
                f'fill="#212b32">{escape(words)}</text>'
            )
            if year:
                out.append(
                    f'<text x="{x:.1f}" y="{TOP + plot_h + 30}" text-anchor="middle" '
                    f'font-size="12" fill="#212b32">{year}</text>'
                )
    lx = LEFT
    for s, name in enumerate(series):  # legend
        out.append(
            f'<rect x="{lx}" y="{HEIGHT - 20}" width="12" height="12" '
            f'fill="{COLOURS[s % len(COLOURS)]}"/><text x="{lx + 16}" y="{HEIGHT - 10}" '
            f'font-size="12" fill="#212b32">{escape(name)}</text>'
        )
        lx += 24 + 8 * len(name)
    out.append("</svg>")
    return "".join(out)
