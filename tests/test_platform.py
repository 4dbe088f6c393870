"""Platform plumbing: health check, security headers, error format, static assets, docs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session


def test_healthz_reports_database_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "migrations": "ok", "content": "ok"}
    assert client.get("/healthz/ready").json() == r.json()
    assert client.get("/healthz/live").json()["status"] == "ok"


def test_readiness_fails_while_migrations_are_behind(client: TestClient, db: Session) -> None:
    db.execute(text("UPDATE alembic_version SET version_num = '3d136ac94135'"))
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["migrations"] == "behind: at 3d136ac94135"
    assert client.get("/healthz/live").status_code == 200


def test_pages_carry_security_headers_and_a_csp_nonce(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == "NotFound"
    assert "nothing at this address" in r.json()["detail"]


def test_unknown_page_is_an_nhs_error_page(client: TestClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert "Page not found" in r.text
    assert "nhsuk-header" in r.text


def test_vendored_nhsuk_frontend_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/nhsuk-frontend/nhsuk-frontend-10.6.1.min.css").status_code == 200
    assert client.get("/static/nhsuk-frontend/nhsuk-frontend-10.6.1.min.js").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200


def test_api_docs_load_only_local_assets(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/swagger-ui-5.35.0/swagger-ui-bundle.js" in r.text
    assert "cdn." not in r.text
    assert client.get("/static/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/modules",
        "/api/v1/modules/{slug}",
        "/api/v1/modules/{slug}/attempts",
        "/api/v1/me/progress",
    ):
        assert path in paths
