"""OpenID Connect as a relying party, with authlib: discovery, the authorization request (PKCE,
state, nonce), the code exchange, the provider's keys, and the id_token checks.

No database here: `service` keeps what must be remembered between the two legs of a sign-in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Lock
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

from app.sso.exceptions import DiscoveryFailed, ProviderRefused, ProviderUnreachable, TokenRejected

SCOPE = "openid email profile"
TIMEOUT = httpx.Timeout(10.0)
CACHE_SECONDS = 300  # discovery documents change rarely; keys are fetched for every sign-in
LEEWAY_SECONDS = 60  # clock difference allowed between us and the provider
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

# What each failed claim means to the person signing in.
_CLAIM_REASONS = {
    "iss": "it was issued by a different service from the one registered for your organisation",
    "aud": "it was issued for a different application, not QI Academy",
    "azp": "it was issued for a different application, not QI Academy",
    "nonce": "it does not belong to this sign-in (the nonce does not match)",
    "exp": "it has expired",
    "iat": "its issue time is missing or wrong",
    "nbf": "it is not valid yet (check the clocks)",
    "sub": "it does not say who you are (no subject)",
}


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]


_cache: dict[str, tuple[float, ProviderMetadata]] = {}
_lock = Lock()


def _get_json(url: str) -> Any:
    response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
    response.raise_for_status()
    return response.json()


def discover(issuer: str, *, fresh: bool = False) -> ProviderMetadata:
    """The provider's discovery document, checked: its `issuer` must be exactly the one given."""
    with _lock:
        cached = _cache.get(issuer)
    if cached and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        doc = _get_json(url)
    except (httpx.HTTPError, ValueError) as exc:
        raise DiscoveryFailed(f"{url} answered {type(exc).__name__}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("issuer") != issuer:
        found = doc.get("issuer") if isinstance(doc, dict) else None
        raise DiscoveryFailed(f"it names the issuer {found!r}, not {issuer!r}")
    missing = [
        k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not doc.get(k)
    ]
    if missing:
        raise DiscoveryFailed("it has no " + ", ".join(missing))
    algorithms = [a for a in doc.get("id_token_signing_alg_values_supported", []) if a != "none"]
    meta = ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=doc["authorization_endpoint"],
        token_endpoint=doc["token_endpoint"],
        jwks_uri=doc["jwks_uri"],
        end_session_endpoint=doc.get("end_session_endpoint"),
        userinfo_endpoint=doc.get("userinfo_endpoint"),
        algorithms=tuple(a for a in algorithms if a in _ALGORITHMS) or ("RS256",),
    )
    with _lock:
        _cache[issuer] = (time.monotonic(), meta)
    return meta


def authorization_url(
    meta: ProviderMetadata,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
    login_hint: str | None = None,
) -> str:
    """Where to send the browser: the code flow with an S256 PKCE challenge, state and nonce."""
    client = OAuth2Client(
        client_id=client_id, redirect_uri=redirect_uri, scope=SCOPE, code_challenge_method="S256"
    )
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = client.create_authorization_url(
        meta.authorization_endpoint,
        state=state,
        nonce=nonce,
        code_verifier=code_verifier,
        **extra,
    )
    return str(url)


def exchange_code(
    meta: ProviderMetadata,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> tuple[str, str | None]:
    """Trade the authorization code (and the PKCE verifier) for tokens: the raw id_token and
    the access token (for the userinfo endpoint)."""
    client = OAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        timeout=TIMEOUT,
    )
    try:
        with client:
            token = client.fetch_token(
                meta.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except OAuthError as exc:
        raise ProviderRefused(exc.error or "token request refused") from exc
    except httpx.HTTPError as exc:
        raise ProviderUnreachable(meta.token_endpoint) from exc
    raw = token.get("id_token")
    if not isinstance(raw, str):
        raise TokenRejected("the provider sent no id_token")
    access = token.get("access_token")
    return raw, access if isinstance(access, str) else None


def userinfo(meta: ProviderMetadata, *, access_token: str, subject: str) -> dict[str, Any]:
    """The provider's userinfo for the person the id_token named (its `sub` must match).

    Conformant providers put email and name there rather than in the id_token when they are
    asked for by scope (OpenID Connect Core 5.4).
    """
    if not meta.userinfo_endpoint:
        return {}
    try:
        response = httpx.get(
            meta.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnreachable(meta.userinfo_endpoint) from exc
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise TokenRejected("its user information names someone else")
    return info


def fetch_keys(meta: ProviderMetadata) -> KeySet:
    """The provider's published signing keys (JWKS)."""
    try:
        return KeySet.import_key_set(_get_json(meta.jwks_uri))
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise ProviderUnreachable(meta.jwks_uri) from exc


def validate_id_token(
    raw: str,
    *,
    meta: ProviderMetadata,
    keys: KeySet,
    client_id: str,
    nonce: str,
    now: int | None = None,
) -> dict[str, Any]:
    """The id_token's claims if it is genuine and meant for this sign-in, else TokenRejected.

    Signature from the provider's keys (only asymmetric algorithms it announces), then issuer,
    audience (and azp), expiry, issue time and nonce (authlib's CodeIDToken rules).
    """
    try:
        token = jwt.decode(raw, keys, algorithms=list(meta.algorithms))
    except BadSignatureError as exc:
        raise TokenRejected("its signature does not match your organisation's keys") from exc
    except InvalidKeyIdError as exc:
        raise TokenRejected("it was signed with a key your organisation does not publish") from exc
    except (JoseError, ValueError) as exc:
        raise TokenRejected("it is not a valid signed id_token") from exc
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": meta.issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    claims = CodeIDToken(
        token.claims, token.header, options, {"nonce": nonce, "client_id": client_id}
    )
    try:
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as exc:
        raise TokenRejected(_CLAIM_REASONS["exp"]) from exc
    except ClaimError as exc:
        reason = _CLAIM_REASONS.get(exc.claim, f"its '{exc.claim}' claim is not right")
        raise TokenRejected(reason) from exc
    return dict(claims)


def end_session_url(
    meta: ProviderMetadata, *, client_id: str, post_logout_redirect_uri: str
) -> str | None:
    """The provider's sign-out page for this client (RP-initiated logout), if it has one."""
    if not meta.end_session_endpoint:
        return None
    query = httpx.QueryParams(
        {"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    sep = "&" if "?" in meta.end_session_endpoint else "?"
    return f"{meta.end_session_endpoint}{sep}{query}"
