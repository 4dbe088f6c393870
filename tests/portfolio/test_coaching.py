"""Coaching and conversation: assigning a coach, asking for one, comments with @mentions,
notifications (the bell) and their emails through the outbox, with each person's setting."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.notifications import service as notifications
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from app.portfolio import coaching, service
from tests.factories import csrf_token, sign_in
from tests.portfolio.factories import YORK, approve, person, qi_lead, register


def _mail_to(db: Session, email: str) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == email)
        )
        or 0
    )


def _bell(html: str) -> int:
    match = re.search(r'class="qia-bell">(\d+)<', html)
    assert match, "no bell in the header"
    return int(match.group(1))


def test_a_qi_lead_assigns_a_coach_who_is_told_and_sees_only_coachees(
    client: TestClient, db: Session
) -> None:
    nurse, coach = person(db), person(db, name="Cora Coach")
    lead = qi_lead(db)
    mine = register(db, nurse, title="Coached project")
    other = register(db, nurse, title="Someone else's coachee")
    sign_in(client, lead.email)
    token = csrf_token(client, f"/portfolio/projects/{mine.id}")
    r = client.post(
        f"/portfolio/projects/{mine.id}/coach",
        data={"csrf_token": token, "email": coach.email},
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.refresh(mine)
    assert mine.coach_id == coach.id
    assert notifications.unread_count(db, user_id=coach.id) == 1
    assert _mail_to(db, coach.email) == 1
    sign_in(client, coach.email)
    home = client.get("/portfolio")
    assert "Coached project" in home.text
    assert "Someone else&#39;s coachee" not in home.text
    assert _bell(home.text) == 1
    assert client.get(f"/portfolio/projects/{mine.id}").status_code == 200
    assert client.get(f"/portfolio/projects/{other.id}").status_code == 404


def test_a_coach_must_be_of_the_organisation(client: TestClient, db: Session) -> None:
    nurse, outsider = person(db), person(db, organisation=YORK)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    r = client.post(
        f"/portfolio/projects/{project.id}/coach",
        data={"csrf_token": token, "email": outsider.email},
    )
    assert r.status_code == 422
    assert "has an account in this organisation" in r.text
    db.refresh(project)
    assert project.coach_id is None


def test_the_team_asks_for_a_coach_and_the_qi_lead_answers(client: TestClient, db: Session) -> None:
    nurse, coach = person(db), person(db, name="Cora Coach")
    lead = qi_lead(db)
    project = register(db, nurse, title="Wants a coach")
    approve(db, project, lead)
    sign_in(client, nurse.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    url = f"/portfolio/projects/{project.id}/coach-request"
    r = client.post(
        url, data={"csrf_token": token, "note": "Help with measures"}, follow_redirects=False
    )
    assert r.status_code == 303
    again = client.post(url, data={"csrf_token": token, "note": ""})
    assert again.status_code == 409
    assert "already asked" in again.text
    assert notifications.unread_count(db, user_id=lead.id) == 1
    assert lead.organisation_id is not None
    asks = coaching.open_requests(db, organisation_ids=[lead.organisation_id])
    assert [(a.title, a.note) for a in asks] == [("Wants a coach", "Help with measures")]
    sign_in(client, lead.email)
    assert "Asking for a coach" in client.get("/portfolio").text
    acc = service.access(db, project_id=project.id, user=lead)
    coaching.assign_coach(db, acc=acc, email=coach.email)
    assert coaching.open_requests(db, organisation_ids=[lead.organisation_id]) == []


def test_a_mention_notifies_the_person_named_and_emails_them_unless_they_said_no(
    client: TestClient, db: Session
) -> None:
    nurse, mate = person(db, name="Nia Nurse"), person(db, name="Mo Mate")
    lead = qi_lead(db, name="Quinn Lead")
    stranger = person(db, name="Sam Stranger")  # same organisation, not on the project
    project = register(db, nurse, team=[mate])
    notifications.set_email(db, user_id=mate.id, email=False)
    sign_in(client, nurse.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    body = "@quinn lead and @Mo Mate: the baseline is in. @Sam Stranger, @Nia Nurse"
    r = client.post(
        f"/portfolio/projects/{project.id}/comments",
        data={"csrf_token": token, "body": body},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get(f"/portfolio/projects/{project.id}").text.count("the baseline is in") == 1
    assert notifications.unread_count(db, user_id=lead.id) == 1
    assert notifications.unread_count(db, user_id=mate.id) == 1
    assert notifications.unread_count(db, user_id=stranger.id) == 0  # cannot see the project
    assert notifications.unread_count(db, user_id=nurse.id) == 0  # the author
    assert _mail_to(db, lead.email) == 1
    assert _mail_to(db, mate.email) == 0  # email turned off
    text = db.scalar(select(Notification.text).where(Notification.user_id == lead.id))
    assert text == f"Nia Nurse mentioned you on '{project.title}'"


def test_the_bell_counts_unread_and_mark_all_read_clears_it(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    for i in range(3):
        notifications.notify(db, user_id=nurse.id, text=f"Notice {i}", link="/portfolio")
    sign_in(client, nurse.email)
    page = client.get("/notifications")
    assert _bell(page.text) == 3
    assert "Notice 2" in page.text
    token = csrf_token(client, "/notifications")
    assert (
        client.post(
            "/notifications/read", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    assert _bell(client.get("/portfolio").text) == 0
    r = client.post(
        "/notifications/settings",
        data={"csrf_token": token, "email": "off"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert notifications.email_wanted(db, user_id=nurse.id) is False


def test_a_bad_comment_says_what_to_fix_and_writes_nothing(client: TestClient, db: Session) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, nurse.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    url = f"/portfolio/projects/{project.id}/comments"
    r = client.post(url, data={"csrf_token": token, "body": "  "})
    assert r.status_code == 422
    assert "Enter a comment" in r.text
    r = client.post(url, data={"csrf_token": token, "body": "@Quinn Lead NHS number 943 476 5919"})
    assert r.status_code == 422
    assert "NHS number" in r.text
    assert coaching.comments(db, project_id=project.id) == []
    assert notifications.unread_count(db, user_id=lead.id) == 0
