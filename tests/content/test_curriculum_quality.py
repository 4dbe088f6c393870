"""The curriculum's quality bar, module by module, so it keeps holding as the content changes."""

from __future__ import annotations

import pytest

from app.content.loader import LoadedModule, load_content
from app.content.quality import BARS, assess, reading_ease, word_count
from app.core.config import get_settings

MODULES = load_content(get_settings().content_dir).modules
MINIMUM = {"bronze": 8, "silver": 6, "gold": 4}


@pytest.mark.parametrize("tier", list(MINIMUM))
def test_each_tier_has_enough_modules_in_order(tier: str) -> None:
    orders = [m.meta.order for m in MODULES if m.tier == tier]
    assert len(orders) >= MINIMUM[tier]
    assert orders == list(range(1, len(orders) + 1))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_module_meets_its_tier_bar(module: LoadedModule) -> None:
    report = assess(module.tier, module.body, module.meta.model_dump(mode="json"))
    assert report.problems == [], f"{module.path.name}: {report.problems}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.slug)
def test_module_has_a_worked_example_with_numbers(module: LoadedModule) -> None:
    """A table of figures, or a calculation in the prose, that a learner can check."""
    has_table = "\n|" in module.body and any(ch.isdigit() for ch in module.body)
    assert has_table or "=" in module.body, module.path.name


@pytest.mark.parametrize("module", [m for m in MODULES if m.tier == "silver"], ids=lambda m: m.slug)
def test_silver_modules_describe_their_workshop_and_teams(module: LoadedModule) -> None:
    titles = " ".join(s.title.lower() for s in module.sections)
    assert "workshop" in titles
    assert "silver for teams" in module.body.lower()


@pytest.mark.parametrize("module", [m for m in MODULES if m.tier == "gold"], ids=lambda m: m.slug)
def test_gold_modules_carry_notes_for_trainers(module: LoadedModule) -> None:
    assert any("notes for trainers" in s.title.lower() for s in module.sections)


def test_the_bar_itself_catches_problems() -> None:
    """The checker must be able to fail: a short, dense, quiz-less module breaks every rule."""
    dense = (
        "## Heading\n\n" + "Notwithstanding multidimensional organisational considerations, " * 20
    )
    meta = {
        "cpd_minutes": 5,
        "references": [],
        "outcomes": [],
        "quiz": {
            "questions": [
                {
                    "id": "a",
                    "type": "single",
                    "options": [{"text": "All of the above", "feedback": ""}],
                }
            ]
        },
    }
    problems = assess("bronze", dense, meta).problems
    assert len(problems) >= 7
    assert word_count("## T\n\nOne two three.\n\n| 1 | 2 |\n|---|---|\n| 3 | 4 |\n") == 4
    assert reading_ease("## T\n\nThe cat sat on the mat. It was warm.") > 80
    assert BARS["bronze"]["min_words"] == 1200


def test_silver_keeps_seven_modules_so_cohorts_keep_their_required_set() -> None:
    assert [m.meta.order for m in MODULES if m.tier == "silver"] == list(range(1, 8))


_COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


@pytest.mark.parametrize("module", [m for m in MODULES if m.tier == "bronze"], ids=lambda m: m.slug)
def test_bronze_stays_entry_level(module: LoadedModule) -> None:
    """Bronze teaches the four IHI rules in plain words; the Anhøj formula and ten factors are Silver's."""
    assert "log2" not in module.body
    assert "Anhoej" not in module.body
    assert "Anh\u00f8j" not in module.body
    assert "ten factors" not in module.body or "In Silver" in module.body
    for q in module.questions:
        if q.type == "multiple":
            count = _COUNT_WORDS[len(q.correct_ids)]
            assert f"Choose {count} answers." in q.prompt, q.id
