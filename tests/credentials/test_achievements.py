"""Achievement content: the three tiers load, artwork is self-contained and accessible, errors name files."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml
from PIL import Image

from app.credentials.achievements import (
    Achievement,
    AchievementContentError,
    get_achievements,
    load_achievements,
)
from tests.credentials.conftest import ROOT

CONTENT = ROOT / "content" / "achievements"
SVG = "{http://www.w3.org/2000/svg}"


def test_three_tiers_load_with_gold_valid_for_three_years(
    achievements: dict[str, Achievement],
) -> None:
    assert sorted(achievements) == ["bronze", "gold", "silver"]
    assert {a.tier for a in achievements.values()} == {"bronze", "silver", "gold"}
    assert achievements["gold"].valid_years == 3
    assert achievements["bronze"].valid_years is None
    assert all(a.cpd_hours > 0 and a.criteria and a.description for a in achievements.values())


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_artwork_is_accessible_self_contained_and_rendered(
    achievements: dict[str, Achievement], tier: str
) -> None:
    achievement = achievements[tier]
    text = achievement.image.read_text(encoding="utf-8")
    root = ET.fromstring(text)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == f"QI Academy {tier.capitalize()} badge"
    assert set(root.get("aria-labelledby").split()) == {
        root.find(f"{SVG}title").get("id"),
        root.find(f"{SVG}desc").get("id"),
    }
    for external in ("href", "url(", "@import", "<image", "<script"):
        assert external not in text
    with Image.open(achievement.png) as png:
        assert png.size == (512, 512)
        assert png.format == "PNG"


def test_gold_expiry_falls_on_28_february_after_a_leap_day(
    achievements: dict[str, Achievement],
) -> None:
    leap_day = datetime(2028, 2, 29, 12, tzinfo=UTC)

    assert achievements["gold"].valid_until(leap_day) == datetime(2031, 2, 28, 12, tzinfo=UTC)
    assert achievements["bronze"].valid_until(leap_day) is None


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "achievements"
    shutil.copytree(CONTENT, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_every_problem_is_reported_with_its_file_name(content_copy: Path) -> None:
    _edit(content_copy / "bronze.yaml", "tier: bronze", "tier: platinum")
    _edit(content_copy / "silver.yaml", "cpd_hours: 6.08", "cpd_hours: lots")
    _edit(content_copy / "gold.yaml", "valid_years: 3", "valid_years: 0")
    (content_copy / "images" / "gold.png").unlink()

    with pytest.raises(AchievementContentError) as raised:
        load_achievements(content_copy)

    problems = raised.value.problems
    assert any("bronze.yaml: tier 'platinum'" in p for p in problems)
    assert any("silver.yaml: cpd_hours 'lots'" in p for p in problems)
    assert any("gold.yaml: valid_years 0" in p for p in problems)
    assert any("gold.yaml: image file" in p and "gold.png" in p for p in problems)


def test_missing_fields_slug_mismatch_and_bad_yaml_are_reported(content_copy: Path) -> None:
    _edit(content_copy / "bronze.yaml", "slug: bronze", "slug: copper")
    _edit(content_copy / "silver.yaml", "criteria: >-", "criterion: >-")
    (content_copy / "gold.yaml").write_text("slug: [gold\n", encoding="utf-8")

    with pytest.raises(AchievementContentError) as raised:
        load_achievements(content_copy)

    message = str(raised.value)
    assert "bronze.yaml: slug 'copper' must match the file name 'bronze'" in message
    assert "silver.yaml: missing field 'criteria'" in message
    assert "silver.yaml: unknown field 'criterion'" in message
    assert "gold.yaml: cannot be read as YAML" in message


def test_image_outside_the_achievements_folder_is_refused(content_copy: Path) -> None:
    _edit(content_copy / "gold.yaml", "image: images/gold.svg", "image: ../../etc/gold.svg")

    with pytest.raises(
        AchievementContentError, match=r"gold\.yaml: image '\.\./\.\./etc/gold\.svg'"
    ):
        load_achievements(content_copy)


def test_get_achievements_reads_the_configured_content_directory() -> None:
    assert sorted(get_achievements()) == ["bronze", "gold", "silver"]


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_cpd_hours_match_the_modules_of_the_tier(
    achievements: dict[str, Achievement], tier: str
) -> None:
    minutes = 0
    for module in sorted((ROOT / "content" / tier).glob("*.md")):
        front_matter = module.read_text(encoding="utf-8").split("---")[1]
        minutes += yaml.safe_load(front_matter)["cpd_minutes"]

    assert minutes > 0
    assert achievements[tier].cpd_hours == round(minutes / 60, 2)
