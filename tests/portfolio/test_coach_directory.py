"""The coach directory: who coaches active projects, counted per coach, with the projects' themes
and never the projects; signed-in people only; filtered by organisation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.portfolio import coaching, service
from tests.factories import PASSWORD, sign_in
from tests.portfolio.factories import LEEDS, YORK, approve, person, qi_lead, register


def _coached(db: Session, *, coach_email: str, lead_user, organisation: str, title: str, themes):  # type: ignore[no-untyped-def]
    project = register(db, lead_user, title=title, themes=themes)
    lead = qi_lead(db, organisation=organisation, name=f"Lead of {title}")
    approve(db, project, lead)
    acc = service.access(db, project_id=project.id, user=lead)
    coaching.assign_coach(db, acc=acc, email=coach_email)
    db.flush()
    return project


def test_the_directory_counts_active_coached_projects_and_shows_themes_not_titles(
    client: TestClient, db: Session
) -> None:
    cara = person(db, name="Cara Coach")
    yusuf = person(db, name="Yusuf Coach", organisation=YORK)
    nurse = person(db, name="Nia Nurse")
    york_nurse = person(db, name="Yan Nurse", organisation=YORK)
    _coached(
        db,
        coach_email=cara.email,
        lead_user=nurse,
        organisation=LEEDS,
        title="Secret ward project one",
        themes=["nutrition"],
    )
    _coached(
        db,
        coach_email=cara.email,
        lead_user=nurse,
        organisation=LEEDS,
        title="Secret ward project two",
        themes=["falls", "nutrition"],
    )
    stopped = _coached(
        db,
        coach_email=yusuf.email,
        lead_user=york_nurse,
        organisation=YORK,
        title="Stopped work",
        themes=["falls"],
    )
    stopped.status = "stopped"
    db.flush()

    entries = coaching.coach_directory(db)
    assert [(e.full_name, e.active_projects, e.themes) for e in entries] == [
        ("Cara Coach", 2, ("falls", "nutrition"))
    ]  # Yusuf's only project is stopped: he is not listed

    sign_in(client, york_nurse.email, PASSWORD)
    page = client.get("/coaches")
    assert page.status_code == 200
    assert "Cara Coach" in page.text
    assert cara.email in page.text
    assert "Secret ward project" not in page.text  # who to ask, not the work
    assert re.search(r"Active projects coached </span>2<", page.text)
    assert (
        client.get("/coaches", params={"organisation": yusuf.organisation_id}).text.count(
            "Cara Coach"
        )
        == 0
    )
    assert client.get("/coaches", params={"organisation": "x"}).status_code == 422


def test_signed_out_people_are_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/coaches", follow_redirects=False)
    assert r.status_code in (303, 401)
