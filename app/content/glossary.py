"""The glossary: content/glossary.yaml validated into terms, and the `[text](glossary:term-id)` links to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from app.content.schemas import Slug, Text, _Strict

GLOSSARY_FILE = "glossary.yaml"
# What authors write: an ordinary Markdown link whose target is `glossary:` and a term id.
LINK_RE = re.compile(r"\]\(glossary:([^)\s]*)\)")
PREFIX = "glossary:"


class TermSource(_Strict):
    id: Slug
    term: Text
    definition: Text
    silver_note: Text | None = None  # "In Silver you will..." for a term Bronze only introduces
    related: list[Slug] = Field(default_factory=list)


@dataclass(frozen=True)
class Glossary:
    terms: tuple[TermSource, ...] = ()

    def ids(self) -> set[str]:
        return {t.id for t in self.terms}

    def term(self, term_id: str) -> TermSource | None:
        return next((t for t in self.terms if t.id == term_id), None)


def href(term_id: str) -> str:
    return f"/glossary#{term_id}"


def load_glossary(content_dir: Path) -> tuple[Glossary, list[str]]:
    """Read the glossary (an absent file is an empty glossary) and list every problem as file:line."""
    path = content_dir / GLOSSARY_FILE
    display = f"{content_dir.name}/{GLOSSARY_FILE}"
    if not path.exists():
        return Glossary(), []
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return Glossary(), [f"{display}:{(mark.line + 1) if mark else 1}: YAML does not parse"]
    items = (data or {}).get("terms") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return Glossary(), [f"{display}:1: the glossary must be a mapping with a 'terms' list"]
    nodes = _term_nodes(node)
    terms: list[TermSource] = []
    errors: list[str] = []
    for i, item in enumerate(items):
        line = nodes[i].start_mark.line + 1 if i < len(nodes) else 1
        try:
            terms.append(TermSource.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "term"
                errors.append(f"{display}:{line}: terms[{i}].{where}: {err['msg']}")
    errors.extend(_cross_check(terms, nodes, display))
    return Glossary(tuple(terms)), errors


def _term_nodes(node: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return []
    value = next((v for k, v in node.value if getattr(k, "value", None) == "terms"), None)
    return list(value.value) if isinstance(value, yaml.SequenceNode) else []


def _cross_check(terms: list[TermSource], nodes: list[yaml.Node], display: str) -> list[str]:
    errors: list[str] = []
    ids = [t.id for t in terms]
    known = set(ids)
    for i, t in enumerate(terms):
        line = nodes[i].start_mark.line + 1 if i < len(nodes) else 1
        if ids.index(t.id) != i:
            errors.append(f"{display}:{line}: term id '{t.id}' is already used")
        errors.extend(
            f"{display}:{line}: '{t.id}' is related to '{r}', which is not a glossary term"
            for r in t.related
            if r not in known
        )
    return errors


def linked_terms(body: str) -> list[tuple[str, int]]:
    """Every glossary link in a module body: (term id, 0-based line in the body)."""
    return [
        (m.group(1), n) for n, line in enumerate(body.splitlines()) for m in LINK_RE.finditer(line)
    ]


@dataclass(frozen=True)
class TermView:
    id: str
    term: str
    letter: str
    definition: str
    silver_note: str | None
    related: tuple[TermSource, ...]


def page_terms(glossary: Glossary) -> list[TermView]:
    """The glossary page's rows: A to Z by term, each with its related terms resolved."""
    rows = [
        TermView(
            id=t.id,
            term=t.term,
            letter=t.term[0].upper(),
            definition=t.definition,
            silver_note=t.silver_note,
            related=tuple(r for r in map(glossary.term, t.related) if r is not None),
        )
        for t in glossary.terms
    ]
    return sorted(rows, key=lambda r: r.term.lower())
