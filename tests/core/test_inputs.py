"""Bad input is a 4xx with a message on every route, never a 500 (app/core/inputs.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.inputs import INT64_MAX, problem
from tests.factories import bearer, csrf_token, make_user


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("Ward\x007", "remove the control character"),
        ("bell\x07", "remove the control character"),
        (str(INT64_MAX + 1), "no bigger than"),
        (INT64_MAX + 1, "no bigger than"),
        ("9999-12", "between the years 1900 and 2200"),
        ("9999-12-31", "between the years 1900 and 2200"),
        ("0001-01-01T00:00:00Z", "between the years 1900 and 2200"),
    ],
)
def test_each_kind_of_bad_value_is_named(value: object, fragment: str) -> None:
    message = problem("field", value)
    assert message is not None
    assert message.startswith("field: ")
    assert fragment in message


@pytest.mark.parametrize(
    "value", ["line one\nline two\tand a tab", "2026-03-14", str(INT64_MAX), 42, "ABC-123"]
)
def test_good_values_pass(value: object) -> None:
    assert problem("field", value) is None


def test_a_huge_id_in_any_path_is_a_404(client: TestClient, db: Session) -> None:
    headers = bearer(client, make_user(db).email)
    for path in ("/api/v1/projects/9223372036854775808", "/api/v1/cohorts/99999999999999999999"):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"] == "NotFound"


def test_a_far_date_in_a_query_is_a_422_naming_it(client: TestClient, db: Session) -> None:
    headers = bearer(client, make_user(db).email)
    r = client.get("/api/v1/reports/summary?date_to=9999-12", headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"] == "date_to: enter a date between the years 1900 and 2200"
    assert r.json()["errors"] == [{"field": "date_to", "message": r.json()["detail"]}]


def test_a_nul_byte_in_json_or_a_form_is_a_422(client: TestClient) -> None:
    body = {
        "email": "nul@example.nhs.uk",
        "password": "correct horse battery",
        "full_name": "Sam\x00Jones",
        "organisation": "Ward 7",
        "staff_group": "nursing_midwifery",
    }
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("full_name: remove the control character")
    token = client.post("/api/v1/auth/token", data={"username": "a\x00@b.c", "password": "x"})
    assert token.status_code == 422
    assert token.json()["detail"].startswith("username: remove the control character")
    page = client.post(
        "/login", data={"email": "x\x00@y.z", "password": "p", "csrf_token": csrf_token(client)}
    )
    assert page.status_code == 422
    assert "remove the control character" in page.text


def test_every_datetime_the_api_returns_carries_its_time_zone(
    client: TestClient, db: Session
) -> None:
    """One rule at the source (app.core.db.UTCDateTime): the same on SQLite and PostgreSQL."""
    user = make_user(db)
    me = client.get("/api/v1/me", headers=bearer(client, user.email)).json()
    assert me["created_at"].endswith(("Z", "+00:00")), me["created_at"]
