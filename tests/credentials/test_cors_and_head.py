"""Browser-based verifiers can read every public credential document: CORS, preflight and HEAD."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from tests.credentials.factories import earn_bronze, path_of


def _public_paths(client: TestClient, links: dict[str, str]) -> list[str]:
    kid = client.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    return [
        "/.well-known/jwks.json",
        "/.well-known/did.json",
        path_of(kid),
        "/issuer",
        "/issuer/image.png",
        "/achievements/bronze",
        "/achievements/bronze/image.png",
        "/achievements/bronze/image.svg",
        "/status/revocations",
        "/status/bitstring/revocation",
        *(path_of(links[form]) for form in ("json", "jwt", "jsonld", "png", "svg", "wallet_qr")),
    ]


def test_every_public_document_is_readable_from_any_origin_and_answers_head(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    origin = {"Origin": "https://verifier.example.org"}

    for path in _public_paths(client, listed["links"]):
        got = client.get(path, headers=origin)
        head = client.head(path, headers=origin)
        preflight = client.options(
            path,
            headers={
                **origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "accept",
            },
        )

        assert got.status_code == 200, path
        assert got.headers["access-control-allow-origin"] == "*", path
        assert head.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path
        assert head.headers["access-control-allow-origin"] == "*", path
        assert preflight.status_code == 204, path
        assert preflight.headers["access-control-allow-origin"] == "*", path
        assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS", path
        assert preflight.headers["access-control-allow-headers"] == "accept", path


def test_the_private_certificate_and_the_pages_are_not_opened_to_other_origins(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, headers, listed = earn_bronze(client, db, registry)
    origin = {"Origin": "https://verifier.example.org"}

    pdf = client.get(path_of(listed["links"]["pdf"]), headers={**headers, **origin})
    page = client.get(path_of(listed["links"]["verify"]), headers=origin)
    api = client.get("/api/v1/me/credentials", headers={**headers, **origin})

    assert pdf.status_code == page.status_code == api.status_code == 200
    assert "access-control-allow-origin" not in pdf.headers
    assert "access-control-allow-origin" not in page.headers
    assert "access-control-allow-origin" not in api.headers


def test_a_missing_credential_is_still_a_json_404_with_cors(client: TestClient) -> None:
    missing = client.get(
        "/credentials/00000000-0000-4000-8000-000000000000",
        headers={"Origin": "https://verifier.example.org"},
    )

    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == "*"
    assert missing.json()["error"] == "NotFound"


def test_head_answers_every_get_route_without_a_body_and_without_cors(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, headers, _ = earn_bronze(client, db, registry)

    for path, status in (("/", 200), ("/achievements", 200), ("/api/v1/me", 200)):
        got = client.get(path, headers=headers)
        head = client.head(path, headers=headers)
        assert (got.status_code, head.status_code) == (status, status), path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert "access-control-allow-origin" not in head.headers, path
    refused = client.head("/api/v1/me")
    assert refused.status_code == 401
    assert refused.content == b""
    assert refused.headers["content-type"] == "application/json"
