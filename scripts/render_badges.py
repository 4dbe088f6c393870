"""Draw the Bronze, Silver and Gold badge artwork as SVG and as a 512x512 PNG from one design.

Pillow cannot rasterise SVG, so both files are drawn here from the same shapes, colours and
text metrics; the SVG's text is pinned to the PNG's measured widths (textLength) so the two
match whatever font a viewer substitutes.

    .venv/bin/python scripts/render_badges.py     # rewrites content/achievements/images/*
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "content" / "achievements" / "images"
FONT = ROOT / "app" / "credentials" / "fonts" / "DejaVuSans-Bold.ttf"
SIZE = 512
SUPERSAMPLE = 4  # Pillow draws without anti-aliasing: draw 4x larger, then downsample.

CX, CY = 256, 212
SCALLOPS, SCALLOP_RING, SCALLOP_R = 20, 166, 28
RIM_R, FACE_R = 154, 122
NHS_BLUE, NHS_DARK_BLUE, WHITE = "#005EB8", "#003087", "#FFFFFF"
LEFT_TAIL = ((214, 300), (158, 478), (190, 462), (212, 494), (268, 322))


@dataclass(frozen=True)
class Tier:
    slug: str
    label: str
    dark: str
    base: str
    light: str
    stars: int


TIERS = (
    Tier("bronze", "Bronze", dark="#7A4A1E", base="#B87333", light="#E3A971", stars=1),
    Tier("silver", "Silver", dark="#4F5961", base="#A3ADB5", light="#DDE3E7", stars=2),
    Tier("gold", "Gold", dark="#8C5E0A", base="#D9A520", light="#F6D77A", stars=3),
)


@dataclass(frozen=True)
class Text:
    value: str
    y: float  # baseline
    size: float
    fill: str


def texts(tier: Tier) -> list[Text]:
    return [
        Text("QI Academy", CY - 36, 29, NHS_DARK_BLUE),
        Text(tier.label.upper(), CY + 22, 44, tier.dark),
    ]


def star_points(cx: float, cy: float, outer: float = 18, inner: float = 7.6) -> list[tuple]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def star_centres(count: int) -> list[tuple[float, float]]:
    spacing = 44
    first = CX - spacing * (count - 1) / 2
    return [(first + i * spacing, CY + 64) for i in range(count)]


def scallop_centres() -> list[tuple[float, float]]:
    return [
        (
            CX + SCALLOP_RING * math.cos(2 * math.pi * i / SCALLOPS),
            CY + SCALLOP_RING * math.sin(2 * math.pi * i / SCALLOPS),
        )
        for i in range(SCALLOPS)
    ]


def mirror(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    return tuple((SIZE - x, y) for x, y in points)


def font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), round(size * SUPERSAMPLE))


# --- SVG ------------------------------------------------------------------------------------


def _pts(points: tuple | list) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def svg(tier: Tier) -> str:
    title_id, desc_id = f"qia-{tier.slug}-title", f"qia-{tier.slug}-desc"
    stars = ("one star", "two stars", "three stars")[tier.stars - 1]
    description = (
        f"A {tier.slug} rosette with blue ribbons. It reads QI Academy, "
        f"{tier.label}, and shows {stars}."
    )
    scallops = "".join(
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{SCALLOP_R}"/>' for x, y in scallop_centres()
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">QI Academy {tier.label} badge</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<polygon points="{_pts(LEFT_TAIL)}" fill="{NHS_BLUE}"/>',
        f'<polygon points="{_pts(mirror(LEFT_TAIL))}" fill="{NHS_BLUE}"/>',
        f'<g fill="{tier.dark}">{scallops}<circle cx="{CX}" cy="{CY}" r="{SCALLOP_RING}"/></g>',
        f'<circle cx="{CX}" cy="{CY}" r="{RIM_R}" fill="{tier.base}"/>',
        f'<circle cx="{CX}" cy="{CY}" r="{RIM_R - 8}" fill="none" stroke="{tier.light}" '
        'stroke-width="3"/>',
        f'<circle cx="{CX}" cy="{CY}" r="{FACE_R}" fill="{WHITE}" stroke="{tier.dark}" '
        'stroke-width="5"/>',
    ]
    for text in texts(tier):
        width = font(text.size).getlength(text.value) / SUPERSAMPLE
        lines.append(
            f'<text x="{CX}" y="{text.y}" text-anchor="middle" '
            'font-family="\'DejaVu Sans\', Verdana, Arial, sans-serif" font-weight="bold" '
            f'font-size="{text.size}" textLength="{width:.2f}" lengthAdjust="spacingAndGlyphs" '
            f"fill={quoteattr(text.fill)}>{escape(text.value)}</text>"
        )
    for cx, cy in star_centres(tier.stars):
        lines.append(
            f'<polygon points="{_pts(star_points(cx, cy))}" fill="{tier.base}" '
            f'stroke="{tier.dark}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


# --- PNG ------------------------------------------------------------------------------------


def png(tier: Tier) -> Image.Image:
    s = SUPERSAMPLE
    image = Image.new("RGBA", (SIZE * s, SIZE * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def circle(cx: float, cy: float, r: float, **kwargs: object) -> None:
        draw.ellipse([(cx - r) * s, (cy - r) * s, (cx + r) * s, (cy + r) * s], **kwargs)  # type: ignore[arg-type]

    def polygon(points: tuple | list, **kwargs: object) -> None:
        draw.polygon([(x * s, y * s) for x, y in points], **kwargs)  # type: ignore[arg-type]

    polygon(LEFT_TAIL, fill=NHS_BLUE)
    polygon(mirror(LEFT_TAIL), fill=NHS_BLUE)
    for x, y in scallop_centres():
        circle(x, y, SCALLOP_R, fill=tier.dark)
    circle(CX, CY, SCALLOP_RING, fill=tier.dark)
    circle(CX, CY, RIM_R, fill=tier.base)
    circle(CX, CY, RIM_R - 8 + 1.5, outline=tier.light, width=3 * s)
    circle(CX, CY, FACE_R + 2.5, fill=tier.dark)
    circle(CX, CY, FACE_R - 2.5, fill=WHITE)
    for text in texts(tier):
        draw.text(
            (CX * s, text.y * s), text.value, font=font(text.size), fill=text.fill, anchor="ms"
        )
    for cx, cy in star_centres(tier.stars):
        polygon(star_points(cx, cy, outer=18 + 1.25, inner=7.6 + 1.25), fill=tier.dark)
        polygon(star_points(cx, cy, outer=18 - 1.25, inner=7.6 - 1.25), fill=tier.base)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for tier in TIERS:
        (OUT / f"{tier.slug}.svg").write_text(svg(tier), encoding="utf-8")
        png(tier).save(OUT / f"{tier.slug}.png", optimize=True)
        print(f"wrote {OUT.relative_to(ROOT)}/{tier.slug}.svg and .png")


if __name__ == "__main__":
    main()
