"""The curriculum's worked examples agree with the platform's own statistics engine.

Two independent routes to the same numbers: the authors' hand calculations in the modules, and
app/analysis (pinned to qicharts2, Perla et al. and NHSRplotthedots). If either drifts, this fails.
"""

from __future__ import annotations

import re

from app.analysis import spc
from app.content.loader import load_content
from app.core.config import get_settings

MODULES = {m.slug: m for m in load_content(get_settings().content_dir).modules}


def _table_values(slug: str, *, columns: tuple[int, ...], first_row: str) -> list[float]:
    """Numbers from a module's data table, read in week order from the given column pairs."""
    lines = MODULES[slug].body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_row))
    rows = []
    for line in lines[start:]:  # the table runs until the first line that is not a table row
        if not line.startswith("|"):
            break
        rows.append(line)
    cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
    by_week: dict[int, float] = {}
    for row in cells:
        for week_col, value_col in zip(columns[::2], columns[1::2], strict=True):
            if value_col < len(row) and row[week_col] and row[value_col]:
                week = int(re.match(r"\d+", row[week_col]).group())  # type: ignore[union-attr]
                by_week[week] = float(row[value_col])
    return [by_week[w] for w in sorted(by_week)]


def test_bronze_run_chart_example_matches_the_run_chart_rules() -> None:
    values = _table_values("variation-and-run-charts", columns=(0, 1, 2, 3), first_row="| 1 | 41")
    assert len(values) == 19
    ihi = spc.run_ihi(values)
    body = MODULES["variation-and-run-charts"].body
    assert ihi.centre == 38
    assert "median is the 10th value, which is **38**" in body
    assert ihi.n_useful == 18
    assert "leaves 18 useful points" in body
    assert ihi.shifts == ((11, 18),)
    assert "Weeks 12 to 19 are all below 38" in body
    assert ihi.trends == ((12, 16),)
    assert "(weeks 13 to 17)" in body
    assert ihi.runs == 4
    assert "**4 runs**" in body
    assert ihi.runs_limits[0] == 6
    assert "expects at least\n6 runs" in body
    anhoej = spc.run_anhoej(values)
    assert (anhoej.longest_run, anhoej.longest_run_max) == (8, 7)
    assert (anhoej.crossings, anhoej.crossings_min) == (3, 5)
    assert "limit for crossings with 18 points is\n5" in body


def test_silver_xmr_example_matches_making_data_count() -> None:
    values = _table_values("spc-and-xmr-charts", columns=(0, 1), first_row="| 1 | 21")
    assert len(values) == 20
    chart = spc.xmr_mdc(values, baseline=12, improvement="decrease")
    [group] = chart.groups
    body = MODULES["spc-and-xmr-charts"].body
    assert round(group.mean, 2) == 22.17
    assert "**22.17 minutes**" in body
    assert round(group.upl, 2) == 28.45
    assert "**28.45 minutes**" in body
    assert round(group.lpl, 2) == 15.88
    assert "**15.88 minutes**" in body
    assert round(group.nlpl, 2) == 17.98
    assert "below\n17.98 minutes" in body
    types = [p.point_type for p in chart.points]
    assert types[:12] == ["common_cause"] * 12  # "no signals" in the baseline
    assert types[12:] == ["special_cause_improvement"] * 8  # weeks 13-20 "coloured blue"
    assert chart.points[18].outside_limits
    assert "Week 19 (15 minutes) is below the lower limit" in body
