"""Ralph, a real learning record store, started as a process of its own on 127.0.0.1.

It runs from .venv-ralph (made by `make install-test`), with its file-system backend in a
temporary folder and HTTP Basic credentials written by its own `ralph auth` command; ralph_serve.py
says why it is served with uvicorn directly rather than `ralph runserver`.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.servers import ROOT

RALPH_BIN = ROOT / ".venv-ralph" / "bin"
USERNAME = "qi-academy"
PASSWORD = "lrs-test-secret-7f3a"


@dataclass
class Ralph:
    base: str  # the xAPI endpoint, ending in /xAPI/
    port: int
    process: subprocess.Popen[bytes]

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement Ralph holds (GET /xAPI/statements, following `more`)."""
        out: list[dict[str, Any]] = []
        url = self.base + "statements"
        query: dict[str, str] | None = {"limit": "100", **params}
        while url:
            r = httpx.get(
                url,
                params=query,
                auth=(USERNAME, PASSWORD),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=10,
            )
            r.raise_for_status()
            body = r.json()
            out += body["statements"]
            more = body.get("more")
            url, query = (f"http://127.0.0.1:{self.port}{more}", None) if more else ("", None)
        return out


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RALPH_APP_DIR": str(home / "app"),
        "RALPH_AUTH_FILE": str(home / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
    }


def write_credentials(home: Path) -> None:
    """Ralph's own `ralph auth` writes the bcrypt-hashed credentials file it will check."""
    if (home / "auth.json").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    cmd = [str(RALPH_BIN / "ralph"), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all"]
    cmd += ["-M", "mailto:lrs-admin@example.nhs.uk", "-w"]
    subprocess.run(cmd, env=_env(home), check=True, capture_output=True, timeout=60)
    assert json.loads((home / "auth.json").read_text())[0]["username"] == USERNAME


def start(home: Path, port: int) -> Ralph:
    if not (RALPH_BIN / "ralph").exists():
        raise RuntimeError("Ralph is not installed: run `make install-test` (it makes .venv-ralph)")
    write_credentials(home)
    (home / "data").mkdir(parents=True, exist_ok=True)
    cmd = [str(RALPH_BIN / "python"), str(Path(__file__).with_name("ralph_serve.py")), str(port)]
    process = subprocess.Popen(
        cmd, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    ralph = Ralph(base=f"http://127.0.0.1:{port}/xAPI/", port=port, process=process)
    deadline = time.monotonic() + 60  # a loaded machine starts slowly: a guard, not a target
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__lbheartbeat__", timeout=1).status_code == 200:
                return ralph
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"Ralph exited: {out[-2000:]}")
    stop(ralph)
    raise RuntimeError("Ralph did not start within 60 s")


def stop(ralph: Ralph) -> None:
    ralph.process.terminate()
    try:
        ralph.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        ralph.process.kill()
        ralph.process.wait(timeout=5)


@contextmanager
def running(home: Path, port: int) -> Iterator[Ralph]:
    ralph = start(home, port)
    try:
        yield ralph
    finally:
        stop(ralph)


def validate(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ralph's own models' verdict on each statement (tests/xapi/ralph_check.py)."""
    result = subprocess.run(
        [str(RALPH_BIN / "python"), str(Path(__file__).with_name("ralph_check.py"))],
        input=json.dumps(statements).encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(result.stdout))
