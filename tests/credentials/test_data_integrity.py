"""Data Integrity proofs checked by verifiers nobody here wrote: Digital Bazaar's @digitalbazaar/vc with
the eddsa-rdfc-2022 cryptosuite and jsonld's safe mode (tests/verifier, pinned with a lock file),
against a real server that issues, publishes its did:web DID document and revokes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.core.db import make_engine
from app.credentials import data_integrity, status_lists
from app.credentials.contexts import DIRECTORY, FILES
from app.credentials.did import did_document, did_web, document_path
from app.credentials.eddsa_keys import public_key_from_multibase
from tests.dbutil import fresh_database, migrate
from tests.factories import answers
from tests.servers import Server, running

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tests" / "verifier"
PASSWORD = "proof horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = fresh_database("data-integrity")
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for who, role in (("learner", Role.LEARNER), ("admin", Role.ADMIN)):
            accounts_service.create_user(
                session,
                email=f"{who}@proof.example.nhs.uk",
                password=PASSWORD,
                full_name=f"Proof {who.title()}",
                organisation="Proof Trust",
                staff_group="nursing_midwifery",
                roles=[role],
            )
    engine.dispose()
    keys = tmp_path_factory.mktemp("proof-keys") / "keys"
    with running(url, env={"QIA_KEYS_DIR": str(keys)}) as live:
        yield live


def _bearer(server: Server, who: str) -> dict[str, str]:
    r = httpx.post(
        f"{server.base}/api/v1/auth/token",
        data={"username": f"{who}@proof.example.nhs.uk", "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def issued(server: Server, registry: ContentRegistry) -> dict[str, Any]:
    """A Bronze credential the server issued when the learner passed the last quiz over HTTP."""
    headers = _bearer(server, "learner")
    for module in registry.tier("bronze"):
        r = httpx.post(
            f"{server.base}/api/v1/modules/{module.slug}/attempts",
            json={"answers": answers(module)},
            headers=headers,
            timeout=30,
        )
        assert r.status_code == 201, r.text
    listed = httpx.get(f"{server.base}/api/v1/me/credentials", headers=headers).json()["data"]
    assert len(listed) == 1
    credential = httpx.get(listed[0]["links"]["json"]).json()
    return {"id": listed[0]["id"], "credential": credential}


def _node(server: Server, credentials: dict[str, Any], documents: dict[str, str]) -> Any:
    node = shutil.which("node")
    assert node is not None, "Node 20 is needed for the independent verifier"
    assert (VERIFIER / "node_modules").is_dir(), "run `make test` (npm ci in tests/verifier)"
    payload = {
        "server": server.base,
        "contexts": {url: str(DIRECTORY / name) for url, name in FILES.items()},
        "credentials": credentials,
        "documents": documents,
    }
    result = subprocess.run(
        [node, str(VERIFIER / "verify.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_digital_bazaar_verifies_the_proof_refuses_a_changed_character_and_sees_a_revocation(
    server: Server, issued: dict[str, Any]
) -> None:
    credential = issued["credential"]
    tampered = json.loads(json.dumps(credential))
    tampered["name"] = tampered["name"][:-1] + "X"

    before = _node(server, {"fresh": credential, "tampered": tampered}, {})["credentials"]
    revoked = httpx.post(
        f"{server.base}/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "Issued in error during a test"},
        headers=_bearer(server, "admin"),
    )
    assert revoked.status_code == 200, revoked.text
    after = _node(server, {"revoked": credential}, {})["credentials"]

    assert before["fresh"] == {
        "verified": True,
        "proof": True,
        "status": True,
        "statusByLibrary": True,  # @digitalbazaar/vc-bitstring-status-list checked it
        "errors": [],
    }
    assert before["tampered"]["verified"] is False
    assert before["tampered"]["proof"] is False
    assert after["revoked"]["verified"] is False
    assert after["revoked"]["proof"] is True  # the signature still holds: only the status changed
    assert after["revoked"]["status"] is False
    assert after["revoked"]["statusByLibrary"] is True


def test_every_published_json_ld_document_expands_in_jsonld_safe_mode(
    server: Server, issued: dict[str, Any]
) -> None:
    documents = {
        "credential": f"/credentials/{issued['id']}",
        "issuer": "/issuer",
        "achievement": "/achievements/bronze",
        "silver": "/achievements/silver",
        "did": "/.well-known/did.json",
        "status_list": "/status/bitstring/revocation",
    }
    result = _node(server, {}, documents)["documents"]

    assert result == {name: {"ok": True, "error": None} for name in documents}


def test_the_credential_names_the_did_web_issuer_and_a_key_in_its_did_document(
    server: Server, issued: dict[str, Any]
) -> None:
    credential = issued["credential"]
    did = httpx.get(f"{server.base}/.well-known/did.json")
    (proof,) = credential["proof"]

    assert did.headers["content-type"] == "application/did+ld+json"
    assert credential["issuer"]["id"] == did.json()["id"] == did_web(base_url=server.base)
    assert proof["verificationMethod"] in did.json()["assertionMethod"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    method = next(
        m for m in did.json()["verificationMethod"] if m["id"] == proof["verificationMethod"]
    )
    key = public_key_from_multibase(method["publicKeyMultibase"])
    assert data_integrity.verify_proof(credential, resolve=lambda _: key) == (
        True,
        "eddsa-rdfc-2022 proof verified",
    )


def test_new_credentials_take_a_random_position_in_a_bitstring_status_list_of_131072(
    server: Server, issued: dict[str, Any]
) -> None:
    status = issued["credential"]["credentialStatus"]
    status_list = httpx.get(status["statusListCredential"]).json()
    bits = status_lists.decode_bits(status_list["credentialSubject"]["encodedList"])

    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert 0 <= int(status["statusListIndex"]) < 131_072
    assert status["statusListCredential"] == f"{server.base}/status/bitstring/revocation"
    assert len(bits) * 8 == 131_072
    assert status_list["issuer"] == issued["credential"]["issuer"]["id"]


def test_did_web_follows_the_method_spec_for_ports_and_paths() -> None:
    assert did_web(base_url="https://qi.example.nhs.uk") == "did:web:qi.example.nhs.uk"
    assert did_web(base_url="http://127.0.0.1:8000") == "did:web:127.0.0.1%3A8000"
    assert did_web(base_url="https://example.org/qi/academy/") == "did:web:example.org:qi:academy"
    assert document_path(base_url="https://example.org/qi") == "/did.json"
    assert document_path(base_url="https://example.org") == "/.well-known/did.json"
    assert did_document(did="did:web:x", multibase_keys=["z6Mk1", "z6Mk2"])["assertionMethod"] == [
        "did:web:x#z6Mk1",
        "did:web:x#z6Mk2",
    ]
