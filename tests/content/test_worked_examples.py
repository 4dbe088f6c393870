"""The curriculum's worked examples agree with the platform's own statistics engine.

Two independent routes to the same numbers: the authors' hand calculations in the modules, and
app/analysis (pinned to qicharts2, Perla et al. and NHSRplotthedots). If either drifts, this fails.
"""

from __future__ import annotations

import re

from app.analysis import attribute, spc
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


def test_bronze_run_chart_example_uses_the_baseline_median() -> None:
    """Bronze teaches one method: the median of the baseline (weeks 1-10), extended and frozen."""
    values = _table_values("variation-and-run-charts", columns=(0, 1, 2, 3), first_row="| 1 | 41")
    assert len(values) == 19
    ihi = spc.run_ihi(values, baseline=10)
    body = MODULES["variation-and-run-charts"].body
    assert ihi.centre == 41.5
    assert "(41 + 42) ÷ 2 =\n**41.5**" in body
    assert sorted(values[:10])[4:6] == [41, 42]
    assert ihi.n_useful == 19
    assert "All **19 points are useful**" in body
    assert ihi.shifts == ((9, 18),)
    assert "**10 points in\na row below the median** (weeks 10 to 19)" in body
    assert ihi.trends == ((12, 16),)
    assert "(weeks 13 to 17)" in body
    assert ihi.runs == 9
    assert "**9 runs**" in body
    assert ihi.runs_limits == (6, 15)
    assert "between 6 and 15 runs" in body
    assert not ihi.too_few_runs
    assert not ihi.too_many_runs
    assert spc.median(values[10:]) == 33
    assert "the median of weeks 11 to 19 is 33" in body
    assert "Anhoej" not in body  # the Anhøj rules are taught in Silver
    assert "log2" not in body


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


def test_silver_anhoej_example_matches_qicharts2_limits() -> None:
    """Silver 04 reads the Bronze GP data with the Anhøj rules; the limits come from the engine."""
    values = _table_values("variation-and-run-charts", columns=(0, 1, 2, 3), first_row="| 1 | 41")
    runs = spc.run_anhoej(values, baseline=10)
    body = MODULES["spc-and-xmr-charts"].body
    assert runs.centre == 41.5
    assert runs.n_useful == 19
    assert runs.longest_run_max == 7
    assert "4 + 3 = **7**" in body
    assert runs.longest_run == 10
    assert runs.longest_run_span == (9, 18)
    assert "**10 points** (weeks 10 to 19 below the median)" in body
    assert (runs.crossings, runs.crossings_min) == (8, 6)
    assert "**8 times**, and the minimum for 19 points is **6**" in body
    assert runs.signal
    assert [spc.longest_run_max(n) for n in (12, 22, 23, 45)] == [7, 7, 8, 8]
    assert (spc.crossings_min(19), spc.crossings_min(24)) == (6, 8)
    quiz = {q.id: q for q in MODULES["spc-and-xmr-charts"].questions}
    [right] = [o.text for o in quiz["anhoej-longest-run"].options if o.correct]
    assert right == f"{spc.longest_run_max(24) + 1} or more points"


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1)


def test_silver_equity_example_recomputes_the_stratified_gap() -> None:
    """Silver 03: the overall figure rises while the gap for people needing an interpreter doubles."""
    body = MODULES["measurement-plan"].body
    before = {"interpreter": (12, 30), "none": (270, 450)}
    after = {"interpreter": (11, 32), "none": (345, 460)}
    totals = [tuple(map(sum, zip(*g.values(), strict=True))) for g in (before, after)]
    assert totals == [(282, 480), (356, 492)]
    assert "| All patients | 282 | 480 | 58.8 | 356 | 492 | 72.4 |" in body
    assert (_pct(282, 480), _pct(356, 492)) == (58.8, 72.4)
    assert round(100 * 356 / 492 - 100 * 282 / 480, 1) == 13.6
    assert "**13.6 percentage points**" in body
    gap_before = _pct(*before["none"]) - _pct(*before["interpreter"])
    gap_after = _pct(*after["none"]) - _pct(*after["interpreter"])
    assert (round(gap_before, 1), round(gap_after, 1)) == (20.0, 40.6)
    assert "**20.0 points**" in body
    assert "**40.6\npoints**" in body
    assert round(100 / 32, 1) == 3.1
    quiz = {q.id: q for q in MODULES["measurement-plan"].questions}
    assert "from 20.0 to 40.6" in quiz["equity-stratified-gap"].explanation


