"""CPD certificate and record: real text, metadata, a QR code that scans to the verification URL, CSV."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.credentials.achievements import Achievement
from app.credentials.certificate import (
    CSV_COLUMNS,
    CpdActivity,
    certificate_pdf,
    cpd_record_csv,
    cpd_record_pdf,
    format_hours,
    unsupported_characters,
)

LEARNER = "Siobhán O'Connor-Ødegård"
VERIFY_URL = "https://qi-academy.example.org/verify/0b6f3c1e-7a4d-4e59-9a51-2f8f0c7d9b3a"
CERTIFICATE_ID = "0b6f3c1e-7a4d-4e59-9a51-2f8f0c7d9b3a"
MODULES = [
    CpdActivity(
        completed_on=date(2026, 10, 1),
        title="Why quality improvement matters",
        tier="bronze",
        cpd_minutes=30,
    ),
    CpdActivity(
        completed_on=date(2026, 10, 3),
        title="The Model for Improvement",
        tier="bronze",
        cpd_minutes=40,
    ),
    CpdActivity(
        completed_on=date(2026, 10, 9),
        title="Testing changes: PDSA cycles",
        tier="bronze",
        cpd_minutes=35,
    ),
    CpdActivity(
        completed_on=date(2026, 10, 12),
        title="Measurement for improvement",
        tier="bronze",
        cpd_minutes=35,
    ),
]  # 140 minutes = 2.33 hours


def _certificate(achievements: dict[str, Achievement], **overrides: object) -> bytes:
    arguments: dict = {
        "learner_name": LEARNER,
        "achievement_name": "QI Academy Bronze",
        "tier": "bronze",
        "modules": MODULES,
        "issued_on": date(2026, 11, 21),
        "issuer_name": "QI Academy",
        "certificate_id": CERTIFICATE_ID,
        "verification_url": VERIFY_URL,
        "badge_image": achievements["bronze"].image,
    }
    return certificate_pdf(**(arguments | overrides))


def _pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (apt-get install poppler-utils zbar-tools)")
    return path


@pytest.fixture(scope="module")
def certificate(achievements: dict[str, Achievement]) -> bytes:
    return _certificate(achievements)


def test_certificate_text_names_learner_achievement_hours_and_url(certificate: bytes) -> None:
    text = _pypdf_text(certificate)

    assert LEARNER in text
    assert "QI Academy Bronze" in text
    assert "Total CPD: 2.33 hours (140 minutes)" in text
    assert VERIFY_URL in text
    assert CERTIFICATE_ID in text
    assert "21 November 2026" in text
    assert "The Model for Improvement" in text


def test_certificate_text_as_poppler_reads_it(certificate: bytes, tmp_path: Path) -> None:
    pdftotext = _require("pdftotext")
    (tmp_path / "c.pdf").write_bytes(certificate)

    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "c.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout

    for expected in (LEARNER, "QI Academy Bronze", "2.33 hours", VERIFY_URL):
        assert expected in text


def test_certificate_qr_code_scans_to_the_verification_url(
    certificate: bytes, tmp_path: Path
) -> None:
    pdftoppm, zbarimg = _require("pdftoppm"), _require("zbarimg")
    (tmp_path / "c.pdf").write_bytes(certificate)
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True
    )

    scanned = subprocess.run(
        [
            zbarimg,
            "--quiet",
            "--raw",
            "-Sqrcode.enable",
            *map(str, sorted(tmp_path.glob("page*.png"))),
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split()

    assert scanned == [VERIFY_URL]


def test_certificate_metadata(certificate: bytes) -> None:
    metadata = PdfReader(io.BytesIO(certificate)).metadata

    assert metadata is not None
    assert metadata.title == f"QI Academy Bronze CPD certificate: {LEARNER}"
    assert metadata.author == "QI Academy"
    assert metadata.subject == "Continuing professional development certificate"


def test_certificate_is_one_page_and_reproducible(
    certificate: bytes, achievements: dict[str, Achievement]
) -> None:
    assert len(PdfReader(io.BytesIO(certificate)).pages) == 1
    assert _certificate(achievements) == certificate  # same inputs, same bytes: safe to cache


def test_long_module_lists_flow_onto_more_pages(achievements: dict[str, Achievement]) -> None:
    many = [
        CpdActivity(
            completed_on=date(2026, 1, 1 + i % 28), title=f"Module {i}", tier="gold", cpd_minutes=60
        )
        for i in range(40)
    ]

    pdf = _certificate(achievements, modules=many, tier="gold", achievement_name="QI Academy Gold")

    text = _pypdf_text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
    assert "Module 39" in text
    assert "Total CPD: 40 hours (2400 minutes)" in text
    assert VERIFY_URL in text


def test_cpd_record_pdf_is_headed_for_revalidation_and_appraisal() -> None:
    pdf = cpd_record_pdf(
        learner_name=LEARNER,
        activities=MODULES,
        generated_on=date(2026, 11, 21),
        issuer_name="QI Academy",
    )

    text = _pypdf_text(pdf)
    assert "For NMC revalidation and medical appraisal" in text
    assert LEARNER in text
    assert "Reflective note" in text
    assert "2026-10-03" in text
    assert "Total: 2.33 hours (140 minutes) of CPD" in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == f"CPD record: {LEARNER}"


def test_cpd_record_csv_columns_and_rows() -> None:
    risky = CpdActivity(
        completed_on=date(2026, 11, 1), title="=HYPERLINK(1)", tier="silver", cpd_minutes=45
    )

    data = cpd_record_csv(activities=[*MODULES, risky])

    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM so Excel reads accents correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0] == [
        "Date",
        "Activity",
        "Tier",
        "Type of learning",
        "CPD minutes",
        "CPD hours",
        "Reflective note",
    ]
    assert rows[2] == [
        "2026-10-03",
        "The Model for Improvement",
        "Bronze",
        "Online module and quiz (individual learning)",
        "40",
        "0.67",
        "",
    ]
    assert len(rows) == 1 + len(MODULES) + 1
    assert rows[-1][1] == "'=HYPERLINK(1)"  # never a live formula in a spreadsheet


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(30, "0.5"), (60, "1"), (90, "1.5"), (100, "1.67"), (210, "3.5"), (0, "0")],
)
def test_format_hours(minutes: int, hours: str) -> None:
    assert format_hours(minutes) == hours


def test_long_titles_wrap_inside_their_column(achievements: dict[str, Achievement]) -> None:
    title = (
        "Understanding variation in general practice: run charts, statistical process control "
        "and the Supercalifragilisticexpialidocious-Measurement-Framework-For-Everyone"
    )
    long_module = CpdActivity(
        completed_on=date(2026, 10, 1), title=title, tier="silver", cpd_minutes=60
    )

    text = _pypdf_text(_certificate(achievements, modules=[long_module]))

    for word in ("Understanding", "variation", "statistical", "control", "Supercalifragilistic"):
        assert word in text
    assert "Total CPD: 1 hour (60 minutes)" in text


def test_names_the_fonts_cannot_draw_are_detected_before_issuing() -> None:
    assert unsupported_characters("Siân Ŵyn-Jones, Ξένια Ўладзімір, Nguyễn Thị Ánh, Əli") == ""
    assert unsupported_characters("王小明 (Wang)") == "小明王"
