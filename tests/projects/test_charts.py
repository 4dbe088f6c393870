"""Chart pages: accessible SVG with a data table, signals in words, PDSA marks, a fixed baseline,
limits recalculated after a change, PNG downloads, and the analysis engine's numbers."""

from __future__ import annotations

import io
import re
import statistics
from datetime import date

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from app.analysis import spc
from app.analysis.charts import fmt
from app.projects import service
from app.projects.schemas import MeasureIn, PdsaIn, RebaseCreate
from tests.factories import bearer, sign_in
from tests.projects.factories import (
    AFTER,
    BASELINE,
    access,
    fill,
    make_cohort,
    make_learner,
    make_trainer,
    start,
    weeks,
)


@pytest.fixture
def filled(db: Session):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    measure = service.measures(db, project_id=project.id)[0]
    return ann, a, measure


def _chart(client: TestClient, a: service.ProjectAccess, measure_id: int, kind: str) -> str:
    r = client.get(f"/projects/{a.project.id}/measures/{measure_id}/chart?type={kind}")
    assert r.status_code == 200, r.text
    return r.text


def test_run_chart_page_is_accessible_svg_with_a_data_table(client: TestClient, filled) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "run")
    figure = page[page.index('<figure class="qia-chart">') :]
    svg = figure[: figure.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="measure-' in svg
    assert "<title" in svg
    assert "<desc" in svg
    # The median of the frozen baseline (12 points), as the engine computes it.
    median = statistics.median(BASELINE)
    assert f"Median {median:g} % of doses, from the first 12 points." in page
    # PDSA cycles are marked on the time axis and listed.
    assert ">PDSA 1</text>" in svg
    assert ">PDSA 2</text>" in svg
    assert "PDSA 1: Sticker test 1, from 30 March 2026" in page
    # The data table has one row per value, with the rules' note.
    table = page[page.index('id="data-table"') :]
    assert table.count('<tr class="nhsuk-table__row">') == len(BASELINE) + len(AFTER) + 1
    assert "Above the median; part of an unusually long run" in table
    assert "Unusually long run" in page
    assert "download>Download this chart as a PNG image" in page


def test_ihi_rules_name_the_shift_and_its_dates(client: TestClient, db: Session, filled) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    data = MeasureIn.model_validate(measure.model_dump() | {"method": "run_ihi"})
    service.update_measure(db, access=a, measure_id=measure.id, data=data)
    db.flush()
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "run")
    expected = spc.run_ihi(BASELINE + AFTER, baseline=12)
    first, last = expected.shifts[0]
    assert "IHI run chart rules" in page
    shift_row = page[page.index(">Shift<") :]
    assert '<td class="nhsuk-table__cell">Yes</td>' in shift_row[:1500]
    assert f"{weeks(22)[first].day} {weeks(22)[first]:%b %Y} to" in shift_row[:1500]
    assert "Part of a shift" in page
    assert last == 21


def test_xmr_chart_uses_the_fixed_baseline_and_shows_improvement(
    client: TestClient, filled
) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "xmr")
    expected = spc.xmr_mdc(BASELINE + AFTER, baseline=12, improvement="increase", target=90)
    group = expected.groups[0]
    assert "Making Data Count" in page
    assert f"process limits {fmt(group.lpl)} to {fmt(group.upl)} (from its first 12 points)" in page
    assert "Special cause: improvement (a point outside the process limits)" in page
    assert "Latest point (" in page
    assert "Target 90:" in page
    h = bearer(client, ann.email)
    api = client.get(
        f"/api/v1/projects/{a.project.id}/measures/{measure.id}/chart?type=xmr", headers=h
    )
    body = api.json()
    assert body["available"] is True
    assert body["improvement"] is True
    assert [m["label"] for m in body["pdsa"]] == ["PDSA 1", "PDSA 2"]
    assert len(body["data"]) == 22
    outside = next(s for s in body["signals"] if s["rule"].startswith("A point outside"))
    assert outside["found"] is True


