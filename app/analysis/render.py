"""Back ends: a laid-out :class:`~app.analysis.scene.Chart` written as SVG or as PNG."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from app.analysis.scene import (
    FONT_FAMILY,
    Chart,
    Item,
    Line,
    Marker,
    Polyline,
    marker_outline,
)

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
