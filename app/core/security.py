"""Password hashing (Argon2id), session/API JWTs (python-jose, explicit algorithm) and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from jose import JWTError, jwt

from app.core.config import Settings

# OWASP password storage cheat sheet: Argon2id, m=19 MiB, t=2, p=1 (the minimum it recommends).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when an email is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def create_access_token(
    *, settings: Settings, user_id: int, token_version: int, session_id: str
) -> str:
    """A signed session token: `sid` names the server-side session that signing out ends."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "ver": token_version,
        "sid": session_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=settings.token_minutes),
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, *, settings: Settings) -> dict[str, Any] | None:
    """Return the claims of a valid token, or None: wrong key, alg, audience, issuer or expired.

    A token that verified once is remembered (by its exact bytes, so any change misses the cache);
    its expiry is still checked on every use. Verifying costs more than the rest of a page.
    """
    key = (token, settings.secret_key)
    cached = _verified.get(key)
    if cached is not None:
        if cached["exp"] > datetime.now(UTC).timestamp():
            return cached
        _verified.pop(key, None)
        return None
    claims = _decode(token, settings=settings)
    if claims is not None:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[key] = claims
    return claims


_VERIFIED_MAX = 10_000
_verified: dict[tuple[str, str], dict[str, Any]] = {}


def _decode(token: str, *, settings: Settings) -> dict[str, Any] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[JWT_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={
                "require_exp": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
            },
        )
    except (JWTError, ValueError, TypeError):
        return None
    if not str(claims.get("sub", "")).isdigit() or not isinstance(claims.get("ver"), int):
        return None
    if not isinstance(claims.get("sid"), str) or len(claims["sid"]) > 64:
        return None  # a token from before sessions were recorded: sign in again
    if len(claims["sub"]) > 18:
        return None
    return claims


def new_csrf_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token_for(binding: str, *, settings: Settings) -> str:
    """An HMAC of what the token is bound to: "session:<sid>" when signed in, else
    "anonymous:<csrf cookie>". Another browser's token, or one from before signing in, fails."""
    message = f"csrf|{binding}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def csrf_token_valid(binding: str | None, token: str | None, *, settings: Settings) -> bool:
    if not binding or not token or len(token) > 128:
        return False
    return hmac.compare_digest(csrf_token_for(binding, settings=settings), token)
