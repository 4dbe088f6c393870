"""Module search: one service over SQLite FTS5 and PostgreSQL full-text search (this file runs on
whichever TEST_DATABASE_URL names), highlighted snippets escaped safely, tier access respected,
and the index rebuilt when the content version changes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.content import search
from app.content.glossary import Glossary, TermSource, load_glossary
from app.content.models import SearchEntry
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from tests.cohorts.factories import enrol, make_cohort, make_trainer
from tests.factories import make_user, sign_in


def _hrefs(page: str) -> list[str]:
    block = page.split('class="nhsuk-list qia-search-results"', 1)[-1]
    return re.findall(r'<h2 class="nhsuk-heading-s[^"]*"><a href="([^"]+)"', block)


def test_the_header_search_finds_sections_and_glossary_terms_with_highlights(
    client: TestClient, registry: ContentRegistry
) -> None:
    assert 'action="/search"' in client.get("/").text  # the NHS.UK header's search box
    page = client.get("/search", params={"q": "run chart"})
    assert page.status_code == 200
    hrefs = _hrefs(page.text)
    bronze = {m.slug for m in registry.tier("bronze")}
    assert any(h.startswith("/modules/") and h.split("/")[2] in bronze for h in hrefs)
    assert "/glossary#run-chart" in hrefs
    assert re.search(r"<mark>run</mark>\s*<mark>chart", page.text, re.I)


def test_results_respect_tier_access(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    silver = {m.slug for m in registry.tier("silver")}

    def silver_hits() -> list[str]:
        hrefs = _hrefs(client.get("/search", params={"q": "driver diagram"}).text)
        return [h for h in hrefs if h.startswith("/modules/") and h.split("/")[2] in silver]

    assert silver_hits() == []  # signed out: Bronze and the glossary only
    learner = make_user(db)
    sign_in(client, learner.email)
    assert silver_hits() == []
    enrol(db, make_cohort(db, lead=make_trainer(db)), learner)
    assert silver_hits() != []  # a cohort place opens Silver, and its sections appear


def test_snippets_escape_content_and_queries_cannot_inject(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    odd = TermSource(
        id="odd-term",
        term="Spoonful <b>term</b>",
        definition="A spoonful <script>alert(1)</script> of sugar & salt",
    )
    assert search.rebuild_if_changed(db, registry=registry, glossary=Glossary(terms=(odd,)))
    [hit] = search.search(db, query="spoonful", tiers={"bronze"})
    assert "<script>" not in hit.snippet
    assert "alert(1)" in hit.snippet
    # SQLite keeps the text (escaped here); PostgreSQL's ts_headline drops tags itself.
    assert "script" not in hit.snippet or "&lt;script&gt;" in hit.snippet
    assert "<mark>spoonful</mark>" in hit.snippet.lower()
    assert "&amp; salt" in hit.snippet
    page = client.get("/search", params={"q": "spoonful"}).text
    assert "Spoonful &lt;b&gt;term&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page
    for nasty in ['run" OR *', "NEAR(", "chart:*  &|!", "'; DROP TABLE search_entry; --", "*"]:
        r = client.get("/search", params={"q": nasty})
        assert r.status_code == 200, nasty
    assert "There are no results" in client.get("/search", params={"q": "zzqxv"}).text


def test_the_index_is_rebuilt_only_when_the_content_version_changes(
    db: Session, registry: ContentRegistry
) -> None:
    real = load_glossary(get_settings().content_dir)[0]
    assert (
        search.rebuild_if_changed(db, registry=registry, glossary=real) is False
    )  # synced already
    count = db.scalar(select(func.count()).select_from(SearchEntry))
    sections = sum(len(m.source.sections) for m in registry.all())
    assert count == len(registry) + sections + len(real.terms)
    changed = Glossary(terms=real.terms[:1])
    assert search.rebuild_if_changed(db, registry=registry, glossary=changed) is True
    terms = db.scalars(select(SearchEntry.heading).where(SearchEntry.kind == "term")).all()
    assert terms == [real.terms[0].term]
    gone = real.terms[1]
    hits = search.search(db, query=gone.term, tiers={"bronze", "silver", "gold"})
    assert gone.id not in {h.anchor for h in hits}  # a term taken out is no longer found
