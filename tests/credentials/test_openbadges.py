"""Building OpenBadgeCredentials: OB 3.0 schema-valid, the right shape, no raw email, revocation list."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from jsonschema import Draft201909Validator

from app.credentials.openbadges import (
    REVOCATION_LIST_TYPE,
    Holder,
    IssuerProfile,
    build_credential,
    hash_identity,
    identity_matches,
)
from app.credentials.status_lists import RevocationEntry, build_revocation_list
from tests.credentials.conftest import BASE_URL, ISSUED, OB3, MakeCredential

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.mark.parametrize("tier", ["bronze", "silver", "gold"])
def test_every_tier_builds_a_schema_valid_credential(
    make_credential: MakeCredential, schema_validator: Draft201909Validator, tier: str
) -> None:
    credential = make_credential(tier=tier)

    errors = [e.message for e in schema_validator.iter_errors(credential)]
    assert errors == []


@pytest.mark.parametrize(
    "variant",
    [
        {"display_name": None},
        {"with_status": False},
        {"awarded_at": datetime(2025, 1, 2, tzinfo=UTC)},
    ],
    ids=["no-name", "no-status", "awarded-date"],
)
def test_optional_parts_keep_the_credential_schema_valid(
    make_credential: MakeCredential, schema_validator: Draft201909Validator, variant: dict
) -> None:
    credential = make_credential(**variant)

    assert [e.message for e in schema_validator.iter_errors(credential)] == []


def test_schema_setup_rejects_a_broken_credential(schema_validator: Draft201909Validator) -> None:
    broken = json.loads(
        (OB3.parent / "selftest" / "basicOpenBadgeCredential.BROKEN.json").read_text()
    )

    assert list(schema_validator.iter_errors(broken))


def test_credential_has_the_ob3_shape_under_our_base_url(make_credential: MakeCredential) -> None:
    credential = make_credential(tier="silver")
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert re.fullmatch(rf"{BASE_URL}/credentials/[0-9a-f-]{{36}}", credential["id"])
    assert credential["issuer"] == {
        "id": "did:web:qi-academy.example.org",
        "type": ["Profile"],
        "name": "QI Academy",
        "url": BASE_URL,
        "image": {
            "id": f"{BASE_URL}/issuer/image.png",
            "type": "Image",
            "caption": "QI Academy logo",
        },
    }
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"].startswith("urn:uuid:")
    assert achievement["id"] == f"{BASE_URL}/achievements/silver"
    assert achievement["type"] == ["Achievement"]
    assert achievement["image"] == {
        "id": f"{BASE_URL}/achievements/silver/image.png",
        "type": "Image",
        "caption": "QI Academy Silver badge",
    }
    assert achievement["criteria"]["narrative"]
    assert credential["credentialStatus"] == {
        "id": f"{BASE_URL}/status/revocations",
        "type": REVOCATION_LIST_TYPE,
    }
    assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"


def test_timestamps_are_utc_whole_seconds(make_credential: MakeCredential) -> None:
    issued = datetime(2026, 3, 1, 10, 15, 30, 999_999, tzinfo=UTC)

    credential = make_credential(tier="gold", valid_from=issued)

    assert credential["validFrom"] == "2026-03-01T10:15:30Z"
    assert RFC3339_UTC.match(credential["validUntil"])


def test_only_gold_expires_and_after_three_years(make_credential: MakeCredential) -> None:
    assert "validUntil" not in make_credential(tier="bronze")
    assert "validUntil" not in make_credential(tier="silver")
    assert make_credential(tier="gold")["validUntil"] == "2029-11-21T09:30:00Z"


def test_naive_timestamps_are_refused(make_credential: MakeCredential) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_credential(valid_from=datetime(2026, 1, 1), valid_until=None)


def test_email_is_only_present_as_a_salted_hash(make_credential: MakeCredential) -> None:
    first, second = make_credential(), make_credential()
    email_identity = first["credentialSubject"]["identifier"][0]

    assert "siobhan.oconnor" not in json.dumps(first).lower()
    assert email_identity["identityType"] == "emailAddress"
    assert email_identity["hashed"] is True
    assert email_identity["identityHash"].startswith("sha256$")
    assert identity_matches(
        email=" siobhan.OCONNOR@nhs.example ",
        identity_hash=email_identity["identityHash"],
        salt=email_identity["salt"],
    )
    assert not identity_matches(
        email="someone.else@nhs.example",
        identity_hash=email_identity["identityHash"],
        salt=email_identity["salt"],
    )
    # A new salt per credential: two badges of one learner cannot be linked by their hashes.
    assert (
        email_identity["identityHash"]
        != second["credentialSubject"]["identifier"][0]["identityHash"]
    )


def test_identity_hash_is_sha256_of_the_lower_cased_email_then_salt() -> None:
    expected = hashlib.sha256(b"a@b.example" + b"pepper").hexdigest()

    assert hash_identity(email="A@B.example", salt="pepper") == f"sha256${expected}"


def test_display_name_is_an_unhashed_name_identifier(make_credential: MakeCredential) -> None:
    identifiers = make_credential()["credentialSubject"]["identifier"]

    assert identifiers[1] == {
        "type": "IdentityObject",
        "identityHash": "Siobhán O'Connor",
        "identityType": "name",
        "hashed": False,
    }
    assert len(make_credential(display_name=None)["credentialSubject"]["identifier"]) == 1


def test_valid_until_must_follow_valid_from(achievements: dict) -> None:
    with pytest.raises(ValueError, match="after valid_from"):
        build_credential(
            base_url=BASE_URL,
            credential_id=uuid.uuid4(),
            achievement=achievements["gold"].definition(base_url=BASE_URL),
            holder=Holder.from_email(
                subject_id="urn:uuid:x", email="a@b.example", display_name=None
            ),
            issuer=IssuerProfile.qi_academy(base_url=BASE_URL),
            valid_from=ISSUED,
            valid_until=ISSUED,
        )


def test_revocation_list_publishes_only_revoked_credentials() -> None:
    entries = [
        RevocationEntry(
            credential_id=f"{BASE_URL}/credentials/b", revoked=True, reason="Issued in error"
        ),
        RevocationEntry(credential_id=f"{BASE_URL}/credentials/c", revoked=False),
        RevocationEntry(credential_id=f"{BASE_URL}/credentials/a", revoked=True),
    ]

    document = build_revocation_list(
        base_url=BASE_URL, issuer_id=f"{BASE_URL}/issuer", entries=entries
    )

    assert document == {
        "id": f"{BASE_URL}/status/revocations",
        "issuer": f"{BASE_URL}/issuer",
        "revokedCredentials": [
            {"id": f"{BASE_URL}/credentials/a", "revoked": True},
            {
                "id": f"{BASE_URL}/credentials/b",
                "revoked": True,
                "revocationReason": "Issued in error",
            },
        ],
    }
