"""Fixtures for the credential engine: a key ring in a temp dir, real achievements, the OB 3.0 schema."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from app.credentials.achievements import Achievement, load_achievements
from app.credentials.keys import KeyRing
from app.credentials.openbadges import Holder, IssuerProfile, build_credential

ROOT = Path(__file__).resolve().parents[2]
OB3 = ROOT / "tests" / "data" / "conformance" / "openbadges" / "ob3"  # SOURCES.md beside it
SCHEMA = OB3 / "schema" / "ob_v3p0_achievementcredential_schema.json"
BASE_URL = "https://qi-academy.example.org"
ISSUED = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)

MakeCredential = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def schema_validator() -> Draft201909Validator:
    """The OB 3.0 AchievementCredential schema declares draft 2019-09; validate with that draft."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> KeyRing:
    return KeyRing.load(keys_dir=tmp_path_factory.mktemp("ring") / "keys", base_url=BASE_URL)


@pytest.fixture(scope="session")
def achievements() -> dict[str, Achievement]:
    return load_achievements(ROOT / "content" / "achievements")


@pytest.fixture
def make_credential(achievements: dict[str, Achievement]) -> MakeCredential:
    def make(
        *,
        tier: str = "bronze",
        valid_from: datetime = ISSUED,
        display_name: str | None = "Siobhán O'Connor",
        **overrides: Any,
    ) -> dict[str, Any]:
        achievement = achievements[tier]
        holder = Holder.from_email(
            subject_id=f"urn:uuid:{uuid.uuid4()}",
            email="Siobhan.OConnor@nhs.example",
            display_name=display_name,
        )
        arguments: dict[str, Any] = {
            "base_url": BASE_URL,
            "credential_id": uuid.uuid4(),
            "achievement": achievement.definition(base_url=BASE_URL),
            "holder": holder,
            "issuer": IssuerProfile.qi_academy(base_url=BASE_URL),
            "valid_from": valid_from,
            "valid_until": achievement.valid_until(valid_from),
        }
        return build_credential(**(arguments | overrides))

    return make
