"""CPD certificate and CPD record documents (tagged PDF/UA-1 with Typst, CSV) for QI Academy learners."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

import segno
import typst
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent / "fonts"
DOCUMENTS = Path(__file__).resolve().parent / "documents"
NHS_DARK_BLUE = "#003087"
# Darker shades of the badge colours: readable as text on white (contrast above 4.5:1).
TIER_COLOURS = {"bronze": "#7A4A1E", "silver": "#4F5961", "gold": "#8C5E0A"}
RECORD_PURPOSE = "For NMC revalidation and medical appraisal"
CSV_COLUMNS = (
    "Date",
    "Activity",
    "Tier",
    "Type of learning",
    "CPD minutes",
    "CPD hours",
    "Reflective note",
)


@dataclass(frozen=True, kw_only=True)
class CpdActivity:
    completed_on: date
    title: str
    tier: str
    cpd_minutes: int
    # NMC revalidation separates participatory learning; online modules are individual study.
    learning_type: str = "Online module and quiz (individual learning)"


def unsupported_characters(text: str) -> str:
    """Characters the certificate fonts cannot draw (the PDF would leave them out), to warn about first.

    The vendored fonts cover Latin, Greek, Cyrillic, Armenian and Georgian; a name in another
    script (Chinese, Arabic, Devanagari...) needs a Latin-script form for the certificate.
    """
    drawable = _drawable_codepoints()
    return "".join(sorted({c for c in _clean(text) if not c.isspace() and ord(c) not in drawable}))


@lru_cache(maxsize=1)
def _drawable_codepoints() -> frozenset[int]:
    sets = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(FONTS / name, lazy=True) as font:
            sets.append(frozenset(font.getBestCmap()))
    return sets[0] & sets[1]


def format_hours(minutes: int) -> str:
    """CPD hours as people write them: 3.5, 1.25, 2 (never 3.50 or 1.6666)."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def total_minutes(activities: Sequence[CpdActivity]) -> int:
    return sum(activity.cpd_minutes for activity in activities)


def format_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- certificate ----------------------------------------------------------------------------
# Typst, not fpdf2: fpdf2 tags only images (its structure tree holds Document and Figure, every
# text run untagged), and PDF/UA needs headings, paragraphs and table cells in the tree. Typst
# tags all of that itself and checks PDF/UA-1 rules (alt text, title, language) as it compiles;
# WeasyPrint's pdf/ua-1 variant does too, but needs Pango on the server and took about five times
# as long per page here (bench/README.md).


def certificate_pdf(
    *,
    learner_name: str,
    achievement_name: str,
    tier: str,
    modules: Sequence[CpdActivity],
    issued_on: date,
    issuer_name: str,
    certificate_id: str,
    verification_url: str,
    badge_image: Path | None = None,
) -> bytes:
    """A one-page (longer if needed) A4 CPD certificate with a QR code to its verification page.

    `badge_image` is the badge's SVG artwork, drawn as vectors with its name as alt text.
    """
    learner_name = _clean(learner_name)
    minutes = total_minutes(modules)
    hours = format_hours(minutes)
    data: dict[str, object] = {
        "title": f"{achievement_name} CPD certificate: {learner_name}",
        "subject": "Continuing professional development certificate",
        "issuer": issuer_name,
        "learner": learner_name,
        "achievement": achievement_name,
        "colour": TIER_COLOURS.get(tier, NHS_DARK_BLUE),
        "badge": badge_image.read_text(encoding="utf-8") if badge_image is not None else None,
        "badge_alt": f"{achievement_name} badge",
        "heading": ["Module", "Completed", "CPD minutes"],
        "rows": [
            [_clean(m.title), format_date(m.completed_on), str(m.cpd_minutes)] for m in modules
        ],
        "total": f"Total CPD: {hours} {'hour' if hours == '1' else 'hours'} ({minutes} minutes)",
        "issued": f"Issued on {format_date(issued_on)} by {issuer_name}",
        "certificate_id": certificate_id,
        "url": verification_url,
        "qr": _qr_svg(verification_url),
        "qr_alt": f"QR code that opens the verification page {verification_url}",
    }
    return _compile("certificate.typ", data, on=issued_on)


def _qr_svg(url: str) -> str:
    """Vector QR code: crisp at any zoom and print size, and a few hundred bytes."""
    qr = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    # The 4-module quiet zone QR readers need; the page is white there.
    qr.save(buffer, kind="svg", border=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("ascii")


# --- CPD record -----------------------------------------------------------------------------


def cpd_record_pdf(
    *,
    learner_name: str,
    activities: Sequence[CpdActivity],
    generated_on: date,
    issuer_name: str,
) -> bytes:
    """Everything a learner completed, as a CPD log with a blank column for reflective notes."""
    learner_name = _clean(learner_name)
    minutes = total_minutes(activities)
    data: dict[str, object] = {
        "title": f"CPD record: {learner_name}",
        "subject": f"CPD record from {issuer_name}. {RECORD_PURPOSE}.",
        "issuer": issuer_name,
        "learner": learner_name,
        "purpose": RECORD_PURPOSE,
        "intro": (
            f"Learning completed on {issuer_name} up to {format_date(generated_on)}. Add a "
            "reflective note for each activity: what you learnt, how it changed your practice and "
            "how it relates to your professional code (for nurses, midwives and nursing "
            "associates, the NMC Code; for doctors, Good Medical Practice). Online modules are "
            "individual learning; workshops and other learning with colleagues can count as "
            "participatory learning."
        ),
        "footer": f"{issuer_name} CPD record for {learner_name}",
        "heading": list(CSV_COLUMNS),
        "rows": [list(_record_row(activity)) for activity in activities],
        "total": f"Total: {format_hours(minutes)} hours ({minutes} minutes) of CPD",
    }
    return _compile("cpd_record.typ", data, on=generated_on)


def _record_row(activity: CpdActivity) -> tuple[str, ...]:
    return (
        activity.completed_on.isoformat(),
        _clean(activity.title),
        activity.tier.capitalize(),
        activity.learning_type,
        str(activity.cpd_minutes),
        format_hours(activity.cpd_minutes),
        "",
    )


def cpd_record_csv(*, activities: Sequence[CpdActivity]) -> bytes:
    """The CPD record as CSV (UTF-8 with a byte-order mark so Excel shows accents correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        writer.writerow([_csv_safe(value) for value in _record_row(activity)])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- shared ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> typst.Fonts:
    """The vendored fonts, read once per process; Typst's own embedded fonts are left out too."""
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
    )


def _compile(template: str, data: Mapping[str, object], *, on: date) -> bytes:
    """The template compiled to a tagged PDF/UA-1 document, dated `on` (same inputs, same bytes).

    The vendored fonts only, never the server's: output must not depend on what is installed.
    Nothing is fetched: the templates import no Typst packages.
    """
    pdf = typst.compile(
        str(DOCUMENTS / template),
        root=str(DOCUMENTS),
        font_paths=_fonts(),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data)},
        pdf_standards=["ua-1"],
        timestamp=datetime.combine(on, time(), tzinfo=UTC),
    )
    assert isinstance(pdf, bytes)  # one document, not one image per page
    return pdf


def _clean(text: str) -> str:
    # Composed characters render as one glyph; decomposed accents would float without shaping.
    return unicodedata.normalize("NFC", text).strip()
