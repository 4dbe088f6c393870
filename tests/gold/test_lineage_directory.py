"""Lineage (hand-computed cascade), its CSV, the trainer directory, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import Organisation, User
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.gold import service as gold_service
from app.reports import lineage
from app.reports import service as reports_service
from tests.factories import csrf_token, sign_in
from tests.gold.factories import certify, cohort, person, quick_credential


def _cascade(db: Session, registry: ContentRegistry) -> tuple[User, User]:
    """A (certified by Lena Leader) leads X and co-runs Y with Tom; returns (A, Tom)."""
    a, _, _ = certify(db, registry, name="Amara Gold")
    tom = db.scalars(select(User).where(User.full_name == "Tom Trainer")).one()
    l1, l2, l3, r1, l4, l5 = (person(db, name=f"Learner {i}") for i in range(1, 7))
    for holder in (l1, l2, r1, l4):
        quick_credential(db, user=holder, achievement="silver")
    cohort(db, lead=a, learners=[l1, l2, l3], removed=[r1], name="Cohort X")
    cohort(db, lead=tom, co=[a], learners=[l4, l5], name="Cohort Y")
    reports_service.refresh(db)  # learners per cohort come from the report rollup
    return a, tom


def test_lineage_counts_cohorts_and_learners_brought_to_silver(
    db: Session, registry: ContentRegistry
) -> None:
    a, tom = _cascade(db, registry)
    rows = {r.trainer_id: r for r in lineage.lineage(db)}
    assert set(rows) == {a.id, tom.id}
    ra, rt = rows[a.id], rows[tom.id]
    assert (ra.certified_by, ra.cohorts_led, ra.cohorts_co, ra.learners, ra.learners_to_silver) == (
        "Lena Leader",
        1,
        2,
        5,
        3,
    )
    assert (rt.certified_by, rt.cohorts_led, rt.cohorts_co, rt.learners, rt.learners_to_silver) == (
        None,
        2,
        0,
        2,
        1,
    )
    assert next(r.trainer_id for r in lineage.lineage(db)) == a.id  # most to Silver first


def test_lineage_page_and_csv_show_the_same_numbers(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    a, _ = _cascade(db, registry)
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    page = client.get("/leader/lineage")
    assert page.status_code == 200
    assert "Amara Gold" in page.text
    assert "Lena Leader" in page.text
    r = client.get("/leader/lineage.csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    amara = next(row for row in rows if row["trainer"] == "Amara Gold")
    assert amara == {
        "trainer": "Amara Gold",
        "organisation": "Leeds Teaching Hospitals NHS Trust",
        "certified_by": "Lena Leader",
        "certified_on": utcnow().date().isoformat(),
        "cohorts_led": "1",
        "cohorts_co_facilitated": "2",
        "learners": "5",
        "learners_to_silver": "3",
    }
    del a


def test_directory_lists_current_trainers_by_region_with_their_cohorts(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    north, _, _ = certify(db, registry, name="Nia North", organisation="Leeds Trust")
    south, cert, _ = certify(db, registry, name="Sam South", organisation="Bristol Trust")
    lapsed, old, _ = certify(db, registry, name="Lou Lapsed", organisation="Bristol Trust")
    old.certified_at = utcnow() - timedelta(days=4 * 365)
    old.expires_at = utcnow() - timedelta(days=2)
    for name, region in (
        ("Leeds Trust", "North East and Yorkshire"),
        ("Bristol Trust", "South West"),
    ):
        db.scalars(select(Organisation).where(Organisation.name == name)).one().region = region
    cohort(db, lead=south, name="Bristol Silver spring")
    db.flush()
    viewer = person(db)
    sign_in(client, viewer.email)
    page = client.get("/trainers").text
    assert "Nia North" in page
    assert "Sam South" in page
    assert "Bristol Silver spring" in page
    assert "Lou Lapsed" not in page
    south_only = client.get("/trainers", params={"region": "South West"}).text
    assert "Sam South" in south_only
    assert "Nia North" not in south_only
    del north, cert, lapsed


def _sends_to_sign_in(client: TestClient, url: str) -> bool:
    r = client.get(url, follow_redirects=False)
    return r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_directory_needs_sign_in(client: TestClient) -> None:
    assert _sends_to_sign_in(client, "/trainers")


LEADER_GETS = ["/leader/gold", "/leader/lineage", "/leader/lineage.csv", "/leader/reports"]
LEADER_GETS += [
    f"/leader/reports/{n}.csv"
    for n in ("registrations", "completions", "funnel", "cohorts", "projects", "quizzes")
]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_every_leader_route_refuses_learners_and_trainers(
    client: TestClient, db: Session, registry: ContentRegistry, role: Role
) -> None:
    candidate = person(db)
    _, cert, _ = certify(db, registry)
    holder = person(db)
    quick_credential(db, user=holder, achievement="silver")
    candidacy = gold_service.apply(db, user=holder)
    someone = person(db, roles=[role])
    sign_in(client, someone.email)
    token = csrf_token(client, "/dashboard")
    gets = [*LEADER_GETS, f"/leader/gold/candidates/{candidacy.id}"]
    for url in gets:
        r = client.get(url)
        assert r.status_code == 403, url
        assert "Only a leader or admin can do this" in r.text, url
    posts = [
        "/leader/gold/nominate",
        f"/leader/gold/candidates/{candidacy.id}/observation",
        f"/leader/gold/candidates/{candidacy.id}/decision",
        f"/leader/gold/certifications/{cert.id}/revoke",
    ]
    for url in posts:
        r = client.post(url, data={"csrf_token": token, "email": candidate.email, "reason": "x"})
        assert r.status_code == 403, url
    db.expire_all()
    assert gold_service.open_candidacy(db, user_id=candidate.id) is None
    assert gold_service.current_certification(db, user_id=cert.user_id) is not None


def test_leader_routes_ask_anonymous_visitors_to_sign_in(client: TestClient) -> None:
    for url in LEADER_GETS:
        assert _sends_to_sign_in(client, url), url


def test_admins_may_use_leader_pages(client: TestClient, db: Session) -> None:
    admin = person(db, roles=[Role.ADMIN])
    sign_in(client, admin.email)
    for url in LEADER_GETS:
        assert client.get(url).status_code == 200, url
