"""Feedback: learners rate completed modules and started sessions; trainers and leaders read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.cohorts.models import WorkshopSession
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.feedback.models import ModuleFeedback, SessionFeedback
from app.progress import service as progress_service
from tests.admin.factories import person
from tests.cohorts.factories import enrol, make_cohort, make_session, make_trainer
from tests.factories import answers, bearer, csrf_token, sign_in


def complete(db: Session, registry: ContentRegistry, user_id: int, *slugs: str) -> None:
    rows = progress_service.rows_for(db, user_id=user_id)
    for slug in slugs:
        module = registry.get(slug)
        assert module is not None
        progress_service.record_quiz_result(
            db, user_id=user_id, module=module, score=100, passed=True, rows=rows
        )
    db.flush()


def ratings(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ModuleFeedback)) or 0


def test_the_quiz_result_page_offers_rating_after_a_pass_and_saves_it(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = person(db, Role.LEARNER)
    sign_in(client, learner.email)
    module = registry.tier("bronze")[0]
    token = csrf_token(client, f"/modules/{module.slug}/quiz")
    failed = client.post(
        f"/modules/{module.slug}/quiz",
        data={
            "csrf_token": token,
            **{f"answer-{q}": v for q, v in answers(module, correct=False).items()},
        },
    )
    assert "Rate this module" not in failed.text
    passed = client.post(
        f"/modules/{module.slug}/quiz",
        data={"csrf_token": token, **{f"answer-{q}": v for q, v in answers(module).items()}},
    )
    assert "Rate this module" in passed.text
    assert f'action="/modules/{module.slug}/feedback"' in passed.text
    r = client.post(
        f"/modules/{module.slug}/feedback",
        data={
            "csrf_token": token,
            "rating": "4",
            "comment": "Clear examples.\nMore on run charts please.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/modules/{module.slug}/feedback?saved=true"
    page = client.get(r.headers["location"])
    assert "Your feedback has been saved" in page.text
    assert 'value="4" checked' in page.text
    assert "More on run charts please." in page.text
    row = db.scalar(select(ModuleFeedback).where(ModuleFeedback.user_id == learner.id))
    assert row is not None
    assert (row.module_id, row.rating) == (module.module_id, 4)

    # Rating again replaces the rating: still one row.
    client.post(
        f"/modules/{module.slug}/feedback", data={"csrf_token": token, "rating": "2", "comment": ""}
    )
    db.expire_all()
    rows = db.scalars(select(ModuleFeedback).where(ModuleFeedback.user_id == learner.id)).all()
    assert [(r.rating, r.comment) for r in rows] == [(2, None)]


def test_rating_needs_a_completed_module(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = person(db, Role.LEARNER)
    headers = bearer(client, learner.email)
    slug = registry.tier("bronze")[0].slug
    r = client.put(f"/api/v1/modules/{slug}/feedback", json={"rating": 5}, headers=headers)
    assert r.status_code == 403
    assert r.json()["detail"] == "Pass this module's quiz before you rate it."
    sign_in(client, learner.email)
    assert client.get(f"/modules/{slug}/feedback").status_code == 403
    assert ratings(db) == 0


def test_rating_api_validates_and_upserts(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = person(db, Role.LEARNER)
    slug = registry.tier("bronze")[1].slug
    complete(db, registry, learner.id, slug)
    headers = bearer(client, learner.email)
    for body, field in (
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "good"}, "rating"),
        ({}, "rating"),
        ({"rating": 3, "comment": "x" * 2001}, "comment"),
    ):
        r = client.put(f"/api/v1/modules/{slug}/feedback", json=body, headers=headers)
        assert r.status_code == 422, body
        assert any(e["field"] == field for e in r.json()["errors"])
    assert ratings(db) == 0
    ok = client.put(
        f"/api/v1/modules/{slug}/feedback",
        json={"rating": 5, "comment": "  Great  "},
        headers=headers,
    )
    assert ok.status_code == 200
    assert (ok.json()["module"], ok.json()["rating"], ok.json()["comment"]) == (slug, 5, "Great")
    again = client.put(f"/api/v1/modules/{slug}/feedback", json={"rating": 1}, headers=headers)
    assert again.json()["rating"] == 1
    assert ratings(db) == 1
    assert client.get(f"/api/v1/modules/{slug}/feedback", headers=headers).json()["rating"] == 1
    assert (
        client.put(
            "/api/v1/modules/no-such-module/feedback", json={"rating": 1}, headers=headers
        ).status_code
        == 404
    )


def test_rating_page_shows_what_to_fix(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = person(db, Role.LEARNER)
    slug = registry.tier("bronze")[0].slug
    complete(db, registry, learner.id, slug)
    sign_in(client, learner.email)
    token = csrf_token(client, f"/modules/{slug}/feedback")
    r = client.post(
        f"/modules/{slug}/feedback", data={"csrf_token": token, "rating": "", "comment": "x" * 2001}
    )
    assert r.status_code == 422
    assert "Choose a rating from 1 (very poor) to 5 (very good)" in r.text
    assert "Comment must be 2000 characters or fewer" in r.text
    assert 'href="#rating"' in r.text
    assert ratings(db) == 0
    no_csrf = client.post(f"/modules/{slug}/feedback", data={"rating": "3"})
    assert no_csrf.status_code == 403
    assert ratings(db) == 0


def test_the_database_refuses_a_rating_out_of_range(db: Session, registry: ContentRegistry) -> None:
    learner = person(db, Role.LEARNER)
    now = utcnow()
    row = ModuleFeedback(
        user_id=learner.id,
        module_id=registry.all()[0].module_id,
        rating=6,
        created_at=now,
        updated_at=now,
    )
    with db.begin_nested():
        db.add(row)
        with pytest.raises(IntegrityError):
            db.flush()


def test_leaders_see_modules_lowest_rated_first_with_comments_but_no_names(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    good, poor, _ = registry.tier("bronze")[:3]
    for n, (rating_good, rating_poor) in enumerate([(5, 2), (4, 1), (5, 3)]):
        learner = person(db, Role.LEARNER, name=f"Named Learner{n}")
        complete(db, registry, learner.id, good.slug, poor.slug)
        headers = bearer(client, learner.email)
        client.put(
            f"/api/v1/modules/{good.slug}/feedback", json={"rating": rating_good}, headers=headers
        )
        client.put(
            f"/api/v1/modules/{poor.slug}/feedback",
            json={"rating": rating_poor, "comment": f"Too long, said learner {n}"},
            headers=headers,
        )
    leader = person(db, Role.LEADER)
    summary = client.get("/api/v1/leader/feedback", headers=bearer(client, leader.email)).json()
    first, second = summary["modules"][:2]
    assert (first["slug"], first["ratings"], first["average"], first["comments"]) == (
        poor.slug,
        3,
        2.0,
        3,
    )
    assert (second["slug"], second["average"]) == (good.slug, 4.67)
    assert all(m["average"] is None for m in summary["modules"][2:])
    assert summary["recent_comments"][0]["comment"] == "Too long, said learner 2"

    sign_in(client, leader.email)
    page = client.get("/leader/feedback")
    assert page.status_code == 200
    assert page.text.index(poor.meta.title) < page.text.index(good.meta.title)
    assert "Too long, said learner 0" in page.text
    assert "Named Learner" not in page.text
    detail = client.get(f"/leader/feedback/modules/{poor.slug}")
    assert "Rated 2.0 out of 5 by 3 learners" in detail.text
    assert detail.text.count("Too long, said learner") == 3
    assert "Named Learner" not in detail.text


def test_leader_summary_query_count_does_not_grow_with_feedback(
    client: TestClient, db: Session, registry: ContentRegistry, count_queries
) -> None:  # type: ignore[no-untyped-def]
    leader = person(db, Role.LEADER)
    sign_in(client, leader.email)
    with count_queries() as before:
        client.get("/leader/feedback")
    now = utcnow()
    for n in range(12):
        learner = person(db, Role.LEARNER)
        for module in registry.all()[:4]:
            db.add(
                ModuleFeedback(
                    user_id=learner.id,
                    module_id=module.module_id,
                    rating=1 + n % 5,
                    comment=f"c{n}",
                    created_at=now,
                    updated_at=now,
                )
            )
    db.flush()
    with count_queries() as after:
        assert client.get("/leader/feedback").status_code == 200
    assert after.count == before.count


# ---- workshop sessions -------------------------------------------------------------------------


def started(db: Session, session_id: int) -> None:
    past = utcnow() - timedelta(hours=2)
    db.execute(
        update(WorkshopSession)
        .where(WorkshopSession.id == session_id)
        .values(starts_at=past, ends_at=past + timedelta(hours=1))
    )


def test_learner_rates_a_started_session_of_their_cohort(client: TestClient, db: Session) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    learner = person(db, Role.LEARNER)
    outsider = person(db, Role.LEARNER)
    enrol(db, cohort, learner)
    workshop = make_session(db, cohort, title="Driver diagrams")
    url = f"/api/v1/cohorts/{cohort.id}/sessions/{workshop.id}/feedback"
    headers = bearer(client, learner.email)
    early = client.put(url, json={"rating": 5}, headers=headers)
    assert early.status_code == 403
    assert "once it has started" in early.json()["detail"]
    started(db, workshop.id)
    ok = client.put(url, json={"rating": 4, "comment": "Good pace"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert (ok.json()["session_id"], ok.json()["rating"]) == (workshop.id, 4)
    assert client.put(url, json={"rating": 5}, headers=headers).json()["rating"] == 5
    assert db.scalar(select(func.count()).select_from(SessionFeedback)) == 1
    denied = client.put(url, json={"rating": 1}, headers=bearer(client, outsider.email))
    assert denied.status_code == 403
    assert "Only learners in this cohort" in denied.json()["detail"]
    missing = client.put(
        f"/api/v1/cohorts/{cohort.id}/sessions/999999/feedback", json={"rating": 1}, headers=headers
    )
    assert missing.status_code == 404

    sign_in(client, learner.email)
    mine = client.get("/me/feedback")
    assert "Driver diagrams" in mine.text
    assert "you rated it 5 out of 5" in mine.text
    page_url = f"/cohorts/{cohort.id}/sessions/{workshop.id}/feedback"
    token = csrf_token(client, page_url)
    r = client.post(
        page_url,
        data={"csrf_token": token, "rating": "3", "comment": "Room too hot"},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"{page_url}?saved=true"
    assert "Room too hot" in client.get(r.headers["location"]).text


def test_trainers_see_their_cohorts_feedback_and_nobody_elses(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    trainer = make_trainer(db)
    other_trainer = make_trainer(db, name="Other Trainer")
    cohort = make_cohort(db, lead=trainer, name="Cohort Alpha")
    learner = person(db, Role.LEARNER, name="Secret Name")
    stranger = person(db, Role.LEARNER, name="Not In Cohort")
    enrol(db, cohort, learner)
    workshop = make_session(db, cohort, title="Measurement for improvement")
    started(db, workshop.id)
    module = registry.tier("bronze")[2]
    complete(db, registry, learner.id, module.slug)
    complete(db, registry, stranger.id, module.slug)
    headers = bearer(client, learner.email)
    client.put(
        f"/api/v1/cohorts/{cohort.id}/sessions/{workshop.id}/feedback",
        json={"rating": 2, "comment": "Needed more examples"},
        headers=headers,
    )
    client.put(
        f"/api/v1/modules/{module.slug}/feedback",
        json={"rating": 3, "comment": "Okay module"},
        headers=headers,
    )
    client.put(
        f"/api/v1/modules/{module.slug}/feedback",
        json={"rating": 5, "comment": "From outside the cohort"},
        headers=bearer(client, stranger.email),
    )
    api = client.get(f"/api/v1/cohorts/{cohort.id}/feedback", headers=bearer(client, trainer.email))
    assert api.status_code == 200
    body = api.json()
    assert body["sessions"][0]["title"] == "Measurement for improvement"
    assert (body["sessions"][0]["ratings"], body["sessions"][0]["average"]) == (1, 2.0)
    assert [c["comment"] for c in body["session_comments"]] == ["Needed more examples"]
    assert [(m["slug"], m["average"]) for m in body["modules"]] == [(module.slug, 3.0)]
    assert [c["comment"] for c in body["module_comments"]] == ["Okay module"]

    sign_in(client, trainer.email)
    page = client.get(f"/trainer/cohorts/{cohort.id}/feedback")
    assert page.status_code == 200
    assert "Needed more examples" in page.text
    assert "From outside the cohort" not in page.text
    assert "Secret Name" not in page.text
    assert "Cohort Alpha" in client.get("/trainer/feedback").text

    for who in (other_trainer, learner):
        assert client.get(
            f"/api/v1/cohorts/{cohort.id}/feedback", headers=bearer(client, who.email)
        ).status_code in (403, 404)
    sign_in(client, other_trainer.email)
    assert client.get(f"/trainer/cohorts/{cohort.id}/feedback").status_code == 403
    sign_in(client, learner.email)
    assert client.get("/trainer/feedback").status_code == 403
