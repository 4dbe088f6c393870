"""The curriculum's quality bar: word counts, reading ease and quiz shape, measured the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import textstat
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark").enable("table")

# Bars from the curriculum issue; one place so the test, the CLI and authors agree.
BARS: dict[str, dict[str, int]] = {
    "bronze": {
        "min_words": 1200,
        "max_words": 3000,
        "min_questions": 6,
        "min_cpd": 20,
        "max_cpd": 40,
    },
    "silver": {
        "min_words": 1200,
        "max_words": 6000,
        "min_questions": 8,
        "min_cpd": 30,
        "max_cpd": 60,
    },
    "gold": {
        "min_words": 1200,
        "max_words": 6000,
        "min_questions": 8,
        "min_cpd": 30,
        "max_cpd": 90,
    },
}
MIN_READING_EASE = {"bronze": 50.0}
MIN_REFERENCES = 2


def prose_text(markdown: str) -> str:
    """Return the running prose of a Markdown body: paragraphs, list items and headings.

    Tables and code blocks are left out: they are data (a run chart series, a worked sum),
    and counting their numbers as words would distort both word count and reading ease.
    """
    tokens = _md.parse(markdown)
    parts: list[str] = []
    in_table = 0
    for tok in tokens:
        if tok.type == "table_open":
            in_table += 1
        elif tok.type == "table_close":
            in_table -= 1
        elif tok.type == "inline" and not in_table:
            text = (
                "".join(
                    child.content
                    for child in (tok.children or [])
                    if child.type in ("text", "code_inline")
                )
                or tok.content
            )
            text = text.strip()
            if text:
                # Headings and list items often lack a full stop; give each its own sentence.
                parts.append(text if text[-1] in ".?!:" else text + ".")
    return "\n".join(parts)


def word_count(markdown: str) -> int:
    return len(prose_text(markdown).split())


def reading_ease(markdown: str) -> float:
    return float(textstat.flesch_reading_ease(prose_text(markdown)))


@dataclass
class QualityReport:
    words: int
    reading_ease: float
    problems: list[str] = field(default_factory=list)


def assess(tier: str, body: str, meta: dict[str, Any]) -> QualityReport:
    """Measure one module against its tier's bar and list every shortfall in plain words."""
    bar = BARS[tier]
    words = word_count(body)
    ease = reading_ease(body)
    report = QualityReport(words=words, reading_ease=round(ease, 1))
    p = report.problems
    if not bar["min_words"] <= words <= bar["max_words"]:
        p.append(f"{words} words; {tier} modules need {bar['min_words']}-{bar['max_words']}")
    if tier in MIN_READING_EASE and ease < MIN_READING_EASE[tier]:
        p.append(
            f"Flesch reading ease {ease:.1f}; {tier} needs {MIN_READING_EASE[tier]:.0f} or more"
        )
    cpd = meta.get("cpd_minutes", 0)
    if not bar["min_cpd"] <= cpd <= bar["max_cpd"]:
        p.append(f"cpd_minutes {cpd}; {tier} modules take {bar['min_cpd']}-{bar['max_cpd']}")
    refs = meta.get("references") or []
    if len(refs) < MIN_REFERENCES:
        p.append(f"{len(refs)} references; at least {MIN_REFERENCES} public sources needed")
    if not meta.get("outcomes"):
        p.append("no learning outcomes")
    questions = (meta.get("quiz") or {}).get("questions") or []
    if len(questions) < bar["min_questions"]:
        p.append(f"{len(questions)} quiz questions; {tier} needs at least {bar['min_questions']}")
    types = {q.get("type") for q in questions}
    if questions and not {"single", "multiple", "true_false"} <= types:
        p.append(
            f"quiz types {sorted(t for t in types if t)}; use a mix of single, multiple and true_false"
        )
    scenario = sum(1 for q in questions if q.get("scenario"))
    if questions and scenario * 2 < len(questions):
        p.append(
            f"{scenario} of {len(questions)} questions are scenario-based; at least half must be"
        )
    for q in questions:
        for opt in q.get("options") or []:
            if not str(opt.get("feedback") or "").strip():
                p.append(f"question {q.get('id')}: option {opt.get('text')!r} has no feedback")
            if "all of the above" in str(opt.get("text", "")).lower():
                p.append(f"question {q.get('id')}: no 'all of the above' options")
    return report
