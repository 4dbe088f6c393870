"""LTI 1.3 messages with joserfc: the platform's keys, the launch id_token's checks (signature,
iss, aud, azp, expiry, nonce, message type, version, deployment) and the claims we use.

No database here: `launches` keeps the state and nonce between the two legs of a launch.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from app.lti.exceptions import LaunchRefused, PlatformUnreachable

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
VERSION = "1.3.0"
INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
)
LEARNER_ROLES = ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)
TIMEOUT = httpx.Timeout(10.0)
LEEWAY_SECONDS = 60
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256"]


def fetch_keys(keyset_url: str) -> KeySet:
    """The platform's public keys, from its keyset URL."""
    try:
        response = httpx.get(keyset_url, timeout=TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())
    except httpx.HTTPError as exc:
        raise PlatformUnreachable(f"its keyset URL {keyset_url}: {exc}") from exc
    except (ValueError, JoseError) as exc:
        raise LaunchRefused("the platform's keyset URL does not give a JSON Web Key Set") from exc


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise LaunchRefused(reason)


def validate_launch(
    raw: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    deployments: set[str],
    now: float | None = None,
) -> dict[str, Any]:
    """The id_token's claims if it is genuine and meant for this launch, else LaunchRefused."""
    try:
        token = jwt.decode(raw, keys, algorithms=_ALGORITHMS)
    except BadSignatureError as exc:
        raise LaunchRefused("its signature does not match the platform's keys") from exc
    except InvalidKeyIdError as exc:
        raise LaunchRefused("it was signed with a key the platform does not publish") from exc
    except (JoseError, ValueError) as exc:
        raise LaunchRefused("it is not a valid signed LTI message") from exc
    claims = dict(token.claims)
    moment = now if now is not None else time.time()
    _check(
        claims.get("iss") == issuer, "it was sent by a different platform from the one registered"
    )
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    _check(client_id in auds, "it was meant for a different tool (audience), not QI Academy")
    _check(
        ("azp" not in claims and len(auds) == 1) or claims.get("azp") == client_id,
        "it was meant for a different tool (authorised party), not QI Academy",
    )
    exp, iat = claims.get("exp"), claims.get("iat")
    _check(isinstance(exp, int | float) and exp + LEEWAY_SECONDS > moment, "it has expired")
    _check(
        isinstance(iat, int | float) and iat - LEEWAY_SECONDS < moment, "its issue time is wrong"
    )
    _check(
        claims.get("nonce") == nonce, "it does not belong to this launch (the nonce does not match)"
    )
    kind = claims.get(LTI + "message_type")
    _check(
        kind in (RESOURCE_LINK, DEEP_LINKING),
        f"it is a message of a kind we do not handle ({str(kind)[:60]})",
    )
    _check(claims.get(LTI + "version") == VERSION, "it is not an LTI 1.3.0 message")
    deployment = claims.get(LTI + "deployment_id")
    _check(
        isinstance(deployment, str) and deployment in deployments,
        f"it came from a deployment that is not registered ({str(deployment)[:80]}); ask your "
        "QI Academy administrator to add the deployment ID",
    )
    _check(bool(claims.get("sub")), "it does not say who you are (no subject)")
    if kind == RESOURCE_LINK:
        link = claims.get(LTI + "resource_link")
        _check(isinstance(link, dict) and bool(link.get("id")), "it has no resource link")
    else:
        settings = claims.get(DL + "deep_linking_settings")
        _check(
            isinstance(settings, dict) and bool(settings.get("deep_link_return_url")),
            "it has no deep-linking return URL",
        )
    return claims


def is_instructor(claims: dict[str, Any]) -> bool:
    roles = claims.get(LTI + "roles") or []
    return any(r in INSTRUCTOR_ROLES for r in roles)


def service_token(*, token_url: str, client_assertion: str, scopes: list[str]) -> str:
    """An access token from the platform's token URL (client credentials, signed JWT assertion)."""
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion,
        "scope": " ".join(scopes),
    }
    response = httpx.post(token_url, data=data, timeout=TIMEOUT)
    if response.status_code != 200:
        raise PlatformUnreachable(
            f"its token URL answered {response.status_code}: {response.text[:200]}"
        )
    return str(response.json()["access_token"])


def scores_url(lineitem_url: str) -> str:
    """The line item's scores endpoint: '/scores' on its path, its query kept."""
    path, sep, query = lineitem_url.partition("?")
    return f"{path.rstrip('/')}/scores{sep}{query}"