def test_limits_are_recalculated_from_a_rebase_date(
    client: TestClient, db: Session, filled
) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    change = weeks(22)[12]
    service.add_rebase(
        db,
        access=a,
        measure_id=measure.id,
        data=RebaseCreate(starts_on=change, reason="Sticker adopted"),
    )
    # The baseline (12) is longer than the second period (10), so MDC fixes neither.
    data = MeasureIn.model_validate(measure.model_dump() | {"baseline_points": None})
    service.update_measure(db, access=a, measure_id=measure.id, data=data)
    db.flush()
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "xmr")
    expected = spc.xmr_mdc(BASELINE + AFTER, improvement="increase", target=90, rebase=[12])
    before, after = expected.groups
    assert f"5 Jan 2026 to 23 Mar 2026: mean {fmt(before.mean)}" in page
    assert f"30 Mar 2026 to 1 Jun 2026: mean {fmt(after.mean)}" in page
    # A rebase before the data, or with too few points after it, is explained, not applied.
    service.add_rebase(
        db,
        access=a,
        measure_id=measure.id,
        data=RebaseCreate(starts_on=date(2025, 1, 1), reason="Too early"),
    )
    service.add_rebase(
        db,
        access=a,
        measure_id=measure.id,
        data=RebaseCreate(starts_on=weeks(22)[21], reason="Last week"),
    )
    db.flush()
    page = _chart(client, a, measure.id, "xmr")
    assert "Limits are not recalculated from 1 Jan 2025 (Too early)" in page
    assert "once each period has at least 2 points" in page


def test_short_baselines_and_pdsa_cycles_outside_the_data_are_explained(
    client: TestClient, db: Session, filled
) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    data = MeasureIn.model_validate(measure.model_dump() | {"baseline_points": 6})
    service.update_measure(db, access=a, measure_id=measure.id, data=data)
    service.create_cycle(db, access=a, data=PdsaIn(title="Next year", starts_on=date(2027, 1, 4)))
    db.flush()
    sign_in(client, ann.email)
    xmr = _chart(client, a, measure.id, "xmr")
    assert "The baseline is fixed at 6 points, but Making Data Count needs at least 12" in xmr
    assert "PDSA 3 (Next year) starts 4 Jan 2027" in xmr
    run = _chart(client, a, measure.id, "run")
    assert "from the first 6 points" in run


def test_i_chart_rules_add_the_qicharts2_limits_in_words(
    client: TestClient, db: Session, filled
) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    data = MeasureIn.model_validate(measure.model_dump() | {"method": "i_anhoej"})
    service.update_measure(db, access=a, measure_id=measure.id, data=data)
    db.flush()
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "xmr")
    chart = spc.i_anhoej(BASELINE + AFTER, baseline=12)
    assert f"I chart (qicharts2, Anhøj rules): centre {fmt(chart.runs.centre)}" in page
    assert f"3-sigma limits {fmt(chart.lcl)} to {fmt(chart.ucl)}" in page


def test_png_download_is_the_same_chart_for_reports(client: TestClient, filled) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    sign_in(client, ann.email)
    r = client.get(f"/projects/{a.project.id}/measures/{measure.id}/chart.png?type=xmr")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert "attachment" in r.headers["content-disposition"]
    image = Image.open(io.BytesIO(r.content))
    assert image.size == (1600, 880)
    assert "XmR chart" in image.info["Title"]
    assert "PDSA 1" in image.info["Description"]


def test_a_measure_without_enough_data_says_what_to_add(
    client: TestClient, db: Session, filled
) -> None:  # type: ignore[no-untyped-def]
    ann, a, _measure = filled
    empty = service.create_measure(
        db,
        access=access(db, a.project, ann),
        data=MeasureIn(
            kind="balancing",
            name="Night staff overtime",
            definition="Hours of overtime worked by night staff each week, from e-rostering.",
            unit="hours",
            direction="decrease",
        ),
    )
    service.save_points(db, access=a, measure_id=empty.id, points=[(date(2026, 1, 5), 3.0)])
    db.flush()
    sign_in(client, ann.email)
    page = _chart(client, a, empty.id, "run")
    assert "There is 1 value so far: a chart needs at least 2." in page
    assert "qia-chart" not in page
    png = client.get(f"/projects/{a.project.id}/measures/{empty.id}/chart.png?type=run")
    assert png.status_code == 404
    assert "a chart needs at least 2" in png.text
    bad_type = client.get(f"/projects/{a.project.id}/measures/{empty.id}/chart?type=pie")
    assert bad_type.status_code == 422


def test_flat_data_cannot_be_analysed_and_says_why(client: TestClient, db: Session, filled) -> None:  # type: ignore[no-untyped-def]
    ann, a, measure = filled
    service.save_points(db, access=a, measure_id=measure.id, points=[(d, 50.0) for d in weeks(22)])
    data = MeasureIn.model_validate(
        measure.model_dump() | {"baseline_points": None, "method": "run_anhoej"}
    )
    service.update_measure(db, access=a, measure_id=measure.id, data=data)
    db.flush()
    sign_in(client, ann.email)
    page = _chart(client, a, measure.id, "run")
    assert re.search(r"The chart cannot be drawn yet: Every value equals the centre line", page)
