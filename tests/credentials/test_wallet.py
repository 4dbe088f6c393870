"""Wallet hand-off: the Learner Credential Wallet request link, its QR code, the VC-API exchange it
opens, and the JSON-LD credential as a download."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.credentials import wallet
from tests.credentials.factories import earn_bronze, path_of


def test_the_wallet_link_is_a_learner_credential_wallet_request_for_the_vc_api_exchange(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    links = listed["links"]
    link = urlsplit(links["wallet"])
    request = json.loads(parse_qs(link.query)["request"][0])

    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://lcw.app/request"
    assert request == {
        "credentialRequestOrigin": "http://testserver",
        "protocols": {"vcapi": f"http://testserver/api/v1/credentials/{listed['id']}/exchange"},
    }
    assert links["exchange"] == request["protocols"]["vcapi"]
    deep = wallet.deep_link(base_url="http://testserver", credential_id=uuid.UUID(listed["id"]))
    assert deep == "dccrequest://request?" + link.query
    assert links["jsonld"] == f"{links['json']}.jsonld"
    assert links["wallet_qr"] == f"{links['json']}/wallet-qr.svg"


def test_the_exchange_answers_the_wallets_post_with_the_credential_in_a_presentation(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    document = client.get(path_of(listed["links"]["json"])).json()

    r = client.post(path_of(listed["links"]["exchange"]), json={})

    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "private, no-store"
    assert "verifiablePresentationRequest" not in r.json()  # nothing more to ask the wallet
    presentation = r.json()["verifiablePresentation"]
    assert presentation["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert presentation["type"] == ["VerifiablePresentation"]
    assert presentation["verifiableCredential"] == [document]


def test_the_exchange_for_a_credential_that_does_not_exist_is_not_found(
    client: TestClient,
) -> None:
    r = client.post(f"/api/v1/credentials/{uuid.uuid4()}/exchange", json={})

    assert r.status_code == 404
    assert "credential" in r.text.lower()


def test_the_json_ld_download_is_the_credential_as_a_file(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    document = client.get(path_of(listed["links"]["json"])).json()

    r = client.get(path_of(listed["links"]["jsonld"]))

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/ld+json"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="qi-academy-bronze-{listed["id"]}.jsonld"'
    )
    assert r.json() == document


def test_the_wallet_qr_code_is_an_svg_of_the_wallet_link(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)

    r = client.get(path_of(listed["links"]["wallet_qr"]))

    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert r.content.startswith(b"<?xml") or r.content.startswith(b"<svg")
    assert b"<title>QR code to add this credential to a wallet</title>" in r.content
    # Same code as the module makes from the same link (decoded by zbar in the browser test).
    made = wallet.qr_svg(base_url="http://testserver", credential_id=uuid.UUID(listed["id"]))
    assert r.content == made
