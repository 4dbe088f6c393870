"""ESR completions: the month arithmetic, the admin's mapping page, the CSV's rows, who may
download it, and the formula guard."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.core.timefmt import local
from app.credentials import service as credentials_service
from app.esr.models import CompetenceMapping
from app.esr.service import HEADER, add_months
from tests.factories import answers, bearer, csrf_token, make_user, sign_in


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year end
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 12, 2), 36, date(2029, 12, 2)),
        (date(2026, 8, 31), 120, date(2036, 8, 31)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
    ],
)
def test_months_are_added_as_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def _org(user: User) -> int:
    assert user.organisation_id is not None
    return user.organisation_id


def _save(client: TestClient, org_id: int, data: dict[str, str]) -> str:
    path = f"/admin/esr/{org_id}"
    r = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
    return f"{r.status_code} {r.text}"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _pass_bronze(client: TestClient, registry: ContentRegistry, learner: User) -> None:
    headers = bearer(client, learner.email)
    for module in registry.tier("bronze"):
        r = client.post(
            f"/api/v1/modules/{module.slug}/attempts",
            json={"answers": answers(module)},
            headers=headers,
        )
        assert r.json()["passed"] is True


def test_the_csv_lists_mapped_completions_with_their_expiry(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    org_id = _org(admin)
    learner = make_user(db, name="Nina Okafor", email="nina.okafor@example.nhs.uk")
    _pass_bronze(client, registry, learner)
    elsewhere = make_user(db, name="Sam Other", email="sam.other@example.nhs.uk")
    other_org = accounts_service.get_or_create_organisation(db, name="Another Trust")
    elsewhere.organisation_id = other_org.id
    db.flush()
    _pass_bronze(client, registry, elsewhere)

    first, second = registry.tier("bronze")[:2]
    sign_in(client, admin.email)
    saved = _save(
        client,
        org_id,
        {
            "name-achievement-bronze": "QI Academy Bronze",
            "months-achievement-bronze": "36",
            f"name-module-{first.slug}": "  Quality  improvement   basics ",
            f"months-module-{second.slug}": "",
        },
    )
    assert saved.startswith("200")
    assert "ESR competence names saved." in saved
    assert db.scalar(select(func.count()).select_from(CompetenceMapping)) == 2

    r = client.get(f"/organisations/{org_id}/esr-completions.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.splitlines()[0] == ",".join(HEADER)
    rows = _rows(r.text)
    today = local(utcnow()).date()
    assert rows == [
        {
            "Employee Number": "",
            "Assignment Number": "",
            "Full Name": "Nina Okafor",
            "Email": "nina.okafor@example.nhs.uk",
            "Competence Name": "QI Academy Bronze",
            "Achieved Date": today.strftime("%d/%m/%Y"),
            "Expiry Date": add_months(today, 36).strftime("%d/%m/%Y"),
            "Source": f"{credentials_service.achievement('bronze').name} (achievement)",
        },
        {
            "Employee Number": "",
            "Assignment Number": "",
            "Full Name": "Nina Okafor",
            "Email": "nina.okafor@example.nhs.uk",
            "Competence Name": "Quality improvement basics",  # spaces tidied
            "Achieved Date": today.strftime("%d/%m/%Y"),
            "Expiry Date": "",  # no months: it never expires
            "Source": f"{first.meta.title} (module)",
        },
    ]
    assert "sam.other" not in r.text  # another organisation's people are not in it


def test_the_mapping_form_says_what_to_fix_and_saves_nothing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    sign_in(client, admin.email)
    slug = registry.tier("bronze")[0].slug
    result = _save(
        client,
        _org(admin),
        {
            "name-achievement-bronze": "QI Bronze",
            "months-achievement-bronze": "three years",
            f"months-module-{slug}": "12",  # an expiry without a name
        },
    )
    assert result.startswith("422")
    assert "There is a problem" in result
    assert "enter the months it stays valid as a whole number from 1 to 120" in result
    assert "enter the ESR competence name, or clear the months" in result
    assert 'href="#months-achievement-bronze"' in result
    assert db.scalar(select(func.count()).select_from(CompetenceMapping)) == 0


def test_only_the_organisations_leaders_and_admins_may_download(
    client: TestClient, db: Session
) -> None:
    leader = make_user(db, roles=[Role.LEADER])
    org_id = _org(leader)
    path = f"/organisations/{org_id}/esr-completions.csv"

    r = client.get(path, follow_redirects=False)  # signed out: sent to sign in
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"

    for role in (Role.LEARNER, Role.TRAINER):
        sign_in(client, make_user(db, roles=[role]).email)
        r = client.get(path)
        assert r.status_code == 403, role
        assert "Only a leader or admin can do this." in r.text

    foreign = make_user(db, roles=[Role.LEADER])
    foreign.organisation_id = accounts_service.get_or_create_organisation(db, name="Far Trust").id
    db.flush()
    sign_in(client, foreign.email)
    r = client.get(path)
    assert r.status_code == 403
    assert "only for your own organisation" in r.text
    assert (
        client.get(f"/organisations/{foreign.organisation_id}/esr-completions.csv").status_code
        == 200
    )

    sign_in(client, leader.email)
    assert client.get(path).status_code == 200
    reports = client.get(f"/leader/reports?organisation={org_id}")
    assert f'href="{path}"' in reports.text  # the leader's way to it
    sign_in(client, make_user(db, roles=[Role.ADMIN]).email)
    assert client.get(path).status_code == 200
    assert client.get("/organisations/999999/esr-completions.csv").status_code == 404


def test_the_mapping_pages_are_for_admins_only(client: TestClient, db: Session) -> None:
    leader = make_user(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    token = csrf_token(client, "/dashboard")
    assert client.get("/admin/esr").status_code == 403
    assert client.get(f"/admin/esr/{_org(leader)}").status_code == 403
    data = {"csrf_token": token, "name-achievement-bronze": "X"}
    assert client.post(f"/admin/esr/{_org(leader)}", data=data).status_code == 403
    assert db.scalar(select(func.count()).select_from(CompetenceMapping)) == 0


def test_cells_that_look_like_formulas_are_defused(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    learner = make_user(db, name='=HYPERLINK("http://evil.example","Click")')
    module = registry.tier("bronze")[0]
    client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, learner.email),
    )
    sign_in(client, admin.email)
    _save(client, _org(admin), {f"name-module-{module.slug}": "+SUM(1,2)"})
    r = client.get(f"/organisations/{_org(admin)}/esr-completions.csv")
    [row] = _rows(r.text)
    assert row["Full Name"] == "'" + learner.full_name
    assert row["Competence Name"] == "'+SUM(1,2)"