def test_silver_lean_example_recomputes_lead_time_and_the_x_ray_queue() -> None:
    """Silver 05: value-stream totals, and a queue built hour by hour from demand and capacity."""
    body = MODULES["testing-and-scaling"].body
    work, waits = [3, 10, 12, 20, 5], [25, 40, 15, 5, 0]
    assert (sum(work), sum(waits), sum(work) + sum(waits)) == (50, 85, 135)
    for total in ("**50 minutes**", "**85 minutes**", "**135 minutes**"):
        assert total in body
    assert f"{100 * sum(work) / (sum(work) + sum(waits)):.1f}" == "37.0"
    assert "**37.0%**" in body
    capacity, queue, rows = 60 // 6, 0, []
    for arriving in (14, 10, 6):
        seen = min(capacity, queue + arriving)
        rows.append((arriving, queue, seen, queue + arriving - seen))
        queue = queue + arriving - seen
    assert rows == [(14, 0, 10, 4), (10, 4, 10, 4), (6, 4, 10, 0)]
    for hour, (arriving, start, seen, end) in zip(("09", "10", "11"), rows, strict=True):
        assert f"| {hour}:00-{int(hour) + 1}:00 | {arriving} | {start} | {seen} | {end} |" in body
    assert "**30 patients**" in body
    assert "3 \u00d7 10 = **30**" in body


def test_gold_cohort_example_uses_the_platforms_attendance_rule() -> None:
    """Gold 05: seven sessions, one per Silver module; 'met' is decided as app/cohorts decides it."""
    from app.awards.silver import attendance_met

    body = MODULES["running-a-cohort"].body
    silver = sorted(m.meta.order for m in MODULES.values() if m.tier == "silver")
    sessions = len(silver)
    assert sessions == 7
    rows = [line for line in body.splitlines() if re.match(r"\| L\d\d \|", line)]
    assert len(rows) == 18
    present = [0] * sessions
    met = 0
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        marks = cells[2 : 2 + sessions]
        attended = marks.count("Y")
        present = [p + (m == "Y") for p, m in zip(present, marks, strict=True)]
        assert cells[2 + sessions] == f"{attended} of {sessions}"
        ok = attendance_met(attended=attended, total=sessions, required=80)
        assert cells[3 + sessions] == ("Yes" if ok else "No"), cells[0]
        met += ok
    assert present == [17, 17, 16, 11, 15, 16, 16]
    assert f"| **Present** | | {' | '.join(map(str, present))} | 108 of 126 |" in body
    assert f"{100 * sum(present) / 126:.1f}" == "85.7"
    assert "is 108 / 126 = 85.7%" in body
    assert f"{100 * (sum(present) - present[3]) / 108:.1f}" == "89.8"
    assert "97 attendances out of 108 possible, or 89.8%" in body
    assert met == 14
    assert "14 / 18 = 77.8%" in body
    assert not attendance_met(attended=5, total=7, required=80)
    assert attendance_met(attended=6, total=7, required=80)
    quiz = {q.id: q for q in MODULES["running-a-cohort"].questions}
    [right] = [o.text for o in quiz["eighty-percent-of-seven"].options if o.correct]
    assert right == "6 sessions"


