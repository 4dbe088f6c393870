"""The content engine: validation with file:line errors, sanitised rendering, versions that keep completions."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import service
from app.content.loader import load_content
from app.content.models import ModuleVersion
from app.content.registry import ContentInvalid, load_or_fail
from app.content.render import render_markdown, render_sections
from app.progress import service as progress_service
from app.progress.models import ModuleProgress
from tests.factories import make_user

GOOD = textwrap.dedent("""\
    ---
    slug: tiny-module
    title: A tiny module
    tier: bronze
    order: 1
    summary: Tiny.
    cpd_minutes: 20
    outcomes: [Say hello]
    references:
      - {title: IHI, url: "https://www.ihi.org"}
    quiz:
      pass_mark: 50
      questions:
        - id: q1
          type: true_false
          prompt: Is this tiny?
          explanation: It is.
          options:
            - {text: "True", correct: true, feedback: Yes.}
            - {text: "False", correct: false, feedback: No.}
    ---
    ## First
    Hello <script>alert(1)</script> [link](javascript:alert(1)) and [ok](https://www.england.nhs.uk).

    | a | b |
    |---|---|
    | 1 | 2 |

    ## Second
    More text.
    """)


def write(tmp: Path, rel: str, text: str) -> Path:
    path = tmp / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_good_module_loads_into_sections(tmp_path: Path) -> None:
    write(tmp_path, "bronze/01-tiny-module.md", GOOD)
    result = load_content(tmp_path / "content")
    assert result.errors == []
    [m] = result.modules
    assert [s.title for s in m.sections] == ["First", "Second"]


def test_markdown_is_sanitised(tmp_path: Path) -> None:
    write(tmp_path, "bronze/01-tiny-module.md", GOOD)
    html = load_content(tmp_path / "content").modules[0].sections[0].html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert 'href="https://www.england.nhs.uk"' in html
    assert 'rel="noopener noreferrer"' in html
    assert '<table class="nhsuk-table">' in html


def test_raw_html_in_markdown_is_shown_as_text_not_run() -> None:
    html = render_markdown(
        '<img src=x onerror="alert(1)">\n\n<a href="https://x.org" onclick="steal()">x</a>'
    )
    assert "<img" not in html
    assert '<a href="https://x.org" onclick' not in html
    assert "&lt;img" in html


def test_rendering_happens_once_per_content_version() -> None:
    first = render_sections("hash-abc", [("T", "**bold**")])
    second = render_sections("hash-abc", [("T", "something else entirely")])
    assert first is second


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("order: 1", "order: 2"),
            "content/bronze/01-tiny-module.md:5: order is 2 but the file name says 01",
        ),
        (
            ("tier: bronze", "tier: platinum"),
            "content/bronze/01-tiny-module.md:4: tier: Input should be 'bronze', 'silver' or 'gold'",
        ),
        (
            ("cpd_minutes: 20", "cpd_minutes: lots"),
            "content/bronze/01-tiny-module.md:7: cpd_minutes: Input should be a valid integer",
        ),
        (
            ('{text: "True", correct: true', '{text: "True", correct: false'),
            "content/bronze/01-tiny-module.md:14: quiz.questions[0]: a true_false question needs exactly one correct option (it has 0)",
        ),
        (
            ('url: "https://www.ihi.org"', 'url: "not a url"'),
            "content/bronze/01-tiny-module.md:10: references[0].url:",
        ),
        (
            ("## First\n", "Intro text\n## First\n"),
            "content/bronze/01-tiny-module.md:22: text before the first '## ' heading",
        ),
        (
            ("slug: tiny-module", "slug: Tiny Module"),
            "content/bronze/01-tiny-module.md:2: slug: String should match pattern",
        ),
        (
            ("    type: true_false", "    type: essay"),
            "content/bronze/01-tiny-module.md:15: quiz.questions[0].type:",
        ),
        (
            ("outcomes: [Say hello]", "outcomes: [Say hello]\nsurprise: 1"),
            "content/bronze/01-tiny-module.md:9: surprise: Extra inputs are not permitted",
        ),
        (
            ("title: A tiny module", "title: [unclosed"),
            "content/bronze/01-tiny-module.md:3: YAML front matter does not parse",
        ),
    ],
)
def test_errors_are_reported_as_file_line_what(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    write(tmp_path, "bronze/01-tiny-module.md", GOOD.replace(*edit, 1))
    errors = load_content(tmp_path / "content").errors
    assert any(e.startswith(expected) for e in errors), errors


def test_cross_module_problems_are_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        "bronze/01-tiny-module.md",
        GOOD.replace("outcomes:", "prerequisites: [nowhere]\noutcomes:"),
    )
    write(tmp_path, "bronze/02-tiny-module.md", GOOD.replace("order: 1", "order: 2"))
    errors = load_content(tmp_path / "content").errors
    assert any("prerequisite 'nowhere' is not a module slug" in e for e in errors)
    assert any("slug 'tiny-module' is already used" in e for e in errors)


def test_server_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    write(tmp_path, "bronze/01-tiny-module.md", GOOD.replace("cpd_minutes: 20", "cpd_minutes: -5"))
    with pytest.raises(ContentInvalid) as info:
        load_or_fail(tmp_path / "content")
    assert "01-tiny-module.md:7: cpd_minutes" in str(info.value)


def test_the_shipped_content_passes_the_check() -> None:
    from app.core.config import get_settings

    result = load_content(get_settings().content_dir)
    assert result.errors == []
    assert len([m for m in result.modules if m.tier == "bronze"]) >= 3


def test_cli_content_check_prints_file_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.core import config

    write(tmp_path, "bronze/01-tiny-module.md", GOOD.replace("order: 1", "order: 3"))
    monkeypatch.setenv("QIA_CONTENT_DIR", str(tmp_path / "content"))
    config.get_settings.cache_clear()
    try:
        assert main(["content", "check"]) == 1
    finally:
        config.get_settings.cache_clear()
    assert "content/bronze/01-tiny-module.md:5: order is 3" in capsys.readouterr().err


def test_editing_a_module_adds_a_version_and_keeps_completions(tmp_path: Path, db: Session) -> None:
    path = write(tmp_path, "bronze/01-tiny-module.md", GOOD)
    registry = service.sync(db, modules=load_or_fail(tmp_path / "content"))
    module = registry.get("tiny-module")
    assert module is not None
    user = make_user(db)
    rows: dict[int, ModuleProgress] = {}
    progress_service.record_quiz_result(
        db, user_id=user.id, module=module, score=100, passed=True, rows=rows
    )

    path.write_text(
        GOOD.replace("More text.", "More text, now edited.").replace(
            "cpd_minutes: 20", "cpd_minutes: 25"
        )
    )
    registry2 = service.sync(db, modules=load_or_fail(tmp_path / "content"))
    again = service.sync(db, modules=load_or_fail(tmp_path / "content"))  # idempotent
    m2 = registry2.get("tiny-module")
    assert m2 is not None
    assert m2.module_id == module.module_id
    assert m2.version_id != module.version_id
    assert again.get("tiny-module").version_id == m2.version_id  # type: ignore[union-attr]
    versions = db.scalars(
        select(ModuleVersion).where(ModuleVersion.module_id == module.module_id)
    ).all()
    assert len(versions) == 2
    row = progress_service.rows_for(db, user_id=user.id)[module.module_id]
    assert row.completed_at is not None
    assert row.completed_version_id == module.version_id
    assert row.cpd_minutes == 20

    shutil.rmtree(tmp_path / "content" / "bronze")
    (tmp_path / "content" / "bronze").mkdir()
    service.sync(db, modules=[])  # the file is gone: retired, not deleted
    assert progress_service.rows_for(db, user_id=user.id)[module.module_id].completed_at is not None


def test_a_learner_who_passed_is_not_asked_to_retake_when_the_quiz_key_changes(
    tmp_path: Path, db: Session
) -> None:
    """Completion belongs to the module, not the version: a changed key leaves a pass standing."""
    from app.quizzes import service as quiz_service

    silver = GOOD.replace("tier: bronze", "tier: silver")
    path = write(tmp_path, "silver/01-tiny-module.md", silver)
    registry = service.sync(db, modules=load_or_fail(tmp_path / "content"))
    module = registry.get("tiny-module")
    assert module is not None
    user = make_user(db)
    [question] = module.source.questions
    rows: dict[int, ModuleProgress] = {}
    attempt = quiz_service.submit_attempt(
        db,
        user_id=user.id,
        module=module,
        answers={question.id: sorted(question.correct_ids)},
        rows=rows,
    )
    assert attempt.passed

    # The key changes, so the question gets a new id (ids are never reused for a new question).
    changed = (
        silver.replace("- id: q1", "- id: q1-key-changed")
        .replace('{text: "True", correct: true', '{text: "True", correct: maybe')
        .replace('{text: "False", correct: false', '{text: "False", correct: true')
        .replace("correct: maybe", "correct: false")
    )
    path.write_text(changed)
    registry2 = service.sync(db, modules=load_or_fail(tmp_path / "content"))
    module2 = registry2.get("tiny-module")
    assert module2 is not None
    assert module2.version_id != module.version_id
    assert module2.source.questions[0].correct_ids != question.correct_ids

    rows2 = progress_service.rows_for(db, user_id=user.id)
    assert progress_service.status_of(rows2[module2.module_id]) == "completed"
    assert progress_service.completed_slugs(rows2, registry2) == {"tiny-module"}
    [card] = progress_service.module_cards(
        registry=registry2, tier="silver", user=user, rows=rows2, unlocked={"silver"}
    )
    assert card.status == "completed"
    # The old attempt still shows as the pass it was, though its question has gone.
    shown = quiz_service.get_attempt(db, attempt_id=attempt.id, user_id=user.id, module=module2)
    assert (shown.passed, shown.score) == (True, 100)
