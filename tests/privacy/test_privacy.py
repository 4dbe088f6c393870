"""People's data: a full JSON export, and deletion that erases the person but keeps totals whole."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import LoginAttempt, PasswordReset, Throttle, User
from app.audit.models import AuditEvent
from app.cohorts.models import Enrolment
from app.content.registry import ContentRegistry
from app.credentials.models import Credential
from app.feedback.models import ModuleFeedback
from app.outbox import service as outbox_service
from app.progress.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests.admin.factories import emails_to, person
from tests.credentials.factories import earn_bronze
from tests.factories import PASSWORD, bearer, csrf_token, sign_in
from tests.gold.factories import cohort

NAME = "Siobhán O'Connor"


def count(db: Session, model: type, **where: object) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return db.scalar(query) or 0


def test_export_holds_everything_about_the_learner(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, headers, credential = earn_bronze(client, db, registry, name=NAME)
    last = registry.tier("bronze")[-1]
    client.put(
        f"/api/v1/modules/{last.slug}/feedback",
        json={"rating": 4, "comment": "Useful"},
        headers=headers,
    )
    r = client.get("/api/v1/me/export", headers=headers)
    assert r.status_code == 200
    data = r.json()
    assert data["format"] == "qi-academy-export/1"
    assert data["profile"]["email"] == user.email
    assert data["profile"]["full_name"] == NAME
    assert data["profile"]["organisation"] == "Leeds Teaching Hospitals NHS Trust"
    assert len(data["progress"]) == len(registry.tier("bronze"))
    assert all(p["status"] == "completed" for p in data["progress"])
    assert [a["module"] for a in data["attempts"]] == [last.slug]
    assert data["attempts"][0]["score"] == 100
    assert [c["id"] for c in data["credentials"]] == [credential["id"]]
    assert data["feedback"]["modules"] == [
        {
            "module": last.slug,
            "rating": 4,
            "comment": "Useful",
            "created_at": data["feedback"]["modules"][0]["created_at"],
            "updated_at": data["feedback"]["modules"][0]["updated_at"],
        }
    ]
    assert data["feedback"]["sessions"] == []
    assert data["cohorts"] == []
    assert data["projects"] == []
    assert any(a["succeeded"] for a in data["sign_in_attempts"])
    assert "password" not in json.dumps(data).replace("password_reset", "")


def test_export_download_is_a_json_attachment(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER, name="Tariq Aziz")
    sign_in(client, user.email)
    page = client.get("/me/data")
    assert page.status_code == 200
    assert 'href="/me/export.json"' in page.text
    r = client.get("/me/export.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"].startswith('attachment; filename="qi-academy-data-')
    assert r.headers["cache-control"] == "no-store"
    assert r.json()["profile"]["full_name"] == "Tariq Aziz"


def test_export_and_data_pages_need_a_sign_in(client: TestClient) -> None:
    assert client.get("/api/v1/me/export").status_code == 401
    assert client.get("/me/export.json", follow_redirects=False).status_code == 303
    assert client.get("/me/data", follow_redirects=False).status_code == 303
    assert client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}).status_code == 401


def test_delete_account_erases_the_person_and_keeps_totals(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, headers, credential = earn_bronze(client, db, registry, name=NAME)
    email = user.email
    last = registry.tier("bronze")[-1]
    client.put(
        f"/api/v1/modules/{last.slug}/feedback",
        json={"rating": 2, "comment": "My words"},
        headers=headers,
    )
    outbox_service.enqueue(db, to=email, subject="Pending", body="to be forgotten")
    client.post("/api/v1/auth/token", data={"username": email, "password": "wrong-password-1"})
    progress_before = count(db, ModuleProgress, user_id=user.id)
    attempts_before = count(db, QuizAttempt, user_id=user.id)
    cohort(db, lead=person(db, Role.TRAINER), learners=[user])

    r = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 204, r.text
    assert r.content == b""

    db.expire_all()
    row = db.get(User, user.id)
    assert row is not None
    assert (row.email, row.full_name, row.password_hash, row.is_active) == (
        f"deleted-{user.id}@invalid",
        "Deleted user",
        None,
        False,
    )
    assert row.deleted_at is not None
    assert row.last_login_at is None
    # Totals stay whole: progress, attempts and the rating are kept, anonymous.
    assert count(db, ModuleProgress, user_id=user.id) == progress_before
    assert count(db, QuizAttempt, user_id=user.id) == attempts_before
    feedback = db.scalar(select(ModuleFeedback).where(ModuleFeedback.user_id == user.id))
    assert feedback is not None
    assert (feedback.rating, feedback.comment) == (2, None)
    # Personal traces are gone.
    assert count(db, LoginAttempt, email=email) == 0
    assert count(db, PasswordReset, user_id=user.id) == 0
    assert emails_to(db, email) == []
    # Sessions end and signing in fails.
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    login = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert login.status_code == 401
    # Credentials are revoked, and verification says why without the name.
    stored = db.scalar(select(Credential).where(Credential.user_id == user.id))
    assert stored is not None
    assert (stored.status, stored.revocation_reason) == ("revoked", "holder deleted account")
    verify = client.get(f"/api/v1/credentials/{credential['id']}/verify")
    assert verify.status_code == 200
    result = verify.json()
    assert result["status"] == "revoked"
    assert result["valid"] is False
    assert "holder deleted account" in json.dumps(result)
    # The audit log records the deletion without personal data.
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.deleted")).all()
    assert (event.actor_id, event.target_id) == (user.id, str(user.id))
    assert event.detail == {
        "credentials_revoked": 1,
        "feedback_comments_erased": 1,
        "project_comments_erased": 0,
        "notifications_deleted": 0,
        "cohorts_left": 1,
    }
    # They are no longer a learner in any cohort (their attendance record stays).
    assert db.scalars(select(Enrolment.status).where(Enrolment.user_id == user.id)).all() == [
        "removed"
    ]
    logged = json.dumps(
        [
            e.detail
            for e in db.scalars(select(AuditEvent).where(AuditEvent.target_id == str(user.id)))
        ]
    )
    assert email not in logged
    assert NAME not in logged


def test_verification_does_not_show_a_deleted_holders_name(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _user, headers, credential = earn_bronze(client, db, registry, name=NAME)
    assert (
        client.request(
            "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers
        ).status_code
        == 204
    )
    verify = client.get(f"/api/v1/credentials/{credential['id']}/verify")
    assert verify.json()["status"] == "revoked"
    assert NAME not in verify.text
    assert "O&#39;Connor" not in client.get(f"/verify/{credential['id']}").text


def test_wrong_password_deletes_nothing_and_counts_towards_the_throttle(
    client: TestClient, db: Session
) -> None:
    user = person(db, Role.LEARNER)
    headers = bearer(client, user.email)
    r = client.request(
        "DELETE", "/api/v1/me", json={"password": "not-my-password"}, headers=headers
    )
    assert r.status_code == 403
    assert r.json() == {
        "error": "WrongPassword",
        "detail": "The password is not right. Your account has not been deleted.",
    }
    db.expire_all()
    assert db.get(User, user.id).deleted_at is None  # type: ignore[union-attr]
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert count(db, LoginAttempt, email=user.email, succeeded=False) == 1
    for _ in range(4):
        client.request("DELETE", "/api/v1/me", json={"password": "guess-again-1"}, headers=headers)
    throttled = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert throttled.status_code == 429
    assert db.get(User, user.id).deleted_at is None  # type: ignore[union-attr]
    assert client.request("DELETE", "/api/v1/me", json={}, headers=headers).status_code == 422


def test_delete_from_the_page_signs_out_and_confirms(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    sign_in(client, user.email)
    token = csrf_token(client, "/me/data")
    assert client.post("/me/delete", data={"password": PASSWORD}).status_code == 403  # no CSRF
    wrong = client.post("/me/delete", data={"csrf_token": token, "password": "nope-nope-nope"})
    assert wrong.status_code == 422
    assert "The password is not right" in wrong.text
    empty = client.post("/me/delete", data={"csrf_token": token, "password": ""})
    assert "Enter your password" in empty.text
    r = client.post(
        "/me/delete", data={"csrf_token": token, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/account-deleted"
    assert 'qia_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    assert "Your account has been deleted" in client.get("/account-deleted").text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    db.expire_all()
    assert db.get(User, user.id).deleted_at is not None  # type: ignore[union-attr]


def test_a_wrong_password_on_the_page_is_counted_and_the_count_is_kept(
    client: TestClient, db: Session
) -> None:
    """The page answers a wrong password with a page, not an error, so the request commits the
    failed attempt and its sign-in throttle count: after five, the right password is refused too."""
    user = person(db, Role.LEARNER)
    sign_in(client, user.email)
    token = csrf_token(client, "/me/data")
    for n in range(1, 6):
        wrong = client.post("/me/delete", data={"csrf_token": token, "password": f"guess-{n}-no"})
        assert wrong.status_code == 422
        assert "The password is not right. Your account has not been deleted." in wrong.text
        assert count(db, LoginAttempt, email=user.email, succeeded=False) == n
    pair = db.scalar(select(Throttle.count).where(Throttle.key == f"pair:{user.email}|testclient"))
    assert pair == 5
    throttled = client.post("/me/delete", data={"csrf_token": token, "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Too many failed sign-in attempts" in throttled.text
    db.expire_all()
    assert db.get(User, user.id).deleted_at is None  # type: ignore[union-attr]
    assert client.get("/me/data").status_code == 200  # still signed in


def test_the_only_admin_cannot_delete_their_account(client: TestClient, db: Session) -> None:
    admin = person(db, Role.ADMIN)
    # Any admin another test committed is set aside for this test (rolled back afterwards).
    db.execute(update(User).where(User.id != admin.id).values(is_active=False))
    headers = bearer(client, admin.email)
    r = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 409
    assert "only admin" in r.json()["detail"]
    db.expire_all()
    assert db.get(User, admin.id).deleted_at is None  # type: ignore[union-attr]
    person(db, Role.ADMIN)
    ok = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert ok.status_code == 204


def test_a_deleted_account_cannot_be_managed_by_admins(client: TestClient, db: Session) -> None:
    user = person(db, Role.LEARNER)
    client.request(
        "DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=bearer(client, user.email)
    )
    admin = person(db, Role.ADMIN)
    headers = bearer(client, admin.email)
    for body in ({"is_active": True}, {"roles": ["trainer"]}):
        r = client.patch(f"/api/v1/admin/users/{user.id}", json=body, headers=headers)
        assert r.status_code == 409
        assert "deleted by its holder" in r.json()["detail"]
    reset = client.post(f"/api/v1/admin/users/{user.id}/password-reset", headers=headers)
    assert reset.status_code == 409
    shown = client.get(f"/api/v1/admin/users/{user.id}", headers=headers).json()
    assert (shown["deleted"], shown["full_name"], shown["email"]) == (
        True,
        "Deleted user",
        f"deleted-{user.id}@invalid",
    )
    sign_in(client, admin.email)
    page = client.get(f"/admin/users/{user.id}")
    assert "The holder deleted this account" in page.text
    assert "Deactivate account" not in page.text


def test_privacy_page_says_what_is_stored_and_how_to_export_or_delete(client: TestClient) -> None:
    page = client.get("/privacy").text
    for words in (
        "Argon2",
        "quiz",
        "credential",
        "project",
        "feedback",
        "audit",
        "sign-in attempts",
        "email",
        "/me/data",
        "delete",
    ):
        assert words.lower() in page.lower(), words


def test_export_includes_the_learners_cohorts_and_project_workspace(
    client: TestClient, db: Session
) -> None:
    from tests.projects.factories import fill, make_cohort, make_learner, make_trainer, start

    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    learner = make_learner(db, cohort, name="Dev Patel")
    project = start(db, learner, cohort, title="Fewer missed doses")
    fill(db, project, learner)
    data = client.get("/api/v1/me/export", headers=bearer(client, learner.email)).json()
    assert [c["id"] for c in data["cohorts"]] == [cohort.id]
    [exported] = data["projects"]
    assert (exported["id"], exported["title"]) == (project.id, "Fewer missed doses")
    assert exported["aim"]
    assert exported["measures"]
    assert exported["pdsa_cycles"]


def test_project_comments_and_notifications_are_exported_and_go_with_the_account(
    client: TestClient, db: Session
) -> None:
    from app.notifications import service as notifications_service
    from app.notifications.models import Notification, NotificationSetting
    from app.portfolio import coaching
    from app.portfolio import service as portfolio_service
    from app.portfolio.models import PortfolioComment
    from tests.portfolio.factories import person as portfolio_person
    from tests.portfolio.factories import register

    ann = portfolio_person(db, name="Ann Author")
    ben = portfolio_person(db, name="Ben Colleague")
    project = register(db, ann, title="Fewer missed drinks", team=[ben])
    acc = portfolio_service.access(db, project_id=project.id, user=ann)
    coaching.add_comment(db, acc=acc, body="@Ben Colleague the week 3 audit is in the folder")
    ben_acc = portfolio_service.access(db, project_id=project.id, user=ben)
    coaching.add_comment(db, acc=ben_acc, body="Thanks, I will chart it")
    notifications_service.notify(db, user_id=ann.id, text="A note for Ann", link="/portfolio")
    notifications_service.set_email(db, user_id=ann.id, email=False)
    db.flush()
    headers = bearer(client, ann.email)

    data = client.get("/api/v1/me/export", headers=headers).json()
    assert [(c["project_title"], c["body"]) for c in data["project_comments"]] == [
        ("Fewer missed drinks", "@Ben Colleague the week 3 audit is in the folder")
    ]
    assert [n["text"] for n in data["notifications"]] == ["A note for Ann"]
    assert data["notification_emails"] is False

    r = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 204, r.text
    db.expire_all()
    thread = db.scalars(
        select(PortfolioComment)
        .where(PortfolioComment.project_id == project.id)
        .order_by(PortfolioComment.id)
    ).all()
    assert [(c.author_id, c.body) for c in thread] == [
        (None, coaching.ERASED_COMMENT),
        (ben.id, "Thanks, I will chart it"),  # other people's words stay
    ]
    assert count(db, Notification, user_id=ann.id) == 0
    assert count(db, NotificationSetting, user_id=ann.id) == 0
    assert count(db, Notification, user_id=ben.id) == 1  # Ben's mention notification stays
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.deleted")).all()
    assert event.detail["project_comments_erased"] == 1
    assert event.detail["notifications_deleted"] == 1
