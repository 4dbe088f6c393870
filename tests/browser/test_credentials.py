"""Credentials in a real browser: the last Bronze pass awards the badge; My achievements offers every
download and they work; the public verification page says valid, then revoked once a leader revokes.

Every page on the way is checked with axe-core (zero WCAG 2.2 AA violations).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.content import service as content_service
from app.content.registry import load_or_fail
from app.core.config import get_settings
from app.core.db import make_engine
from app.credentials.baking import unbake_png, unbake_svg
from tests.browser.conftest import assert_accessible, assert_fits
from tests.credentials.factories import complete_modules

PASSWORD = "orchard-heron-copper"
LEARNER = "badge.learner@example.nhs.uk"
LEADER = "badge.leader@example.nhs.uk"
REASON = "Quiz results were recorded against the wrong account"


def _learner_one_quiz_from_bronze(url: str) -> Any:
    """A learner with every Bronze module but the last done, and a leader in the same trust."""
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        registry = content_service.sync(session, modules=load_or_fail(get_settings().content_dir))
        for email, name, role in (
            (LEARNER, "Chidi Okafor-Ødegård", Role.LEARNER),
            (LEADER, "Lena Leader", Role.LEADER),
        ):
            user = accounts_service.create_user(
                session,
                email=email,
                password=PASSWORD,
                full_name=name,
                organisation="Leeds Teaching Hospitals NHS Trust",
                staff_group="nursing_midwifery",
                roles=[role],
            )
            session.flush()
            if role == Role.LEARNER:
                complete_modules(session, user_id=user.id, registry=registry, skip_last=True)
    engine.dispose()
    return registry.tier("bronze")[-1]


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/dashboard$"))


def _pass_quiz(page: Any, base: str, module: Any) -> None:
    page.goto(f"{base}/modules/{module.slug}/quiz")
    for q in module.source.questions:
        correct = [o for o in q.options if o.correct]
        for option in correct if q.type == "multiple" else correct[:1]:
            page.check(f'input[value="{option.id}"]')
    page.click("button:has-text('Submit answers')")
    page.get_by_text("You passed with 100%").wait_for()


def _wallet_hand_off(page: Any, tmp_path: Path, *, credential: dict[str, Any]) -> None:
    """The QR code a phone scans is the wallet link; the exchange it names gives the credential;
    the page passes axe and does not scroll sideways at 375 px."""
    qr = page.locator("img.qia-wallet-qr").first
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("alt", re.compile(r"QR code that adds your .* credential"))
    link = page.get_by_role("link", name=re.compile("Add to the Learner Credential Wallet")).first
    href = link.get_attribute("href")
    shot = tmp_path / "wallet-qr.png"
    qr.screenshot(path=str(shot))
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, check=True
    ).stdout.strip()
    request = json.loads(parse_qs(urlsplit(scanned).query)["request"][0])
    exchange = httpx.post(request["protocols"]["vcapi"], json={}, timeout=30)

    assert scanned == href
    assert scanned.startswith("https://lcw.app/request?request=")
    credential_id = credential["id"].rsplit("/", 1)[1]
    assert request["protocols"]["vcapi"].endswith(f"/api/v1/credentials/{credential_id}/exchange")
    assert exchange.status_code == 200, exchange.text
    assert "verifiablePresentationRequest" not in exchange.json()  # nothing more to ask
    presentation = exchange.json()["verifiablePresentation"]
    assert presentation["type"] == ["VerifiablePresentation"]
    assert presentation["verifiableCredential"] == [credential]

    page.set_viewport_size({"width": 375, "height": 800})
    try:
        assert_accessible(page, "my achievements at 375 px")
        assert_fits(page, "my achievements")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def _download(page: Any, link_text: str, tmp_path: Path) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).first.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def test_badge_downloads_and_verification_then_revocation(
    live_server: dict[str, str], page: Any, new_page: Any, tmp_path: Path
) -> None:
    base = live_server["base"]
    last = _learner_one_quiz_from_bronze(live_server["database_url"])

    _sign_in(page, base, LEARNER)
    _pass_quiz(page, base, last)
    page.goto(base + "/dashboard")
    page.click("a:has-text('My achievements')")
    page.wait_for_url(re.compile(r"/achievements$"))
    expect(page.locator("h2", has_text="QI Academy Bronze")).to_be_visible()
    expect(page.locator(".nhsuk-tag", has_text="Valid")).to_be_visible()
    assert_accessible(page, "my achievements")

    pdf_name, pdf = _download(page, "CPD certificate (PDF)", tmp_path)
    png_name, png = _download(page, "Badge with your credential inside (PNG)", tmp_path)
    svg_name, svg = _download(page, "Badge with your credential inside (SVG)", tmp_path)
    json_name, as_json = _download(page, "Download the credential file, for other", tmp_path)
    page.get_by_text("Technical details for wallets").first.click()  # the JWT sits in details
    jwt_name, jwt = _download(page, "Credential file (JWT, for wallets that ask for it)", tmp_path)
    csv_name, record = _download(page, "Download your CPD record (CSV", tmp_path)
    record_name, record_pdf = _download(page, "Download your CPD record (PDF)", tmp_path)

    assert pdf_name.endswith(".pdf")
    assert pdf.startswith(b"%PDF")
    assert png_name.endswith(".png")
    assert svg_name.endswith(".svg")
    assert unbake_png(png) == unbake_svg(svg) == jwt.decode()
    assert json_name.endswith(".jsonld")
    assert b'"OpenBadgeCredential"' in as_json
    _wallet_hand_off(page, tmp_path, credential=json.loads(as_json))
    assert jwt_name.endswith(".jwt")
    assert csv_name.startswith("qi-academy-cpd-record-")
    rows = list(csv.reader(io.StringIO(record.decode("utf-8-sig"))))
    assert len(rows) == 1 + 8
    assert record_name.endswith(".pdf")
    assert record_pdf.startswith(b"%PDF")

    page.locator("a[href^='/verify/']").first.click()
    page.wait_for_url(re.compile(r"/verify/[0-9a-f-]{36}$"))
    verify_url = page.url
    expect(page.get_by_text("This credential is valid")).to_be_visible()
    expect(page.get_by_text("Chidi Okafor-Ødegård").first).to_be_visible()
    assert_accessible(page, "verification (valid)")
    page.click("button:has-text('Sign out')")

    _sign_in(page, base, LEADER)
    page.goto(verify_url)
    page.click("a:has-text('Revoke this credential')")
    page.wait_for_url(re.compile(r"/revoke$"))
    assert_accessible(page, "revoke form")
    page.click("button:has-text('Revoke credential')")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert "Error:" in page.title()
    assert_accessible(page, "revoke form with an error")
    page.fill("#reason", REASON)
    page.click("button:has-text('Revoke credential')")
    page.wait_for_url(verify_url)
    expect(page.get_by_text("This credential has been revoked")).to_be_visible()
    expect(page.get_by_text(f"Reason: {REASON}")).to_be_visible()
    assert_accessible(page, "verification (revoked)")

    visitor = new_page()  # someone else, signed out
    visitor.goto(verify_url)
    expect(visitor.get_by_text("This credential has been revoked")).to_be_visible()
    expect(visitor.locator("a:has-text('Revoke this credential')")).to_have_count(0)
    assert_accessible(visitor, "verification (revoked, signed out)")
