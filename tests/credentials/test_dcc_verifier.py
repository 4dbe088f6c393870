"""The Digital Credentials Consortium's own verify call (@digitalcredentials/verifier-core, what the
Learner Credential Wallet and VerifierPlus run) against a real server that issues and revokes.

did:web is resolved by the library itself over HTTPS: verifier-core's verifyCredential takes no
document loader of ours and its did:web driver refuses http, so the test server runs on HTTPS with
a throwaway self-signed certificate made here, which Node trusts through NODE_EXTRA_CA_CERTS. The
library's own HTTP client fetches the DID document and the status list from that server; only the
contexts it does not bundle and the OB 3.0 schema are answered from this repository's copies, and
every other URL is refused (tests/verifier/verify-dcc.mjs).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.core.db import make_engine
from app.credentials.contexts import DIRECTORY, FILES
from app.credentials.openbadges import CREDENTIAL_SCHEMA_URL
from tests.credentials.conftest import SCHEMA
from tests.dbutil import fresh_database, migrate
from tests.factories import answers
from tests.servers import Server, running

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tests" / "verifier"
PASSWORD = "wallet horse battery staple"


def _throwaway_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day, trusted by nothing but this test."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "QI Academy test server")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _throwaway_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tls: tuple[Path, Path]) -> Iterator[Server]:
    url = fresh_database("dcc-verifier")
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for who, role in (("learner", Role.LEARNER), ("admin", Role.ADMIN)):
            accounts_service.create_user(
                session,
                email=f"{who}@dcc.example.nhs.uk",
                password=PASSWORD,
                full_name=f"Wallet {who.title()}",
                organisation="Wallet Trust",
                staff_group="nursing_midwifery",
                roles=[role],
            )
    engine.dispose()
    keys = tmp_path_factory.mktemp("dcc-keys") / "keys"
    with running(url, tls=tls, env={"QIA_KEYS_DIR": str(keys)}) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: Server, tls: tuple[Path, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, verify=ssl.create_default_context(cafile=tls[0])) as c:
        yield c


def _bearer(client: httpx.Client, who: str) -> dict[str, str]:
    r = client.post(
        "/api/v1/auth/token",
        data={"username": f"{who}@dcc.example.nhs.uk", "password": PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def issued(client: httpx.Client, registry: ContentRegistry) -> dict[str, Any]:
    """A Bronze credential the server issued when the learner passed the last quiz over HTTPS."""
    headers = _bearer(client, "learner")
    for module in registry.tier("bronze"):
        r = client.post(
            f"/api/v1/modules/{module.slug}/attempts",
            json={"answers": answers(module)},
            headers=headers,
            timeout=30,
        )
        assert r.status_code == 201, r.text
    listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
    assert len(listed) == 1
    credential = client.get(listed[0]["links"]["json"]).json()
    return {"id": listed[0]["id"], "credential": credential}


def _verifier_core(
    server: Server,
    cert: Path,
    credentials: dict[str, Any],
    presentations: dict[str, Any] | None = None,
) -> Any:
    node = shutil.which("node")
    assert node is not None, "Node 20 is needed for the independent verifier"
    assert (VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir(), (
        "run `make install-test` (npm ci in tests/verifier)"
    )
    offline = {url: str(DIRECTORY / name) for url, name in FILES.items()}
    offline[CREDENTIAL_SCHEMA_URL] = str(SCHEMA)
    result = subprocess.run(
        [node, str(VERIFIER / "verify-dcc.mjs")],
        input=json.dumps(
            {
                "server": server.base,
                "offline": offline,
                "credentials": credentials,
                "presentations": presentations or {},
            }
        ),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(cert)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _log(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    return {step["id"]: step for step in result["log"]}


def test_verifier_core_finds_a_fresh_bronze_credential_valid_then_revoked_and_a_changed_one_invalid(
    server: Server, client: httpx.Client, tls: tuple[Path, Path], issued: dict[str, Any]
) -> None:
    credential = issued["credential"]
    tampered = json.loads(json.dumps(credential))
    tampered["name"] = tampered["name"][:-1] + "X"

    before = _verifier_core(server, tls[0], {"fresh": credential, "tampered": tampered})
    revoked = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "Issued in error during a wallet test"},
        headers=_bearer(client, "admin"),
    )
    assert revoked.status_code == 200, revoked.text
    after = _verifier_core(server, tls[0], {"revoked": credential})

    fresh = _log(before["fresh"])
    assert fresh["valid_signature"]["valid"] is True
    assert fresh["expiration"]["valid"] is True
    assert fresh["revocation_status"]["valid"] is True  # the Bitstring Status List was read
    schema_check = before["fresh"]["additionalInformation"][0]
    assert schema_check["results"][0]["result"]["valid"] is True, schema_check
    # One changed character: a fatal signature error, no log of steps.
    assert [e["name"] for e in before["tampered"]["errors"]] == ["invalid_signature"]
    gone = _log(after["revoked"])
    assert gone["valid_signature"]["valid"] is True  # the signature holds: only the status changed
    assert gone["revocation_status"]["valid"] is False


def test_the_presentation_our_wallet_exchange_answers_verifies_in_verifier_core(
    server: Server, client: httpx.Client, tls: tuple[Path, Path], registry: ContentRegistry
) -> None:
    """What the Learner Credential Wallet receives from the exchange its link names."""
    headers = _bearer(client, "learner")
    listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
    if not listed:  # run on its own: earn the credential here
        for module in registry.tier("bronze"):
            client.post(
                f"/api/v1/modules/{module.slug}/attempts",
                json={"answers": answers(module)},
                headers=headers,
                timeout=30,
            )
        listed = client.get("/api/v1/me/credentials", headers=headers).json()["data"]
    exchange = client.post(listed[0]["links"]["exchange"], json={})
    assert exchange.status_code == 200, exchange.text

    result = _verifier_core(
        server, tls[0], {}, {"exchange": exchange.json()["verifiablePresentation"]}
    )["exchange"]

    assert result["presentationResult"] == {"signature": "unsigned"}, result
    (credential,) = result["credentialResults"]
    steps = _log(credential)
    assert steps["valid_signature"]["valid"] is True
