"""Browser fixtures: a real uvicorn server on its own database, Debian chromium driven by Playwright, axe-core."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dbutil import ROOT, fresh_database, migrate

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("QIA_REQUIRE_BROWSER"):
        pytest.fail("chromium is required (apt-get install chromium)")
    pytest.skip("chromium is not installed: apt-get install chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[dict[str, str]]:
    """The app as users get it: uvicorn, migrations applied, content synced at start-up."""
    url = fresh_database("browser")
    migrate(url)
    port = _free_port()
    env = {
        **os.environ,
        "QIA_DATABASE_URL": url,
        "QIA_ENV": "test",
        "QIA_BASE_URL": f"http://127.0.0.1:{port}",
        "QIA_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = (
        time.monotonic() + 120
    )  # a loaded CI machine starts slowly; this is a guard, not a target
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}"
            )
    else:
        proc.terminate()
        raise RuntimeError("server did not start within 120 s")
    yield {"base": base, "database_url": url}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the app's own CSP is tested elsewhere.
    context = browser.new_context(bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the current page."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]


def assert_accessible(page: Any, name: str) -> None:
    # A click that navigates returns before the new document has loaded: wait for it,
    # so axe audits the page the test means and not a half-parsed one.
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {name} ({page.url}): {violations}"
