"""The SCORM 1.2 export played by a real runtime: scorm-again (npm) as the LMS, in Debian chromium."""

from __future__ import annotations

import json
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.content import scorm
from app.content.loader import LoadedModule, Question, load_content
from app.content.registry import RegisteredModule
from app.core.config import get_settings
from app.quizzes import service as quizzes
from tests.browser.conftest import axe_violations
from tests.scorm_tools import RUNTIME, installed

SLUG = "pdsa-cycles"
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")  # CMITimespan as the SCO writes it

# A small LMS: it reads the package's manifest to find what to launch, puts scorm-again's API on
# window.API, frames the SCO and keeps every value the SCO sets. mastery_override is off, so the
# status the test sees is the one the SCO itself reported, not one the runtime worked out.
LMS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="scorm12.js"></script></head>
<body><p id="state">loading</p>
<iframe id="sco" title="Module" width="1000" height="700"></iframe>
<script>
window.calls = [];
window.API = new Scorm12API({lmsCommitUrl: "/commit", mastery_override: false, logLevel: 5});
API.on("LMSSetValue.cmi.*", function (element, value) { calls.push([element, value]); });
API.on("LMSInitialize", function () { document.getElementById("state").textContent = "running"; });
API.on("LMSFinish", function () { document.getElementById("state").textContent = "finished"; });
fetch("package/imsmanifest.xml").then(function (r) { return r.text(); }).then(function (text) {
  var xml = new DOMParser().parseFromString(text, "application/xml");
  var orgs = xml.getElementsByTagName("organizations")[0];
  var org = Array.from(xml.getElementsByTagName("organization"))
    .find(function (o) { return o.getAttribute("identifier") === orgs.getAttribute("default"); });
  var item = org.getElementsByTagName("item")[0];
  var resource = Array.from(xml.getElementsByTagName("resource")).find(function (r) {
    return r.getAttribute("identifier") === item.getAttribute("identifierref");
  });
  document.getElementById("sco").src = "package/" + resource.getAttribute("href");
});
</script></body></html>
"""


class _LMS(SimpleHTTPRequestHandler):
    commits: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.commits.append(json.loads(self.rfile.read(length) or b"{}"))
        body = json.dumps({"result": True, "errorCode": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def module() -> LoadedModule:
    return next(m for m in load_content(get_settings().content_dir).modules if m.slug == SLUG)


@pytest.fixture
def lms(tmp_path: Path, module: LoadedModule) -> Iterator[dict[str, Any]]:
    """The exported zip unpacked beside the LMS page, served over HTTP on a free port."""
    path = scorm.write_package(module, tmp_path, load_content(get_settings().content_dir).glossary)
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "site" / "package")
    installed()
    shutil.copy(RUNTIME, tmp_path / "site" / "scorm12.js")
    (tmp_path / "site" / "lms.html").write_text(LMS_PAGE)
    commits: list[dict[str, Any]] = []
    handler = type("Handler", (_LMS,), {"commits": commits})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0),
        lambda *a: handler(*a, directory=str(tmp_path / "site")),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"base": f"http://127.0.0.1:{server.server_address[1]}", "commits": commits}
    server.shutdown()
    server.server_close()


def _open(page: Any, lms: dict[str, Any]) -> tuple[Any, list[str]]:
    outside: list[str] = []

    def guard(route: Any) -> None:  # anything but our LMS is an external request: count and refuse
        if route.request.url.startswith(lms["base"]):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(lms["base"] + "/lms.html")
    expect(page.locator("#state")).to_have_text("running")
    return page.frame_locator("#sco"), outside


def _wrong(q: Question) -> str:
    return next(o.id for o in q.options if not o.correct)


def _answer(sco: Any, module: LoadedModule, right: set[str]) -> None:
    """Answer question ids in `right` correctly and every other one wrongly."""
    for q in module.questions:
        fieldset = sco.locator(f"#q-{q.id}")
        chosen = q.correct_ids if q.id in right else {_wrong(q)}
        for option in q.options:
            if option.id in chosen:
                fieldset.get_by_label(option.text, exact=True).check()
    sco.get_by_role("button", name="Submit answers").click()


def _final(page: Any, lms: dict[str, Any]) -> dict[str, Any]:
    expect(page.locator("#state")).to_have_text("finished")
    core = page.evaluate("JSON.parse(JSON.stringify(API.cmi.core))")
    calls = page.evaluate("calls")
    return {"core": core, "calls": dict(calls), "commits": lms["commits"]}


def test_a_learner_who_answers_every_question_right_passes_with_100(
    page: Any, lms: dict[str, Any], module: LoadedModule
) -> None:
    sco, outside = _open(page, lms)
    _answer(sco, module, {q.id for q in module.questions})
    expect(sco.locator("#quiz-result")).to_contain_text("You scored 100%")
    result = _final(page, lms)
    assert result["calls"]["cmi.core.lesson_status"] == "passed"
    assert result["calls"]["cmi.core.score.raw"] == "100"
    assert result["calls"]["cmi.core.score.min"] == "0"
    assert result["calls"]["cmi.core.score.max"] == "100"
    assert TIMESPAN.match(result["calls"]["cmi.core.session_time"])
    # What the runtime holds, and what it sent to the LMS on the final commit.
    assert result["core"]["lesson_status"] == "passed"
    assert result["core"]["score"]["raw"] == "100"
    last = result["commits"][-1]["cmi"]["core"]
    assert last["lesson_status"] == "passed"
    assert last["score"]["raw"] == "100"
    assert outside == []


def test_a_learner_who_answers_wrongly_fails_with_the_score_they_earned(
    page: Any, lms: dict[str, Any], module: LoadedModule
) -> None:
    sco, outside = _open(page, lms)
    first = module.questions[0].id
    _answer(sco, module, {first})
    # The site's own marking of the same answers is the score the LMS must get.
    graded = quizzes.grade(
        RegisteredModule(source=module, module_id=0, version_id=0),
        {q.id: sorted(q.correct_ids if q.id == first else {_wrong(q)}) for q in module.questions},
    )
    expected = graded.score
    assert not graded.passed
    expect(sco.locator("#quiz-result")).to_contain_text(f"You scored {expected}%")
    result = _final(page, lms)
    assert result["calls"]["cmi.core.lesson_status"] == "failed"
    assert result["calls"]["cmi.core.score.raw"] == str(expected)
    assert result["core"]["lesson_status"] == "failed"
    assert result["commits"][-1]["cmi"]["core"]["score"]["raw"] == str(expected)
    assert outside == []


def test_submitting_with_questions_unanswered_names_them_and_reports_nothing(
    page: Any, lms: dict[str, Any], module: LoadedModule
) -> None:
    sco, _ = _open(page, lms)
    sco.get_by_role("button", name="Submit answers").click()
    expect(sco.locator("#quiz-errors")).to_contain_text("Answer question 1")
    expect(sco.locator("#quiz-errors li")).to_have_count(len(module.questions))
    expect(page.locator("#state")).to_have_text("running")
    calls = dict(page.evaluate("calls"))
    assert calls["cmi.core.lesson_status"] == "incomplete"  # set at launch, nothing since
    assert "cmi.core.score.raw" not in calls


def test_the_module_page_meets_wcag_aa_inside_the_lms(page: Any, lms: dict[str, Any]) -> None:
    sco, _ = _open(page, lms)
    expect(sco.locator("h1")).to_be_visible()
    frame = page.locator("#sco").element_handle().content_frame()
    assert axe_violations(frame) == []


def test_a_learner_who_leaves_before_the_quiz_is_incomplete_with_their_time(
    page: Any, lms: dict[str, Any]
) -> None:
    sco, _ = _open(page, lms)
    expect(sco.locator("h1")).to_be_visible()
    # The LMS closes the SCO (as when the learner leaves the activity): the SCO finishes on pagehide.
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    result = _final(page, lms)
    assert result["calls"]["cmi.core.lesson_status"] == "incomplete"
    assert TIMESPAN.match(result["calls"]["cmi.core.session_time"])
    assert "cmi.core.score.raw" not in result["calls"]
    assert result["commits"][-1]["cmi"]["core"]["lesson_status"] == "incomplete"
