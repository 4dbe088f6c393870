"""Steps every journey takes the way a person does: the header's links, signing in and out, making an
account, reading a QR code off a certificate. Each page they reach goes through PageChecks."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.core.db import make_engine
from tests.browser.checks import PageChecks
from tests.factories import PASSWORD

NEW_PASSWORD = "heather-lantern-quay"


def seed(url: str, make: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    """What a journey starts from (people, a cohort), made with the services and committed."""
    engine = make_engine(url)
    try:
        with Session(engine) as db, db.begin():
            return make(db)
    finally:
        engine.dispose()


def nav(page: Any, text: str) -> None:
    """Follow a link in the header's navigation; on a narrow screen the header's script has moved
    the links that do not fit under 'More' (the page has loaded, so it has run)."""
    header = page.locator(".nhsuk-header__navigation")
    under_more = header.locator(".nhsuk-header__menu-list a", has_text=re.compile(f"^{text}$"))
    if under_more.count():
        header.locator(".nhsuk-header__menu-toggle").click()
        under_more.click()
    else:
        header.get_by_role("link", name=text, exact=True).click()


def sign_in(page: Any, checks: PageChecks, base: str, email: str) -> None:
    page.goto(base + "/")
    expect(page.locator(".nhsuk-hero__heading")).to_be_visible()
    checks.seen(page, "home")
    page.locator("header").get_by_role("link", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    checks.seen(page, "sign in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))
    checks.seen(page, "dashboard")


def sign_out(page: Any, checks: PageChecks) -> None:
    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r"/$|/signed-out"))
    checks.seen(page, "signed out")


def register(page: Any, checks: PageChecks, *, name: str, email: str, where: str) -> None:
    """Fill in Create an account, first with nothing (the error summary), then properly."""
    expect(page.locator("h1")).to_have_text("Create an account")
    checks.seen(page, f"create an account ({where})")
    page.click("button:has-text('Create account')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    checks.seen(page, f"create an account with errors ({where})")
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#password", NEW_PASSWORD)
    # LEAD: the organisation picker (issue 10, another helper) replaces this free-text field.
    page.fill("#organisation", "Oak Lodge Care Home")
    page.select_option("#staff_group", index=1)
    page.click("button:has-text('Create account')")


def qr_url(pdf: bytes, folder: Path) -> str:
    """The link in the certificate's QR code, read the way a phone camera would: from the picture."""
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed: apt-get install poppler-utils zbar-tools")
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(folder / "certificate.pdf"), str(folder / "page")],
        check=True,
        timeout=60,
    )
    found = subprocess.run(
        [
            "zbarimg",
            "--quiet",
            "--raw",
            "-Sdisable",
            "-Sqrcode.enable",
            *map(str, folder.glob("page*.png")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return found.stdout.strip().splitlines()[0]
