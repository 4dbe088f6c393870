"""What every page the browser tests load must pass: the Nu HTML Checker over the HTML the server sent,
and, for the journeys, axe-core, no sideways scrolling and no raw markup on every page a person sees."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_TOOLS = ROOT / "tests" / "tools" / "vnu"
VNU_JAR = VNU_TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Markup that reached the reader as text: a tag (<p>, </strong>, <a href=...>) or an entity that was
# escaped twice (&lt;p&gt;, &amp;amp;, &quot;). A lone "<" in prose ("fewer than <5") is not a tag.
RAW_MARKUP = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);"
)

_VISIBLE_TEXT = "() => document.body ? document.body.innerText : ''"
_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The smallest chart label as drawn, in CSS pixels: an SVG's text shrinks with the SVG.
_SMALLEST_CHART_TEXT = """() => {
  let smallest = null;
  for (const svg of document.querySelectorAll("svg[viewBox]")) {
    const drawn = svg.getBoundingClientRect().width, designed = svg.viewBox.baseVal.width;
    if (!drawn || !designed) continue;
    for (const text of svg.querySelectorAll("text")) {
      if (!text.textContent.trim()) continue;
      const px = parseFloat(getComputedStyle(text).fontSize) * drawn / designed;
      smallest = smallest === null ? px : Math.min(smallest, px);
    }
  }
  return smallest;
}"""
MIN_CHART_TEXT_PX = 12


def _java() -> str | None:
    return shutil.which("java")


def _require_tool(what: str) -> None:
    if os.environ.get("QIA_REQUIRE_TOOLS") or os.environ.get("QIA_REQUIRE_BROWSER"):
        pytest.fail(what)
    pytest.skip(what)


@dataclass
class HtmlPages:
    """The HTML documents the app served to the browser tests, checked with vnu in one run per session.

    One JVM start costs seconds on a busy machine; checking a page once it is running costs
    milliseconds, so the pages are written to a folder as they arrive and checked together at the end.
    """

    base: str
    folder: Path
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # file name -> (test, url)
    seen: set[str] = field(default_factory=set)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def watch(self, context: Any, test: str) -> None:
        """Keep every HTML document (pages and frames, errors included) the app sends this context."""

        def keep(response: Any) -> None:
            if response.request.resource_type != "document" or not response.url.startswith(
                self.base
            ):
                return
            if 300 <= response.status < 400:  # a redirect: its target is kept when it arrives
                return
            if not response.headers.get("content-type", "").startswith("text/html"):
                return
            try:
                body = response.body()
            except Exception:
                # The test moved on before the browser handed over the body. A GET is asked
                # again with the same cookies; anything else is reported, not passed over.
                if response.request.method != "GET":
                    self.unreadable.append((test, response.url))
                    return
                body = context.request.get(response.url, max_redirects=0).body()
            self.add(test, response.url, body)

        context.on("response", keep)

    def add(self, test: str, url: str, body: bytes) -> None:
        digest = hashlib.sha256(body).hexdigest()[:16]
        if digest in self.seen:
            return
        self.seen.add(digest)
        name = f"{len(self.pages):04d}-{digest}.html"
        (self.folder / name).write_bytes(body)
        self.pages[name] = (test, url)

    def errors(self) -> list[str]:
        """Every vnu error, as 'test: url line N: message (extract)'."""
        unreadable = [
            f"{test}: {url}: the test moved on before the page's HTML could be read"
            for test, url in self.unreadable
        ]
        files = sorted(p for p in self.folder.glob("*.html"))
        if not files:
            return unreadable
        java = _java()
        if java is None:
            _require_tool("java (17 or later) is needed for the Nu HTML Checker")
        if not VNU_JAR.exists():
            _require_tool(f"{VNU_JAR} is missing: run `make install-test`")
        result = subprocess.run(
            [java, "-Xss2m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
            + [str(f) for f in files],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        try:
            messages = json.loads(result.stdout)["messages"]
        except (json.JSONDecodeError, KeyError):
            return [*unreadable, f"vnu did not answer: {result.stdout}{result.stderr}"[:2000]]
        out = list(unreadable)
        for m in messages:
            name = Path(m.get("url", "")).name
            test, url = self.pages.get(name, ("?", name))
            where = f"line {m.get('lastLine', '?')}"
            out.append(f"{test}: {url} {where}: {m['message']} ({m.get('extract', '').strip()})")
        return out


@dataclass
class PageChecks:
    """axe-core, sideways scrolling, chart labels of 12 px or more and no raw markup on every page a
    journey loads, asserted at the end.

    Each page's 'load' is recorded; the journey calls `seen(page, name)` once it has waited for what
    it came for, and the checks run then, on a page that is not moving. A load nobody checked is a
    failure of its own, so no page slips past.
    """

    loads: list[str] = field(default_factory=list)
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        page.on("load", lambda p: self.loads.append(p.url))
        return page

    def seen(self, page: Any, name: str) -> None:
        """Check the page that has just loaded (waiting for its load if it has not come yet)."""
        if len(self.loads) == self.checked:
            page.wait_for_event("load")
        skipped = self.loads[self.checked : -1]
        self.problems += [f"{url}: loaded but never checked (before {name!r})" for url in skipped]
        self.checked = len(self.loads)
        self.names.append(name)
        where = f"{name} ({page.url})"
        page.add_script_tag(content=_axe_source())
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target)}))",
            WCAG_TAGS,
        )
        if violations:
            self.problems.append(f"{where}: axe: {violations}")
        overflow = page.evaluate(_OVERFLOW)
        if overflow > 0:
            width = page.viewport_size["width"] if page.viewport_size else "?"
            self.problems.append(f"{where}: scrolls sideways by {overflow}px at {width} px")
        smallest = page.evaluate(_SMALLEST_CHART_TEXT)
        if smallest is not None and smallest < MIN_CHART_TEXT_PX - 0.05:
            self.problems.append(f"{where}: chart labels drawn at {smallest:.1f}px")
        raw = sorted({m.group(0) for m in RAW_MARKUP.finditer(page.evaluate(_VISIBLE_TEXT))})
        if raw:
            self.problems.append(f"{where}: raw markup in the text: {raw[:5]}")

    def assert_clean(self) -> None:
        assert self.names, "the journey checked no page"
        unchecked = self.loads[self.checked :]
        problems = self.problems + [f"{url}: loaded but never checked" for url in unchecked]
        assert not problems, f"{len(problems)} problems on {len(self.names)} pages:\n" + "\n".join(
            problems
        )


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text())
    return _AXE_SOURCE[0]
