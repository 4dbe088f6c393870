"""Ed25519 keys for Data Integrity proofs (eddsa-rdfc-2022), kept beside the RSA keys.

They live in `<keys dir>/ed25519/`, one PKCS#8 PEM per key named by its Multikey public key, with an
`active` file naming the one that signs; retired keys stay so the DID document keeps listing them
and the credentials they signed keep verifying.
"""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass, field
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.credentials.keys import (
    KeyStoreError,
    claim_first,
    ensure_private_dir,
    locked,
    private_pem,
    refuse_read_only,
    write_private,
)

log = logging.getLogger(__name__)

SUBDIR = "ed25519"
_ACTIVE_FILE = "active"
_SUFFIX = ".pem"
# Multicodec ed25519-pub (0xed, varint-encoded), then base58btc with the multibase prefix "z".
_ED25519_PUB = b"\xed\x01"


def public_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB + raw).decode("ascii")


def public_key_from_multibase(value: str) -> Ed25519PublicKey | None:
    """The key a Multikey `publicKeyMultibase` names, or None if it is not an Ed25519 one."""
    if not value.startswith("z"):
        return None
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError:
        return None
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB):
        return None
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


@dataclass(frozen=True)
class EdKey:
    multibase: str
    private_key: Ed25519PrivateKey = field(repr=False)


class EdKeyRing:
    def __init__(self, *, directory: Path, keys: list[EdKey], active: str, read_only: str = ""):
        self.directory = directory
        self.read_only = read_only  # where the keys come from when not from a key store
        self._keys = {key.multibase: key for key in keys}
        self._active = active

    @classmethod
    def load(cls, *, keys_dir: Path) -> EdKeyRing:
        directory = keys_dir / SUBDIR
        ensure_private_dir(directory)
        with locked(directory):
            keys = [_load(path) for path in sorted(directory.glob(f"*{_SUFFIX}"))]
            if not keys:
                keys = [_first(directory)]
            active = _read_active(directory, keys)
        return cls(directory=directory, keys=keys, active=active)

    @property
    def active(self) -> EdKey:
        return self._keys[self._active]

    @property
    def keys(self) -> tuple[EdKey, ...]:
        """Active key first, then the retired ones."""
        others = sorted(k for k in self._keys if k != self._active)
        return (self.active, *(self._keys[k] for k in others))

    def public_key(self, multibase: str) -> Ed25519PublicKey | None:
        key = self._keys.get(multibase)
        return key.private_key.public_key() if key is not None else None

    def rotate(self) -> EdKey:
        refuse_read_only(self.read_only)
        with locked(self.directory):
            key = _write_new(self.directory)
            write_private(self.directory / _ACTIVE_FILE, f"{key.multibase}\n".encode())
        self._keys[key.multibase] = key
        self._active = key.multibase
        log.info("credential proof key rotated: new active key %s", key.multibase)
        return key


def _load(path: Path) -> EdKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyStoreError(f"{path} is readable by other users (mode {mode:o}): chmod 600 it")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise KeyStoreError(f"{path} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(f"{path} is not an Ed25519 key")
    found = ed_key(key)
    if path.name != f"{found.multibase}{_SUFFIX}":
        raise KeyStoreError(f"{path} holds key {found.multibase}: rename it {found.multibase}.pem")
    return found


def ed_key(key: Ed25519PrivateKey) -> EdKey:
    return EdKey(multibase=public_multibase(key.public_key()), private_key=key)


def _write_new(directory: Path) -> EdKey:
    found = ed_key(Ed25519PrivateKey.generate())
    write_private(directory / f"{found.multibase}{_SUFFIX}", private_pem(found.private_key))
    return found


def _first(directory: Path) -> EdKey:
    found = ed_key(Ed25519PrivateKey.generate())
    won = claim_first(
        directory, name=found.multibase, pem=private_pem(found.private_key), suffix=_SUFFIX
    )
    return found if won else _load(directory / f"{won.name}{_SUFFIX}")


def _read_active(directory: Path, keys: list[EdKey]) -> str:
    path = directory / _ACTIVE_FILE
    named = path.read_text().strip() if path.exists() else ""
    if named in {key.multibase for key in keys}:
        return named
    newest = max(keys, key=lambda k: (directory / f"{k.multibase}{_SUFFIX}").stat().st_mtime)
    write_private(path, f"{newest.multibase}\n".encode())
    return newest.multibase