def test_gold_observation_module_teaches_the_platforms_rubric() -> None:
    """Gold 06 teaches exactly the criteria, ratings and 'latest observation' rule that app/gold applies."""
    from datetime import date

    from app.gold.models import CRITERIA, RATINGS
    from app.gold.schemas import RATING_NAMES, ObservationPublic

    module = MODULES["observing-and-assessing-teaching"]
    body = module.body
    rubric_rows = [
        line.split("|")[1].strip() for line in body.splitlines() if line.startswith("| ")
    ]
    assert [r for r in rubric_rows if r in CRITERIA.values()] == list(CRITERIA.values())
    assert f"| Criterion | {' | '.join(RATING_NAMES[r] for r in RATINGS)} |" in body

    def observed(**ratings: str) -> ObservationPublic:
        return ObservationPublic(
            id=1, observed_on=date(2026, 1, 1), observer_name=None, ratings=ratings, notes="n"
        )

    first = dict.fromkeys(CRITERIA, "met") | {"content_accuracy": "not_yet_met"}
    first["inclusion"] = "not_yet_met"
    second = dict.fromkeys(CRITERIA, "met") | {"facilitation": "exceeded"}
    assert not observed(**first).all_met
    assert observed(**second).all_met
    # Priya's time logs: teaching minutes, presenting and active time, and the contribution tallies.
    blocks_1 = [(10, 4, 6), (20, 20, 0), (20, 0, 20), (15, 15, 0), (15, 7, 8)]
    blocks_2 = [(10, 4, 6), (20, 10, 10), (20, 0, 20), (15, 10, 5), (15, 7, 8)]
    for blocks in (blocks_1, blocks_2):
        assert sum(b[0] for b in blocks) == 90 - 10
        assert all(total == p + a for total, p, a in blocks)
    assert sum(b[1] for b in blocks_1) == 46
    assert sum(b[2] for b in blocks_1) == 34
    assert 100 * 34 / 80 == 42.5
    assert "**42.5%**" in body
    assert (sum(b[1] for b in blocks_2), sum(b[2] for b in blocks_2)) == (31, 49)
    assert 100 * 49 / 80 == 61.25
    assert "49 / 80 = **61.25%**" in body
    assert (_pct(7, 31), _pct(6, 14), _pct(15, 38)) == (22.6, 42.9, 39.5)
    for figure in ("**22.6%**", "**42.9%**", "**39.5%**"):
        assert figure in body
    quiz = {q.id: q for q in module.questions}
    [right] = [o.text for o in quiz["active-share"].options if o.correct]
    assert right == f"{100 * (80 - 26) / 80:.1f}%"


