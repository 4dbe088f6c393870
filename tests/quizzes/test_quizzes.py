"""Quizzes: no answers before submission, shuffled options, stored attempts, feedback, retakes, locks."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.quizzes.models import QuizAttempt
from tests.factories import answers, bearer, csrf_token, make_user, sign_in

FIRST = "why-quality-improvement"


def attempts(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(QuizAttempt)) or 0


def test_module_api_has_sections_and_a_quiz_without_answers(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    h = bearer(client, make_user(db).email)
    r = client.get(f"/api/v1/modules/{FIRST}", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["sections"]
    assert body["sections"][0]["html"].strip()
    assert body["quiz"]["pass_mark"] == 80
    text = r.text.lower()
    assert '"correct"' not in text
    assert '"feedback"' not in text
    assert '"explanation"' not in text
    module = registry.get(FIRST)
    assert module is not None
    assert {q["id"] for q in body["quiz"]["questions"]} == {q.id for q in module.source.questions}


def test_option_order_is_shuffled_between_attempts(client: TestClient, db: Session) -> None:
    h = bearer(client, make_user(db).email)
    orders = {
        tuple(
            o["id"]
            for q in client.get(f"/api/v1/modules/{FIRST}", headers=h).json()["quiz"]["questions"]
            for o in q["options"]
        )
        for _ in range(8)
    }
    assert len(orders) > 1


def test_fail_then_pass_records_attempts_and_completes(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    h = bearer(client, make_user(db).email)
    fail = client.post(
        f"/api/v1/modules/{FIRST}/attempts",
        json={"answers": answers(module, correct=False)},
        headers=h,
    )
    assert fail.status_code == 201, fail.text
    assert fail.json()["passed"] is False
    assert fail.json()["score"] < 80
    assert all(r["feedback"] and r["explanation"] for r in fail.json()["results"])
    progress = client.get("/api/v1/me/progress", headers=h).json()
    status = {m["slug"]: m for m in progress["modules"]}[FIRST]
    assert status["status"] == "in_progress"
    assert status["completed_at"] is None

    ok = client.post(
        f"/api/v1/modules/{FIRST}/attempts", json={"answers": answers(module)}, headers=h
    )
    assert ok.json() == {**ok.json(), "score": 100, "passed": True}
    assert all(r["correct"] for r in ok.json()["results"])
    progress = client.get("/api/v1/me/progress", headers=h).json()
    status = {m["slug"]: m for m in progress["modules"]}[FIRST]
    assert status["status"] == "completed"
    assert status["best_score"] == 100
    assert status["completed_at"]
    bronze = {t["tier"]: t for t in progress["tiers"]}["bronze"]
    assert bronze["modules_completed"] == 1
    assert bronze["cpd_minutes"] == module.meta.cpd_minutes
    assert attempts(db) == 2


def test_a_lower_score_after_passing_keeps_completion(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    h = bearer(client, make_user(db).email)
    client.post(f"/api/v1/modules/{FIRST}/attempts", json={"answers": answers(module)}, headers=h)
    client.post(
        f"/api/v1/modules/{FIRST}/attempts",
        json={"answers": answers(module, correct=False)},
        headers=h,
    )
    status = {m["slug"]: m for m in client.get("/api/v1/me/progress", headers=h).json()["modules"]}[
        FIRST
    ]
    assert status["status"] == "completed"
    assert status["best_score"] == 100


def test_bad_answers_are_422_and_store_nothing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    h = bearer(client, make_user(db).email)
    good = answers(module)
    first_q = module.source.questions[0].id
    single_q = next(q for q in module.source.questions if q.type != "multiple")
    cases = [
        ({**good, "no-such-question": ["x"]}, "Unknown question id"),
        ({k: v for k, v in good.items() if k != first_q}, "Not answered: question 1"),
        ({**good, first_q: ["zzzz"]}, "unknown option id"),
        ({**good, single_q.id: [o.id for o in single_q.options]}, "choose one answer"),
    ]
    for payload, words in cases:
        r = client.post(f"/api/v1/modules/{FIRST}/attempts", json={"answers": payload}, headers=h)
        assert r.status_code == 422, r.text
        assert words in r.json()["detail"]
    for body in ({"answers": "all of them"}, {"answers": {first_q: "a"}}, [], {"answerz": {}}):
        r = client.post(f"/api/v1/modules/{FIRST}/attempts", json=body, headers=h)
        assert r.status_code == 422
        assert r.json()["error"] == "InvalidInput"
    assert attempts(db) == 0


def test_unknown_module_is_404(client: TestClient, db: Session) -> None:
    h = bearer(client, make_user(db).email)
    for r in (
        client.get("/api/v1/modules/no-such-module", headers=h),
        client.post("/api/v1/modules/no-such-module/attempts", json={"answers": {}}, headers=h),
    ):
        assert r.status_code == 404
        assert "no module called" in r.json()["detail"]


def test_silver_module_is_locked_for_a_learner_with_the_reason(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    silver = registry.tier("silver")[0]
    h = bearer(client, make_user(db).email)
    r = client.get(f"/api/v1/modules/{silver.slug}", headers=h)
    assert r.status_code == 403
    assert "Silver cohort" in r.json()["detail"]
    listed = client.get("/api/v1/modules?tier=silver", headers=h).json()
    assert listed["count"] == len(registry.tier("silver"))
    assert all(m["locked"] for m in listed["data"])
    assert (
        client.post(
            f"/api/v1/modules/{silver.slug}/attempts", json={"answers": {}}, headers=h
        ).status_code
        == 403
    )
    trainer = bearer(client, make_user(db, roles=[Role.TRAINER]).email)
    assert client.get(f"/api/v1/modules/{silver.slug}", headers=trainer).status_code == 200


def test_prerequisite_is_enforced_with_a_message_naming_it(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = next(m for m in registry.tier("bronze") if m.meta.prerequisites)
    before = registry.get(module.meta.prerequisites[0])
    assert before is not None
    h = bearer(client, make_user(db).email)
    r = client.get(f"/api/v1/modules/{module.slug}", headers=h)
    assert r.status_code == 403
    assert f"Complete '{before.meta.title}' first" in r.json()["detail"]
    client.post(
        f"/api/v1/modules/{before.slug}/attempts", json={"answers": answers(before)}, headers=h
    )
    assert client.get(f"/api/v1/modules/{module.slug}", headers=h).status_code == 200


def test_module_list_by_tier(client: TestClient, db: Session, registry: ContentRegistry) -> None:
    h = bearer(client, make_user(db).email)
    body = client.get("/api/v1/modules?tier=bronze", headers=h).json()
    assert [m["slug"] for m in body["data"]] == [m.slug for m in registry.tier("bronze")]
    assert body["count"] == len(body["data"])
    assert set(body["data"][0]) >= {
        "slug",
        "title",
        "tier",
        "order",
        "summary",
        "cpd_minutes",
        "locked",
    }
    assert client.get("/api/v1/modules?tier=platinum", headers=h).status_code == 422


def _option_order(html: str) -> list[str]:
    return re.findall(
        r'<input class="nhsuk-(?:radios|checkboxes)__input"[^>]*value="([^"]+)"', html
    )


def test_quiz_pages_fail_then_pass(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    sign_in(client, make_user(db).email)
    page = client.get(f"/modules/{FIRST}/quiz")
    assert page.status_code == 200
    assert "Submit answers" in page.text
    token = csrf_token(client, f"/modules/{FIRST}/quiz")
    missing = client.post(f"/modules/{FIRST}/quiz", data={"csrf_token": token})
    assert missing.status_code == 422
    assert "nhsuk-error-summary" in missing.text
    assert re.search(r'href="#question-1">\s*Select [a-z ]+ for question 1', missing.text)

    # One question left blank: the summary links to it, the question says so, the order holds.
    page = client.get(f"/modules/{FIRST}/quiz")
    order = re.search(r'name="order" value="([^"]+)"', page.text)
    assert order is not None
    partial: dict[str, object] = {"csrf_token": token, "order": order.group(1)}
    last = module.source.questions[-1]
    for qid, ids in answers(module).items():
        if qid != last.id:
            partial[f"answer-{qid}"] = ids
    redrawn = client.post(f"/modules/{FIRST}/quiz", data=partial)
    n = len(module.source.questions)
    assert redrawn.status_code == 422
    assert re.search(rf'href="#question-{n}">\s*Select [a-z ]+ for question {n}', redrawn.text)
    assert "nhsuk-error-message" in redrawn.text
    shown = _option_order(page.text)
    assert len(shown) > n
    assert _option_order(redrawn.text) == shown

    def form(correct: bool) -> dict[str, object]:
        data: dict[str, object] = {"csrf_token": token}
        for qid, ids in answers(module, correct=correct).items():
            data[f"answer-{qid}"] = ids
        return data

    r = client.post(f"/modules/{FIRST}/quiz", data=form(False))
    assert r.status_code == 200
    assert "Retake the quiz" in r.text
    assert "Not correct" in r.text
    r = client.post(f"/modules/{FIRST}/quiz", data=form(True))
    assert r.status_code == 200
    assert "You passed with 100%" in r.text
    assert attempts(db) == 2


def test_another_learners_attempt_is_not_visible(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    owner = bearer(client, make_user(db).email)
    attempt = client.post(
        f"/api/v1/modules/{FIRST}/attempts", json={"answers": answers(module)}, headers=owner
    ).json()
    sign_in(client, make_user(db).email)
    assert client.get(f"/modules/{FIRST}/attempts/{attempt['id']}").status_code == 404
