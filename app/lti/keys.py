"""The tool's signing key (made when the first platform is registered) and the JWKS it publishes."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.lti.models import LtiToolKey

ALG = "RS256"  # the LTI 1.3 security framework's required algorithm


def _fernet(settings: Settings) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"qia-lti-tool-key")
    return Fernet(base64.urlsafe_b64encode(key.derive(settings.secret_key.encode())))


def ensure_key(session: Session, settings: Settings) -> str:
    """The current key's id, making the key first if there is none (on a write, never a GET)."""
    kid = session.scalar(select(LtiToolKey.kid).order_by(LtiToolKey.created_at.desc()).limit(1))
    if kid:
        return kid
    kid = secrets.token_hex(8)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALG})
    sealed = _fernet(settings).encrypt(json.dumps(key.as_dict(private=True)).encode()).decode()
    session.add(LtiToolKey(kid=kid, private_jwk_encrypted=sealed, created_at=utcnow()))
    session.flush()
    return kid


def _private(session: Session, settings: Settings) -> RSAKey:
    kid = ensure_key(session, settings)
    row = session.get(LtiToolKey, kid)
    assert row is not None
    data = _fernet(settings).decrypt(row.private_jwk_encrypted.encode()).decode()
    return RSAKey.import_key(json.loads(data))


def jwks(session: Session, settings: Settings) -> dict[str, Any]:
    """The public keys, as platforms fetch them from /lti/jwks."""
    keys = []
    for row in session.scalars(select(LtiToolKey).order_by(LtiToolKey.created_at)):
        data = _fernet(settings).decrypt(row.private_jwk_encrypted.encode()).decode()
        public = RSAKey.import_key(json.loads(data)).as_dict(private=False)
        keys.append({**public, "kid": row.kid, "use": "sig", "alg": ALG})
    return {"keys": keys}


def sign(session: Session, settings: Settings, claims: dict[str, Any]) -> str:
    """A JWT signed with the tool's key, its kid in the header."""
    key = _private(session, settings)
    return jwt.encode({"alg": ALG, "kid": key.kid, "typ": "JWT"}, claims, key)
