"""LRS passwords at rest: encrypted with a key derived from QIA_SECRET_KEY, as single sign-on's
client secrets are (its own derivation label, so one key never opens the other's secrets)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.config import Settings
from app.xapi.exceptions import LrsSecretUnreadable


def _fernet(settings: Settings) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"qia-xapi-lrs-password")
    return Fernet(base64.urlsafe_b64encode(key.derive(settings.secret_key.encode())))


def seal(secret: str, settings: Settings) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def unseal(sealed: str, settings: Settings) -> str:
    try:
        return _fernet(settings).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:  # QIA_SECRET_KEY changed since the password was saved
        raise LrsSecretUnreadable() from exc
