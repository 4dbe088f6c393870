"""Markdown to safe HTML: markdown-it-py (CommonMark + tables) then nh3, cached per content hash."""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.content import glossary

_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "replacements", "smartquotes"]
)


# NHS.UK styles for the elements modules use most, set on the tokens before rendering.
_CLASSES = {
    "table_open": "nhsuk-table",
    "bullet_list_open": "nhsuk-list nhsuk-list--bullet",
    "ordered_list_open": "nhsuk-list nhsuk-list--number",
}

_TAGS = {
    "p",
    "h3",
    "h4",
    "h5",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
}
_ATTRS = {
    "a": {"href", "title"},
    "table": {"class"},
    "ul": {"class"},
    "ol": {"class", "start"},
    "th": {"style"},
    "td": {"style"},
}


@dataclass(frozen=True)
class Section:
    title: str
    html: str


def _glossary_links(token: Token, seen: set[str]) -> None:
    """Point `glossary:` links at the glossary page; a term already linked in the module stays text."""
    children: list[Token] = []
    dropping = False
    for child in token.children or []:
        href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
        if href.startswith(glossary.PREFIX):
            term_id = href.removeprefix(glossary.PREFIX)
            if term_id in seen:
                dropping = True
                continue
            seen.add(term_id)
            child.attrSet("href", glossary.href(term_id))
        elif child.type == "link_close" and dropping:
            dropping = False
            continue
        children.append(child)
    token.children = children


def render_markdown(text: str, *, seen_terms: set[str] | None = None) -> str:
    """Render one section; `seen_terms` carries the glossary terms linked in earlier sections."""
    seen = set() if seen_terms is None else seen_terms
    tokens = _md.parse(text)
    for token in tokens:
        if token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        elif token.type == "inline":
            _glossary_links(token, seen)
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRS,
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def split_sections(body: str) -> list[tuple[str, str, int]]:
    """Split a body at level-two headings: (title, markdown, line offset of the heading)."""
    sections: list[tuple[str, str, int]] = []
    title: str | None = None
    lines: list[str] = []
    start = 0
    in_fence = False
    for n, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if title is not None:
                sections.append((title, "\n".join(lines), start))
            title, lines, start = line[3:].strip(), [], n
        elif title is None:
            if (
                line.strip()
            ):  # text before the first heading: kept as an untitled part, reported as an error
                title, lines, start = "", [line], n
        else:
            lines.append(line)
    if title is not None:
        sections.append((title, "\n".join(lines), start))
    return sections


_cache: dict[str, tuple[Section, ...]] = {}


def render_sections(content_hash: str, parts: list[tuple[str, str]]) -> tuple[Section, ...]:
    """Render once per content version: a repeated load of the same file costs nothing."""
    if content_hash not in _cache:
        seen: set[str] = set()  # only the first use of a glossary term in a module is linked
        _cache[content_hash] = tuple(
            Section(title=t, html=render_markdown(md, seen_terms=seen)) for t, md in parts
        )
    return _cache[content_hash]
