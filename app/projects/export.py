"""The project as a structured write-up with SQUIRE 2.0 headings, as Markdown and as PDF.

Both documents are built from the same outline (:func:`outline`) so they say the same things;
the PDF embeds each measure's chart as PNG, the Markdown links to the chart downloads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.credentials.certificate import FONTS
from app.projects.charts import ChartView, day, pdsa_labels
from app.projects.constants import (
    DECISION_NAMES,
    DIRECTION_NAMES,
    MEASURE_KIND_NAMES,
    METHOD_NAMES,
    NODE_NAMES,
    STATUS_LABELS,
)
from app.projects.schemas import MeasureData, ProjectDetail

FAMILY = "DejaVuSans"
TEXT, SECONDARY, NHS_BLUE = "#212B32", "#4C6272", "#005EB8"
ETHICS = (
    "The project records aggregate measures only (counts, percentages and times for a group), "
    "never details that identify a patient. QI Academy refuses free text that holds an NHS "
    "number or a date of birth next to a name."
)


@dataclass(frozen=True)
class Chart:
    measure: MeasureData
    view: ChartView
    png_url: str


@dataclass
class Section:
    """A heading, its paragraphs, an optional table and bullet tree, and sub-sections."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[tuple[int, str]] = field(default_factory=list)  # (depth, text)
    table: list[list[str]] = field(default_factory=list)  # first row: headings
    chart: Chart | None = None
    children: list[Section] = field(default_factory=list)


def _or(text: str, missing: str) -> list[str]:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return paragraphs or [missing]


