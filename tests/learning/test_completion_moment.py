"""The result page that completes a tier is a moment: the achievement, the certificate and what next;
every other pass offers the next module."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from tests.factories import answers, bearer, make_user, sign_in


def _pass(client: TestClient, headers: dict[str, str], module: object) -> int:
    r = client.post(
        f"/api/v1/modules/{module.slug}/attempts",  # type: ignore[attr-defined]
        json={"answers": answers(module)},  # type: ignore[arg-type]
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_pass_offers_the_next_module_and_the_last_one_the_certificate(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    headers = bearer(client, user.email)
    sign_in(client, user.email)
    bronze = registry.tier("bronze")
    first = _pass(client, headers, bronze[0])
    page = client.get(f"/modules/{bronze[0].slug}/attempts/{first}")
    assert page.status_code == 200
    assert f"Next module: {bronze[1].meta.title}" in page.text
    assert "You have earned" not in page.text

    for module in bronze[1:-1]:
        _pass(client, headers, module)
    last = _pass(client, headers, bronze[-1])
    page = client.get(f"/modules/{bronze[-1].slug}/attempts/{last}")
    assert "You have earned QI Academy Bronze" in page.text
    credential = client.get("/api/v1/me/credentials", headers=headers).json()["data"][0]
    assert credential["links"]["pdf"] in page.text
    assert 'href="/learn/silver"' in page.text
    assert "Next module" not in page.text
    dashboard = client.get("/dashboard")
    assert 'href="/achievements"' in dashboard.text
