"""What learners download: the certificate (poppler text, QR code) and the CPD record (PDF, CSV)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.core.db import utcnow
from tests.credentials.factories import complete_modules, earn_bronze, path_of
from tests.factories import make_user, sign_in

LEARNER = "Siobhán O'Connor-Ødegård"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils zbar-tools)")
    return path


@pytest.fixture
def certificate(
    client: TestClient, db: Session, registry: ContentRegistry, tmp_path: Path
) -> tuple[Path, dict[str, Any]]:
    _, headers, listed = earn_bronze(client, db, registry, name=LEARNER)
    r = client.get(path_of(listed["links"]["pdf"]), headers=headers)
    assert r.status_code == 200
    path = tmp_path / "certificate.pdf"
    path.write_bytes(r.content)
    return path, listed


def test_certificate_text_has_name_achievement_hours_and_verification_url(
    certificate: tuple[Path, dict[str, Any]], registry: ContentRegistry
) -> None:
    path, listed = certificate
    minutes = sum(m.meta.cpd_minutes for m in registry.tier("bronze"))

    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout

    assert LEARNER in text
    assert "QI Academy Bronze" in text
    assert f"Total CPD: 4.33 hours ({minutes} minutes)" in text
    assert listed["links"]["verify"] in text
    assert listed["id"] in text
    for module in registry.tier("bronze"):
        assert module.meta.title.split(":")[0] in text


def test_certificate_qr_code_decodes_to_the_verification_url(
    certificate: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, listed = certificate
    subprocess.run(
        [_tool("pdftoppm"), "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True
    )

    decoded = subprocess.run(
        [
            _tool("zbarimg"),
            "--quiet",
            "--raw",
            "-Sqrcode.enable",
            *map(str, tmp_path.glob("page*.png")),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()

    assert decoded == [listed["links"]["verify"]]


def test_cpd_record_lists_every_completed_module_with_dates_and_hours(
    client: TestClient, db: Session, registry: ContentRegistry, tmp_path: Path
) -> None:
    user = make_user(db, name=LEARNER)
    complete_modules(db, user_id=user.id, registry=registry, tier="bronze")
    sign_in(client, user.email)
    today = utcnow().date().isoformat()

    as_csv = client.get("/me/cpd-record.csv")
    as_pdf = client.get("/me/cpd-record.pdf")
    (tmp_path / "record.pdf").write_bytes(as_pdf.content)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(tmp_path / "record.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout

    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert f'filename="qi-academy-cpd-record-{today}.csv"' in as_csv.headers["content-disposition"]
    assert rows[0] == [
        "Date",
        "Activity",
        "Tier",
        "Type of learning",
        "CPD minutes",
        "CPD hours",
        "Reflective note",
    ]
    bronze = registry.tier("bronze")
    assert sorted(r[1] for r in rows[1:]) == sorted(m.meta.title for m in bronze)
    assert {r[0] for r in rows[1:]} == {today}
    assert sum(int(r[4]) for r in rows[1:]) == sum(m.meta.cpd_minutes for m in bronze)
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert "For NMC revalidation and medical appraisal" in text
    assert LEARNER in text
    assert "Total: 4.33 hours (260 minutes) of CPD" in text


def test_an_empty_cpd_record_still_downloads(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db).email)

    rows = list(csv.reader(io.StringIO(client.get("/me/cpd-record.csv").text.lstrip("\ufeff"))))
    pdf = client.get("/me/cpd-record.pdf")

    assert len(rows) == 1
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
