"""The portfolio dashboard: counts by status, score, theme, division, staff group and month; stale
projects; every table as CSV with the formula guard; a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.portfolio import dashboard, scores, service
from tests.factories import sign_in
from tests.portfolio.factories import YORK, approve, person, qi_lead, register, score


def _rows(t: dashboard.Table) -> dict[str, list[object]]:
    return {str(r[0]): r[1:] for r in t.rows}


def test_the_tables_count_the_organisations_projects_only(db: Session) -> None:
    lead = qi_lead(db)
    nurse = person(db)
    doctor = person(db, staff_group="medical_dental")
    a = register(db, nurse, themes=["falls", "patient_safety"], division="Medicine")
    b = register(db, doctor, themes=["falls"], division="Surgery")
    register(db, doctor, themes=["medicines"], division="Surgery")
    register(db, person(db, organisation=YORK), themes=["falls"], division="Medicine")
    approve(db, a, lead)
    approve(db, b, lead)
    acc = service.access(db, project_id=a.id, user=lead)
    scores.confirm(db, acc=acc, score_id=score(db, a, nurse, "3.0", "2026-10-01"))
    org = lead.organisation_id
    assert org is not None
    t = {k: dashboard.table(db, organisation_id=org, key=k) for k in dashboard.TABLES}
    assert _rows(t["status"])["Active"] == [2]
    assert _rows(t["status"])["Waiting for approval"] == [1]
    assert _rows(t["score"])["3.0 Modest improvement"] == [1]
    assert _rows(t["score"])["No confirmed score yet"] == [2]
    assert _rows(t["theme"])["Falls"] == [2]
    assert _rows(t["theme"])["Medicines"] == [1]
    assert t["theme"].rows[0] == ["Falls", 2]  # largest first
    assert _rows(t["division"]) == {"Surgery": [2], "Medicine": [1]}
    assert _rows(t["staff_group"])["Medical and dental"] == [2]
    assert _rows(t["staff_group"])["Nursing and midwifery registered"] == [1]
    this_month = t["months"].rows[-1]
    assert this_month[1:] == [3, 2]
    assert len(t["months"].rows) == 12
    assert _rows(t["status"])["All projects"] == [3]


def test_stale_lists_active_projects_with_no_update_for_8_weeks(db: Session) -> None:
    lead = qi_lead(db)
    nurse = person(db)
    old = register(db, nurse, title="Quiet for 60 days")
    recent = register(db, nurse, title="Quiet for 50 days")
    waiting = register(db, nurse, title="Waiting for 60 days")
    approve(db, old, lead)
    approve(db, recent, lead)
    now = utcnow()
    old.updated_at = now - timedelta(days=60)
    recent.updated_at = now - timedelta(days=50)
    waiting.updated_at = now - timedelta(days=60)
    db.flush()
    assert lead.organisation_id is not None
    t = dashboard.table(db, organisation_id=lead.organisation_id, key="stale")
    assert [r[0] for r in t.rows] == ["Quiet for 60 days"]
    assert t.caption.endswith(": 1")
    assert t.links == {0: old.id}


def test_every_table_downloads_as_csv_with_formulas_quoted(client: TestClient, db: Session) -> None:
    lead = qi_lead(db)
    register(db, person(db), division='=HYPERLINK("http://evil")')
    org = lead.organisation_id
    sign_in(client, lead.email)
    for key in dashboard.TABLES:
        page = client.get(f"/portfolio/organisations/{org}/dashboard", params={"view": key})
        assert page.status_code == 200, key
        assert f"/dashboard/{key}.csv" in page.text
        r = client.get(f"/portfolio/organisations/{org}/dashboard/{key}.csv")
        assert r.status_code == 200, key
        assert r.headers["content-type"].startswith("text/csv")
    r = client.get(f"/portfolio/organisations/{org}/dashboard/division.csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["Division or service", "Projects"]
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "1"]
    missing = client.get(f"/portfolio/organisations/{org}/dashboard/everything.csv")
    assert missing.status_code == 404
    assert "no such table" in missing.text
    bad = client.get(f"/portfolio/organisations/{org}/dashboard", params={"view": "everything"})
    assert bad.status_code == 422


def test_each_dashboard_view_runs_the_same_queries_for_3_projects_or_30(
    client: TestClient, db: Session, count_queries
) -> None:  # type: ignore[no-untyped-def]
    lead = qi_lead(db)
    nurse = person(db)
    org = lead.organisation_id
    sign_in(client, lead.email)

    def statements() -> list[int]:
        counts = []
        for key in dashboard.TABLES:
            with count_queries() as counter:
                url = f"/portfolio/organisations/{org}/dashboard?view={key}"
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    for _ in range(3):
        register(db, nurse)
    few = statements()
    for i in range(27):
        register(db, nurse, themes=["falls", "flow"], division=f"Division {i}")
    assert statements() == few


def test_improving_lists_cohort_projects_whose_measures_show_improvement(
    client: TestClient, db: Session
) -> None:
    from sqlalchemy import select

    from app.portfolio.models import PortfolioProject
    from app.projects import service as projects_service
    from app.projects.schemas import MeasureIn
    from tests.projects.factories import access, make_cohort, make_learner, make_trainer, start
    from tests.projects.factories import weeks as project_weeks

    cohort = make_cohort(db, lead=make_trainer(db))
    flat = [60.0, 63, 61, 64, 62, 59, 63, 62, 61, 64, 60, 62, 61, 63, 62, 60]
    rising = [*flat[:12], 80.0, 84, 86, 83]  # a shift upwards: a special cause
    made = {}
    for name, values, direction in (
        ("Ann Lee", rising, "increase"),  # the team wants more: improvement
        ("Ben Cole", rising, "decrease"),  # the team wants fewer: a rise is not improvement
        ("Cat Dunn", flat, "increase"),  # common cause only
    ):
        learner = make_learner(db, cohort, name=name)
        project = start(db, learner, cohort, title=f"Doses on time ({name})")
        a = access(db, project, learner)
        m = projects_service.create_measure(
            db,
            access=a,
            data=MeasureIn.model_validate(
                {
                    "kind": "outcome",
                    "name": "Doses on time",
                    "definition": "Time-critical doses given within 30 minutes",
                    "unit": "% of doses",
                    "direction": direction,
                    "baseline_points": 12,  # limits from the first 12 weeks, before the change
                }
            ),
        )
        points = list(zip(project_weeks(len(values)), values, strict=True))
        projects_service.save_points(db, access=a, measure_id=m.id, points=points)
        made[name] = project
    db.flush()
    org = cohort.organisation_id
    assert org is not None
    t = dashboard.table(db, organisation_id=org, key="improving")
    assert t.caption == "Active projects with a measure showing improvement: 1 of 3"
    assert t.rows == [["Doses on time (Ann Lee)", "", "Doses on time"]]
    ann = db.scalar(
        select(PortfolioProject).where(PortfolioProject.cohort_project_id == made["Ann Lee"].id)
    )
    assert ann is not None
    assert t.links == {0: ann.id}

    lead = qi_lead(db, organisation=ann_org_name(db, org))
    sign_in(client, lead.email)
    page = client.get(f"/portfolio/organisations/{org}/dashboard", params={"view": "improving"})
    assert page.status_code == 200
    assert f'href="/portfolio/projects/{ann.id}">Doses on time (Ann Lee)</a>' in page.text
    csv_text = client.get(f"/portfolio/organisations/{org}/dashboard/improving.csv").text
    assert list(csv.reader(io.StringIO(csv_text)))[1] == [
        "Doses on time (Ann Lee)",
        "",
        "Doses on time",
    ]


def ann_org_name(db: Session, org: int) -> str:
    from app.accounts import service as accounts_service

    return accounts_service.organisation_names(db, organisation_ids=[org])[org]
