"""The page checks themselves: each one fails on a page that breaks its rule, so a clean run means something."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.checks import RAW_MARKUP, HtmlPages, PageChecks

VALID = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fine</title></head>'
    "<body><main><h1>Fine</h1><p>Fewer than 5 &lt; 6 falls.</p></main></body></html>"
)
BROKEN = VALID.replace("<p>", '<p><span role="text">').replace("</p>", "</span></p>")

# A phone page that breaks every journey rule: an image with no text alternative, a box wider than
# the screen, a chart squeezed until its labels are tiny, and escaped markup shown as text.
BAD_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>'
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    '<div style="width: 600px">Too wide</div>'
    '<svg viewBox="0 0 640 260" style="width: 200px" role="img" aria-label="Chart">'
    '<text x="10" y="20" font-size="12">Jan</text></svg>'
    "<p>Invite link: &lt;strong&gt;http://example.org&lt;/strong&gt;</p></main></body></html>"
)


def test_the_html_checker_reports_invalid_pages_and_passes_valid_ones(tmp_path: Path) -> None:
    pages = HtmlPages(base="http://127.0.0.1", folder=tmp_path)
    pages.add("t::valid", "http://127.0.0.1/valid", VALID.encode())
    pages.add("t::broken", "http://127.0.0.1/broken", BROKEN.encode())
    errors = pages.errors()
    assert len(errors) == 1, errors
    assert errors[0].startswith("t::broken: http://127.0.0.1/broken line 1: Bad value")
    assert "role" in errors[0]


def test_raw_markup_means_tags_or_escaped_entities_not_a_less_than_sign() -> None:
    assert not RAW_MARKUP.search("Fewer than 5 < 6 falls, and 3<4.")
    for shown in ("<p>Invite</p>", "</strong>", '<a href="/x">', "&lt;p&gt;", "Tom &amp; Jerry"):
        assert RAW_MARKUP.search(shown), shown


def test_page_checks_fail_a_page_that_breaks_each_rule(new_page: Any) -> None:
    page = new_page(viewport={"width": 375, "height": 700})
    checks = PageChecks()
    checks.watch(page)
    page.goto("data:text/html," + quote(BAD_PAGE))
    page.goto("data:text/html," + quote(VALID))  # loaded, but the test forgets to look at it
    page.goto("data:text/html," + quote(BAD_PAGE))
    checks.seen(page, "bad page")
    problems = "\n".join(checks.problems)
    assert "loaded but never checked" in problems
    assert "image-alt" in problems
    assert "scrolls sideways by" in problems
    assert "chart labels drawn at 3.8px" in problems
    assert "raw markup in the text: ['</strong>', '<strong>']" in problems
    with pytest.raises(AssertionError, match="problems on 1 pages"):
        checks.assert_clean()