def test_gold_capability_plan_recomputes_capacity_from_the_curriculum() -> None:
    """Gold 07: the dosing plan's training, trainer and coaching capacity follow from its targets."""
    body = MODULES["building-qi-capability"].body
    staff = 6000
    targets = {"Bronze": 0.60, "Silver": 0.045, "Gold": 0.005, "Expert": 0.001}
    people = {k: round(v * staff) for k, v in targets.items()}
    assert people == {"Bronze": 3600, "Silver": 270, "Gold": 30, "Expert": 6}
    bronze_minutes = sum(m.meta.cpd_minutes for m in MODULES.values() if m.tier == "bronze")
    assert bronze_minutes == 260
    assert people["Bronze"] * bronze_minutes == 936_000
    assert "3,600 x 260 = 936,000 minutes, or **15,600 hours**" in body
    cohorts = people["Silver"] // 18
    assert (cohorts, cohorts // 3, cohorts // 3 * 2) == (15, 5, 10)
    silver_sessions = sum(1 for m in MODULES.values() if m.tier == "silver")
    gaps = silver_sessions - 1
    assert gaps * 20 == 120
    per_year = people["Silver"] // 3
    assert (per_year, per_year * 2, per_year * 2 // 10) == (90, 180, 18)
    assert "**180 hours of coaching a\nyear**, or 180 / 10 = **18 hours per trainer**" in body
    assert round(100 * 10 / 90) == 11
    assert 50 * 0.2 == 10


def test_silver_p_chart_example_matches_qicharts2() -> None:
    """Silver 04's Ward 7 drinks round: centre from the baseline sums, limits per week, signals."""
    residents = _table_values("spc-and-xmr-charts", columns=(0, 1, 4, 5), first_row="| 1 | 24 |")
    offered = _table_values("spc-and-xmr-charts", columns=(0, 2, 4, 6), first_row="| 1 | 24 |")
    assert len(residents) == len(offered) == 20
    assert min(residents) == 21
    assert max(residents) == 27
    chart = attribute.p_anhoej(offered, residents, baseline=12)
    body = MODULES["spc-and-xmr-charts"].body
    assert (sum(offered[:12]), sum(residents[:12])) == (158, 289)
    assert f"158 ÷ 289 = **{100 * chart.cl[0]:.1f}%**" in body
    for week in (4, 5):
        low, high = chart.lcl[week - 1], chart.ucl[week - 1]
        assert low is not None
        assert high is not None
        assert f"**{100 * low:.1f}% to {100 * high:.1f}%**" in body
    assert f"{100 * (chart.ucl[3] - chart.cl[0]):.1f} points" in body
    assert [i + 1 for i in chart.outside] == [15, 18, 19, 20]
    assert "Weeks 15, 18, 19 and 20 are above their upper limits" in body
    runs = chart.runs
    assert (runs.longest_run, runs.longest_run_max, runs.longest_run_span) == (9, 7, (11, 19))
    assert "9 points (weeks 12 to 20) and the limit for 20 points is 7" in body
    # The quiz: limits for a week with 25 residents.
    quiz = {q.id: q for q in MODULES["spc-and-xmr-charts"].questions}
    [right] = [o.text for o in quiz["p-chart-limits"].options if o.correct]
    at_25 = attribute.p_anhoej([*offered[:12], 10], [*residents[:12], 25], baseline=12)
    low, high = at_25.lcl[-1], at_25.ucl[-1]
    assert low is not None
    assert high is not None
    assert right == f"{100 * low:.1f}% to {100 * high:.1f}%"
    sd = (chart.cl[0] * (1 - chart.cl[0]) / 25) ** 0.5
    one_error = f"{100 * (chart.cl[0] - sd):.1f}% to {100 * (chart.cl[0] + sd):.1f}%"
    assert one_error in [o.text for o in quiz["p-chart-limits"].options if not o.correct]
    [p_chart] = [o.text for o in quiz["choose-p-chart"].options if o.correct]
    assert p_chart.startswith("A p chart")


def test_silver_u_and_g_chart_examples_match_qicharts2() -> None:
    body = MODULES["spc-and-xmr-charts"].body
    bed_days = [2790, 2650, 2810, 2720, 2800, 2700, 2830, 2760, 2690, 2820, 2740, 2780]
    falls = [19, 15, 22, 17, 20, 14, 23, 18, 16, 21, 12, 10]
    assert (sum(falls), sum(bed_days)) == (207, 33090)
    u = attribute.u_anhoej(falls, bed_days)
    assert f"**{1000 * u.cl[0]:.2f} falls per 1,000 bed days**" in body
    month = bed_days.index(2700)
    low, high = u.lcl[month], u.ucl[month]
    assert low is not None
    assert high is not None
    assert f"**{1000 * low:.2f} to {1000 * high:.2f}**" in body
    assert u.outside == ()
    assert not u.runs.signal
    assert f"({1000 * u.y[-2]:.2f} and {1000 * u.y[-1]:.2f})" in body
    gaps = [9, 14, 6, 21, 11, 17, 8, 25, 13, 10, 19, 7, 45, 62, 38, 71]
    assert "the gaps were 45, 62, 38 and 71" in body
    g = attribute.g_anhoej(gaps, baseline=12)
    assert sum(gaps[:12]) == 160
    assert f"**{g.ucl[0]:.1f} days**" in body
    assert f"here **{g.cl[0]:g} days**" in body
    assert [gaps[i] for i in g.outside] == [62, 71]
    assert "The gaps of 62 and 71 days are above the upper limit" in body
