"""Browser fixtures: a real uvicorn server on its own database, Debian chromium driven by Playwright, axe-core."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.browser.checks import AXE, WCAG_TAGS, HtmlPages
from tests.dbutil import ROOT, fresh_database, migrate

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@pytest.fixture(scope="session")
def html_pages(
    live_server: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HtmlPages]:
    """Every HTML page the app serves to the browser tests; all must pass the Nu HTML Checker."""
    pages = HtmlPages(base=live_server["base"], folder=tmp_path_factory.mktemp("html"))
    yield pages
    errors = pages.errors()
    assert not errors, f"The Nu HTML Checker found {len(errors)} errors:\n" + "\n".join(errors)


@pytest.fixture
def new_page(
    browser: Any, html_pages: HtmlPages, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (a person on their own device); their HTML is checked."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        # bypass_csp lets the test inject axe-core; the app's own CSP is tested elsewhere.
        context = browser.new_context(bypass_csp=True, **options)
        contexts.append(context)
        html_pages.watch(context, request.node.nodeid)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        return pg

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


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


def assert_fits(page: Any, name: str) -> None:
    """No sideways scrolling at the page's width. Waits (up to 10 s) for the layout to settle
    first: after a resize the header's script folds its navigation a moment later, and a loaded
    machine reflows late, so an instant measurement fails at random."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    try:
        page.wait_for_function(fits, timeout=10000)
    except PlaywrightTimeout:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        width = page.evaluate("window.innerWidth")
        raise AssertionError(f"{name} scrolls sideways by {overflow}px at {width} px") from None


def assert_accessible(page: Any, name: str) -> None:
    # A click that navigates returns before the new document has loaded: wait for it,
    # so axe audits the page the test means and not a half-parsed one.
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert violations == [], f"axe violations on {name} ({page.url}): {violations}"
