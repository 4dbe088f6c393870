"""Checks across modules and the glossary: glossary links that resolve, references that will last."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.content.glossary import Glossary, linked_terms

if TYPE_CHECKING:  # the loader calls these checks, so only its types are needed here
    from app.content.loader import LoadedModule


def _where(module: LoadedModule, base: Path) -> str:
    path = module.path
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def glossary_errors(modules: list[LoadedModule], glossary: Glossary, base: Path) -> list[str]:
    """A module may link only terms the glossary defines: a dead link would 404 for learners."""
    known = glossary.ids()
    return [
        f"{_where(m, base)}:{m.body_line + n}: glossary term '{term}' is linked but "
        f"content/glossary.yaml does not define it"
        for m in modules
        for term, n in linked_terms(m.body)
        if term not in known
    ]


def is_bare_domain(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def reference_warnings(modules: list[LoadedModule], base: Path) -> list[str]:
    """A site's home page says nothing about where the fact is; deep links and DOIs last longer."""
    warnings: list[str] = []
    for m in modules:
        lines = m.path.read_text(encoding="utf-8").splitlines()
        for ref in m.meta.references:
            url = str(ref.url)
            if is_bare_domain(url):
                line = next((i for i, text in enumerate(lines, 1) if url.rstrip("/") in text), 2)
                warnings.append(
                    f"{_where(m, base)}:{line}: reference '{ref.title}' links only to a site's "
                    f"home page ({url}); link the page or the DOI"
                )
    return warnings
