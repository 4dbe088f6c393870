"""The capability plan and its coverage report against a hand-computed organisation, both engines.

Capability Trust: 15 nurses (10 registered January 2024, 5 in March 2025), 3 doctors (January
2025) and no administrative staff. Nurses: 12 hold Bronze (8 from May 2024, 4 from April 2025;
a 13th had Bronze revoked), 1 holds Silver (February 2025). Doctors: 1 Bronze (May 2025), 1 Gold
(June 2025). Another trust's nurses hold Bronze too and must not count.
Plan: Bronze 100% for every group, Silver 10% of nurses, Gold 1% of nurses and 33.33% of doctors.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import STAFF_GROUPS, Role
from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent
from app.core.errors import InvalidInput
from app.reports import capability, service
from app.reports.models import CapabilityTarget
from tests.factories import bearer, csrf_token, sign_in
from tests.gold.factories import person, quick_credential

ORG = "Capability Trust"
PLAN = {
    "all-bronze": "100",
    "target-silver-nursing_midwifery": "10",
    "target-gold-nursing_midwifery": "1",
    "target-gold-medical_dental": "33.33",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _staff(db: Session, n: int, *, staff: str, created: str, org: str = ORG) -> list[User]:
    people = []
    for i in range(n):
        user = person(db, organisation=org, staff_group=staff, name=f"{staff} {created} {i}")
        user.created_at = at(created)
        people.append(user)
    db.flush()
    return people


@pytest.fixture
def trust(db: Session) -> Organisation:
    nurses = _staff(db, 10, staff="nursing_midwifery", created="2024-01-10 09:00")
    nurses += _staff(db, 5, staff="nursing_midwifery", created="2025-03-03 09:00")
    doctors = _staff(db, 3, staff="medical_dental", created="2025-01-15 09:00")
    for user in nurses[:8]:
        quick_credential(db, user=user, achievement="bronze", awarded_at=at("2024-05-20 10:00"))
    for user in nurses[8:12]:
        quick_credential(db, user=user, achievement="bronze", awarded_at=at("2025-04-02 10:00"))
    revoked = quick_credential(
        db, user=nurses[12], achievement="bronze", awarded_at=at("2025-04-03 10:00")
    )
    revoked.status, revoked.revoked_at, revoked.revocation_reason = (
        "revoked",
        at("2025-04-04"),
        "error",
    )
    quick_credential(db, user=nurses[0], achievement="silver", awarded_at=at("2025-02-14 10:00"))
    quick_credential(db, user=doctors[0], achievement="bronze", awarded_at=at("2025-05-31 23:30"))
    quick_credential(db, user=doctors[0], achievement="gold", awarded_at=at("2025-06-01 00:30"))
    for user in _staff(db, 2, staff="nursing_midwifery", created="2025-01-01", org="Other Trust"):
        quick_credential(db, user=user, achievement="bronze", awarded_at=at("2025-02-01 10:00"))
    service.refresh(db, full=True)
    org = nurses[0].organisation_id
    assert org is not None
    found = db.get(Organisation, org)
    assert found is not None
    return found


def _set_plan(db: Session, org: Organisation) -> None:
    leader = person(db, roles=[Role.LEADER], organisation="Head Office")
    plan = {(g, "bronze"): 10000 for g in STAFF_GROUPS}
    plan |= {
        ("nursing_midwifery", "silver"): 1000,
        ("nursing_midwifery", "gold"): 100,
        ("medical_dental", "gold"): 3333,
    }
    capability.set_plan(db, organisation_id=org.id, plan_targets=plan, by=leader)


def _row(report: object, group: str, tier: str) -> tuple[object, ...]:
    c = next(c for c in report.coverage if c.staff_group == group and c.tier == tier)  # type: ignore[attr-defined]
    return (c.staff, c.holding, c.share_percent, c.target_percent, c.needed, c.gap)


def test_arithmetic_helpers_round_people_up_and_never_go_below_zero() -> None:
    assert capability.needed(1000, 15) == 2  # 10% of 15 is 1.5 people: 2
    assert capability.needed(3333, 3) == 1  # 0.9999 of a person: 1
    assert capability.needed(1000, 10) == 1  # exactly 1, not 2
    assert capability.needed(0, 50) == 0
    assert capability.needed(10000, 0) == 0
    assert capability.gap(1000, 15, 5) == 0  # ahead of the target: no negative gap
    assert capability.share(1, 15) == 6.7
    assert capability.share(1, 3) == 33.3
    assert capability.share(1, 8) == 12.5
    assert capability.share(1, 0) is None


def test_coverage_by_staff_group_and_tier(db: Session, trust: Organisation) -> None:
    _set_plan(db, trust)
    r = capability.report(db, organisation=trust, today=date(2025, 6, 15))
    assert _row(r, "nursing_midwifery", "bronze") == (15, 12, 80.0, 100.0, 15, 3)
    assert _row(r, "medical_dental", "bronze") == (3, 1, 33.3, 100.0, 3, 2)
    assert _row(r, "administrative_clerical", "bronze") == (0, 0, None, 100.0, 0, 0)
    assert _row(r, "nursing_midwifery", "silver") == (15, 1, 6.7, 10.0, 2, 1)
    assert _row(r, "medical_dental", "silver") == (3, 0, 0.0, None, None, None)
    assert _row(r, "nursing_midwifery", "gold") == (15, 0, 0.0, 1.0, 1, 1)
    assert _row(r, "medical_dental", "gold") == (3, 1, 33.3, 33.33, 1, 0)
    assert len(r.coverage) == 3 * len(STAFF_GROUPS)


def test_coverage_at_the_end_of_each_month(db: Session, trust: Organisation) -> None:
    _set_plan(db, trust)
    r = capability.report(db, organisation=trust, today=date(2025, 6, 15))
    bronze = [
        (m.month, m.staff, m.holding, m.needed, m.gap) for m in r.months if m.tier == "bronze"
    ]
    assert [m for m, *_ in bronze] == [f"2024-{m:02d}" for m in range(7, 13)] + [
        f"2025-{m:02d}" for m in range(1, 7)
    ]
    assert bronze[0] == ("2024-07", 10, 8, 10, 2)  # everything earlier counts by July
    assert bronze[5] == ("2024-12", 10, 8, 10, 2)
    assert bronze[6] == ("2025-01", 13, 8, 13, 5)  # doctors join: 2 nurses + 3 doctors short
    assert bronze[8] == ("2025-03", 18, 8, 18, 10)
    assert bronze[9] == ("2025-04", 18, 12, 18, 6)  # the revoked Bronze never counts
    assert bronze[10] == ("2025-05", 18, 13, 18, 5)  # awarded 23:30 on 31 May: May
    silver = {m.month: (m.holding, m.needed, m.gap) for m in r.months if m.tier == "silver"}
    assert silver["2025-01"] == (0, 1, 1)
    assert silver["2025-02"] == (1, 1, 0)
    assert silver["2025-03"] == (1, 2, 1)  # 10% of 15 nurses is 1.5: 2 people
    gold = {m.month: (m.holding, m.needed, m.gap) for m in r.months if m.tier == "gold"}
    assert gold["2025-05"] == (0, 2, 2)
    assert gold["2025-06"] == (1, 2, 1)
    shares = {m.month: m.share_percent for m in r.months if m.tier == "bronze"}
    assert shares["2025-06"] == 72.2  # 13 of 18


def test_an_organisation_without_staff_shows_no_staff_rather_than_dividing_by_zero(
    db: Session, client: TestClient
) -> None:
    leader = person(db, roles=[Role.LEADER], organisation="Head Office")
    org = Organisation(name="Empty Trust", name_key="empty trust")
    db.add(org)
    db.flush()
    org_id = org.id
    service.refresh(db, full=True)
    capability.set_plan(
        db, organisation_id=org_id, plan_targets={("other", "bronze"): 5000}, by=leader
    )
    r = capability.report(db, organisation=org, today=date(2025, 6, 15))
    assert _row(r, "other", "bronze") == (0, 0, None, 50.0, 0, 0)
    assert all(m.share_percent is None for m in r.months)
    sign_in(client, leader.email)
    page = client.get(f"/leader/capability/{org_id}")
    assert page.status_code == 200
    assert "<td>No staff in this group</td>" in page.text


def test_a_leader_sets_the_plan_through_the_form(
    db: Session, client: TestClient, trust: Organisation
) -> None:
    leader = person(db, roles=[Role.LEADER], organisation="Head Office")
    sign_in(client, leader.email)
    assert "/leader/capability" in client.get("/leader/reports").text
    assert ORG in client.get("/leader/capability").text
    path = f"/leader/capability/{trust.id}/plan"
    token = csrf_token(client, path)
    r = client.post(path, data={**PLAN, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/leader/capability/{trust.id}?done=saved"
    saved = capability.targets(db, organisation_id=trust.id)
    assert saved[("nursing_midwifery", "silver")] == 1000
    assert saved[("medical_dental", "gold")] == 3333
    assert saved[("social_care", "bronze")] == 10000  # "every staff group" filled the blanks
    assert ("medical_dental", "silver") not in saved
    assert len(saved) == len(STAFF_GROUPS) + 3
    page = client.get(f"/leader/capability/{trust.id}?done=saved")
    assert "The capability plan has been saved" in page.text
    assert "<td>No staff in this group</td>" in page.text  # administrative staff: none
    form = client.get(path).text
    assert 'value="33.33"' in form
    assert 'value="10"' in form


@pytest.mark.parametrize("bad", ["abc", "101", "-1", "2.555", "100.01", "1e2"])
def test_a_target_that_is_not_a_percentage_is_refused_and_nothing_is_saved(
    db: Session, client: TestClient, trust: Organisation, bad: str
) -> None:
    _set_plan(db, trust)
    before = capability.targets(db, organisation_id=trust.id)
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    path = f"/leader/capability/{trust.id}/plan"
    token = csrf_token(client, path)
    data = {**PLAN, "target-silver-nursing_midwifery": bad, "csrf_token": token}
    r = client.post(path, data=data)
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert (
        "Enter the Silver target for nursing and midwifery registered as a whole or decimal "
        "percentage from 0 to 100"
    ) in r.text
    assert 'href="#target-silver-nursing_midwifery"' in r.text
    assert f'value="{bad}"' in r.text  # what they typed is kept
    assert capability.targets(db, organisation_id=trust.id) == before


def test_csv_downloads(db: Session, client: TestClient, trust: Organisation) -> None:
    _set_plan(db, trust)
    sign_in(client, person(db, roles=[Role.ADMIN]).email)
    r = client.get(f"/leader/capability/{trust.id}/coverage.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == capability.COVERAGE_HEADER
    assert len(rows) == 1 + 3 * len(STAFF_GROUPS)
    assert [
        "Nursing and midwifery registered",
        "Bronze",
        "15",
        "12",
        "80.0",
        "100.0",
        "15",
        "3",
    ] in rows
    assert [
        "Administrative and clerical",
        "Bronze",
        "0",
        "0",
        "no staff",
        "100.0",
        "0",
        "0",
    ] in rows
    assert [
        "Nursing and midwifery registered",
        "Silver",
        "15",
        "1",
        "6.7",
        "10.0",
        "2",
        "1",
    ] in rows
    assert ["Medical and dental", "Silver", "3", "0", "0.0", "no target", "", ""] in rows
    r = client.get(f"/leader/capability/{trust.id}/over-time.csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == capability.MONTHS_HEADER
    assert len(rows) == 1 + 3 * 12
    # The rollups hold every month to date, so today's month shows all of them.
    assert rows[12] == [rows[12][0], "Bronze", "18", "13", "72.2", "18", "5"]
    assert client.get(f"/leader/capability/{trust.id}/nothing.csv").status_code == 404


def test_the_api_reads_and_replaces_the_plan(
    db: Session, client: TestClient, trust: Organisation
) -> None:
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    url = f"/api/v1/organisations/{trust.id}/capability-plan"
    assert client.get(url, headers=headers).json()["targets"] == []
    body = {
        "targets": [
            {"staff_group": "nursing_midwifery", "tier": "silver", "target_percent": 10},
            {"staff_group": "medical_dental", "tier": "gold", "target_percent": "33.33"},
            {"staff_group": "nursing_midwifery", "tier": "bronze", "target_percent": 100.0},
        ]
    }
    r = client.put(url, json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["targets"] == [
        {"staff_group": "nursing_midwifery", "tier": "bronze", "target_percent": 100.0},
        {"staff_group": "nursing_midwifery", "tier": "silver", "target_percent": 10.0},
        {"staff_group": "medical_dental", "tier": "gold", "target_percent": 33.33},
    ]
    report = client.get(f"/api/v1/organisations/{trust.id}/capability-report", headers=headers)
    assert report.status_code == 200
    silver = next(
        c
        for c in report.json()["coverage"]
        if c["staff_group"] == "nursing_midwifery" and c["tier"] == "silver"
    )
    assert silver == {
        "staff_group": "nursing_midwifery",
        "staff_group_name": "Nursing and midwifery registered",
        "tier": "silver",
        "staff": 15,
        "holding": 1,
        "share_percent": 6.7,
        "target_percent": 10.0,
        "needed": 2,
        "gap": 1,
    }
    assert len(report.json()["months"]) == 36


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (101, "percentage from 0 to 100"),
        (-5, "percentage from 0 to 100"),
        ("12.345", "percentage from 0 to 100"),
        (True, "percentage from 0 to 100"),
        (None, "percentage from 0 to 100"),
    ],
)
def test_the_api_refuses_a_bad_target_and_saves_nothing(
    db: Session, client: TestClient, trust: Organisation, target: object, message: str
) -> None:
    _set_plan(db, trust)
    before = capability.targets(db, organisation_id=trust.id)
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    body = {
        "targets": [
            {"staff_group": "nursing_midwifery", "tier": "silver", "target_percent": target}
        ]
    }
    r = client.put(f"/api/v1/organisations/{trust.id}/capability-plan", json=body, headers=headers)
    assert r.status_code == 422
    assert message in r.json()["detail"]
    assert capability.targets(db, organisation_id=trust.id) == before


def test_the_api_refuses_two_targets_for_one_group_and_tier(
    db: Session, client: TestClient, trust: Organisation
) -> None:
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    one = {"staff_group": "nursing_midwifery", "tier": "silver", "target_percent": 5}
    r = client.put(
        f"/api/v1/organisations/{trust.id}/capability-plan",
        json={"targets": [one, {**one, "target_percent": 6}]},
        headers=headers,
    )
    assert r.status_code == 422
    assert "at most one target per tier" in r.json()["detail"]
    assert db.scalars(select(CapabilityTarget)).all() == []


def _routes(org_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/leader/capability"),
        ("GET", f"/leader/capability/{org_id}"),
        ("GET", f"/leader/capability/{org_id}/plan"),
        ("POST", f"/leader/capability/{org_id}/plan"),
        ("GET", f"/leader/capability/{org_id}/coverage.csv"),
        ("GET", f"/api/v1/organisations/{org_id}/capability-plan"),
        ("PUT", f"/api/v1/organisations/{org_id}/capability-plan"),
        ("GET", f"/api/v1/organisations/{org_id}/capability-report"),
    ]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_only_leaders_and_admins_see_or_change_a_plan(
    db: Session, client: TestClient, trust: Organisation, role: Role
) -> None:
    # Even someone of the organisation itself: the plan is for its leaders.
    who = person(db, roles=[role], organisation=ORG)
    headers = bearer(client, who.email)
    sign_in(client, who.email)
    token = csrf_token(client, "/dashboard")
    for method, path in _routes(trust.id):
        if path.startswith("/api"):
            r = client.request(method, path, headers=headers, json={"targets": []})
        else:
            r = client.request(method, path, data={**PLAN, "csrf_token": token})
        assert r.status_code == 403, (method, path)
    assert capability.targets(db, organisation_id=trust.id) == {}


def test_signed_out_visitors_and_missing_organisations(
    db: Session, client: TestClient, trust: Organisation
) -> None:
    for method, path in _routes(trust.id):
        if path.startswith("/api"):
            r = client.request(method, path, json={"targets": []})
            assert r.status_code == 401, (method, path)
        else:
            r = client.request(method, path, follow_redirects=False)
            assert r.status_code in (303, 401, 403), (method, path)
    headers = bearer(client, person(db, roles=[Role.LEADER]).email)
    missing = trust.id + 1000
    for path in (
        f"/api/v1/organisations/{missing}/capability-plan",
        f"/api/v1/organisations/{missing}/capability-report",
    ):
        assert client.get(path, headers=headers).status_code == 404
    r = client.put(
        f"/api/v1/organisations/{missing}/capability-plan",
        json={"targets": []},
        headers=headers,
    )
    assert r.status_code == 404


def test_saving_a_plan_is_audited_and_unknown_groups_are_refused(
    db: Session, trust: Organisation
) -> None:
    _set_plan(db, trust)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "capability.plan_set")).one()
    assert event.target_id == str(trust.id)
    leader = person(db, roles=[Role.LEADER])
    with pytest.raises(InvalidInput):
        capability.set_plan(
            db, organisation_id=trust.id, plan_targets={("pilots", "bronze"): 100}, by=leader
        )
