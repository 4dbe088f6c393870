"""Deep Linking 2.0: a teacher picks QI Academy modules; we answer with a signed
LtiDeepLinkingResponse of ltiResourceLink items, each with a line item for its quiz score."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.core.config import Settings
from app.core.db import utcnow
from app.lti import keys, messages, platforms
from app.lti.exceptions import DeepLinkExpired, LaunchRefused, NoModulesChosen
from app.lti.launches import Launched, digest
from app.lti.models import LtiDeepLink

LIFETIME = timedelta(hours=1)
SCORE_MAXIMUM = 100


@dataclass(frozen=True)
class Response:
    return_url: str
    jwt: str
    count: int


def start(session: Session, *, launch: Launched) -> str:
    """Keep the request while the teacher chooses; returns the token for the choosing page."""
    settings = launch.claims[messages.DL + "deep_linking_settings"]
    accepted = settings.get("accept_types") or []
    if "ltiResourceLink" not in accepted:
        raise LaunchRefused(
            "the platform does not accept LTI resource links here, so QI Academy modules cannot "
            "be added; choose QI Academy as an external tool activity instead"
        )
    token = secrets.token_urlsafe(32)
    data = settings.get("data")
    session.add(
        LtiDeepLink(
            token_hash=digest(token),
            platform_id=launch.platform.id,
            deployment_id=str(launch.claims[messages.LTI + "deployment_id"]),
            user_id=launch.user.id,
            return_url=str(settings["deep_link_return_url"])[:1000],
            data=str(data)[:2000] if data is not None else None,
            accept_multiple=settings.get("accept_multiple", True) is not False,
            expires_at=utcnow() + LIFETIME,
        )
    )
    session.flush()
    return token


def pending(session: Session, *, token: str, user_id: int) -> LtiDeepLink:
    row = session.get(LtiDeepLink, digest(token))
    if row is None or row.user_id != user_id or row.used_at is not None:
        raise DeepLinkExpired()
    if row.expires_at.replace(tzinfo=None) < utcnow().replace(tzinfo=None):
        raise DeepLinkExpired()
    return row


def _item(settings: Settings, slug: str, title: str) -> dict[str, Any]:
    return {
        "type": "ltiResourceLink",
        "title": title,
        "url": settings.base_url + platforms.LAUNCH_PATH,
        "custom": {"qia_module": slug},
        "lineItem": {"scoreMaximum": SCORE_MAXIMUM, "label": f"{title} quiz", "resourceId": slug},
    }


def respond(
    session: Session,
    *,
    token: str,
    user_id: int,
    slugs: list[str],
    registry: ContentRegistry,
    settings: Settings,
) -> Response:
    """The signed response with the chosen modules; the request is used up."""
    row = pending(session, token=token, user_id=user_id)
    chosen = [registry.get(s) for s in dict.fromkeys(slugs)]
    modules = [m for m in chosen if m is not None]
    if not modules or (len(modules) > 1 and not row.accept_multiple):
        raise NoModulesChosen()
    claimed = session.execute(
        update(LtiDeepLink)
        .where(LtiDeepLink.token_hash == row.token_hash, LtiDeepLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if int(getattr(claimed, "rowcount", 0) or 0) != 1:
        raise DeepLinkExpired()
    platform = platforms.get_platform(session, platform_id=row.platform_id)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "azp": platform.client_id,
        "iat": now,
        "exp": now + 600,
        "nonce": uuid.uuid4().hex,
        messages.LTI + "message_type": "LtiDeepLinkingResponse",
        messages.LTI + "version": messages.VERSION,
        messages.LTI + "deployment_id": row.deployment_id,
        messages.DL + "content_items": [_item(settings, m.slug, m.meta.title) for m in modules],
    }
    if row.data is not None:
        claims[messages.DL + "data"] = row.data
    jwt = keys.sign(session, settings, claims)
    return Response(return_url=row.return_url, jwt=jwt, count=len(modules))
