"""Server-drawn charts: well-formed, self-contained, described in words, and the same as PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PIL import Image

from app.analysis import charts, spc

SVG = "{http://www.w3.org/2000/svg}"
# Falls per week: a stable baseline, then 8 weeks below the baseline median after a change.
FALLS = [12.0, 15, 11, 14, 13, 16, 12, 15, 13, 14, 10, 9, 11, 8, 10, 9, 8, 10, 14, 12]
WEEKS = [f"week {i}" for i in range(1, len(FALLS) + 1)]
WAITS = [50.0, 53, 48, 51, 49, 54, 47, 52, 50, 48, 53, 49, 60, 63, 58, 61, 59, 64, 57, 62, 85]
MONDAYS = [date(2024, 1, 1) + timedelta(weeks=i) for i in range(len(WAITS))]


def _run_chart(**kwargs: object) -> charts.Chart:
    analysis = spc.run_ihi(FALLS, baseline=10)
    defaults: dict[str, object] = {
        "x_labels": WEEKS,
        "baseline": 10,
        "annotations": [(10, "PDSA 1: new falls checklist")],
        "title": "Inpatient falls per week",
    }
    return charts.run_chart(FALLS, analysis, **{**defaults, **kwargs})  # type: ignore[arg-type]


def _xmr_chart(**kwargs: object) -> charts.Chart:
    analysis = spc.xmr_mdc(WAITS, rebase=[12], improvement="decrease", target=55)
    defaults: dict[str, object] = {
        "x_labels": MONDAYS,
        "target": 55,
        "improvement": "decrease",
        "annotations": [(date(2024, 3, 20), "PDSA 2: triage nurse")],
        "title": "Minutes to triage",
    }
    return charts.xmr_chart(WAITS, analysis, **{**defaults, **kwargs})  # type: ignore[arg-type]


def _parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(charts.to_svg(chart))


def _contrast(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    lum = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (lum + 0.05)


@pytest.mark.parametrize("build", [_run_chart, _xmr_chart], ids=["run", "xmr"])
def test_svg_is_well_formed_with_role_title_and_description(
    build: Callable[[], charts.Chart],
) -> None:
    chart = build()
    root = _parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == chart.title
    assert desc is not None
    assert desc.text == chart.description
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


@pytest.mark.parametrize("build", [_run_chart, _xmr_chart], ids=["run", "xmr"])
def test_svg_loads_nothing_from_outside(build: Callable[[], charts.Chart]) -> None:
    svg = charts.to_svg(build())
    for needle in ("href", "url(", "@import", "<script", "<image", "<foreignObject"):
        assert needle not in svg
    assert svg.count("http") == 1  # the xmlns namespace name, which is never fetched


def test_run_chart_description_says_median_shift_and_pdsa_in_words() -> None:
    description = _run_chart().description
    assert "Median of the first 10 points 13.5." in description
    assert "Shift of 8 points below the median, week 11 to week 18." in description
    assert "PDSA 1: new falls checklist at week 11" in description


def test_run_chart_marks_shift_points_with_their_own_shape_and_a_legend() -> None:
    root = _parse(_run_chart())
    squares = [p for p in root.iter(f"{SVG}polygon") if p.get("fill") == charts.IMPROVEMENT]
    assert len(squares) == 8 + 1  # the shift's points plus the legend sample
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Part of a shift" in texts
    assert "PDSA 1: new falls checklist" in texts


def test_anhoej_run_chart_dashes_the_median_when_runs_signal() -> None:
    values = [1.0, 2, 1, 2, 1, 2, 1, 2, 1, 2, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    analysis = spc.run_anhoej(values)
    assert analysis.signal
    chart = charts.run_chart(values, analysis)
    dashed = [
        i
        for i in chart.items
        if isinstance(i, charts.Line) and i.colour == charts.SIGNAL_LINE and i.dash
    ]
    assert dashed
    assert "Non-random variation: an unusually long run" in chart.description


def test_xmr_chart_shows_each_group_and_colours_points_by_mdc_type() -> None:
    chart = _xmr_chart()
    analysis = spc.xmr_mdc(WAITS, rebase=[12], improvement="decrease", target=55)
    assert analysis.points[-1].point_type == "special_cause_concern"
    root = _parse(chart)
    diamonds = [p for p in root.iter(f"{SVG}polygon") if p.get("fill") == charts.CONCERN]
    assert len(diamonds) == 1 + 1  # the concern point plus the legend sample
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Special cause: concern" in texts
    assert "Target 55" in texts
    description = chart.description
    assert "1 Jan 2024 to 18 Mar 2024: mean 50.3, process limits" in description
    assert "Special cause concern: 20 May 2024." in description
    assert "Latest point: special cause concern." in description
    assert "PDSA 2: triage nurse at 20 Mar 2024" in description


def test_every_colour_meets_wcag_aa_contrast_on_white() -> None:
    for chart in (_run_chart(), _xmr_chart()):
        for item in chart.items:
            if isinstance(item, charts.Label):
                assert _contrast(item.colour) >= 4.5, item
            elif isinstance(item, charts.Line) and item.colour == charts.GRID:
                continue  # gridlines are decoration; the tick labels carry the values
            elif isinstance(item, charts.Line | charts.Polyline | charts.Marker):
                assert _contrast(item.colour) >= 3.0, item


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_png_decodes_at_the_chart_size_times_the_scale(scale: float) -> None:
    chart = _xmr_chart(width=640, height=360)
    image = Image.open(io.BytesIO(charts.to_png(chart, scale=scale)))
    assert image.format == "PNG"
    assert image.size == (round(640 * scale), round(360 * scale))
    assert image.text["Description"] == chart.description  # type: ignore[attr-defined]


def test_png_is_drawn_from_the_same_layout_as_the_svg() -> None:
    chart = _run_chart()
    image = Image.open(io.BytesIO(charts.to_png(chart, scale=1))).convert("RGB")
    marker = next(i for i in chart.items if isinstance(i, charts.Marker) and i.shape == "square")
    pixel = image.getpixel((round(marker.x), round(marker.y)))
    assert pixel == tuple(int(charts.IMPROVEMENT[i : i + 2], 16) for i in (1, 3, 5))


def test_text_is_escaped_so_the_svg_stays_well_formed() -> None:
    chart = _run_chart(title='Falls & "trips" <ward 3>', annotations=[(3, "Bed <alarms> & mats")])
    root = _parse(chart)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Falls & "trips" <ward 3>'


def test_long_series_draw_only_special_cause_markers() -> None:
    values = [(10.0, 12.0, 11.0, 13.0)[i % 4] for i in range(1200)]  # no special cause
    chart = charts.xmr_chart(values, spc.xmr_mdc(values))
    markers = [i for i in chart.items if isinstance(i, charts.Marker)]
    assert len(markers) < 50
    assert ET.fromstring(charts.to_svg(chart)) is not None


def test_annotations_must_fall_on_the_chart() -> None:
    analysis = spc.run_ihi(FALLS)
    with pytest.raises(ValueError, match="outside 0 to 19"):
        charts.run_chart(FALLS, analysis, annotations=[(25, "late")])
    with pytest.raises(ValueError, match="need dates as x labels"):
        charts.run_chart(FALLS, analysis, annotations=[(date(2024, 1, 1), "dated")])
    with pytest.raises(ValueError, match="one per value"):
        charts.run_chart(FALLS, analysis, x_labels=WEEKS[:-1])
