"""The cohort dashboard: learners x Silver modules, attendance, projects; CSV export; fixed queries."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.progress import service as progress_service
from tests.cohorts.factories import (
    make_cohort,
    make_learner,
    make_session,
    make_trainer,
    pass_silver,
)
from tests.factories import bearer, csrf_token, sign_in


def _setup(db: Session, registry: ContentRegistry):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams", attendance_required=50)
    ann = make_learner(db, cohort, name="Ann Lee")
    bob = make_learner(db, cohort, name="=HYPERLINK(evil)")
    pass_silver(db, registry, ann, count=2)
    third = registry.tier("silver")[2]
    progress_service.record_quiz_result(
        db, user_id=ann.id, module=third, score=40, passed=False, rows={}
    )
    db.flush()
    return lead, cohort, ann, bob


def test_dashboard_shows_each_learner_by_module_with_attendance(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    lead, cohort, ann, _bob = _setup(db, registry)
    one = make_session(db, cohort, title="W1")
    make_session(db, cohort, title="W2", days=14)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/sessions/{one.id}/register"
    client.post(path, data={f"mark-{ann.id}": "present", "csrf_token": csrf_token(client, path)})
    page = client.get(f"/trainer/cohorts/{cohort.id}")
    assert page.status_code == 200
    text = page.text
    assert "Ann Lee" in text
    assert text.count("passed (90%)") == 2
    assert "in progress (40%)" in text
    assert "not started" in text
    assert "1 of 1 held so far (100%), 1 to come, met" in text  # W2 is next fortnight
    assert "<strong>0 of 2</strong> learners have completed Silver" in text
    for m in registry.tier("silver"):
        assert m.meta.title in text
    api = client.get(f"/api/v1/cohorts/{cohort.id}/dashboard", headers=bearer(client, lead.email))
    assert api.status_code == 200
    row = next(r for r in api.json()["rows"] if r["user_id"] == ann.id)
    assert [c["status"] for c in row["cells"][:3]] == ["completed", "completed", "in_progress"]
    assert row["silver"]["modules_passed"] == 2
    assert row["silver"]["attendance_met"] is True
    assert row["silver"]["project"] == "not started"
    assert row["silver"]["complete"] is False


def test_dashboard_exports_as_csv(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    lead, cohort, ann, _bob = _setup(db, registry)
    sign_in(client, lead.email)
    r = client.get(f"/trainer/cohorts/{cohort.id}/export.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="cohort-{cohort.id}-' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    header = rows[0]
    slugs = [m.slug for m in registry.tier("silver")]
    assert header[:3] == ["full_name", "email", "team"]
    assert header[3:5] == [f"{slugs[0]} status", f"{slugs[0]} best score"]
    assert header[-2:] == ["project", "silver complete"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Ann Lee", "'=HYPERLINK(evil)"}  # no formula injection
    ann_row = by_name["Ann Lee"]
    assert ann_row[1] == ann.email
    assert ann_row[3:9] == ["passed", "90", "passed", "90", "in progress", "40"]
    assert ann_row[-2:] == ["not started", "no"]


def test_dashboard_query_count_does_not_grow_with_learners(
    client: TestClient, db: Session, registry: ContentRegistry, count_queries
) -> None:
    lead, cohort, _ann, _bob = _setup(db, registry)
    make_session(db, cohort)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}"
    client.get(path)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    for i in range(6):
        learner = make_learner(db, cohort, name=f"Learner {i}")
        pass_silver(db, registry, learner, count=3)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert small.count == large.count, large.statements
    assert large.count <= 12, large.statements


def test_learner_sees_their_own_silver_progress(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _lead, cohort, ann, _bob = _setup(db, registry)
    make_session(db, cohort)
    sign_in(client, ann.email)
    page = client.get(f"/cohorts/{cohort.id}").text
    assert f"2 of {len(registry.tier('silver'))}" in page
    assert "No sessions held yet; 1 to come. You need to attend 50% of 1 session." in page
    me = client.get(f"/api/v1/cohorts/{cohort.id}/me", headers=bearer(client, ann.email)).json()
    assert me["silver"]["modules_passed"] == 2
    assert me["silver"]["complete"] is False
