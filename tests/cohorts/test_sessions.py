"""Workshop sessions: scheduling in UK time, calendar files, and taking the register."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cohorts import ics
from app.cohorts.models import Attendance, WorkshopSession
from app.cohorts.schemas import SessionPublic
from app.core.db import as_utc
from tests.cohorts.factories import make_cohort, make_learner, make_session, make_trainer
from tests.factories import bearer, csrf_token, sign_in


def test_trainer_schedules_a_session_in_uk_time(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/sessions"
    token = csrf_token(client, path)
    r = client.post(
        path,
        data={
            "title": "Workshop 1: understanding your system",
            "date": "2027-07-14",  # British Summer Time: UTC+1
            "start_time": "09:30",
            "end_time": "12:30",
            "venue": "Room 4, Education Centre",
            "online_url": "",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = db.scalars(select(WorkshopSession).where(WorkshopSession.cohort_id == cohort.id)).one()
    assert as_utc(row.starts_at) == datetime(2027, 7, 14, 8, 30, tzinfo=UTC)
    assert as_utc(row.ends_at) == datetime(2027, 7, 14, 11, 30, tzinfo=UTC)
    page = client.get(r.headers["location"]).text
    assert "Session added" in page
    assert "Wednesday 14 July 2027, 9:30am to 12:30pm" in page


def test_session_form_says_what_to_fix(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/sessions"
    token = csrf_token(client, path)
    base = {"title": "W", "date": "2027-03-01", "venue": "", "online_url": "", "csrf_token": token}
    r = client.post(path, data={**base, "start_time": "25:00", "end_time": ""})
    assert r.status_code == 422
    assert "Enter the start time, like 09:30" in r.text
    assert "Enter the end time" in r.text
    r = client.post(path, data={**base, "start_time": "14:00", "end_time": "13:00"})
    assert r.status_code == 422
    assert "The session must end after it starts" in r.text
    r = client.post(path, data={**base, "start_time": "09:00", "end_time": "10:00"})
    assert r.status_code == 422
    assert "Enter a venue, an online link, or both" in r.text
    r = client.post(
        path,
        data={**base, "start_time": "09:00", "end_time": "10:00", "online_url": "teams meeting"},
    )
    assert r.status_code == 422
    assert "Enter the online link as a full address starting with https://" in r.text
    assert (
        db.scalars(select(WorkshopSession).where(WorkshopSession.cohort_id == cohort.id)).all()
        == []
    )


def test_learner_downloads_calendar_files(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, name="Silver; Leeds, 2027")
    one = make_session(db, cohort, title="Workshop 1, measurement; charts")
    make_session(db, cohort, title="Workshop 2", days=14)
    learner = make_learner(db, cohort)
    sign_in(client, learner.email)
    page = client.get(f"/cohorts/{cohort.id}").text
    assert "Workshop 1, measurement; charts" in page
    assert f"/cohorts/{cohort.id}/sessions/{one.id}.ics" in page
    r = client.get(f"/cohorts/{cohort.id}/sessions/{one.id}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "attachment" in r.headers["content-disposition"]
    body = r.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")  # every line ends CRLF
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Workshop 1\\, measurement\\; charts\r\n" in unfolded
    assert "X-WR-CALNAME:Silver\\; Leeds\\, 2027\r\n" in unfolded
    assert f"UID:qia-workshop-session-{one.id}@testserver\r\n" in unfolded
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z\r\n", unfolded)
    assert f"DTSTART:{ics.utc_stamp(one.starts_at)}\r\n" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    everything = client.get(f"/cohorts/{cohort.id}/sessions.ics").content.decode()
    assert everything.count("BEGIN:VEVENT") == 2


def test_long_lines_fold_without_splitting_characters() -> None:
    session = SessionPublic(
        id=7,
        cohort_id=1,
        title="Café " * 40,
        starts_at=datetime(2027, 1, 5, 9, tzinfo=UTC),
        ends_at=datetime(2027, 1, 5, 12, tzinfo=UTC),
        venue="Room 1\nBlock B",
        online_url=None,
    )
    body = ics.calendar(
        [session],
        calendar_name="C",
        host="qi.example",
        cohort_url="https://x",
        now=session.starts_at,
    )
    lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "LOCATION:Room 1\\nBlock B" in body
    assert body.replace("\r\n ", "").count("Café") == 40  # folding kept every é whole
    assert "DTSTART:20270105T090000Z" in body


def test_trainer_takes_the_register(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    workshop = make_session(db, cohort)
    ann = make_learner(db, cohort, name="Ann Lee")
    bob = make_learner(db, cohort, name="Bob Kerr")
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/sessions/{workshop.id}/register"
    page = client.get(path)
    assert page.status_code == 200
    assert "Ann Lee" in page.text
    assert "Bob Kerr" in page.text
    token = csrf_token(client, path)
    r = client.post(
        path, data={f"mark-{ann.id}": "present", f"mark-{bob.id}": "absent", "csrf_token": token}
    )
    assert r.status_code == 200
    assert "Register saved" in r.text
    marks = {
        a.enrolment_id: a.status
        for a in db.scalars(select(Attendance).where(Attendance.session_id == workshop.id))
    }
    assert sorted(marks.values()) == ["absent", "present"]
    assert re.search(rf'name="mark-{ann.id}"[^>]*value="present"[^>]*checked', r.text)
    # Changing a mark replaces it.
    client.post(path, data={f"mark-{bob.id}": "present", "csrf_token": token})
    rows = db.scalars(select(Attendance).where(Attendance.session_id == workshop.id)).all()
    for row in rows:
        db.refresh(row)
    assert [a.status for a in rows] == ["present", "present"]


def test_api_schedules_sessions_and_records_attendance(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    outsider = make_learner(db, make_cohort(db, lead=make_trainer(db)))
    h = bearer(client, lead.email)
    r = client.post(
        f"/api/v1/cohorts/{cohort.id}/sessions",
        json={
            "title": "Online huddle",
            "starts_at": "2027-01-12T14:00:00",  # no zone: UK time (GMT in January)
            "ends_at": "2027-01-12T15:00:00",
            "online_url": "https://teams.example.nhs.uk/meet/123",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    session_id = r.json()["id"]
    assert r.json()["starts_at"].startswith("2027-01-12T14:00:00")
    url = f"/api/v1/cohorts/{cohort.id}/sessions/{session_id}/attendance"
    put = client.put(url, json={"marks": [{"user_id": learner.id, "status": "present"}]}, headers=h)
    assert put.status_code == 200, put.text
    assert put.json() == [
        {"user_id": learner.id, "full_name": learner.full_name, "status": "present"}
    ]
    stranger = client.put(
        url, json={"marks": [{"user_id": outsider.id, "status": "present"}]}, headers=h
    )
    assert stranger.status_code == 422
    assert "not learners in this cohort" in stranger.json()["detail"]
    lh = bearer(client, learner.email)
    listed = client.get(f"/api/v1/cohorts/{cohort.id}/sessions", headers=lh).json()
    assert [s["title"] for s in listed] == ["Online huddle"]


def test_cancelling_a_session_removes_its_register(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    workshop = make_session(db, cohort)
    learner = make_learner(db, cohort)
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/sessions/{workshop.id}"
    token = csrf_token(client, f"{path}/register")
    client.post(f"{path}/register", data={f"mark-{learner.id}": "present", "csrf_token": token})
    r = client.post(f"{path}/delete", data={"csrf_token": token})
    assert "Session cancelled" in r.text
    assert db.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id)).all() == []
    assert db.scalar(select(WorkshopSession).where(WorkshopSession.id == workshop.id)) is None
