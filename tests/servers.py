"""Real uvicorn servers for tests that need a process of their own (browsers, fuzzing, concurrency)."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    port: int
    database_url: str
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        """What the server printed (after it has stopped)."""
        if self.process.stdout is None:
            return ""
        return self.process.stdout.read().decode(errors="replace")


def wait_ready(
    base: str,
    process: subprocess.Popen[bytes],
    *,
    seconds: float = 120,
    verify: ssl.SSLContext | bool = True,
) -> None:
    deadline = (
        time.monotonic() + seconds
    )  # a loaded CI machine starts slowly: a guard, not a target
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1, verify=verify).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited: {out}")
    process.terminate()
    raise RuntimeError(f"server did not start within {seconds:.0f} s")


def start(
    database_url: str,
    *,
    port: int | None = None,
    workers: int = 1,
    env: dict[str, str] | None = None,
    secret: str = "server-test-secret-key-0123456789abcdefghij",
    tls: tuple[Path, Path] | None = None,
) -> Server:
    """uvicorn serving app.main on 127.0.0.1, migrations already applied by the caller.

    With `tls` (certificate file, key file) it serves HTTPS, and QIA_BASE_URL is https.
    """
    port = port or free_port()
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    full_env = {
        **os.environ,
        "QIA_DATABASE_URL": database_url,
        "QIA_ENV": "test",
        "QIA_BASE_URL": base,
        "QIA_SECRET_KEY": secret,
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    cmd += ["--no-proxy-headers"]
    if tls:
        cmd += ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    wait_ready(base, process, verify=ssl.create_default_context(cafile=tls[0]) if tls else True)
    return Server(base=base, port=port, database_url=database_url, process=process)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@contextmanager
def running(database_url: str, **kwargs: object) -> Iterator[Server]:
    server = start(database_url, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop(server)
