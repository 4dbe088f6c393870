"""Credential signing keys: RSA keys kept on disk, the active one signs, all of them verify."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.config import get_settings

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
# 3072 bits (NIST SP 800-57: good beyond 2030): badges are verified for years after issue,
# and RS256 is the one algorithm every Open Badges 3.0 verifier must support.
RSA_KEY_BITS = 3072
_ACTIVE_FILE = "active"
_LOCK_FILE = ".lock"
_KEY_SUFFIX = ".pem"


class KeyStoreError(Exception):
    """The key directory is unusable (bad permissions, unreadable or foreign files)."""


def key_url(*, base_url: str, thumbprint: str) -> str:
    """The `kid`: OB 3.0 says it MUST be a URL that dereferences to the public JWK itself."""
    return f"{base_url.rstrip('/')}/keys/{thumbprint}"


def jwk_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint: stable key name that does not depend on where it is stored."""
    members = _rsa_members(public_key)
    canonical = json.dumps(
        {"e": members["e"], "kty": "RSA", "n": members["n"]}, separators=(",", ":")
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True)
class SigningKey:
    thumbprint: str
    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    def public_jwk(self) -> dict[str, str]:
        """The public half only: built from n and e so private members can never leak."""
        return {
            "kty": "RSA",
            **_rsa_members(self.private_key.public_key()),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }


class KeyRing:
    """All signing keys under one directory; the `active` file names the one that signs."""

    def __init__(
        self,
        *,
        keys_dir: Path,
        base_url: str,
        keys: list[SigningKey],
        active: str,
        read_only: str = "",
    ):
        self.keys_dir = keys_dir
        self.base_url = base_url
        # Set when the keys come from a secret or the environment: says where, and rotation is
        # refused (rotate in the key store, then publish the new set: README "Signing keys").
        self.read_only = read_only
        self._keys = {key.thumbprint: key for key in keys}
        self._active = active

    @classmethod
    def load(cls, *, keys_dir: Path, base_url: str) -> KeyRing:
        """Load every key, creating the directory and a first key when there is none."""
        ensure_private_dir(keys_dir)
        with locked(keys_dir):
            keys = [_load_key(path, base_url=base_url) for path in sorted(keys_dir.glob("*.pem"))]
            if not keys:
                keys = [_first_key(keys_dir, base_url=base_url)]
            active = _read_active(keys_dir, keys)
        return cls(keys_dir=keys_dir, base_url=base_url, keys=keys, active=active)

    @property
    def active(self) -> SigningKey:
        return self._keys[self._active]

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        """Active key first, then the retired ones kept so old credentials still verify."""
        others = sorted(t for t in self._keys if t != self._active)
        return (self.active, *(self._keys[t] for t in others))

    def get(self, kid: str) -> SigningKey | None:
        return next((key for key in self._keys.values() if key.kid == kid), None)

    def by_thumbprint(self, thumbprint: str) -> SigningKey | None:
        return self._keys.get(thumbprint)

    def rotate(self) -> SigningKey:
        """Make a new active key; old keys stay on disk and in the JWKS for verification."""
        refuse_read_only(self.read_only)
        with locked(self.keys_dir):
            key = _signing_key(_write_new_key(self.keys_dir), base_url=self.base_url)
            _write_active(self.keys_dir, key.thumbprint)
        self._keys[key.thumbprint] = key
        self._active = key.thumbprint
        log.info("credential signing key rotated: new active key %s", key.thumbprint)
        return key

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The document for /.well-known/jwks.json: public keys only."""
        return {"keys": [key.public_jwk() for key in self.keys]}


@lru_cache(maxsize=1)
def get_keyring() -> KeyRing:
    """The process-wide key ring. After rotating from another process, restart the workers."""
    settings = get_settings()
    return KeyRing.load(keys_dir=settings.keys_dir, base_url=settings.base_url)


def _signing_key(private_key: rsa.RSAPrivateKey, *, base_url: str) -> SigningKey:
    thumbprint = jwk_thumbprint(private_key.public_key())
    return SigningKey(
        thumbprint=thumbprint,
        kid=key_url(base_url=base_url, thumbprint=thumbprint),
        private_key=private_key,
    )


def _rsa_members(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"n": _b64url(_int_bytes(numbers.n)), "e": _b64url(_int_bytes(numbers.e))}


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def ensure_private_dir(keys_dir: Path) -> None:
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for an existing directory.
    os.chmod(keys_dir, 0o700)


@contextmanager
def locked(keys_dir: Path) -> Iterator[None]:
    """Serialise first-key creation and rotation across worker processes."""
    fd = os.open(keys_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _load_key(path: Path, *, base_url: str) -> SigningKey:
    key = _signing_key(_read_private_key(path), base_url=base_url)
    if path.name != f"{key.thumbprint}{_KEY_SUFFIX}":
        # The file name is how `active` refers to a key, so it must be the key's own thumbprint.
        raise KeyStoreError(f"{path} holds key {key.thumbprint}: rename it {key.thumbprint}.pem")
    return key


def _read_private_key(path: Path) -> rsa.RSAPrivateKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        # Like sshd: refuse rather than sign with a key other users may have copied.
        raise KeyStoreError(f"{path} is readable by other users (mode {mode:o}): chmod 600 it")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise KeyStoreError(f"{path} is not an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise KeyStoreError(f"{path} is not an RSA key of at least 2048 bits")
    return key


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)


def private_pem(key: rsa.RSAPrivateKey | Any) -> bytes:
    """Unencrypted PKCS#8 PEM, the one form the key files and exports use."""
    return bytes(
        key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
    )


