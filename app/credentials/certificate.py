"""CPD certificate and CPD record documents (PDF with fpdf2, CSV) for QI Academy learners."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
NHS_BLUE, NHS_DARK_BLUE, TEXT, SECONDARY = "#005EB8", "#003087", "#212B32", "#4C6272"
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
    """Characters the certificate fonts cannot draw (fpdf2 leaves them out), to warn about first.

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
    """A one-page (longer if needed) A4 CPD certificate with a QR code to its verification page."""
    learner_name = _clean(learner_name)
    title = f"{achievement_name} CPD certificate: {learner_name}"
    pdf = _document(title=title, subject="Continuing professional development certificate")
    pdf.set_creation_date(datetime.combine(issued_on, time(), tzinfo=UTC))
    pdf.add_page()
    colour = TIER_COLOURS.get(tier, NHS_DARK_BLUE)
    _certificate_frame(pdf, colour=colour)
    _certificate_heading(
        pdf, issuer_name=issuer_name, badge_image=badge_image, badge_name=achievement_name
    )
    _certificate_award(pdf, learner=learner_name, achievement=achievement_name, colour=colour)
    _modules_table(pdf, modules)
    _certificate_footer(
        pdf,
        issued_on=issued_on,
        issuer_name=issuer_name,
        certificate_id=certificate_id,
        verification_url=verification_url,
    )
    return bytes(pdf.output())


def _certificate_frame(pdf: FPDF, *, colour: str) -> None:
    pdf.set_draw_color(colour)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(10.5, 10.5, pdf.w - 21, pdf.h - 21)


def _certificate_heading(
    pdf: FPDF, *, issuer_name: str, badge_image: Path | None, badge_name: str
) -> None:
    if badge_image is not None:
        image = io.BytesIO(_print_badge(badge_image))
        alt_text = f"{badge_name} badge"
        pdf.image(image, x=pdf.w - pdf.r_margin - 36, y=18, w=36, alt_text=alt_text)
    pdf.set_y(22)
    _text(pdf, issuer_name, size=14, bold=True, colour=NHS_BLUE)
    pdf.ln(8)
    _text(pdf, "Certificate of continuing", size=22, bold=True, colour=NHS_DARK_BLUE)
    _text(pdf, "professional development", size=22, bold=True, colour=NHS_DARK_BLUE)
    pdf.ln(10)


def _certificate_award(pdf: FPDF, *, learner: str, achievement: str, colour: str) -> None:
    _text(pdf, "This certifies that", size=12, colour=SECONDARY)
    pdf.ln(2)
    _paragraph(pdf, learner, size=24, bold=True, colour=TEXT)
    pdf.ln(2)
    _text(pdf, "has achieved", size=12, colour=SECONDARY)
    pdf.ln(2)
    _paragraph(pdf, achievement, size=18, bold=True, colour=colour)
    pdf.ln(8)


@lru_cache(maxsize=8)
def _print_badge(path: Path) -> bytes:
    """The badge at about 200 dpi for its 36 mm, flattened onto the white page.

    Without an alpha channel fpdf2 embeds the PNG data as it is instead of splitting out and
    re-compressing a transparency mask for every certificate.
    """
    with Image.open(path) as image:
        small = image.convert("RGBA").resize((288, 288), Image.Resampling.LANCZOS)
    flat = Image.new("RGB", small.size, "white")
    flat.paste(small, mask=small.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, format="PNG")
    return buffer.getvalue()


def _modules_table(pdf: FPDF, modules: Sequence[CpdActivity]) -> None:
    _text(pdf, "Modules completed", size=12, bold=True, colour=TEXT)
    pdf.ln(2)
    rows = [(_clean(m.title), format_date(m.completed_on), str(m.cpd_minutes)) for m in modules]
    _draw_table(pdf, _MODULES_TABLE, heading=("Module", "Completed", "CPD minutes"), rows=rows)
    minutes = total_minutes(modules)
    pdf.ln(4)
    hours = format_hours(minutes)
    unit = "hour" if hours == "1" else "hours"
    _text(pdf, f"Total CPD: {hours} {unit} ({minutes} minutes)", size=12, bold=True, colour=TEXT)


