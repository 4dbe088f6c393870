"""Content negotiation: the credential URL answers browsers with its verification page, machines
with JSON-LD and the VC-JWT when asked; the DID document in both DID Core types, with the RSA key
as a JsonWebKey beside the Ed25519 Multikey."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.credentials import media
from tests.credentials.factories import earn_bronze, path_of

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture
def credential_path(client: TestClient, db: Session, registry: ContentRegistry) -> str:
    _, _, listed = earn_bronze(client, db, registry)
    return path_of(listed["links"]["json"])


def test_a_browser_opening_the_credential_url_is_sent_to_its_verification_page(
    client: TestClient, credential_path: str
) -> None:
    r = client.get(credential_path, headers={"Accept": BROWSER}, follow_redirects=False)
    page = client.get(credential_path, headers={"Accept": BROWSER})

    assert r.status_code == 303
    assert r.headers["location"] == credential_path.replace("/credentials/", "/verify/")
    assert r.headers["vary"] == "Accept"
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Bronze" in page.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/ld+json"),
        ("*/*", "application/ld+json"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/json"),
        ("application/vc+jwt", "application/vc+jwt"),
        ("application/vc+jwt, application/ld+json;q=0.5", "application/vc+jwt"),
        ("text/html;q=0.1, application/ld+json", "application/ld+json"),
    ],
)
def test_machines_get_the_form_they_ask_for(
    client: TestClient, credential_path: str, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get(credential_path, headers=headers, follow_redirects=False)

    assert r.status_code == 200
    assert r.headers["content-type"] == expected
    assert r.headers["vary"] == "Accept"
    if expected == media.VC_JWT:
        assert r.text.count(".") == 2
        assert r.text == client.get(f"{credential_path}.jwt").text
    else:
        assert r.json()["id"].endswith(credential_path)
        assert r.json()["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_a_type_the_credential_url_does_not_offer_is_refused_saying_what_it_offers(
    client: TestClient, credential_path: str
) -> None:
    r = client.get(credential_path, headers={"Accept": "image/png"})

    assert r.status_code == 406
    assert "application/ld+json" in r.text
    assert "application/vc+jwt" in r.text


def test_the_jwt_form_is_served_as_application_vc_jwt(
    client: TestClient, credential_path: str
) -> None:
    r = client.get(f"{credential_path}.jwt")

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vc+jwt"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/did+ld+json"),
        ("application/did+ld+json", "application/did+ld+json"),
        ("application/did+json", "application/did+json"),
        ("application/json", "application/json"),
    ],
)
def test_the_did_document_comes_in_both_did_core_types(
    client: TestClient, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/.well-known/did.json", headers=headers)

    assert r.status_code == 200
    assert r.headers["content-type"] == expected
    assert r.headers["vary"] == "Accept"


def test_the_did_document_lists_the_rsa_key_as_a_json_web_key_beside_the_multikey(
    client: TestClient,
) -> None:
    did = client.get("/.well-known/did.json").json()
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    by_type: dict[str, list[dict[str, object]]] = {}
    for method in did["verificationMethod"]:
        by_type.setdefault(str(method["type"]), []).append(method)

    assert len(by_type["Multikey"]) >= 1
    assert [m["publicKeyJwk"] for m in by_type["JsonWebKey"]] == jwks
    for method in by_type["JsonWebKey"]:
        assert method["controller"] == did["id"]
        assert str(method["id"]).startswith(f"{did['id']}#")
        assert method["id"] in did["assertionMethod"]
        assert {"d", "p", "q", "dp", "dq", "qi"}.isdisjoint(method["publicKeyJwk"])  # type: ignore[arg-type]


def test_accept_parsing_follows_q_values_and_specificity() -> None:
    offers = media.CREDENTIAL_FORMS
    assert media.negotiate("application/*;q=0.2, text/html;q=0.3", offers) == "text/html"
    assert media.negotiate("application/*", offers) == "application/ld+json"
    assert media.negotiate("text/*;q=0, */*;q=0.1", offers) == "application/ld+json"
    assert media.negotiate("application/ld+json;q=0, application/json;q=0", ("a/b",)) is None
    assert media.negotiate("application/ld+json;q=x", offers) is None


def test_the_verification_page_links_the_json_ld_file_not_the_address_that_sends_browsers_back(
    client: TestClient, credential_path: str
) -> None:
    page = client.get(credential_path.replace("/credentials/", "/verify/"))
    download = client.get(f"{credential_path}.jsonld", headers={"Accept": BROWSER})

    assert f'href="{credential_path}.jsonld"' in page.text
    assert f'href="{credential_path}"' not in page.text
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.json()["id"].endswith(credential_path)
