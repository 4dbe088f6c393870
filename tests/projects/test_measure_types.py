"""Measures know their type: proportions, counts, rates and rare events take their pairs or dates,
bad rows are refused with what to fix (nothing half-written), and the chooser recommends the
chart in plain words; existing (continuous) measures chart as before."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.analysis import attribute, funnel_view
from app.analysis.charts import fmt
from app.core.errors import Conflict
from app.projects import chooser, measure_charts, service
from app.projects.constants import MEASURE_TYPES
from app.projects.models import DataPoint
from app.projects.schemas import MeasureIn
from tests.factories import bearer, csrf_token, sign_in
from tests.projects.factories import (
    access,
    fill,
    make_cohort,
    make_learner,
    make_trainer,
    start,
    weeks,
)

# Ward 7: residents offered a drink at the 3pm round, out of the 21 to 27 residents each week.
DENOMINATORS = [24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 21, 27, 23]
NUMERATORS = [12, 11, 13, 10, 14, 12, 13, 12, 11, 13, 15, 20, 18, 21, 20, 18, 21, 17, 23, 19]


def pairs_text() -> str:
    lines = [
        f"{d.isoformat()},{n},{m}"
        for d, n, m in zip(weeks(20), NUMERATORS, DENOMINATORS, strict=True)
    ]
    return "date,offered,residents\n" + "\n".join(lines)


def _post(client: TestClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = getattr(client, "_qia_csrf", None) or csrf_token(client, "/projects")
    client._qia_csrf = token  # type: ignore[attr-defined]
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def learner(db: Session):  # type: ignore[no-untyped-def]
    cohort = make_cohort(db, lead=make_trainer(db))
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort)
    return ann, project


def _proportion_form(name: str = "Drinks offered at 3pm") -> dict[str, str]:
    return {
        "kind": "process",
        "data_type": "proportion",
        "name": name,
        "definition": "Residents offered a drink at the 3pm round, out of residents on the unit.",
        "unit": "% of residents",
        "direction": "increase",
    }


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(DataPoint)) or 0


def test_a_proportion_measure_takes_pasted_pairs_and_draws_a_p_chart_with_weekly_limits(
    client: TestClient, db: Session, learner
) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    sign_in(client, ann.email)
    r = _post(client, f"/projects/{project.id}/measures", _proportion_form())
    assert r.status_code == 303, r.text
    measure = service.measures(db, project_id=project.id)[0]
    assert (measure.data_type, measure.method) == ("proportion", "p_anhoej")
    base = f"/projects/{project.id}/measures/{measure.id}"
    page = client.get(base).text
    assert "Are you counting people who did or did not get something?" in page
    assert "we recommend <strong>a chart of the percentage each week" in page
    r = _post(client, f"{base}/data/import", {"csv": pairs_text()})
    assert r.status_code == 303, r.text
    stored = service.measure_data(db, project_id=project.id, measure_id=measure.id).data
    assert [(p.value, p.denominator) for p in stored] == list(
        zip(map(float, NUMERATORS), map(float, DENOMINATORS), strict=True)
    )
    chart = client.get(f"{base}/chart").text
    assert "Why this chart:" in chart
    assert "worked out for each week" in chart
    expected = attribute.p_anhoej(NUMERATORS, DENOMINATORS)
    shown = re.findall(r"; limits ([\d.]+)% to ([\d.]+)%", chart)
    assert shown == [
        (fmt(lo * 100), fmt(hi * 100))
        for lo, hi in zip(expected.lcl, expected.ucl, strict=True)  # type: ignore[operator]
    ]
    assert len({hi for _, hi in shown}) > 3  # the limits follow each week's residents
    assert "12 of 24" in chart


def test_bad_pairs_are_refused_line_by_line_and_nothing_is_saved(
    client: TestClient, db: Session, learner
) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    sign_in(client, ann.email)
    _post(client, f"/projects/{project.id}/measures", _proportion_form())
    measure = service.measures(db, project_id=project.id)[0]
    text = "\n".join(
        [
            "date,offered,residents",
            "2026-01-05,12,24",
            "2026-01-12,11,22",
            "2026-01-19,3,0",  # line 4: no residents
            "2026-01-26,30,27",  # line 5: more offered than residents
            "2026-02-02,12",  # line 6: the denominator is missing
            "2026-02-09,2.5,20",  # line 7: half a resident
        ]
    )
    r = _post(client, f"/projects/{project.id}/measures/{measure.id}/data/import", {"csv": text})
    assert r.status_code == 422
    assert (
        "Line 4 (19 Jan 2026): the denominator is 0: a proportion needs at least one case in "
        "the period." in r.text
    )
    assert "Line 5 (26 Jan 2026): the numerator (30) is more than the denominator (27)" in r.text
    assert "Line 6: expected 3 values (date,numerator,denominator) but found 2." in r.text
    assert "Line 7 (9 Feb 2026): the numerator is 2.5: it must be a whole number" in r.text
    assert _count(db) == 0


def test_one_pair_typed_in_is_checked_field_by_field(
    client: TestClient, db: Session, learner
) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    sign_in(client, ann.email)
    _post(client, f"/projects/{project.id}/measures", _proportion_form())
    measure = service.measures(db, project_id=project.id)[0]
    path = f"/projects/{project.id}/measures/{measure.id}/data"
    r = _post(client, path, {"period": "2026-01-05", "value": "5", "denominator": "0"})
    assert r.status_code == 422
    assert "The denominator is 0: a proportion needs at least one case" in r.text
    assert 'id="denominator-error"' in r.text
    assert _count(db) == 0
    r = _post(client, path, {"period": "2026-01-05", "value": "5", "denominator": "21"})
    assert r.status_code == 303
    assert _count(db) == 1


def test_the_api_wants_denominators_for_a_proportion_and_says_which_value_is_wrong(
    client: TestClient, db: Session, learner
) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    headers = bearer(client, ann.email)
    body = {**_proportion_form(), "is_main": False}
    r = client.post(f"/api/v1/projects/{project.id}/measures", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert (r.json()["data_type"], r.json()["method"]) == ("proportion", "p_anhoej")
    path = f"/api/v1/projects/{project.id}/measures/{r.json()['id']}/data"
    bad = {
        "points": [
            {"period": "2026-01-05", "value": 12, "denominator": 24},
            {"period": "2026-01-12", "value": 12},
            {"period": "2026-01-19", "value": 25, "denominator": 24},
        ]
    }
    r = client.post(path, json=bad, headers=headers)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "Value 2 (12 Jan 2026): give the denominator as well" in detail
    assert "Value 3 (19 Jan 2026): the numerator (25) is more than the denominator (24)" in detail
    assert _count(db) == 0
    good = {"points": [{"period": "2026-01-05", "value": 12, "denominator": 24}]}
    assert client.post(path, json=good, headers=headers).json() == {"added": 1, "updated": 0}


def test_existing_measures_are_continuous_and_chart_as_before(db: Session, learner) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    a = fill(db, project, ann)
    measure = service.measures(db, project_id=project.id)[0]
    assert measure.data_type == "continuous"
    assert measure_charts.series(measure).plotted == [p.value for p in measure.data]
    with pytest.raises(
        ValidationError, match=r"a measurement .* cannot use the p chart; choose the XmR"
    ):
        MeasureIn(**{**_proportion_form(), "data_type": "continuous", "method": "p_anhoej"})  # type: ignore[arg-type]
    change = MeasureIn(**{**_proportion_form("Doses on time"), "kind": "outcome"})  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="already has 22 values"):
        service.update_measure(db, access=a, measure_id=measure.id, data=change)


def test_rare_events_are_dates_and_the_chart_shows_the_days_between(db: Session, learner) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    a = access(db, project, ann)
    data = MeasureIn(  # type: ignore[call-arg]
        kind="outcome",
        data_type="rare_event",
        name="Pressure ulcers",
        definition="Each new category 2 or worse pressure ulcer acquired on the unit.",
        unit="days between",
        direction="increase",
    )
    measure = service.create_measure(db, access=a, data=data)
    assert measure.method == "g_anhoej"
    text = "date\n2026-01-03\n2026-01-20\n2026-01-20\n2026-02-25\n2026-04-01\n"
    assert service.import_csv(db, access=a, measure_id=measure.id, text=text).added == 4
    held = service.measure_data(db, project_id=project.id, measure_id=measure.id)
    assert [p.value for p in held.data] == [1, 2, 1, 1]  # two ulcers found on 20 January
    got = measure_charts.series(held)
    assert got.plotted == [17.0, 0.0, 36.0, 35.0]
    assert got.dates == [date(2026, 1, 20), date(2026, 1, 20), date(2026, 2, 25), date(2026, 4, 1)]


def test_a_rate_is_plotted_per_1000_of_exposure() -> None:
    from app.projects.schemas import MeasureData, PointPublic

    measure = MeasureData(
        id=1,
        kind="outcome",
        data_type="rate",
        name="Falls",
        definition="Falls per occupied bed day",
        unit="falls per 1,000 bed days",
        direction="decrease",
        target=None,
        method="u_anhoej",
        baseline_points=None,
        is_main=False,
        data=[
            PointPublic(period=d, value=v, denominator=e)
            for d, v, e in zip(weeks(3), [3, 5, 2], [600, 625, 580], strict=True)
        ],
    )
    assert [round(v, 6) for v in measure_charts.series(measure).plotted] == [5.0, 8.0, 3.448276]


def test_the_chooser_is_a_table_with_one_question_and_a_recommended_chart_per_type() -> None:
    assert [q.data_type for q in chooser.QUESTIONS] == list(
        dict.fromkeys(q.data_type for q in chooser.QUESTIONS)
    )
    assert {q.data_type for q in chooser.QUESTIONS} == set(MEASURE_TYPES)
    assert chooser.recommend("continuous").method == "xmr_mdc"  # Making Data Count's default
    assert chooser.recommend("proportion").chart.chart_type == "p"
    assert chooser.question("proportion").ask == (
        "Are you counting people who did or did not get something?"
    )
    for kind in MEASURE_TYPES:
        rec = chooser.recommend(kind)
        assert chooser.choices(kind)[0].method == rec.method
        assert rec.why.count(". ") == 0  # one sentence
        assert rec.why.endswith(".")


def test_a_trainer_compares_projects_sharing_a_proportion_measure_on_a_funnel(
    client: TestClient, db: Session
) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    latest = {"Ann Lee": (18, 24), "Ben Cole": (9, 21), "Cat Dunn": (25, 26)}
    for name, (n, d) in latest.items():
        person = make_learner(db, cohort, name=name)
        project = start(db, person, cohort)
        a = access(db, project, person)
        m = service.create_measure(
            db,
            access=a,
            data=MeasureIn(**_proportion_form(" drinks offered at 3pm ")),  # type: ignore[arg-type]
        )
        points = [(weeks(2)[0], 10.0, 20.0), (weeks(2)[1], float(n), float(d))]
        service.save_points(db, access=a, measure_id=m.id, points=points)
    db.flush()
    sign_in(client, trainer.email)
    page = client.get(f"/trainer/cohorts/{cohort.id}/projects").text
    assert "Each project's latest period (12 Jan 2026)." in page
    table = page[page.index("the latest period of each project: the data table") :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", table)]
    plot = attribute_free_funnel([n for n, _ in latest.values()], [d for _, d in latest.values()])
    rows = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    assert [r[0] for r in rows] == list(latest)
    for row, unit in zip(rows, plot.units, strict=True):
        lim = unit.limits
        assert row[3] == f"{fmt(unit.value * 100)}%"
        assert row[4] == f"{fmt(lim.lower_95 * 100)}% to {fmt(lim.upper_95 * 100)}%"
        assert row[5] == f"{fmt(lim.lower_998 * 100)}% to {fmt(lim.upper_998 * 100)}%"
        assert row[6] == funnel_view.BAND_WORDS[unit.band]
    assert rows[1][6] == "Below the 95% limit"  # 9 of 21, against 52 of 71 overall


def attribute_free_funnel(observed: list[int], denominators: list[int]):  # type: ignore[no-untyped-def]
    from app.analysis import funnel

    return funnel.funnel(observed, denominators, kind="proportion", method="exact")


def test_rare_events_refuse_what_is_not_rare_or_not_an_event() -> None:
    from app.projects.dataio import DataRejected, parse_points

    with pytest.raises(DataRejected) as caught:
        parse_points("2026-01-05,0\n2026-01-12,51\n2026-01-19,2.5\n", "rare_event")
    assert caught.value.errors == [
        "Line 1 (5 Jan 2026): the number of events on a date must be 1 or more.",
        "Line 2 (12 Jan 2026): 51 events on one date are not rare: record them as a count "
        "measure (at most 50 a date here).",
        "Line 3 (19 Jan 2026): the number of events is 2.5: it must be a whole number, 1 or more.",
    ]


def _measure(data_type: str, method: str, points: list[tuple[date, float, float | None]]):  # type: ignore[no-untyped-def]
    from app.projects.schemas import MeasureData, PointPublic

    return MeasureData(
        id=7,
        kind="outcome",
        data_type=data_type,  # type: ignore[arg-type]
        name="M",
        definition="d",
        unit="u",
        direction="increase",
        target=None,
        method=method,  # type: ignore[arg-type]
        baseline_points=None,
        is_main=False,
        data=[PointPublic(period=p, value=v, denominator=n) for p, v, n in points],
    )


@pytest.mark.parametrize(
    ("data_type", "numbers"),
    [
        ("proportion", [(12, 24), (11, 22), (15, 25), (10, 21), (20, 27), (14, 23)]),
        ("rate", [(3, 600), (5, 625), (2, 580), (4, 610), (6, 640), (1, 590)]),
        ("count", [(3, None), (5, None), (2, None), (4, None), (6, None), (1, None)]),
        ("rare_event", [(1, None)] * 6),
    ],
)
def test_every_chart_a_type_allows_is_drawn_with_its_words(
    data_type: str, numbers: list[tuple[int, int | None]]
) -> None:
    from app.projects import charts as project_charts

    spaced = [date(2026, 1, 1) + timedelta(days=d) for d in (0, 3, 10, 12, 30, 33)]
    points = [
        (d, float(v), None if n is None else float(n))
        for d, (v, n) in zip(spaced, numbers, strict=True)
    ]
    measure = _measure(data_type, chooser.recommend(data_type).method, points)
    types = project_charts.available_types(measure)
    assert types[0][0] == chooser.recommend(data_type).chart.chart_type
    for chart_type, name in types:
        view = project_charts.build(measure, [], chart_type)  # type: ignore[arg-type]
        assert view.chart is not None, (chart_type, view.message)
        assert name in view.title
        assert len(view.rows) == len(measure_charts.series(measure).plotted)
        assert view.signals


def test_a_chart_the_measure_cannot_draw_is_a_404_saying_so(
    client: TestClient, db: Session, learner
) -> None:  # type: ignore[no-untyped-def]
    ann, project = learner
    a = fill(db, project, ann)
    measure = service.measures(db, project_id=a.project.id)[0]
    sign_in(client, ann.email)
    r = client.get(f"/projects/{project.id}/measures/{measure.id}/chart?type=p")
    assert r.status_code == 404
    assert "A p chart cannot be drawn for this measure" in r.text


def test_the_trainer_can_widen_the_funnel_for_overdispersion_and_the_page_says_so(
    client: TestClient, db: Session
) -> None:
    from app.analysis import funnel

    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    # Wards that differ far more than chance: 2 of 40, 20 of 40, 38 of 40, 20 of 40.
    latest = {"Ann Lee": (2, 40), "Ben Cole": (20, 40), "Cat Dunn": (38, 40), "Dev Shah": (20, 40)}
    for name, (n, d) in latest.items():
        person = make_learner(db, cohort, name=name)
        project = start(db, person, cohort)
        a = access(db, project, person)
        m = service.create_measure(
            db,
            access=a,
            data=MeasureIn(**_proportion_form("drinks offered at 3pm")),  # type: ignore[arg-type]
        )
        service.save_points(db, access=a, measure_id=m.id, points=[(weeks(1)[0], n, d)])
    db.flush()
    sign_in(client, trainer.email)
    observed = [float(n) for n, _ in latest.values()]
    denominators = [float(d) for _, d in latest.values()]
    url = f"/trainer/cohorts/{cohort.id}/projects"
    for spread in ("none", "multiplicative", "additive"):
        page = client.get(url, params={"limits": spread})
        assert page.status_code == 200, page.text
        plot = funnel.funnel(
            observed, denominators, kind="proportion", overdispersion_adjustment=spread
        )
        table = page.text[page.text.index("the latest period of each project: the data table") :]
        cells = [
            re.sub(r"<[^>]+>", "", c)
            for c in re.findall(r"<td[^>]*>.*?</td>", table[: table.index("</table>")])
        ]
        rows = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        for row, unit in zip(rows, plot.units, strict=True):
            lim = unit.limits
            assert row[4] == f"{fmt(lim.lower_95 * 100)}% to {fmt(lim.upper_95 * 100)}%"
            assert row[6] == funnel_view.BAND_WORDS[unit.band]
        assert f'<option value="{spread}" selected>' in page.text
        if spread == "none":
            assert "with no overdispersion adjustment" in page.text
            assert rows[0][6] == "Below the 99.8% limit"
        else:
            assert plot.adjusted
            assert f"phi = {plot.phi:.2f}" in page.text
            assert "so the 95% and 99.8% limits are widened" in page.text
    wide = funnel.funnel(observed, denominators, overdispersion_adjustment="multiplicative")
    narrow = funnel.funnel(observed, denominators)
    assert wide.units[0].limits.lower_95 < narrow.units[0].limits.lower_95
    bad = client.get(url, params={"limits": "lots"})
    assert bad.status_code == 422
