"""Registering from an invitation keeps where the person was going; blank fields say what to enter."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import csrf_token

JOIN = "/cohorts/join/abc123"


def test_sign_in_and_register_carry_next_both_ways(client: TestClient) -> None:
    login = client.get(f"/login?next={JOIN}")
    assert f'href="/register?next={JOIN}"' in login.text
    register = client.get(f"/register?next={JOIN}")
    assert f'name="next" value="{JOIN}"' in register.text
    assert f'href="/login?next={JOIN}"' in register.text


def test_registering_from_an_invitation_lands_on_it(client: TestClient) -> None:
    token = csrf_token(client, f"/register?next={JOIN}")
    form = {
        "csrf_token": token,
        "full_name": "Ama Owusu",
        "email": "ama.owusu@example.nhs.uk",
        "password": "kettle lantern willow",
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
        "next": JOIN,
    }
    r = client.post("/register", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == JOIN


def test_an_outside_next_is_never_followed(client: TestClient) -> None:
    token = csrf_token(client, "/register")
    form = {
        "csrf_token": token,
        "full_name": "Ama Owusu",
        "email": "ama.owusu2@example.nhs.uk",
        "password": "kettle lantern willow",
        "organisation": "Oak Lodge Care Home",
        "staff_group": "nursing_midwifery",
        "next": "//evil.example/phish",
    }
    r = client.post("/register", data=form, follow_redirects=False)
    assert r.headers["location"] == "/dashboard"


def test_blank_fields_say_what_to_enter_in_the_order_of_the_form(client: TestClient) -> None:
    token = csrf_token(client, "/register")
    blank = dict.fromkeys(("full_name", "email", "password", "organisation", "staff_group"), "")
    r = client.post("/register", data={"csrf_token": token, **blank, "next": JOIN})
    assert r.status_code == 422
    summary = re.findall(r'<a href="#([a-z_]+)">\s*([^<]+?)\s*</a>', r.text)
    assert summary == [
        ("full_name", "Enter your full name"),
        ("email", "Enter your email address"),
        ("password", "Enter a password"),
        ("organisation", "Enter your organisation"),
        ("staff_group", "Choose your staff group"),
    ]
    assert f'name="next" value="{JOIN}"' in r.text  # the invitation is not lost on an error
