"""The signing keys as this process sees them: loaded once, reloaded when a rotation changes them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.config import get_settings
from app.core.errors import NotFound
from app.credentials import did, key_sources
from app.credentials.eddsa_keys import SUBDIR, EdKey, EdKeyRing, public_key_from_multibase
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
    Keys from the environment or a secrets directory are only read, never made here.
    """
    settings = get_settings()
    external = _external()
    if external is not None:
        return external[0]
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


@dataclass
class _EdCache:
    stamp: tuple[str, int] | None = None
    ring: EdKeyRing | None = None


_ed_cache = _EdCache()


def ed_keyring() -> EdKeyRing:
    """The Ed25519 proof keys, reloaded like `keyring()` when their directory changes."""
    external = _external()
    if external is not None:
        return external[1]
    keys_dir = get_settings().keys_dir
    with _ring_lock:
        stamp = (str(keys_dir), _dir_stamp(keys_dir / SUBDIR))
        if _ed_cache.ring is None or _ed_cache.stamp != stamp:
            _ed_cache.ring = EdKeyRing.load(keys_dir=keys_dir)
            _ed_cache.stamp = (str(keys_dir), _dir_stamp(keys_dir / SUBDIR))
        return _ed_cache.ring


@dataclass
class _ExternalCache:
    stamp: tuple[str, str, int] | None = None
    rings: tuple[KeyRing, EdKeyRing] | None = None


_external_cache = _ExternalCache()


def _external() -> tuple[KeyRing, EdKeyRing] | None:
    """Keys from QIA_SIGNING_KEYS_PEM or QIA_KEYS_SECRET_DIR, and which; None for the key store.

    A mounted Secret is updated by swapping a link inside its directory: its mtime changes, and
    the keys are read again.
    """
    settings = get_settings()
    if settings.signing_keys_pem:
        source = "QIA_SIGNING_KEYS_PEM"
        stamp = (source, settings.base_url, hash(settings.signing_keys_pem))
    elif settings.keys_secret_dir is not None:
        source = str(settings.keys_secret_dir)
        stamp = (source, settings.base_url, _dir_stamp(settings.keys_secret_dir))
    else:
        return None
    with _ring_lock:
        if _external_cache.rings is None or _external_cache.stamp != stamp:
            if settings.signing_keys_pem:
                found = key_sources.from_pem_bundle(
                    settings.signing_keys_pem.encode(), origin=source
                )
            else:
                assert settings.keys_secret_dir is not None
                found = key_sources.from_directory(settings.keys_secret_dir)
            _external_cache.rings = (
                key_sources.keyring(found, base_url=settings.base_url, source=source),
                key_sources.ed_keyring(found, source=source),
            )
            _external_cache.stamp = stamp
        return _external_cache.rings


def _dir_stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def rotate_keys() -> SigningKey:
    """New active signing keys (RSA for the JWT, Ed25519 for the Data Integrity proof); the old
    ones stay published, in the JWKS and the DID document, so their credentials still verify."""
    ed_keyring().rotate()
    return keyring().rotate()


def issuer_did() -> str:
    return did.did_web(base_url=get_settings().base_url)


def did_document() -> dict[str, object]:
    return did.did_document(
        did=issuer_did(),
        multibase_keys=[key.multibase for key in ed_keyring().keys],
        rsa_keys={key.thumbprint: key.public_jwk() for key in keyring().keys},
    )


def proof_key() -> tuple[EdKey, str]:
    """The Ed25519 key that signs proofs now, and its verification method id in the DID document."""
    key = ed_keyring().active
    return key, did.verification_method_id(did=issuer_did(), multibase=key.multibase)


def resolve_proof_key(verification_method: str) -> Ed25519PublicKey | None:
    """The public key a proof's verificationMethod names, if it is one of ours."""
    prefix = f"{issuer_did()}#"
    if not verification_method.startswith(prefix):
        return None
    multibase = verification_method[len(prefix) :]
    if ed_keyring().public_key(multibase) is None:
        return None
    return public_key_from_multibase(multibase)


def jwks() -> dict[str, list[dict[str, str]]]:
    return keyring().jwks()


def public_key(thumbprint: str) -> dict[str, str]:
    key = keyring().by_thumbprint(thumbprint)
    if key is None:
        raise NotFound("QI Academy has no signing key with this id.")
    return key.public_jwk()
