"""Achievement definitions (Bronze, Silver, Gold) loaded and checked from content/achievements/*.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from app.core.config import get_settings
from app.credentials.openbadges import AchievementDefinition, achievement_image_url

TIERS = ("bronze", "silver", "gold")
_FIELDS = {"slug", "name", "tier", "description", "criteria", "image", "cpd_hours", "valid_years"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AchievementContentError(ValueError):
    """One or more achievement files are wrong; the message lists each as `file: problem`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, kw_only=True)
class Achievement:
    slug: str
    name: str
    tier: str
    description: str
    criteria: str
    image: Path
    cpd_hours: float
    valid_years: int | None
    source: Path

    @property
    def png(self) -> Path:
        """The raster render shipped next to the SVG: what PNG baking starts from."""
        return self.image.with_suffix(".png")

    def definition(self, *, base_url: str) -> AchievementDefinition:
        return AchievementDefinition(
            slug=self.slug,
            name=self.name,
            description=self.description,
            criteria_narrative=self.criteria,
            tier=self.tier,
            image_url=achievement_image_url(base_url=base_url, slug=self.slug),
            cpd_hours=self.cpd_hours,
        )

    def valid_until(self, valid_from: datetime) -> datetime | None:
        """The expiry for a credential issued at valid_from, or None if it never expires."""
        if self.valid_years is None:
            return None
        try:
            return valid_from.replace(year=valid_from.year + self.valid_years)
        except ValueError:  # 29 February into a year that has none
            return valid_from.replace(year=valid_from.year + self.valid_years, day=28)


def load_achievements(directory: Path) -> dict[str, Achievement]:
    """Every achievement by slug; raises AchievementContentError listing all problems found."""
    problems: list[str] = []
    achievements: dict[str, Achievement] = {}
    for path in sorted(directory.glob("*.yaml")):
        achievement = _load_one(path, directory=directory, problems=problems)
        if achievement is None:
            continue
        if achievement.slug in achievements:
            problems.append(f"{_name(path)}: slug {achievement.slug!r} is used by another file")
        achievements[achievement.slug] = achievement
    missing = [tier for tier in TIERS if tier not in {a.tier for a in achievements.values()}]
    if missing and not problems:
        problems.append(f"{_name(directory)}: no achievement for tier(s) {', '.join(missing)}")
    if problems:
        raise AchievementContentError(problems)
    return achievements


def _load_one(path: Path, *, directory: Path, problems: list[str]) -> Achievement | None:
    where = _name(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{where}: cannot be read as YAML: {exc}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{where}: must be a mapping of {', '.join(sorted(_FIELDS))}")
        return None
    found = _check(data, path=path, directory=directory)
    problems.extend(f"{where}: {problem}" for problem in found)
    if found:
        return None
    return Achievement(
        slug=data["slug"],
        name=data["name"].strip(),
        tier=data["tier"],
        description=data["description"].strip(),
        criteria=data["criteria"].strip(),
        image=directory / data["image"],
        cpd_hours=float(data["cpd_hours"]),
        valid_years=data["valid_years"],
        source=path,
    )


def _check(data: dict[str, Any], *, path: Path, directory: Path) -> list[str]:
    problems = [f"missing field {f!r}" for f in sorted(_FIELDS - data.keys())]
    problems += [f"unknown field {f!r}" for f in sorted(data.keys() - _FIELDS)]
    if problems:
        return problems
    for text_field in ("slug", "name", "description", "criteria", "image"):
        if not isinstance(data[text_field], str) or not data[text_field].strip():
            problems.append(f"{text_field} must be non-empty text")
    if problems:
        return problems
    if not _SLUG.match(data["slug"]):
        problems.append(f"slug {data['slug']!r} must be lower-case letters, digits and hyphens")
    elif data["slug"] != path.stem:
        problems.append(f"slug {data['slug']!r} must match the file name {path.stem!r}")
    if data["tier"] not in TIERS:
        problems.append(f"tier {data['tier']!r} must be one of {', '.join(TIERS)}")
    problems += _check_numbers(data)
    problems += _check_image(data["image"], directory=directory)
    return problems


def _check_numbers(data: dict[str, Any]) -> list[str]:
    problems = []
    hours = data["cpd_hours"]
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 100:
        problems.append(f"cpd_hours {hours!r} must be a number of hours between 0 and 100")
    years = data["valid_years"]
    if years is not None and (isinstance(years, bool) or not isinstance(years, int) or years < 1):
        problems.append(f"valid_years {years!r} must be a whole number of years, or null")
    return problems


def _check_image(image: str, *, directory: Path) -> list[str]:
    svg = directory / image
    if svg.suffix != ".svg" or not svg.resolve().is_relative_to(directory.resolve()):
        return [f"image {image!r} must be an .svg file inside {_name(directory)}"]
    missing = [p for p in (svg, svg.with_suffix(".png")) if not p.is_file()]
    return [f"image file {_name(p)} does not exist" for p in missing]


def _name(path: Path) -> str:
    """The path as people know it: relative to the project root when it is inside it."""
    root = Path(__file__).resolve().parents[2]
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


@lru_cache(maxsize=1)
def get_achievements() -> dict[str, Achievement]:
    """The achievements under the configured content directory, loaded once per process."""
    return load_achievements(get_settings().content_dir / "achievements")
