"""Two app processes that share one key source (a read-only secrets directory, or a PEM bundle in the
environment) sign credentials that both verify against one DID document and one JWKS.

Real uvicorn processes on one database; each learner earns Bronze on a different instance. Each
instance also has a key store of its own (QIA_KEYS_DIR) that must stay untouched: keys from a
secret are never made or written by an instance.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from app.content.registry import ContentRegistry
from app.credentials import key_sources
from app.credentials.data_integrity import verify_proof
from app.credentials.eddsa_keys import EdKeyRing, public_key_from_multibase
from app.credentials.keys import KeyRing
from tests.dbutil import fresh_database, migrate
from tests.factories import answers, confirm_email
from tests.servers import Server, start, stop

BASE_URL = "https://qi-academy.example.nhs.uk"  # one public address in front of both
PASSWORD = "shared keys horse battery staple"


@pytest.fixture(scope="module")
def database() -> str:
    url = fresh_database("sharedkeys")
    migrate(url)
    sync = subprocess.run(
        [str(Path(sys.executable).with_name("qi-academy")), "content", "sync"],
        env={**os.environ, "QIA_DATABASE_URL": url, "QIA_ENV": "test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert sync.returncode == 0, sync.stdout + sync.stderr
    return url


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A store with a rotation behind it, exported both ways (what `qi-academy keys export` does)."""
    folder = tmp_path_factory.mktemp("keys")
    KeyRing.load(keys_dir=folder / "store", base_url=BASE_URL).rotate()
    EdKeyRing.load(keys_dir=folder / "store").rotate()
    keys = key_sources.from_store(folder / "store")
    key_sources.write_directory(keys, folder / "secret")
    return folder / "secret", key_sources.to_pem_bundle(keys)


@pytest.fixture(params=["secrets directory", "environment"])
def pair(
    request: pytest.FixtureRequest,
    database: str,
    exported: tuple[Path, bytes],
    tmp_path: Path,
) -> Iterator[tuple[list[Server], list[Path]]]:
    secret, bundle = exported
    source = (
        {"QIA_KEYS_SECRET_DIR": str(secret)}
        if request.param == "secrets directory"
        else {"QIA_SIGNING_KEYS_PEM": bundle.decode()}
    )
    stores = [tmp_path / "store-a", tmp_path / "store-b"]
    servers: list[Server] = []
    try:
        for store in stores:
            env = {
                "QIA_BASE_URL": BASE_URL,
                "QIA_CONTENT_SYNC": "false",
                "QIA_KEYS_DIR": str(store),
                "QIA_REGISTER_MAX_PER_IP_PER_HOUR": "1000",
                **source,
            }
            servers.append(start(database, env=env))
        yield servers, stores
    finally:
        for server in servers:
            stop(server)


def _earn_bronze(server: Server, registry: ContentRegistry, n: str) -> dict[str, Any]:
    email = f"shared-{n}@example.nhs.uk"
    with httpx.Client(base_url=server.base, timeout=60) as client:
        body = {
            "email": email,
            "password": PASSWORD,
            "full_name": f"Shared Keys {n}",
            "organisation": "Ward 9",
            "staff_group": "nursing_midwifery",
        }
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
        confirm_email(
            client, server.database_url, email
        )  # credentials wait for a confirmed address
        token = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for module in registry.tier("bronze"):
            r = client.post(
                f"/api/v1/modules/{module.slug}/attempts",
                json={"answers": answers(module)},
                headers=headers,
            )
            assert r.status_code == 201, r.text
        listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
        assert len(listed) == 1, listed
        links = listed[0]["links"]
        credential = client.get(links["json"].removeprefix(BASE_URL), headers=headers)
        token_form = client.get(links["jwt"].removeprefix(BASE_URL), headers=headers)
        assert credential.status_code == 200, credential.text
        assert token_form.status_code == 200, token_form.text
        return {"json": credential.json(), "jwt": token_form.text.strip()}


def _public(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    did = httpx.get(f"{server.base}/.well-known/did.json", timeout=30)
    jwks = httpx.get(f"{server.base}/.well-known/jwks.json", timeout=30)
    assert did.status_code == 200
    assert jwks.status_code == 200
    return did.json(), jwks.json()


def test_two_instances_sharing_a_key_source_sign_what_one_did_document_and_jwks_verify(
    pair: tuple[list[Server], list[Path]], registry: ContentRegistry, request: pytest.FixtureRequest
) -> None:
    servers, stores = pair
    tag = request.node.callspec.id.replace(" ", "-")
    issued = [_earn_bronze(server, registry, f"{tag}-{i}") for i, server in enumerate(servers)]

    did_document, jwks = _public(servers[0])
    assert _public(servers[1]) == (did_document, jwks)  # both publish the same keys
    assert len(jwks["keys"]) == 2  # the active key and the retired one
    # Ed25519 keys as Multikey (the active one and the retired one); the RSA keys as JsonWebKey.
    methods = {
        m["id"]: m["publicKeyMultibase"]
        for m in did_document["verificationMethod"]
        if m["type"] == "Multikey"
    }
    assert len(methods) == 2
    rsa = [m for m in did_document["verificationMethod"] if m["type"] == "JsonWebKey"]
    assert sorted(m["publicKeyJwk"]["kid"] for m in rsa) == sorted(k["kid"] for k in jwks["keys"])

    def resolve(method: str) -> Any:
        return public_key_from_multibase(methods[method]) if method in methods else None

    signers = set()
    for credential in issued:
        valid, why = verify_proof(credential["json"], resolve=resolve)
        assert valid, why
        kid = jwt.get_unverified_header(credential["jwt"])["kid"]
        signers.add(kid)
        matching = [k for k in jwks["keys"] if k["kid"] == kid]
        assert len(matching) == 1
        key = jwt.PyJWK.from_dict(matching[0])
        claims = jwt.decode(
            credential["jwt"], key=key.key, algorithms=["RS256"], options={"verify_aud": False}
        )
        assert claims["jti"] == credential["json"]["id"]
    assert len(signers) == 1  # the same active key on both instances
    for store in stores:  # keys from the source were only read
        assert not store.exists() or not any(store.rglob("*.pem"))
