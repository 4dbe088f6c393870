"""Our schema set-up is right: every OB 3.0 credential example from the spec validates with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from tests.credentials.conftest import OB3

EXAMPLES_DIR = OB3 / "spec-examples"
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


def _credential_examples() -> list[Path]:
    if not EXAMPLES_DIR.is_dir():
        return []
    return [
        path
        for path in sorted(EXAMPLES_DIR.glob("*.json"))
        if CREDENTIAL_TYPES & set(json.loads(path.read_text(encoding="utf-8")).get("type", []))
    ]


EXAMPLES = _credential_examples()


def test_all_eleven_spec_credential_examples_are_found() -> None:

    assert len(EXAMPLES) == 11, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_spec_example_validates_against_the_achievement_credential_schema(
    schema_validator: Draft201909Validator, path: Path
) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))

    assert [e.message for e in schema_validator.iter_errors(example)] == []
