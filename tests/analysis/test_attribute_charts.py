"""Drawing the attribute charts: accessible SVG and PNG with limits that follow each point."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from app.analysis import attribute, charts
from app.analysis.attribute_charts import attribute_chart
from app.analysis.scene import AXIS, LIMIT_DASH

RESIDENTS = [24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 23, 27, 21, 24, 26, 22, 25, 23, 24, 26]
OFFERED = [13, 12, 14, 11, 15, 13, 14, 12, 13, 14, 12, 15, 17, 20, 22, 19, 21, 20, 21, 23]
WEEKS = [date(2026, 5, 4) + timedelta(weeks=i) for i in range(20)]


def _p_chart() -> charts.Chart:
    p = attribute.p_anhoej(OFFERED, RESIDENTS, baseline=12)
    return attribute_chart(p, multiply=100, unit="%", x_labels=WEEKS, annotations=[(12, "PDSA 1")])


def test_the_svg_is_an_image_with_a_title_and_a_description_in_words() -> None:
    svg = charts.to_svg(_p_chart())
    assert 'role="img"' in svg
    assert "<title" in svg
    assert ">P chart</title>" in svg
    desc = _p_chart().description
    assert "Centre line 54.7%." in desc
    assert "Upper limit 83.4% to 87.3%, lower limit 22.1% to 25.9%; they vary" in desc
    assert "Outside the limits: 10 Aug 2026, 31 Aug 2026 to 14 Sep 2026." in desc
    assert "Longest run 9 points (20 Jul 2026 to 14 Sep 2026), signal above 7" in desc
    assert "Anhøj rules: non-random variation." in desc
    assert "PDSA 1 at 27 Jul 2026" in desc


def test_the_limits_are_drawn_point_to_point_not_as_one_level() -> None:
    chart = _p_chart()
    limits = [i for i in chart.items if isinstance(i, charts.Line) and i.dash == LIMIT_DASH]
    limits = [line for line in limits if line.colour == AXIS]
    assert len(limits) == 2 * (len(OFFERED) - 1) + 1  # and the legend sample
    upper = sorted(limits, key=lambda line: line.y1)[: len(OFFERED) - 1]
    assert len({round(line.y1, 2) for line in upper}) > 1


def test_points_outside_the_limits_have_their_own_marker_and_legend() -> None:
    chart = _p_chart()
    diamonds = [i for i in chart.items if isinstance(i, charts.Marker) and i.shape == "diamond"]
    assert len(diamonds) == 4 + 1  # four points and the legend's sample
    assert any(isinstance(i, charts.Label) and i.text == "Outside the limits" for i in chart.items)


def test_a_chart_without_limits_says_so() -> None:
    flat = attribute.pp_anhoej([0] * 6, [9] * 6)
    chart = attribute_chart(flat)
    assert "No limits" in chart.description
    assert "no runs to test" in chart.description


def test_the_png_matches_the_svg_size_and_keeps_the_words() -> None:
    chart = attribute_chart(attribute.g_anhoej([9, 14, 6, 21, 11, 17, 8, 25, 13, 62], baseline=9))
    image = Image.open(io.BytesIO(charts.to_png(chart)))
    assert image.size == (1600, 880)
    assert image.text["Description"].startswith("G chart of 10 points")
    assert "Median 13." in image.text["Description"]  # of the 9 baseline gaps