def _certificate_footer(
    pdf: FPDF, *, issued_on: date, issuer_name: str, certificate_id: str, verification_url: str
) -> None:
    qr_size = 34
    # Keep the footer block together at the bottom; a long module list pushes it to a new page.
    top = max(pdf.get_y() + 10, pdf.h - pdf.b_margin - qr_size - 4)
    if top + qr_size > pdf.h - pdf.b_margin + 4:
        pdf.add_page()
        top = pdf.t_margin
    _qr_code(pdf, verification_url, x=pdf.w - pdf.r_margin - qr_size, y=top, size=qr_size)
    pdf.set_y(top + 1)
    _text(pdf, f"Issued on {format_date(issued_on)} by {issuer_name}", size=10, colour=TEXT)
    _text(pdf, f"Certificate ID: {certificate_id}", size=9, colour=SECONDARY)
    pdf.ln(3)
    _text(pdf, "Check this certificate at:", size=9, colour=SECONDARY)
    pdf.set_font(FAMILY, size=9)
    pdf.set_text_color(NHS_BLUE)
    pdf.cell(text=verification_url, link=verification_url, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    _text(pdf, "or scan the QR code.", size=9, colour=SECONDARY)


def _qr_code(pdf: FPDF, url: str, *, x: float, y: float, size: float) -> None:
    """Vector QR code: crisp at any zoom and print size, and a few hundred bytes."""
    qr = segno.make(url, error="m", micro=False)
    matrix = qr.matrix
    border = 4  # the quiet zone QR readers need; the page is white there
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(0)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(
                x + (border + start) * module,
                y + (border + row_index) * module,
                (column - start) * module,
                module,
                style="F",
            )


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
    pdf = _document(
        title=f"CPD record: {learner_name}",
        subject=f"CPD record from {issuer_name}. {RECORD_PURPOSE}.",
        orientation="landscape",
    )
    pdf.set_creation_date(datetime.combine(generated_on, time(), tzinfo=UTC))
    pdf.footer_text = f"{issuer_name} CPD record for {learner_name}"
    pdf.add_page()
    _record_heading(pdf, learner_name=learner_name, issuer_name=issuer_name, on=generated_on)
    _record_table(pdf, activities)
    minutes = total_minutes(activities)
    pdf.ln(3)
    _text(
        pdf,
        f"Total: {format_hours(minutes)} hours ({minutes} minutes) of CPD",
        size=11,
        bold=True,
        colour=TEXT,
    )
    return bytes(pdf.output())


def _record_heading(pdf: FPDF, *, learner_name: str, issuer_name: str, on: date) -> None:
    _text(pdf, f"{issuer_name}: CPD record", size=11, bold=True, colour=NHS_BLUE)
    _paragraph(pdf, learner_name, size=18, bold=True, colour=TEXT)
    _text(pdf, RECORD_PURPOSE, size=12, bold=True, colour=NHS_DARK_BLUE)
    pdf.ln(1)
    _paragraph(
        pdf,
        f"Learning completed on {issuer_name} up to {format_date(on)}. Add a reflective note "
        "for each activity: what you learnt, how it changed your practice and how it relates to "
        "your professional code (for nurses, midwives and nursing associates, the NMC Code; for "
        "doctors, Good Medical Practice). Online modules are individual learning; workshops "
        "and other learning with colleagues can count as participatory learning.",
        size=9,
        colour=SECONDARY,
    )
    pdf.ln(3)


def _record_table(pdf: FPDF, activities: Sequence[CpdActivity]) -> None:
    rows = [_record_row(activity) for activity in activities]
    _draw_table(pdf, _RECORD_TABLE, heading=CSV_COLUMNS, rows=rows)


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


# --- tables -------------------------------------------------------------------------------
# Drawn cell by cell: fpdf2's table() takes several times as long for these plain grids.


@dataclass(frozen=True)
class _Table:
    columns: tuple[tuple[float, str], ...]  # (width in mm, alignment L/R)
    size: float  # font size, points
    line: float  # line height, mm
    min_height: float = 0.0
    grid: bool = False  # every cell boxed (a form to write on) or rules between rows


_MODULES_TABLE = _Table(columns=((100, "L"), (40, "L"), (30, "R")), size=10, line=6)
_RECORD_TABLE = _Table(
    columns=((24, "L"), (70, "L"), (16, "L"), (44, "L"), (18, "R"), (16, "R"), (69, "L")),
    size=9,
    line=5,
    min_height=14,  # room to handwrite a reflective note on a printed copy
    grid=True,
)


def _draw_table(
    pdf: FPDF, table: _Table, *, heading: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    _draw_row(pdf, table, heading, heading=True)
    for row in rows:
        _draw_row(pdf, table, row, heading=False, repeat=heading)


def _draw_row(
    pdf: FPDF,
    table: _Table,
    cells: Sequence[str],
    *,
    heading: bool,
    repeat: Sequence[str] | None = None,
) -> None:
    pdf.set_font(FAMILY, "B" if heading else "", table.size)
    wrapped = [_wrap(pdf, text=t, width=w) for (w, _), t in zip(table.columns, cells, strict=True)]
    height = max(len(lines) for lines in wrapped) * table.line
    height = height if heading else max(height, table.min_height)
    # Never leave a heading alone at the foot of a page; repeat the headings on every page.
    if pdf.will_page_break(height + (table.line if heading else 0)):
        pdf.add_page()
        if repeat is not None:
            _draw_row(pdf, table, repeat, heading=True)
            pdf.set_font(FAMILY, "", table.size)
    pdf.set_text_color(NHS_DARK_BLUE if heading else TEXT)
    pdf.set_draw_color("#AEB7BD" if table.grid else "#D8DDE0")
    pdf.set_line_width(0.2)
    x, y = pdf.l_margin, pdf.get_y()
    if heading:
        pdf.set_fill_color("#F0F4F5")
        pdf.rect(x, y, sum(w for w, _ in table.columns), height, style="F")
    for (width, align), lines in zip(table.columns, wrapped, strict=True):
        for index, line in enumerate(lines):
            pdf.set_xy(x, y + index * table.line)
            pdf.cell(w=width, h=table.line, text=line, align=align)
        if table.grid:
            pdf.rect(x, y, width, height)
        x += width
    if not table.grid:
        pdf.line(pdf.l_margin, y + height, x, y + height)
    pdf.set_xy(pdf.l_margin, y + height)


def _wrap(pdf: FPDF, *, text: str, width: float) -> list[str]:
    """Greedy word wrap by measured width: fpdf2's multi_cell line breaker is far slower."""
    usable = width - 2 * pdf.c_margin
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= usable:
            current = candidate
            continue
        if current:
            lines.append(current)
        *full, current = _split_word(pdf, word=word, usable=usable)
        lines.extend(full)
    return [*lines, current]


def _split_word(pdf: FPDF, *, word: str, usable: float) -> list[str]:
    """A word wider than its column, broken between characters (rare: long URLs, codes)."""
    pieces = [""]
    for char in word:
        if pieces[-1] and pdf.get_string_width(pieces[-1] + char) > usable:
            pieces.append("")
        pieces[-1] += char
    return pieces


# --- shared ---------------------------------------------------------------------------------


class _Document(FPDF):
    """An A4 document; a footer with page numbers when footer_text is set."""

    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(SECONDARY)
        self.cell(w=0, h=5, text=f"{self.footer_text} · Page {self.page_no()} of {{nb}}")


def _document(*, title: str, subject: str, orientation: str = "portrait") -> _Document:
    pdf = _Document(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    # A Unicode TTF shipped with the app: core PDF fonts are Latin-1 only, and learners'
    # names are not. Vendored so output never depends on fonts installed on the server.
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    pdf.set_author("QI Academy")
    pdf.set_subject(subject)
    pdf.set_creator("QI Academy")
    pdf.set_keywords("CPD, quality improvement, QI Academy")
    pdf.set_lang("en-GB")
    return pdf


def _text(pdf: FPDF, text: str, *, size: float, colour: str, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(colour)
    pdf.cell(text=text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, h=size * 0.5)


def _paragraph(pdf: FPDF, text: str, *, size: float, colour: str, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(colour)
    pdf.multi_cell(w=0, text=text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, h=size * 0.5)


def _clean(text: str) -> str:
    # Composed characters render as one glyph; decomposed accents would float without shaping.
    return unicodedata.normalize("NFC", text).strip()
