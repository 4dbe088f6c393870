"""Drawing funnel plots: units against their denominators, limits that narrow, words for each."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.analysis import charts
from app.analysis.funnel import funnel
from app.analysis.funnel_charts import funnel_chart

PASSED = [18, 25, 9, 40, 14, 31, 6, 22, 12, 35, 20, 16]
TOOK = [40, 50, 30, 60, 45, 52, 28, 41, 33, 58, 47, 39]
TEAMS = [f"Team {chr(65 + i)}" for i in range(12)]


def _chart() -> charts.Chart:
    plot = funnel(PASSED, TOOK)
    return funnel_chart(plot, names=TEAMS, multiply=100, unit="%", title="Quiz pass rate")


def test_the_description_names_every_unit_beyond_a_limit() -> None:
    desc = _chart().description
    assert desc.startswith("Funnel plot of 12 units' proportions against their denominators.")
    assert "Target 47.4%; 95% and 99.8% limits, exact binomial." in desc
    assert "Above the 99.8% limit: Team D (66.7%)." in desc
    assert "Below the 95% limit: Team E (31.1%), Team G (21.4%)." in desc
    assert "8 of 12 units are within the 95% limits." in desc


def test_each_band_has_its_own_marker_shape() -> None:
    markers = [i for i in _chart().items if isinstance(i, charts.Marker)]
    shapes = {m.shape for m in markers}
    assert {"circle", "triangle_up", "triangle_down", "square"} <= shapes


def test_the_limits_narrow_left_to_right() -> None:
    chart = _chart()
    lines = [i for i in chart.items if isinstance(i, charts.Line) and i.dash == (1.5, 3.0)]
    curve = [line for line in lines if line.x2 > line.x1 + 1]  # the 99.8% curves, not the legend
    top = min(curve, key=lambda line: line.y1)
    rightmost_top = min(
        (line for line in curve if line.x2 == max(c.x2 for c in curve)), key=lambda line: line.y2
    )
    assert rightmost_top.y2 > top.y1  # the upper limit comes down as the denominator grows


def test_overdispersed_limits_say_so() -> None:
    plot = funnel(PASSED, TOOK, overdispersion_adjustment="multiplicative")
    assert "widened for overdispersion" in funnel_chart(plot).description


def test_one_name_per_unit() -> None:
    with pytest.raises(ValueError, match="11 names for 12 units"):
        funnel_chart(funnel(PASSED, TOOK), names=TEAMS[:11])


def test_the_png_keeps_the_words() -> None:
    image = Image.open(io.BytesIO(charts.to_png(_chart())))
    assert image.text["Title"] == "Quiz pass rate"
    assert "Team D" in image.text["Description"]
