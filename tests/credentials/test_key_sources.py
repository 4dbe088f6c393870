"""Signing keys for more than one machine: export and import through the real CLI, read-only sources,
and first keys that racing processes never make twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.credentials import key_sources
from app.credentials.eddsa_keys import EdKeyRing
from app.credentials.keys import KeyRing, KeyStoreError, claim_first
from tests.credentials.conftest import BASE_URL

CLI = str(Path(sys.executable).with_name("qi-academy"))


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QIA_ENV": "test", "QIA_KEYS_DIR": str(store)}
    env.pop("QIA_SIGNING_KEYS_PEM", None)
    env.pop("QIA_KEYS_SECRET_DIR", None)
    return subprocess.run(
        [CLI, "keys", *args], env=env, capture_output=True, text=True, check=False
    )


def _names(store: Path) -> tuple[set[str], set[str]]:
    return (
        {p.stem for p in store.glob("*.pem")},
        {p.stem for p in (store / "ed25519").glob("*.pem")},
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A key store with a rotation behind it: two keys of each kind, one retired."""
    store = tmp_path / "store"
    assert _cli("init", store=store).returncode == 0
    assert _cli("rotate", store=store).returncode == 0
    return store


@pytest.mark.parametrize("form", ["dir", "pem"])
def test_export_then_import_moves_every_key_and_keeps_the_active_ones(
    store: Path, tmp_path: Path, form: str
) -> None:
    out = tmp_path / ("exported" if form == "dir" else "keys.pem")
    exported = _cli("export", *(["--pem"] if form == "pem" else []), str(out), store=store)
    assert exported.returncode == 0, exported.stderr
    assert "2 RSA and 2 Ed25519" in exported.stdout

    other = tmp_path / "other-machine"
    imported = _cli("import", str(out), store=other)

    assert imported.returncode == 0, imported.stderr
    assert _names(other) == _names(store)
    assert len(_names(other)[0]) == 2
    assert (other / "active").read_text() == (store / "active").read_text()
    assert (other / "ed25519" / "active").read_text() == (store / "ed25519" / "active").read_text()
    files = [out] if out.is_file() else list(out.iterdir())
    assert all(p.stat().st_mode & 0o077 == 0 for p in files)  # private, like the store
    again = _cli("import", str(out), store=other)
    assert again.returncode == 0
    assert "imported 0 new key(s)" in again.stdout


def test_import_refuses_to_replace_different_active_keys_without_force(
    store: Path, tmp_path: Path
) -> None:
    assert _cli("export", "--pem", str(tmp_path / "keys.pem"), store=store).returncode == 0
    other = tmp_path / "other"
    assert _cli("init", store=other).returncode == 0
    own_active = (other / "active").read_text()

    refused = _cli("import", str(tmp_path / "keys.pem"), store=other)

    assert refused.returncode == 1
    assert "add --force" in refused.stderr
    assert (other / "active").read_text() == own_active
    assert len(_names(other)[0]) == 1  # nothing was written
    forced = _cli("import", "--force", str(tmp_path / "keys.pem"), store=other)
    assert forced.returncode == 0, forced.stderr
    assert (other / "active").read_text() == (store / "active").read_text()
    assert own_active.strip() in _names(other)[0]  # kept, so what it signed still verifies


def test_export_refuses_to_write_over_something(store: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    (tmp_path / "keys.pem").write_text("x")

    assert _cli("export", str(tmp_path / "full"), store=store).returncode == 1
    assert _cli("export", "--pem", str(tmp_path / "keys.pem"), store=store).returncode == 1
    assert (tmp_path / "keys.pem").read_text() == "x"


def test_a_pem_bundle_signs_with_its_first_key_of_each_kind(store: Path) -> None:
    keys = key_sources.from_store(store)
    bundle = key_sources.to_pem_bundle(keys)

    read = key_sources.from_pem_bundle(bundle, origin="test")

    assert read.rsa_names == keys.rsa_names
    assert read.ed_names == keys.ed_names
    assert read.rsa_names[0] == (store / "active").read_text().strip()
    assert read.ed_names[0] == (store / "ed25519" / "active").read_text().strip()


def test_keys_from_a_secret_are_only_read(store: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    key_sources.write_directory(key_sources.from_store(store), secret)
    before = sorted((p.name, p.read_bytes()) for p in secret.iterdir())
    found = key_sources.from_directory(secret)

    ring = key_sources.keyring(found, base_url=BASE_URL, source=str(secret))
    ed_ring = key_sources.ed_keyring(found, source=str(secret))

    assert ring.active.thumbprint == (store / "active").read_text().strip()
    assert len(ring.jwks()["keys"]) == 2
    with pytest.raises(KeyStoreError, match="only reads"):
        ring.rotate()
    with pytest.raises(KeyStoreError, match="only reads"):
        ed_ring.rotate()
    assert sorted((p.name, p.read_bytes()) for p in secret.iterdir()) == before


def test_a_secret_others_can_read_or_without_an_active_key_is_refused(
    store: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    key_sources.write_directory(key_sources.from_store(store), secret)
    pem = next(secret.glob("rsa-*.pem"))
    os.chmod(pem, 0o640)  # group-readable: what Kubernetes does for the pod's fsGroup
    key_sources.from_directory(secret)

    os.chmod(pem, 0o644)
    with pytest.raises(KeyStoreError, match="defaultMode 0400"):
        key_sources.from_directory(secret)
    os.chmod(pem, 0o600)
    (secret / key_sources.ACTIVE_ED).unlink()
    with pytest.raises(KeyStoreError, match="must name one"):
        key_sources.from_directory(secret)


_RACE = """
import sys, time
from pathlib import Path
from app.credentials.eddsa_keys import EdKeyRing
from app.credentials.keys import KeyRing
start = float(sys.argv[2])
while time.time() < start:
    pass
ring, ed = KeyRing.load(keys_dir=Path(sys.argv[1]), base_url="x"), EdKeyRing.load(keys_dir=Path(sys.argv[1]))
print(ring.active.thumbprint, ed.active.multibase)
"""


def test_processes_starting_together_on_an_empty_store_share_one_first_key(
    tmp_path: Path,
) -> None:
    store = tmp_path / "shared"
    start = time.time() + 3  # all of them past their imports, then loading at once
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, str(store), str(start)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for _ in range(4)
    ]
    seen = {proc.communicate(timeout=60)[0].strip() for proc in procs}

    assert all(proc.returncode == 0 for proc in procs)
    assert len(seen) == 1
    rsa_names, ed_names = _names(store)
    assert len(rsa_names) == 1
    assert len(ed_names) == 1
    assert not list(store.rglob(".*.tmp"))
    assert KeyRing.load(keys_dir=store, base_url="x").active.thumbprint in seen.pop()
    assert EdKeyRing.load(keys_dir=store).active.multibase in ed_names


def test_a_second_claim_on_a_store_loses_to_the_first_without_any_lock(tmp_path: Path) -> None:
    # Where a shared volume's locks do not hold, the exclusive `active` file still decides.
    tmp_path.chmod(0o700)
    first = claim_first(tmp_path, name="first", pem=b"one", suffix=".pem")
    second = claim_first(tmp_path, name="second", pem=b"two", suffix=".pem")

    assert first.mine
    assert not second.mine
    assert second.name == "first"
    assert (tmp_path / "active").read_text().strip() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["active", "first.pem"]