def _first_sentence(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "..."


def outline(detail: ProjectDetail, charts: Sequence[Chart]) -> tuple[str, list[Section]]:
    """The document title and its SQUIRE sections, filled from the workspace."""
    title = f"{detail.title}: a quality improvement project"
    labels = pdsa_labels(detail.pdsa_cycles)
    main = next((c for c in charts if c.measure.is_main), charts[0] if charts else None)
    ideas = [n for n in detail.drivers if n.kind == "change_idea"]
    cycles = detail.pdsa_cycles
    abstract = Section("Abstract")
    abstract.paragraphs = [
        f"Problem. {_first_sentence(detail.problem) or 'Not yet described.'}",
        f"Aim. {detail.aim or 'Not yet written.'}",
        f"Methods. {len(ideas)} change idea{'s' if len(ideas) != 1 else ''} from a driver "
        f"diagram, tested in {len(cycles)} PDSA cycle{'s' if len(cycles) != 1 else ''}, with "
        f"{len(detail.measures)} measure{'s' if len(detail.measures) != 1 else ''} plotted "
        "over time on run and SPC charts.",
        f"Results. {main.view.description if main and main.view.chart else 'No chart yet.'}",
        f"Conclusions. {_first_sentence(detail.sustainability) or 'Not yet written.'}",
    ]
    introduction = Section(
        "Introduction",
        children=[
            Section("Problem description", _or(detail.problem, "Not yet described.")),
            Section("Available knowledge", _or(detail.background, "Not yet described.")),
            Section(
                "Rationale",
                [
                    "The driver diagram shows the theory of change: what drives the aim, and the "
                    "change ideas tested."
                ],
                bullets=_driver_bullets(detail),
            ),
            Section("Specific aim", _or(detail.aim, "Not yet written.")),
        ],
    )
    people = [f"{m.name}{f' ({m.role})' if m.role else ''}" for m in detail.members]
    team = detail.team_members + people
    context = Section("Context", _or(detail.setting, "Not yet described."))
    if team:
        context.paragraphs.append("Team: " + "; ".join(team) + ".")
    interventions = Section(
        "Interventions",
        [] if ideas else ["No change ideas recorded yet."],
        bullets=[
            (
                0,
                idea.text
                + (
                    " (tested in "
                    + ", ".join(labels[c.id] for c in cycles if c.change_idea_id == idea.id)
                    + ")"
                    if any(c.change_idea_id == idea.id for c in cycles)
                    else ""
                ),
            )
            for idea in ideas
        ],
    )
    study = Section(
        "Study of the interventions",
        [] if cycles else ["No PDSA cycles recorded yet."],
        children=[_cycle_section(c, labels[c.id]) for c in cycles],
    )
    measures = Section("Measures", [] if detail.measures else ["No measures defined yet."])
    if detail.measures:
        measures.table = [
            ["Measure", "Type", "Operational definition", "Unit", "Better", "Target"],
            *(
                [
                    m.name + (" (main outcome measure)" if m.is_main else ""),
                    MEASURE_KIND_NAMES[m.kind],
                    m.definition,
                    m.unit,
                    DIRECTION_NAMES[m.direction],
                    "" if m.target is None else f"{m.target:g}",
                ]
                for m in detail.measures
            ),
        ]
    analysis = Section("Analysis", [_analysis_text(m) for m in detail.measures] or ["None yet."])
    methods = Section(
        "Methods",
        children=[
            context,
            interventions,
            study,
            measures,
            analysis,
            Section("Ethical considerations", [ETHICS]),
        ],
    )
    results = Section(
        "Results",
        [] if charts else ["No measures with data yet."],
        children=[_chart_section(c) for c in charts],
    )
    sections = [
        abstract,
        introduction,
        methods,
        results,
        Section("Discussion", _or(detail.reflection, "Learning and reflection not yet written.")),
        Section("Conclusions", _or(detail.sustainability, "Sustainability plan not yet written.")),
    ]
    return title, sections


def _driver_bullets(detail: ProjectDetail) -> list[tuple[int, str]]:
    children: dict[int | None, list] = {}
    for n in detail.drivers:
        children.setdefault(n.parent_id, []).append(n)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for n in children.get(parent, []):
            out.append((depth, f"{NODE_NAMES[n.kind]}: {n.text}"))
            walk(n.id, depth + 1)

    walk(None, 0)
    return out


def _cycle_section(cycle, label: str) -> Section:  # type: ignore[no-untyped-def]
    dates = day(cycle.starts_on) + (f" to {day(cycle.ends_on)}" if cycle.ends_on else "")
    paragraphs = [f"Dates: {dates}."]
    if cycle.change_idea:
        paragraphs.append(f"Change idea: {cycle.change_idea}.")
    for name, text in (
        ("Plan", cycle.plan),
        ("Prediction", cycle.prediction),
        ("Do", cycle.do),
        ("Study", cycle.study),
        ("Act", cycle.act),
    ):
        if text:
            paragraphs.append(f"{name}: {text}")
    if cycle.decision:
        paragraphs.append(f"Decision: {DECISION_NAMES[cycle.decision]}.")
    return Section(f"{label}: {cycle.title}", paragraphs)


def _analysis_text(m: MeasureData) -> str:
    extra = []
    if m.baseline_points:
        extra.append(f"centre line fixed on the first {m.baseline_points} points")
    for r in m.rebases:
        extra.append(f"limits recalculated from {day(r.starts_on)} ({r.reason})")
    tail = f"; {'; '.join(extra)}" if extra else ""
    return f"{m.name}: {METHOD_NAMES[m.method]}{tail}."


def _chart_section(chart: Chart) -> Section:
    view = chart.view
    section = Section(chart.measure.name, chart=chart)
    if view.chart is None:
        section.paragraphs.append(view.message or "No chart yet.")
        return section
    section.paragraphs = [view.description, *view.summary]
    found = [s for s in view.signals if s.found]
    if found:
        section.paragraphs.append(
            "Signals: "
            + "; ".join(f"{s.rule} ({s.where})" if s.where else s.rule for s in found)
            + "."
        )
    section.paragraphs += view.notices
    section.table = [
        ["Date", f"Value ({chart.measure.unit})", "Note"],
        *([day(r.period), f"{r.value:g}", r.note] for r in view.rows),
    ]
    return section


# --- Markdown ---------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(detail: ProjectDetail, charts: Sequence[Chart]) -> str:
    title, sections = outline(detail, charts)
    status = STATUS_LABELS[detail.status]
    lines = [
        f"# {title}",
        "",
        f"{'Team' if detail.is_team else 'Learner'}: {detail.owner}. Cohort: "
        f"{detail.cohort_name}. Status: {status}"
        + (f" ({day(detail.signed_off_at.date())})" if detail.signed_off_at else "")
        + ".",
        "",
    ]

    def write(section: Section, level: int) -> None:
        lines.extend([f"{'#' * level} {section.title}", ""])
        if section.chart and section.chart.view.chart:
            alt = _cell(section.chart.view.title)
            lines.extend([f"![{alt}]({section.chart.png_url})", ""])
        for p in section.paragraphs:
            lines.extend([p, ""])
        if section.bullets:
            lines.extend(f"{'  ' * depth}- {_cell(text)}" for depth, text in section.bullets)
            lines.append("")
        if section.table:
            head, *rows = section.table
            lines.append("| " + " | ".join(_cell(h) for h in head) + " |")
            lines.append("|" + "---|" * len(head))
            lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
            lines.append("")
        for child in section.children:
            write(child, level + 1)

    for section in sections:
        write(section, 2)
    return "\n".join(lines).rstrip() + "\n"


# --- PDF --------------------------------------------------------------------------------------


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(SECONDARY)
        self.cell(w=0, h=5, text=f"{self.footer_text} · Page {self.page_no()} of {{nb}}")


def to_pdf(detail: ProjectDetail, charts: Sequence[Chart]) -> bytes:
    title, sections = outline(detail, charts)
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = detail.title[:80]
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    # Vendored Unicode fonts: learners' words are not Latin-1 (same files as the certificates).
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_title(title)
    pdf.set_author(detail.owner)
    pdf.set_subject("Quality improvement project write-up (SQUIRE 2.0 headings)")
    pdf.set_creator("QI Academy")
    pdf.set_lang("en-GB")
    pdf.add_page()
    _para(pdf, title, size=18, bold=True, colour=NHS_BLUE)
    pdf.ln(2)
    who = "Team" if detail.is_team else "Learner"
    _para(
        pdf,
        f"{who}: {detail.owner}. Cohort: {detail.cohort_name}. "
        f"Status: {STATUS_LABELS[detail.status]}.",
        size=10,
        colour=SECONDARY,
    )
    for section in sections:
        _pdf_section(pdf, section, level=1)
    return bytes(pdf.output())


def _para(
    pdf: FPDF, text: str, *, size: float = 10, bold: bool = False, colour: str = TEXT
) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(colour)
    pdf.multi_cell(w=0, h=size * 0.5, text=text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# Relative column widths: the data table (date, value, note) and the measures table.
_TABLE_WIDTHS: dict[int, tuple[int, ...]] = {3: (22, 20, 58), 6: (20, 11, 37, 12, 12, 8)}


def _pdf_section(pdf: FPDF, section: Section, *, level: int) -> None:
    size = {1: 15, 2: 12.5, 3: 11}.get(level, 11)
    if pdf.get_y() > pdf.h - 50:  # keep a heading with what follows it
        pdf.add_page()
    pdf.ln(3 if level > 1 else 5)
    pdf.start_section(section.title, level=level - 1, strict=False)
    _para(pdf, section.title, size=size, bold=True, colour=NHS_BLUE if level == 1 else TEXT)
    pdf.ln(1)
    chart = section.chart
    if chart and chart.view.chart:
        png = chart.view.png()
        if png:
            width = pdf.epw
            height = width * chart.view.chart.height / chart.view.chart.width
            if pdf.get_y() + height > pdf.h - 20:
                pdf.add_page()
            pdf.image(
                io.BytesIO(png), w=width, title=chart.view.title, alt_text=chart.view.description
            )
            pdf.ln(2)
    for p in section.paragraphs:
        _para(pdf, p)
        pdf.ln(1.5)
    for depth, text in section.bullets:
        pdf.set_x(pdf.l_margin + 5 * depth)
        pdf.set_font(FAMILY, "", 10)
        pdf.set_text_color(TEXT)
        pdf.multi_cell(w=0, h=5, text=f"• {text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if section.table:
        pdf.set_font(FAMILY, "", 8.5)
        pdf.set_text_color(TEXT)
        widths = _TABLE_WIDTHS.get(len(section.table[0]))
        with pdf.table(
            first_row_as_headings=True, line_height=4.5, text_align="LEFT", col_widths=widths
        ) as table:
            for row in section.table:
                cells = table.row()
                for text in row:
                    cells.cell(text)
        pdf.ln(2)
    for child in section.children:
        _pdf_section(pdf, child, level=level + 1)
