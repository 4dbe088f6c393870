"""The XmR "Signals explained" table: one row per rule, every span where it fired, whole."""

from __future__ import annotations

from datetime import date, timedelta

from app.projects import charts
from app.projects.schemas import MeasureData, PointPublic
from tests.analysis.test_rule_spans import DRINKS

START = date(2026, 5, 4)


def _drinks_measure(baseline: int | None) -> MeasureData:
    return MeasureData(
        id=1,
        kind="process",
        name="Offered a drink at 3pm",
        definition="Residents offered a drink at the 3pm round, of those on the ward",
        unit="%",
        direction="increase",
        target=None,
        method="xmr_mdc",
        baseline_points=baseline,
        is_main=True,
        data=[
            PointPublic(period=START + timedelta(weeks=i), value=v) for i, v in enumerate(DRINKS)
        ],
    )


def _rows(baseline: int | None) -> dict[str, charts.Signal]:
    view = charts.build(_drinks_measure(baseline), [], "xmr")
    return {s.rule: s for s in view.signals}


def test_the_drinks_table_says_yes_to_the_shift_and_gives_the_whole_trend() -> None:
    rows = _rows(12)
    assert list(rows) == [
        "A point outside the process limits",
        "A run of 7 points going up or down",
        "2 of 3 points close to a limit",
        "7 points on one side of the mean",
    ]
    shift = rows["7 points on one side of the mean"]
    assert shift.found is True
    assert shift.where == "20 Jul 2026 to 12 Oct 2026"
    trend = rows["A run of 7 points going up or down"]
    assert trend.found is True
    assert trend.where == "10 Aug 2026 to 21 Sep 2026"
    assert rows["2 of 3 points close to a limit"].found is False


def test_every_span_of_a_rule_is_listed() -> None:
    shift = _rows(None)["7 points on one side of the mean"]
    assert shift.where == "4 May 2026 to 13 Jul 2026; 20 Jul 2026 to 12 Oct 2026"


def test_point_colours_keep_making_data_counts_precedence() -> None:
    view = charts.build(_drinks_measure(12), [], "xmr")
    notes = [row.note for row in view.rows[11:]]
    assert all("(a point outside the process limits)" in note for note in notes)
