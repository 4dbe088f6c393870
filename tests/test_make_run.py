"""`make run`, as a newcomer types it: on any port every link the app signs or emails carries that
port, and it runs on Python 3.13 as well as 3.11 (pyenv provides both here)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from app.content.registry import ContentRegistry
from app.outbox.models import OutboxMessage
from tests.factories import answers
from tests.servers import ROOT, free_port, wait_ready

DEMO_LINE = re.compile(r"^\s+(\w+)\s+(\S+@demo\.qi-academy\.nhs\.uk)\s+(\S+)$", re.M)


@contextmanager
def make_run(folder: Path, port: int, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QIA_", "TEST_DATABASE"))}
    env |= {
        "QIA_ENV": "dev",
        "QIA_DATABASE_URL": f"sqlite:///{folder / 'run.db'}",
        "QIA_KEYS_DIR": str(folder / "keys"),
    }
    cmd = ["make", "--no-print-directory", "run", "HOST=127.0.0.1", f"PORT={port}", *args]
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process, seconds=600)
        yield f"http://127.0.0.1:{port}", process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _token(base: str, email: str, password: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _qr(pdf: bytes, folder: Path) -> str:
    tools = {name: shutil.which(name) for name in ("pdftoppm", "zbarimg")}
    if None in tools.values():
        if os.environ.get("QIA_REQUIRE_TOOLS"):
            pytest.fail(
                "pdftoppm and zbarimg are needed (apt-get install poppler-utils zbar-tools)"
            )
        pytest.skip("pdftoppm and zbarimg are not installed")
    (folder / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [tools["pdftoppm"], "-r", "150", "-png", str(folder / "c.pdf"), str(folder / "p")],
        check=True,
    )
    pages = sorted(folder.glob("p*.png"))
    scan = subprocess.run(
        [tools["zbarimg"], "--raw", "-q", *map(str, pages)], capture_output=True, text=True
    )
    return scan.stdout.strip()


def test_make_run_on_another_port_puts_that_port_in_every_link(
    tmp_path: Path, registry: ContentRegistry
) -> None:
    port = free_port()
    with make_run(tmp_path, port) as (base, process):
        accounts = {
            role: (email, password)
            for role, email, password in DEMO_LINE.findall(_run_output_so_far(process))
        }
        assert {"learner", "trainer"} <= set(accounts), accounts
        learner = {"Authorization": f"Bearer {_token(base, *accounts['learner'])}"}
        for module in registry.tier("bronze"):
            r = httpx.post(
                f"{base}/api/v1/modules/{module.slug}/attempts",
                json={"answers": answers(module)},
                headers=learner,
                timeout=60,
            )
            assert r.status_code == 201, r.text
        credentials = httpx.get(f"{base}/api/v1/me/credentials", headers=learner).json()["data"]
        assert credentials, "Bronze was not awarded"
        credential_id = credentials[0]["id"]
        document = httpx.get(f"{base}/credentials/{credential_id}").text
        assert f"127.0.0.1:{port}/" in document
        assert "127.0.0.1:8000" not in document
        pdf = httpx.get(f"{base}/credentials/{credential_id}.pdf", headers=learner)
        assert pdf.headers["content-type"] == "application/pdf", pdf.text[:300]
        assert _qr(pdf.content, tmp_path) == f"{base}/verify/{credential_id}"

        trainer_token = _token(base, *accounts["trainer"])
        cohort = httpx.post(
            f"{base}/api/v1/cohorts",
            headers={"Authorization": f"Bearer {trainer_token}"},
            json={
                "name": "Port check cohort",
                "kind": "individuals",
                "organisation": "QI Academy Demo Trust",
                "starts_on": "2027-01-04",
                "ends_on": "2027-03-29",
                "capacity": 10,
                "attendance_required": 50,
            },
        )
        assert cohort.status_code == 201, cohort.text
        members = httpx.get(
            f"{base}/trainer/cohorts/{cohort.json()['id']}/members",
            cookies={"qia_session": trainer_token},
        )
        assert members.status_code == 200
        assert f"{base}/cohorts/join/" in members.text

        forgot = httpx.get(f"{base}/forgot-password")
        token = re.search(r'name="csrf_token" value="([^"]+)"', forgot.text)
        assert token is not None
        sent = httpx.post(
            f"{base}/forgot-password",
            data={"email": accounts["learner"][0], "csrf_token": token.group(1)},
            cookies=forgot.cookies,
            headers={"Origin": base},
        )
        assert sent.status_code == 200, sent.text
        engine = create_engine(f"sqlite:///{tmp_path / 'run.db'}")
        with engine.connect() as conn:
            bodies = conn.scalars(
                select(OutboxMessage.body).where(OutboxMessage.to_address == accounts["learner"][0])
            ).all()
        engine.dispose()
        assert any(f"{base}/reset-password/" in body for body in bodies), bodies


_OUTPUT: dict[int, bytearray] = {}


def _run_output_so_far(process: subprocess.Popen[bytes]) -> str:
    """What make has printed up to now (the demo accounts come before the server starts)."""
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    buffer = _OUTPUT.setdefault(process.pid, bytearray())
    chunk = process.stdout.read()
    if chunk:
        buffer += chunk
    return buffer.decode(errors="replace")


def _python313() -> str:
    found = shutil.which("python3.13")
    candidates = glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))
    for path in [*candidates, *([found] if found else [])]:
        if subprocess.run([path, "--version"], capture_output=True, check=False).returncode == 0:
            return path
    if os.environ.get("QIA_REQUIRE_TOOLS"):
        pytest.fail("Python 3.13 is not installed (pyenv install 3.13)")
    pytest.skip("Python 3.13 is not installed")


def test_make_run_serves_on_python_3_13() -> None:
    python = _python313()
    with tempfile.TemporaryDirectory(prefix="qia-py313-") as folder:
        venv = Path(folder) / "venv"
        with make_run(Path(folder), free_port(), f"PYTHON={python}", f"VENV={venv}") as (base, _):
            assert httpx.get(f"{base}/healthz").status_code == 200
            version = subprocess.run(
                [str(venv / "bin" / "python"), "--version"],
                capture_output=True,
                text=True,
                check=True,
            )
            assert version.stdout.startswith("Python 3.13")
