"""Signing keys kept elsewhere than the key store: a PEM bundle, or a directory for a Secret.

Both forms hold every key, retired ones too, so credentials they signed keep verifying:

- a **directory** (`qi-academy keys export DIR`): flat, as a Kubernetes Secret must be:
  `rsa-<thumbprint>.pem`, `ed25519-<multibase>.pem`, and `active-rsa` / `active-ed25519` naming the
  keys that sign. `kubectl create secret generic qi-academy-keys --from-file=DIR`, mounted
  read-only, is read through `QIA_KEYS_SECRET_DIR`.
- a **PEM bundle** (`qi-academy keys export --pem FILE`): the keys one after another, each after a
  comment line saying what it is; the first RSA and the first Ed25519 key sign. Read from
  `QIA_SIGNING_KEYS_PEM` (for an environment variable from a secret store).

An app process only reads these; `import` puts a set into the writable key store (`QIA_KEYS_DIR`).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials import eddsa_keys
from app.credentials.eddsa_keys import EdKey, EdKeyRing, ed_key
from app.credentials.keys import (
    KeyRing,
    KeyStoreError,
    SigningKey,
    ensure_private_dir,
    jwk_thumbprint,
    key_url,
    locked,
    private_pem,
    write_private,
)

RSA_PREFIX, ED_PREFIX = "rsa-", "ed25519-"
ACTIVE_RSA, ACTIVE_ED = "active-rsa", "active-ed25519"
_PEM = re.compile(rb"-----BEGIN PRIVATE KEY-----\r?\n.+?-----END PRIVATE KEY-----", re.DOTALL)


@dataclass(frozen=True)
class KeySet:
    """Every signing key of both kinds, the active one of each first."""

    rsa: tuple[rsa.RSAPrivateKey, ...]
    ed: tuple[Ed25519PrivateKey, ...]

    @property
    def rsa_names(self) -> list[str]:
        return [jwk_thumbprint(key.public_key()) for key in self.rsa]

    @property
    def ed_names(self) -> list[str]:
        return [ed_key(key).multibase for key in self.ed]


def _parse(pem: bytes, *, origin: str) -> rsa.RSAPrivateKey | Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError as exc:
        raise KeyStoreError(
            f"{origin} holds something that is not a PEM private key: {exc}"
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key
    raise KeyStoreError(f"{origin} holds a key that is neither RSA (2048+ bits) nor Ed25519")


def _checked(keys: KeySet, *, origin: str) -> KeySet:
    if not keys.rsa or not keys.ed:
        raise KeyStoreError(
            f"{origin} needs at least one RSA and one Ed25519 key (qi-academy keys export writes both)"
        )
    return keys


def from_pem_bundle(text: bytes, *, origin: str) -> KeySet:
    """Keys in the order given: the first of each kind is the one that signs."""
    found = [_parse(block, origin=origin) for block in _PEM.findall(text)]
    return _checked(
        KeySet(
            rsa=tuple(k for k in found if isinstance(k, rsa.RSAPrivateKey)),
            ed=tuple(k for k in found if isinstance(k, Ed25519PrivateKey)),
        ),
        origin=origin,
    )


def from_directory(directory: Path) -> KeySet:
    """A directory `export` wrote; files other users can read are refused, as in the key store.

    Group-readable is allowed: Kubernetes gives a Secret's files to the pod's fsGroup.
    """
    if not directory.is_dir():
        raise KeyStoreError(f"{directory} is not a directory of exported keys")

    def read(prefix: str, active_file: str) -> list[tuple[str, bytes]]:
        keys = []
        for path in sorted(directory.glob(f"{prefix}*.pem")):
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o007:
                raise KeyStoreError(
                    f"{path} is readable by other users (mode {mode:o}): give the Secret "
                    "defaultMode 0400 (or chmod 600 the file)"
                )
            keys.append((path.name[len(prefix) : -len(".pem")], path.read_bytes()))
        active_path = directory / active_file
        active = active_path.read_text().strip() if active_path.exists() else ""
        if active not in {name for name, _ in keys}:
            raise KeyStoreError(f"{active_path} must name one of the {prefix}*.pem keys beside it")
        return sorted(keys, key=lambda item: item[0] != active)

    rsa_keys = [
        _parse(pem, origin=f"{directory}/{RSA_PREFIX}{n}.pem")
        for n, pem in read(RSA_PREFIX, ACTIVE_RSA)
    ]
    ed_keys = [
        _parse(pem, origin=f"{directory}/{ED_PREFIX}{n}.pem")
        for n, pem in read(ED_PREFIX, ACTIVE_ED)
    ]
    found = KeySet(
        rsa=tuple(k for k in rsa_keys if isinstance(k, rsa.RSAPrivateKey)),
        ed=tuple(k for k in ed_keys if isinstance(k, Ed25519PrivateKey)),
    )
    if len(found.rsa) != len(rsa_keys) or len(found.ed) != len(ed_keys):
        raise KeyStoreError(f"{directory}: an rsa-*.pem or ed25519-*.pem file holds the other kind")
    _check_names(found, directory)
    return _checked(found, origin=str(directory))


def _check_names(keys: KeySet, directory: Path) -> None:
    for prefix, names in ((RSA_PREFIX, keys.rsa_names), (ED_PREFIX, keys.ed_names)):
        for name in names:
            if not (directory / f"{prefix}{name}.pem").exists():
                raise KeyStoreError(
                    f"{directory}: a {prefix}*.pem file is not named by its key {name}"
                )


def read(path: Path) -> KeySet:
    """A directory or a PEM bundle file, whichever `path` is."""
    if path.is_dir():
        return from_directory(path)
    try:
        return from_pem_bundle(path.read_bytes(), origin=str(path))
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path}: {exc.strerror}") from exc


def from_store(keys_dir: Path) -> KeySet:
    """Every key in the writable key store (making the first ones if it has none, as the app would)."""
    ring, ed_ring = KeyRing.load(keys_dir=keys_dir, base_url=""), EdKeyRing.load(keys_dir=keys_dir)
    return KeySet(
        rsa=tuple(k.private_key for k in ring.keys), ed=tuple(k.private_key for k in ed_ring.keys)
    )


# --- rings for the app ----------------------------------------------------------------------


def keyring(keys: KeySet, *, base_url: str, source: str) -> KeyRing:
    signing = [
        SigningKey(thumbprint=t, kid=key_url(base_url=base_url, thumbprint=t), private_key=k)
        for t, k in zip(keys.rsa_names, keys.rsa, strict=True)
    ]
    return KeyRing(
        keys_dir=Path(source),
        base_url=base_url,
        keys=signing,
        active=signing[0].thumbprint,
        read_only=source,
    )


def ed_keyring(keys: KeySet, *, source: str) -> EdKeyRing:
    found = [EdKey(multibase=m, private_key=k) for m, k in zip(keys.ed_names, keys.ed, strict=True)]
    return EdKeyRing(
        directory=Path(source), keys=found, active=found[0].multibase, read_only=source
    )


# --- export and import ----------------------------------------------------------------------


def to_pem_bundle(keys: KeySet) -> bytes:
    parts = []
    for index, (name, key) in enumerate(zip(keys.rsa_names, keys.rsa, strict=True)):
        role = "active" if index == 0 else "retired"
        parts.append(f"# RSA signing key (VC-JWT), {role}: {name}\n".encode() + private_pem(key))
    for index, (name, ed) in enumerate(zip(keys.ed_names, keys.ed, strict=True)):
        role = "active" if index == 0 else "retired"
        parts.append(
            f"# Ed25519 proof key (Data Integrity), {role}: {name}\n".encode() + private_pem(ed)
        )
    return b"".join(parts)


def write_directory(keys: KeySet, directory: Path) -> None:
    """The flat directory a Secret is made from; refuses a directory that already has files."""
    ensure_private_dir(directory)
    if any(directory.iterdir()):
        raise KeyStoreError(f"{directory} is not empty: export into a new directory")
    for name, key in zip(keys.rsa_names, keys.rsa, strict=True):
        write_private(directory / f"{RSA_PREFIX}{name}.pem", private_pem(key))
    for name, ed in zip(keys.ed_names, keys.ed, strict=True):
        write_private(directory / f"{ED_PREFIX}{name}.pem", private_pem(ed))
    write_private(directory / ACTIVE_RSA, f"{keys.rsa_names[0]}\n".encode())
    write_private(directory / ACTIVE_ED, f"{keys.ed_names[0]}\n".encode())


@dataclass(frozen=True)
class Imported:
    added: int
    activated: bool


def import_into_store(keys: KeySet, keys_dir: Path, *, force: bool) -> Imported:
    """Add the keys to the store. Retired keys are only ever added; the imported active keys
    replace the store's own active ones only with `force` (nothing is deleted either way)."""
    rsa_dir, ed_dir = keys_dir, keys_dir / eddsa_keys.SUBDIR
    ensure_private_dir(rsa_dir)
    ensure_private_dir(ed_dir)
    with locked(rsa_dir), locked(ed_dir):
        kinds: tuple[tuple[Path, list[str], tuple[Any, ...]], ...] = (
            (rsa_dir, keys.rsa_names, keys.rsa),
            (ed_dir, keys.ed_names, keys.ed),
        )
        changes = []
        for directory, names, _ in kinds:
            present = {p.name.removesuffix(".pem") for p in directory.glob("*.pem")}
            active_path = directory / "active"
            current = active_path.read_text().strip() if active_path.exists() else ""
            switching = bool(present) and current != names[0]
            if switching and not force:
                raise KeyStoreError(
                    f"{directory} already signs with key {current or '(none named)'}, not the "
                    f"imported {names[0]}: add --force to make the imported keys the active ones "
                    "(the store's keys are kept, so what they signed still verifies)"
                )
            changes.append((present, not present or switching))
        added = 0
        for (directory, names, found), (present, activate) in zip(kinds, changes, strict=True):
            for name, key in zip(names, found, strict=True):
                if name not in present:
                    write_private(directory / f"{name}.pem", private_pem(key))
                    added += 1
            if activate:
                write_private(directory / "active", f"{names[0]}\n".encode())
    return Imported(added=added, activated=any(activate for _, activate in changes))
