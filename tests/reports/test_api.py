"""The leaders' reports as JSON: the hand-computed fixture of test_reports, filters, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.feedback.models import ModuleFeedback
from app.reports import service
from app.reports.models import ReportRefresh
from tests.factories import bearer
from tests.gold.factories import cohort, person
from tests.reports import test_reports

RANGE = {"date_from": "2025-01", "date_to": "2025-03"}
FILTERS = {
    "organisation_id": None,
    "staff_group": None,
    "date_from": "2025-01-01",
    "date_to": "2025-03-31",
}
world = test_reports.world  # the same hand-computed learners, awards, attempts and cohorts


@pytest.fixture
def leader(client: TestClient, db: Session) -> dict[str, str]:
    return bearer(client, person(db, roles=[Role.LEADER]).email)


def _get(client: TestClient, headers: dict[str, str], name: str, **params: object):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/reports/{name}", params={**RANGE, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_summary_counts_registrations_in_all_and_in_the_range(
    client: TestClient, leader: dict[str, str], world: dict[str, User]
) -> None:
    body = _get(client, leader, "summary")
    assert body["registered_in_range"] == 4
    assert body["filters"] == FILTERS
    alpha = world["a1"].organisation_id
    body = _get(client, leader, "summary", organisation=alpha)
    assert (body["registered_total"], body["registered_in_range"]) == (3, 3)
    assert body["filters"]["organisation_id"] == alpha
    beta = _get(client, leader, "summary", organisation=world["b1"].organisation_id)
    assert (beta["registered_total"], beta["registered_in_range"]) == (2, 1)  # b2: December


def test_registrations_per_month_with_filters(
    client: TestClient, db: Session, leader: dict[str, str], world: dict[str, User]
) -> None:
    body = _get(client, leader, "registrations")
    refreshed = db.get(ReportRefresh, 1)
    assert refreshed is not None
    assert body == {
        "count": 3,
        "filters": FILTERS,
        "refreshed_at": as_utc(refreshed.refreshed_at).isoformat().replace("+00:00", "Z"),
        "data": [
            {"month": "2025-01", "count": 2},
            {"month": "2025-02", "count": 1},
            {"month": "2025-03", "count": 1},
        ],
    }
    alpha = _get(client, leader, "registrations", organisation=world["a1"].organisation_id)
    assert [r["count"] for r in alpha["data"]] == [2, 1, 0]
    nursing = _get(client, leader, "registrations", staff_group="nursing_midwifery")
    assert [r["count"] for r in nursing["data"]] == [2, 0, 1]
    assert nursing["filters"]["staff_group"] == "nursing_midwifery"


def test_completions_per_month_leave_out_revoked_credentials(
    client: TestClient, leader: dict[str, str], world: dict[str, User]
) -> None:
    body = _get(client, leader, "completions")
    assert body["count"] == 3
    assert body["data"] == [
        {"month": "2025-01", "bronze": 2, "silver": 0, "gold": 0},
        {"month": "2025-02", "bronze": 1, "silver": 0, "gold": 0},  # a3's Bronze was revoked
        {"month": "2025-03", "bronze": 1, "silver": 1, "gold": 1},
    ]
    alpha = _get(client, leader, "completions", organisation=world["a1"].organisation_id)
    assert [(r["bronze"], r["silver"], r["gold"]) for r in alpha["data"]] == [
        (1, 0, 0),
        (1, 0, 0),
        (0, 1, 0),
    ]


@pytest.mark.usefixtures("world")
def test_funnel_by_organisation_and_staff_group(client: TestClient, leader: dict[str, str]) -> None:
    body = _get(client, leader, "funnel")
    assert body["count"] == 3
    assert [
        (r["organisation"], r["staff_group"], r["registered"], r["bronze"], r["silver"], r["gold"])
        for r in body["data"]
    ] == [
        ("Alpha Trust", "Medical and dental", 1, 0, 0, 0),
        ("Alpha Trust", "Nursing and midwifery registered", 2, 2, 1, 0),
        ("Beta Trust", "Nursing and midwifery registered", 1, 2, 0, 1),
    ]
    medical = _get(client, leader, "funnel", staff_group="medical_dental")
    assert [(r["organisation"], r["registered"]) for r in medical["data"]] == [("Alpha Trust", 1)]


@pytest.mark.usefixtures("world")
def test_cohorts_running_in_the_range(client: TestClient, leader: dict[str, str]) -> None:
    body = _get(client, leader, "cohorts")
    assert body["count"] == 1
    row = body["data"][0]
    assert (row["name"], row["learners"], row["lead_trainer"]) == (
        "Spring cohort",
        2,
        "Tess Trainer",
    )
    assert (row["starts_on"], row["ends_on"], row["organisation"]) == (
        "2025-02-01",
        "2025-06-01",
        None,
    )
    later = _get(client, leader, "cohorts", date_from="2025-04", date_to="2025-04")
    assert [r["name"] for r in later["data"]] == ["Spring cohort", "Later cohort"]


def test_projects_signed_off_and_showing_improvement(
    client: TestClient, db: Session, leader: dict[str, str]
) -> None:
    trainer = person(db, roles=[Role.TRAINER])
    learners = [person(db, organisation="Alpha Trust") for _ in range(4)]
    c = cohort(db, lead=trainer, learners=learners)
    c.organisation_id = learners[0].organisation_id
    for owner, signed, values, direction in (
        (learners[0], "2025-02-10 10:00", test_reports.FALLS_DOWN, "decrease"),
        (learners[1], "2025-03-10 10:00", test_reports.FALLS_DOWN, "increase"),
        (learners[2], "2025-03-11 10:00", test_reports.FLAT, "decrease"),
        (learners[3], None, test_reports.FALLS_DOWN, "decrease"),
    ):
        test_reports._project(
            db, cohort_id=c.id, owner=owner, signed=signed, values=values, direction=direction
        )
    service.refresh(db, full=True)
    body = _get(client, leader, "projects")
    assert body["count"] == 1
    assert body["data"] == [
        {
            "organisation": "Alpha Trust",
            "signed_off": 3,
            "showing_improvement": 1,
            "judged_exemplary": 0,
        }
    ]
    february = _get(client, leader, "projects", date_from="2025-02", date_to="2025-02")
    assert february["data"] == [
        {
            "organisation": "Alpha Trust",
            "signed_off": 1,
            "showing_improvement": 1,
            "judged_exemplary": 0,
        }
    ]


def test_quiz_pass_rates_per_module(
    client: TestClient, leader: dict[str, str], registry: ContentRegistry, world: dict[str, User]
) -> None:
    body = _get(client, leader, "quiz-pass-rates")
    assert body["count"] == len(registry.all())
    rows = {r["slug"]: r for r in body["data"]}
    m1, m2 = registry.tier("bronze")[0], registry.tier("bronze")[1]
    assert rows[m1.slug] == {
        "slug": m1.slug,
        "title": m1.meta.title,
        "tier": "bronze",
        "attempts": 3,
        "passed": 2,
        "pass_rate_percent": 67,
    }
    assert (rows[m2.slug]["attempts"], rows[m2.slug]["pass_rate_percent"]) == (1, 0)
    beta = _get(client, leader, "quiz-pass-rates", organisation=world["b1"].organisation_id)
    rows = {r["slug"]: r for r in beta["data"]}
    assert (rows[m1.slug]["attempts"], rows[m2.slug]["attempts"]) == (0, 1)


def test_feedback_lists_modules_lowest_rated_first_without_names(
    client: TestClient, db: Session, registry: ContentRegistry, leader: dict[str, str]
) -> None:
    good, poor = registry.tier("bronze")[:2]
    now = utcnow()
    for n, (rating_good, rating_poor) in enumerate([(5, 2), (4, 1), (5, 3)]):
        learner = person(db, name=f"Named Learner{n}")
        at = now - timedelta(minutes=10 - n)
        for module, rating, comment in (
            (good, rating_good, None),
            (poor, rating_poor, f"Too long, said learner {n}"),
        ):
            db.add(
                ModuleFeedback(
                    user_id=learner.id,
                    module_id=module.module_id,
                    rating=rating,
                    comment=comment,
                    created_at=at,
                    updated_at=at,
                )
            )
    db.flush()
    r = client.get("/api/v1/reports/feedback", headers=leader)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == len(registry.all())
    first, second = body["data"][:2]
    assert (first["slug"], first["ratings"], first["average"], first["comments"]) == (
        poor.slug,
        3,
        2.0,
        3,
    )
    assert (second["slug"], second["ratings"], second["average"]) == (good.slug, 3, 4.67)
    assert all(m["average"] is None for m in body["data"][2:])
    assert [c["comment"] for c in body["recent_comments"]] == [
        "Too long, said learner 2",
        "Too long, said learner 1",
        "Too long, said learner 0",
    ]
    assert "Named Learner" not in r.text


@pytest.mark.usefixtures("world")
def test_reports_read_the_rollups_without_refreshing_them(
    client: TestClient, db: Session, leader: dict[str, str]
) -> None:
    state = db.get(ReportRefresh, 1)
    assert state is not None
    stale = utcnow() - timedelta(days=1)
    state.refreshed_at = stale
    newcomer = person(db, organisation="Alpha Trust")
    newcomer.created_at = test_reports.at("2025-03-05 10:00")
    db.flush()
    body = _get(client, leader, "registrations")
    assert [r["count"] for r in body["data"]] == [2, 1, 1]  # the newcomer waits for a refresh
    assert body["refreshed_at"].startswith(f"{stale:%Y-%m-%dT%H:%M:%S}")
    db.expire_all()
    assert as_utc(db.get(ReportRefresh, 1).refreshed_at) == as_utc(stale)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-13"}, "Enter the from month as year-month, for example 2026-04"),
        ({"date_to": "March"}, "Enter the to month as year-month"),
        ({"date_from": "2025-03", "date_to": "2025-01"}, "on or before the 'to' month"),
        ({"date_from": "2001-01", "date_to": "2025-01"}, "Choose a range of ten years or less"),
        ({"staff_group": "wizards"}, "Choose a staff group from the list"),
        ({"organisation": "abc"}, "Choose an organisation from the list"),
    ],
)
def test_bad_filters_say_what_to_fix(
    client: TestClient, leader: dict[str, str], params: dict[str, str], message: str
) -> None:
    for name in ("summary", "registrations", "quiz-pass-rates"):
        r = client.get(f"/api/v1/reports/{name}", params=params, headers=leader)
        assert r.status_code == 422, name
        assert r.json()["error"] == "InvalidInput"
        assert message in r.json()["detail"]


def test_reports_default_to_the_last_twelve_months_and_say_when_never_refreshed(
    client: TestClient, leader: dict[str, str]
) -> None:
    r = client.get("/api/v1/reports/registrations", headers=leader)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 12
    assert body["refreshed_at"] is None  # no refresh yet: the figures are not ready
    assert {m["count"] for m in body["data"]} == {0}
    today = utcnow().date()
    assert body["data"][-1]["month"] == f"{today:%Y-%m}"
    assert body["filters"]["date_to"].startswith(f"{today:%Y-%m}")


REPORTS = [
    "summary",
    "registrations",
    "completions",
    "funnel",
    "cohorts",
    "projects",
    "quiz-pass-rates",
    "feedback",
]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_every_report_refuses_learners_and_trainers(
    client: TestClient, db: Session, role: Role
) -> None:
    headers = bearer(client, person(db, roles=[role]).email)
    for name in REPORTS:
        r = client.get(f"/api/v1/reports/{name}", params=RANGE, headers=headers)
        assert r.status_code == 403, name
        assert r.json() == {"error": "Forbidden", "detail": "Only a leader or admin can do this."}


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_needs_a_sign_in(client: TestClient, name: str) -> None:
    r = client.get(f"/api/v1/reports/{name}", params={"staff_group": "wizards"})
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"


def test_admins_may_read_every_report(client: TestClient, db: Session) -> None:
    headers = bearer(client, person(db, roles=[Role.ADMIN]).email)
    for name in REPORTS:
        assert client.get(f"/api/v1/reports/{name}", headers=headers).status_code == 200, name


def test_unknown_report_is_a_json_404(client: TestClient, leader: dict[str, str]) -> None:
    r = client.get("/api/v1/reports/nonsense", headers=leader)
    assert r.status_code == 404
    assert r.json()["error"] == "NotFound"