def _write_new_key(keys_dir: Path) -> rsa.RSAPrivateKey:
    key = new_rsa_key()
    write_private(keys_dir / f"{jwk_thumbprint(key.public_key())}{_KEY_SUFFIX}", private_pem(key))
    return key


def _first_key(keys_dir: Path, *, base_url: str) -> SigningKey:
    key = new_rsa_key()
    thumbprint = jwk_thumbprint(key.public_key())
    won = claim_first(keys_dir, name=thumbprint, pem=private_pem(key), suffix=_KEY_SUFFIX)
    if won:
        return _signing_key(key, base_url=base_url)
    return _load_key(keys_dir / f"{won.name}{_KEY_SUFFIX}", base_url=base_url)


@dataclass(frozen=True)
class Claim:
    """Who made a directory's first key: this process (truthy) or another one (`name`)."""

    name: str
    mine: bool

    def __bool__(self) -> bool:
        return self.mine


def claim_first(directory: Path, *, name: str, pem: bytes, suffix: str) -> Claim:
    """Make `pem` the directory's first key unless another process got there first.

    The flock already serialises processes that share the directory's locks; this holds where
    locks do not (a volume several machines mount). The `active` file is created exclusively with
    link(2), complete, before the key file appears: the loser drops its key and uses the winner's.
    """
    pending = directory / f".{name}{suffix}.tmp"
    claim = directory / f".{name}.active.tmp"
    _write_0600(pending, pem)
    _write_0600(claim, f"{name}\n".encode())
    try:
        os.link(claim, directory / _ACTIVE_FILE)
    except FileExistsError:
        pending.unlink()
        return Claim(name=_wait_for_winner(directory, suffix=suffix), mine=False)
    finally:
        claim.unlink()
    os.replace(pending, directory / f"{name}{suffix}")
    return Claim(name=name, mine=True)


def _wait_for_winner(directory: Path, *, suffix: str, seconds: float = 10.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        name = (directory / _ACTIVE_FILE).read_text().strip()
        if (directory / f"{name}{suffix}").exists():
            return name
        if time.monotonic() > deadline:
            raise KeyStoreError(
                f"{directory / _ACTIVE_FILE} names key {name}, but {name}{suffix} is not there: "
                "restore it from a backup (qi-academy keys import) or delete the active file"
            )
        time.sleep(0.05)


def refuse_read_only(source: str) -> None:
    if source:
        raise KeyStoreError(
            f"the signing keys come from {source}, which this process only reads: rotate them "
            "where they are kept (qi-academy keys rotate with QIA_KEYS_DIR on the key store), "
            "then export and publish the new set"
        )


def write_private(path: Path, data: bytes) -> None:
    """Create the file 0600 from the start (no window where it is world-readable), then rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    _write_0600(tmp, data)
    os.replace(tmp, path)


def _write_0600(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def _read_active(keys_dir: Path, keys: list[SigningKey]) -> str:
    known = {key.thumbprint for key in keys}
    path = keys_dir / _ACTIVE_FILE
    if path.exists():
        thumbprint = path.read_text().strip()
        if thumbprint in known:
            return thumbprint
        log.warning("%s names unknown key %r: using the newest key", path, thumbprint)
    newest = max(keys, key=lambda k: (keys_dir / f"{k.thumbprint}{_KEY_SUFFIX}").stat().st_mtime)
    _write_active(keys_dir, newest.thumbprint)
    return newest.thumbprint


def _write_active(keys_dir: Path, thumbprint: str) -> None:
    write_private(keys_dir / _ACTIVE_FILE, f"{thumbprint}\n".encode())
