"""Search across module titles, sections and the glossary: one service over SQLite FTS5 and
PostgreSQL full-text search. The index is rebuilt by the content sync when the content version
(every module's content hash and the glossary) changes; queries never write."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from app.content.glossary import Glossary
from app.content.models import SearchEntry
from app.content.registry import ContentRegistry

MAX_RESULTS = 20
MAX_WORDS = 8
# Highlight markers the engines put around matches; chosen so that content never holds them,
# and replaced by <mark> only after the text around them has been escaped.
_OPEN, _CLOSE = "\u2045", "\u2046"
_WORD = re.compile(r"\w+", re.UNICODE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    """The words of rendered HTML, for the index (tags dropped, entities decoded)."""
    parser = _Text()
    parser.feed(fragment)
    return " ".join(" ".join(parser.parts).split())


def content_version(registry: ContentRegistry, glossary: Glossary) -> str:
    digest = hashlib.sha256()
    for module in sorted(registry.all(), key=lambda m: m.source.slug):
        digest.update(f"{module.source.slug}:{module.source.content_hash}\n".encode())
    for term in glossary.terms:
        digest.update(term.model_dump_json().encode())
    return digest.hexdigest()


def _entries(registry: ContentRegistry, glossary: Glossary, version: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for module in registry.all():
        src = module.source
        base = {"version": version, "tier": src.tier, "slug": src.slug, "anchor": None}
        base["module_title"] = src.meta.title
        rows.append(
            {**base, "kind": "module", "section": None, "heading": src.meta.title,
             "body": " ".join([src.meta.summary, *src.meta.outcomes])}
        )  # fmt: skip
        for number, section in enumerate(src.sections, start=1):
            rows.append(
                {**base, "kind": "section", "section": number, "heading": section.title,
                 "body": plain_text(section.html)}
            )  # fmt: skip
    for term in glossary.terms:
        rows.append(
            {"version": version, "kind": "term", "tier": None, "slug": None, "module_title": None,
             "section": None, "anchor": term.id, "heading": term.term,
             "body": " ".join(filter(None, [term.definition, term.silver_note]))}
        )  # fmt: skip
    return rows


def rebuild_if_changed(session: Session, *, registry: ContentRegistry, glossary: Glossary) -> bool:
    """Rebuild the index when the content version differs from the one indexed; True if it did."""
    version = content_version(registry, glossary)
    if session.scalar(select(SearchEntry.version).limit(1)) == version:
        return False
    session.execute(delete(SearchEntry))
    rows = _entries(registry, glossary, version)
    if rows:
        session.execute(insert(SearchEntry), rows)
    if session.get_bind().dialect.name == "sqlite":
        # External-content FTS5: rebuild reads search_entry again (PostgreSQL's column is generated).
        session.execute(text("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')"))
    session.flush()
    return True


@dataclass(frozen=True)
class SearchHit:
    kind: str
    tier: str | None
    slug: str | None
    module_title: str | None
    section: int | None
    anchor: str | None
    heading: str
    snippet: Markup  # escaped text with <mark> around the words that matched

    @property
    def href(self) -> str:
        if self.kind == "term":
            return f"/glossary#{self.anchor}"
        if self.kind == "section":
            return f"/modules/{self.slug}/sections/{self.section}"
        return f"/modules/{self.slug}"


def words_of(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query)][:MAX_WORDS]


def highlight(raw: str) -> Markup:
    """Escape what the engine returned, then turn its markers into <mark> elements."""
    safe = str(escape(raw))
    return Markup(safe.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


_SQLITE = text(
    "SELECT e.id, snippet(search_entry_fts, 1, :open, :close, '…', 18) AS snippet"
    " FROM search_entry_fts JOIN search_entry e ON e.id = search_entry_fts.rowid"
    " WHERE search_entry_fts MATCH :match AND (e.tier IS NULL OR e.tier IN :tiers)"
    " ORDER BY bm25(search_entry_fts, 4.0, 1.0) LIMIT :limit"
).bindparams(bindparam("tiers", expanding=True))

_POSTGRES = text(
    "SELECT e.id, ts_headline('english', e.body, q, :options) AS snippet"
    " FROM search_entry e, to_tsquery('english', :match) q"
    " WHERE e.document @@ q AND (e.tier IS NULL OR e.tier IN :tiers)"
    " ORDER BY ts_rank(e.document, q) DESC, e.id LIMIT :limit"
).bindparams(bindparam("tiers", expanding=True))


def search(
    session: Session, *, query: str, tiers: set[str], limit: int = MAX_RESULTS
) -> list[SearchHit]:
    """Entries matching every word (as a prefix), best first, from the glossary and `tiers` only."""
    words = words_of(query)
    if not words:
        return []
    allowed = sorted(tiers) or [""]
    if session.get_bind().dialect.name == "postgresql":
        options = (
            f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=30, MinWords=12, "
            "MaxFragments=1, FragmentDelimiter=…"
        )
        params = {"match": " & ".join(f"{w}:*" for w in words), "options": options}
        found = session.execute(_POSTGRES, {**params, "tiers": allowed, "limit": limit}).all()
    else:
        match = " ".join(f'"{w}"*' for w in words)
        params = {"match": match, "open": _OPEN, "close": _CLOSE}
        found = session.execute(_SQLITE, {**params, "tiers": allowed, "limit": limit}).all()
    entries = {
        e.id: e
        for e in session.scalars(
            select(SearchEntry).where(SearchEntry.id.in_([r.id for r in found]))
        )
    }
    return [
        SearchHit(
            kind=e.kind,
            tier=e.tier,
            slug=e.slug,
            module_title=e.module_title,
            section=e.section,
            anchor=e.anchor,
            heading=e.heading,
            snippet=highlight(r.snippet or ""),
        )
        for r in found
        if (e := entries.get(r.id)) is not None
    ]


def outside_models(
    _obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """For Alembic's comparison: the full-text and trigram index objects migrations make by hand."""
    if type_ == "table" and name and name.startswith("search_entry_fts"):
        return False
    if type_ == "index" and name == "ix_search_entry_document":
        return False
    if type_ == "index" and name and name.endswith("_trgm"):
        return False  # PostgreSQL trigram indexes (the portfolio library's), made by hand
    return not (type_ == "column" and name == "document")
