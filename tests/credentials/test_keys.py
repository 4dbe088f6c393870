"""Signing keys on disk: private permissions, public-only JWKS, rotation that keeps old badges valid."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.credentials.keys import KeyRing, KeyStoreError
from app.credentials.vc_jwt import sign_credential, verify_jwt
from tests.credentials.conftest import BASE_URL, MakeCredential

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_use_creates_one_private_key_file_in_a_private_directory(tmp_path: Path) -> None:
    keys_dir = tmp_path / "var" / "keys"

    ring = KeyRing.load(keys_dir=keys_dir, base_url=BASE_URL)

    pem_files = list(keys_dir.glob("*.pem"))
    assert [p.name for p in pem_files] == [f"{ring.active.thumbprint}.pem"]
    assert _mode(keys_dir) == 0o700
    assert _mode(pem_files[0]) == 0o600
    assert pem_files[0].read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert ring.active.private_key.key_size >= 2048


def test_loading_again_finds_the_same_key(tmp_path: Path) -> None:
    first = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)

    second = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)

    assert second.active.kid == first.active.kid
    assert second.jwks() == first.jwks()


def test_jwks_has_public_keys_only(keyring: KeyRing) -> None:
    for key in keyring.jwks()["keys"]:
        assert PRIVATE_MEMBERS.isdisjoint(key)
        assert key["kty"] == "RSA"
        assert key["alg"] == "RS256"
        assert key["use"] == "sig"
        assert key["kid"].startswith(f"{BASE_URL}/keys/")


def test_rotation_keeps_old_credentials_verifiable(
    tmp_path: Path, make_credential: MakeCredential
) -> None:
    ring = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)
    old_token = sign_credential(make_credential(), ring)
    old_kid = ring.active.kid

    new_key = ring.rotate()
    new_token = sign_credential(make_credential(), ring)

    assert new_key.kid != old_kid
    assert ring.active.kid == new_key.kid
    assert [k["kid"] for k in ring.jwks()["keys"]] == [new_key.kid, old_kid]
    assert verify_jwt(old_token, ring.jwks()).valid
    assert verify_jwt(new_token, ring.jwks()).valid
    # A fresh process sees the rotation: the new key is active and the old one still verifies.
    reloaded = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)
    assert reloaded.active.kid == new_key.kid
    assert verify_jwt(old_token, reloaded.jwks()).valid
    assert all(_mode(p) == 0o600 for p in (tmp_path / "keys").iterdir())


def test_a_key_file_other_users_can_read_is_refused(tmp_path: Path) -> None:
    ring = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)
    pem = tmp_path / "keys" / f"{ring.active.thumbprint}.pem"
    os.chmod(pem, 0o644)

    with pytest.raises(KeyStoreError, match="chmod 600"):
        KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)


def test_a_misnamed_key_file_is_refused(tmp_path: Path) -> None:
    ring = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)
    (tmp_path / "keys" / f"{ring.active.thumbprint}.pem").rename(tmp_path / "keys" / "mine.pem")

    with pytest.raises(KeyStoreError, match="rename it"):
        KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)


def test_lookup_by_kid_and_thumbprint(keyring: KeyRing) -> None:
    assert keyring.get(keyring.active.kid) is keyring.active
    assert keyring.by_thumbprint(keyring.active.thumbprint) is keyring.active
    assert keyring.get("https://elsewhere.example/keys/x") is None
    assert "PRIVATE" not in repr(keyring.active)


def test_a_lost_active_file_falls_back_to_the_newest_key(tmp_path: Path) -> None:
    ring = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)
    old = ring.active
    newest = ring.rotate()
    os.utime(tmp_path / "keys" / f"{old.thumbprint}.pem", (1_000_000_000, 1_000_000_000))
    (tmp_path / "keys" / "active").unlink()

    reloaded = KeyRing.load(keys_dir=tmp_path / "keys", base_url=BASE_URL)

    assert reloaded.active.kid == newest.kid
    assert (tmp_path / "keys" / "active").read_text().strip() == newest.thumbprint
