"""The signing keys as this process sees them: loaded once, reloaded when a rotation changes them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.config import get_settings
from app.core.errors import NotFound
from app.credentials.keys import KeyRing, SigningKey


@dataclass
class _RingCache:
    stamp: tuple[str, str, int] | None = None
    ring: KeyRing | None = None


_ring_cache = _RingCache()
_ring_lock = threading.Lock()


def keyring() -> KeyRing:
    """The signing keys, created on first use and reloaded whenever the key directory changes.

    A rotation (`qi-academy keys rotate`, another process) renames files in the directory, which
    changes its mtime: every worker then publishes and signs with the new set without a restart.
    """
    settings = get_settings()
    with _ring_lock:
        stamp = (str(settings.keys_dir), settings.base_url, _dir_stamp(settings.keys_dir))
        if _ring_cache.ring is None or _ring_cache.stamp != stamp:
            ring = KeyRing.load(keys_dir=settings.keys_dir, base_url=settings.base_url)
            _ring_cache.ring = ring
            # Loading may have created the directory and a first key: stamp what is there now.
            _ring_cache.stamp = (
                str(settings.keys_dir),
                settings.base_url,
                _dir_stamp(settings.keys_dir),
            )
        return _ring_cache.ring


def _dir_stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def rotate_keys() -> SigningKey:
    """A new active signing key; the old ones stay published so their credentials still verify."""
    return keyring().rotate()


def jwks() -> dict[str, list[dict[str, str]]]:
    return keyring().jwks()


def public_key(thumbprint: str) -> dict[str, str]:
    key = keyring().by_thumbprint(thumbprint)
    if key is None:
        raise NotFound("QI Academy has no signing key with this id.")
    return key.public_jwk()
