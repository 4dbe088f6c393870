"""The impact judgement on sign-off (QIPAT style): stored with its reasons, shown in the history,
refused without reasons or with an unknown level."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.projects import service
from app.projects.models import Submission
from app.reports import service as reports_service
from tests.factories import csrf_token, sign_in
from tests.projects.factories import access, fill, make_cohort, make_learner, make_trainer, start

ALL_MET = dict.fromkeys(("aim", "measurement", "testing", "learning", "sustainability"), "met")


def _submitted(db: Session):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort)
    fill(db, project, ann)
    service.submit(db, access=access(db, project, ann))
    db.flush()
    return lead, cohort, project


def _post(client: TestClient, path: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, path.removesuffix("/review"))
    return client.post(path, data={**fields, "csrf_token": token}, follow_redirects=False)


def test_a_sign_off_records_the_impact_judgement_and_its_reasons(
    client: TestClient, db: Session
) -> None:
    lead, cohort, project = _submitted(db)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    page = client.get(path.removesuffix("/review"))
    assert "Impact (when you sign off)" in page.text
    bad = _post(client, path, **ALL_MET, decision="approve", impact="legendary")
    assert bad.status_code == 422
    no_reasons = _post(client, path, **ALL_MET, decision="approve", impact="exemplary")
    assert no_reasons.status_code == 422
    assert "Give the reasons for your impact judgement" in no_reasons.text
    r = _post(
        client,
        path,
        **ALL_MET,
        decision="approve",
        impact="exemplary",
        impact_reasons="Missed doses fell from 38% to 8% for 12 weeks",
    )
    assert r.status_code == 303
    row = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert row is not None
    assert (row.status, row.impact) == ("signed_off", "exemplary")
    assert row.impact_reasons == "Missed doses fell from 38% to 8% for 12 weeks"
    history = service.history(db, project_id=project.id)
    assert history[0].impact == "exemplary"
    # Leaders' reports count it among those judged exemplary.
    reports_service.refresh(db, full=True)
    today = date.today()
    rows = reports_service.projects(
        db,
        reports_service.filters(
            organisation_id=None, staff_group=None, date_from=today.replace(day=1), date_to=today
        ),
    )
    assert [(r.signed_off, r.judged_exemplary) for r in rows] == [(1, 1)]


def test_a_sign_off_without_a_judgement_still_works(client: TestClient, db: Session) -> None:
    lead, cohort, project = _submitted(db)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    r = _post(client, path, **ALL_MET, decision="approve", impact="", impact_reasons="")
    assert r.status_code == 303
    row = db.scalar(select(Submission).where(Submission.project_id == project.id))
    assert row is not None
    assert row.impact is None
