"""A real OpenID provider for the tests: node-oidc-provider (npm), installed from the committed
lock file into tests/sso/oidc_provider/node_modules (ignored by git) the first time it is needed."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port

HERE = Path(__file__).parent / "oidc_provider"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("QIA_REQUIRE_TOOLS"):
        pytest.fail(f"{name} is required for the single sign-on tests (Node.js 20 or later)")
    pytest.skip(f"{name} is not installed: the single sign-on tests need Node.js")


def ensure_installed() -> str:
    """node, with oidc-provider installed by `npm ci` from package-lock.json if it is missing."""
    node, npm = _tool("node"), _tool("npm")
    with open(HERE / ".install.lock", "w") as lock:  # xdist workers install once between them
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE,
                check=True,
                timeout=300,
            )
    return node


def client(client_id: str, base: str, **extra: Any) -> dict[str, Any]:
    """Client metadata for QI Academy served at `base` (a confidential web client)."""
    return {
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/sso/callback"],
        "post_logout_redirect_uris": [f"{base}/login"],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        **extra,
    }


@contextmanager
def running(clients: list[dict[str, Any]], accounts: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Start the provider on a free port; yields its issuer URL."""
    node = ensure_installed()
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENTS": json.dumps(clients),
        "OIDC_ACCOUNTS": json.dumps(accounts),
        "NODE_ENV": "development",
    }
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [node, "server.mjs"], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the OpenID provider did not start: {log.read().decode()}")
            time.sleep(0.2)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
