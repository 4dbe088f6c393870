"""The verify API takes the JSON-LD credential (with its Data Integrity proof) as well as the
VC-JWT; and the issuer Profile at its URL has a name, url, email and image."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from tests.credentials.factories import earn_bronze, path_of
from tests.factories import bearer, make_user

VERIFY = "/api/v1/credentials/verify"


def _checks(result: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["passed"] for c in result["checks"]}


def test_a_json_ld_credential_verifies_by_its_proof_and_then_shows_its_revocation(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    document = client.get(path_of(listed["links"]["json"])).json()

    fresh = client.post(VERIFY, json={"credential": document})
    client.post(
        f"/api/v1/credentials/{listed['id']}/revoke",
        json={"reason": "Awarded to the wrong learner"},
        headers=bearer(client, make_user(db, roles=[Role.ADMIN]).email),
    )
    revoked = client.post(VERIFY, json={"credential": document})

    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["valid"] is True
    assert fresh.json()["id"] == listed["id"]
    assert _checks(fresh.json()) == {
        "signature": True,
        "not_before": True,
        "expiry": True,
        "status": True,
        "record": True,
        "current": True,
    }
    signature = next(c for c in fresh.json()["checks"] if c["name"] == "signature")
    assert signature["detail"] == "eddsa-rdfc-2022 proof verified"
    assert revoked.json()["valid"] is False
    assert revoked.json()["status"] == "revoked"
    assert _checks(revoked.json())["status"] is False
    assert _checks(revoked.json())["signature"] is True


def test_a_json_ld_credential_with_one_changed_character_fails_its_proof(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    _, _, listed = earn_bronze(client, db, registry)
    document = client.get(path_of(listed["links"]["json"])).json()
    tampered = json.loads(json.dumps(document))
    tampered["credentialSubject"]["achievement"]["name"] += "!"

    r = client.post(VERIFY, json={"credential": tampered})

    assert r.status_code == 200, r.text
    assert r.json()["valid"] is False
    assert _checks(r.json())["signature"] is False
    assert _checks(r.json())["record"] is False  # an unverified document is never looked up
    assert r.json()["id"] is None


def test_json_that_is_not_one_of_our_credentials_is_reported_not_valid_never_an_error(
    client: TestClient,
) -> None:
    given = [
        {},
        {"@context": ["https://contexts.example.org/unknown.jsonld"], "proof": {"type": "x"}},
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "proof": [
                {
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-rdfc-2022",
                    "proofPurpose": "assertionMethod",
                    "verificationMethod": "did:web:x#z",
                    "proofValue": "z1",
                }
            ],
        },
        {"@context": 5, "proof": [{"type": "DataIntegrityProof"}]},
    ]
    for document in given:
        r = client.post(VERIFY, json={"credential": document})

        assert r.status_code == 200, (document, r.text)
        assert r.json()["valid"] is False, document
        assert _checks(r.json())["signature"] is False, document


def test_neither_a_token_nor_an_object_is_refused_saying_what_to_send(client: TestClient) -> None:
    r = client.post(VERIFY, json={"credential": ["a", "list"]})

    assert r.status_code == 422
    assert "credential" in r.text


def test_the_issuer_profile_has_a_name_url_email_and_an_image_that_loads(
    client: TestClient,
) -> None:
    profile = client.get("/issuer")
    image = client.get(path_of(profile.json()["image"]["id"]))

    assert profile.status_code == 200
    assert profile.json()["name"] == "QI Academy"
    assert profile.json()["url"] == "http://testserver"
    assert profile.json()["email"] == get_settings().support_email
    assert profile.json()["image"]["type"] == "Image"
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
