"""The glossary: terms that resolve, first-use links rendered once per version, and the glossary page."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.content.glossary import linked_terms, load_glossary
from app.content.loader import load_content
from app.content.render import render_sections
from app.core.config import get_settings
from tests.content.test_engine import GOOD, write

SHIPPED = load_content(get_settings().content_dir)

GLOSSARY = textwrap.dedent("""\
    terms:
      - id: run-chart
        term: Run chart
        definition: A line graph over time with a median.
        related: [median]
      - id: median
        term: Median
        definition: The middle value.
    """)


def test_the_shipped_glossary_and_every_link_to_it_resolve() -> None:
    assert SHIPPED.errors == []
    assert len(SHIPPED.glossary.terms) >= 40
    linked = {term for m in SHIPPED.modules for term, _ in linked_terms(m.body)}
    assert linked == SHIPPED.glossary.ids(), "every term is linked somewhere; every link has a term"


def test_a_module_linking_a_term_the_glossary_lacks_fails_the_check(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "glossary.yaml").write_text(GLOSSARY)
    body = GOOD.replace(
        "More text.",
        "More text about a [run chart](glossary:run-chart).\n\nAnd [PDSA](glossary:pdsa-cycle).",
    )
    write(tmp_path, "bronze/01-tiny-module.md", body)
    errors = load_content(tmp_path / "content").errors
    assert errors == [
        "content/bronze/01-tiny-module.md:32: glossary term 'pdsa-cycle' is linked but "
        "content/glossary.yaml does not define it"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("related: [median]", "related: [nowhere]"),
            "content/glossary.yaml:2: 'run-chart' is related to 'nowhere'",
        ),
        (
            ("id: median", "id: run-chart"),
            "content/glossary.yaml:6: term id 'run-chart' is already used",
        ),
        (
            ("definition: The middle value.", "definition: ''"),
            "content/glossary.yaml:6: terms[1].definition:",
        ),
    ],
)
def test_glossary_problems_are_reported_as_file_line_what(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "glossary.yaml").write_text(GLOSSARY.replace(*edit))
    _, errors = load_glossary(tmp_path / "content")
    assert any(e.startswith(expected) for e in errors), errors


def test_only_the_first_use_of_a_term_in_a_module_is_linked() -> None:
    sections = render_sections(
        "glossary-first-use-test",
        [
            (
                "One",
                "A [run chart](glossary:run-chart) and another [run chart](glossary:run-chart).",
            ),
            (
                "Two",
                "Back to the [run chart](glossary:run-chart), with its [median](glossary:median).",
            ),
        ],
    )
    html = "".join(s.html for s in sections)
    assert html.count('href="/glossary#run-chart"') == 1
    assert html.count('href="/glossary#median"') == 1
    assert "another run chart." in sections[0].html
    assert "Back to the run chart," in sections[1].html
    assert "glossary:" not in html


def test_shipped_modules_render_glossary_links_once_each() -> None:
    for module in SHIPPED.modules:
        html = "".join(s.html for s in module.sections)
        for term in {t for t, _ in linked_terms(module.body)}:
            assert html.count(f'href="/glossary#{term}"') == 1, (module.slug, term)


def test_references_that_are_a_site_home_page_are_warned_about(tmp_path: Path) -> None:
    write(tmp_path, "bronze/01-tiny-module.md", GOOD)  # its one reference is https://www.ihi.org
    result = load_content(tmp_path / "content")
    assert result.errors == []
    assert result.warnings == [
        "content/bronze/01-tiny-module.md:10: reference 'IHI' links only to a site's home page "
        "(https://www.ihi.org/); link the page or the DOI"
    ]
    assert SHIPPED.warnings == [], "shipped references link the page or the DOI, not a home page"


def test_the_glossary_page_lists_every_term_with_an_anchor(client: TestClient) -> None:
    page = client.get("/glossary")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Glossary</h1>" in html
    assert '<dl class="nhsuk-summary-list">' in html
    for term in SHIPPED.glossary.terms:
        assert f'id="{term.id}"' in html
    assert '<a href="#median">Median</a>' in html  # related terms link within the page
    assert 'href="/glossary"' in client.get("/").text  # the footer link
