"""Progress scores: the team records, a QI lead or the coach confirms, the history and its chart."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.portfolio import scores, service
from app.portfolio.constants import SCALE
from app.portfolio.models import ProgressScore
from app.portfolio.schemas import ScorePublic
from tests.factories import csrf_token, sign_in
from tests.portfolio.factories import approve, person, qi_lead, register, score


def _scores(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(ProgressScore)) or 0)


def test_the_scale_has_every_ihi_level_with_words() -> None:
    assert list(SCALE) == ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"]
    assert SCALE["0.5"][0] == "Intent to take part"
    assert SCALE["5.0"][0] == "Outstanding sustainable results"
    assert all(name and text.endswith(".") for name, text in SCALE.values())


def test_the_team_records_a_score_and_the_qi_lead_confirms_it(
    client: TestClient, db: Session
) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    approve(db, project, lead)
    sign_in(client, nurse.email)
    url = f"/portfolio/projects/{project.id}"
    token = csrf_token(client, url)
    r = client.post(
        f"{url}/scores",
        data={"csrf_token": token, "score": "1.5", "scored_on": "2026-10-01", "note": "Baseline"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(url)
    assert "1.5 Planning has begun" in page.text
    assert "Not yet" in page.text
    assert "<svg" in page.text
    assert "Step chart of 1 progress score" in page.text
    db.refresh(project)
    assert project.score is None  # not confirmed yet
    row = db.scalar(select(ProgressScore).where(ProgressScore.project_id == project.id))
    assert row is not None
    sign_in(client, lead.email)
    token = csrf_token(client, url)
    r = client.post(
        f"{url}/scores/{row.id}/confirm", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    db.refresh(project)
    db.refresh(row)
    assert project.score == 1.5
    assert row.confirmed_by_id == lead.id


def test_the_current_score_is_the_latest_confirmed_by_date(db: Session) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    approve(db, project, lead)
    late = score(db, project, nurse, "3.0", "2026-11-01")
    early = score(db, project, nurse, "2.0", "2026-09-01")
    acc = service.access(db, project_id=project.id, user=lead)
    scores.confirm(db, acc=acc, score_id=late)
    scores.confirm(db, acc=acc, score_id=early)  # confirmed later, but dated earlier
    assert project.score == 3.0
    history = scores.history(db, project_id=project.id)
    assert [h.score for h in history] == [2.0, 3.0]
    assert all(h.confirmed_by == "Quinn Lead" for h in history)


def test_the_coach_may_confirm_but_a_teammate_may_not(client: TestClient, db: Session) -> None:
    nurse, mate, coach = person(db), person(db), person(db, name="Cora Coach")
    lead = qi_lead(db)
    project = register(db, nurse, team=[mate])
    approve(db, project, lead)
    project.coach_id = coach.id
    db.flush()
    sid = score(db, project, nurse, "2.5", "2026-10-01")
    url = f"/portfolio/projects/{project.id}/scores/{sid}/confirm"
    sign_in(client, mate.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    r = client.post(url, data={"csrf_token": token})
    assert r.status_code == 403
    assert "coach can confirm" in r.text
    sign_in(client, coach.email)
    token = csrf_token(client, f"/portfolio/projects/{project.id}")
    assert client.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    db.refresh(project)
    assert project.score == 2.5


def test_bad_scores_say_what_to_fix_and_write_nothing(client: TestClient, db: Session) -> None:
    nurse = person(db)
    lead = qi_lead(db)
    project = register(db, nurse)
    sign_in(client, nurse.email)
    url = f"/portfolio/projects/{project.id}"
    token = csrf_token(client, url)
    good = {"csrf_token": token, "score": "1.0", "scored_on": "2026-10-01", "note": ""}
    r = client.post(f"{url}/scores", data=good)
    assert r.status_code == 409
    assert "once a QI lead has approved" in r.text
    approve(db, project, lead)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for change, message in [
        ({"score": "6.0"}, "Choose a progress score"),
        ({"score": ""}, "Choose a progress score"),
        ({"scored_on": tomorrow}, "today or in the past"),
        ({"scored_on": "last week"}, "Enter the date of the score"),
    ]:
        r = client.post(f"{url}/scores", data={**good, **change})
        assert r.status_code == 422, change
        assert "There is a problem" in r.text, change
        assert message in r.text, change
    assert _scores(db) == 0


def _row(score_: float, on: date, confirmed: bool = True) -> ScorePublic:
    return ScorePublic(
        id=1,
        score=score_,
        scored_on=on,
        note="",
        set_by="A",
        confirmed_by="B" if confirmed else None,
        confirmed_at=None if not confirmed else on,  # type: ignore[arg-type]
    )


def test_the_step_chart_holds_each_score_until_the_next() -> None:
    rows = [
        _row(1.0, date(2026, 1, 1)),
        _row(2.0, date(2026, 3, 1)),
        _row(3.5, date(2026, 5, 1), False),
    ]
    chart = scores.step_chart(rows, today=date(2026, 7, 1))
    assert chart is not None
    assert chart.svg.startswith("<svg")
    assert 'role="img"' in chart.svg
    assert "The latest is 3.5 (improvement), from 1 May 2026" in chart.description
    # one polyline: 3 scores give 2 vertical steps, each a horizontal then vertical segment
    points = chart.svg.split('points="')[1].split('"')[0].split()
    assert len(points) == 3 + 2 + 1
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] == ys[1]
    assert ys[2] == ys[3]
    assert ys[4] == ys[5]
    assert scores.step_chart([]) is None
