"""An LTI 1.3 launch, from the platform's login initiation to the account signed in.

`begin` (login initiation) remembers a state and a nonce and returns the platform's authorisation
URL; the platform posts back an id_token with the state; `finish` claims the state once, checks
the id_token against the platform's keys and registration, and finds or makes the account (by
the platform's `sub`, else its email, in the platform's organisation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.core.config import Settings
from app.core.db import SessionFactory, session_scope, utcnow
from app.lti import messages, platforms
from app.lti.exceptions import LaunchRefused
from app.lti.models import LtiGradeTarget, LtiLogin, LtiPlatform, LtiUser

LOGIN_LIFETIME = timedelta(minutes=10)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    url: str
    state: str


@dataclass(frozen=True)
class Launched:
    user: User
    platform: LtiPlatform
    claims: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.claims[messages.LTI + "message_type"])


def begin(session: Session, *, params: dict[str, str], settings: Settings) -> Started:
    """Login initiation (OIDC third-party initiated login): where to send the browser next."""
    issuer, hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not hint:
        raise LaunchRefused("the platform did not send its issuer and login hint")
    platform = platforms.find_platform(session, issuer=issuer, client_id=params.get("client_id"))
    if platform is None:
        raise LaunchRefused(
            f"the platform {issuer[:200]} is not registered with QI Academy; ask your QI Academy "
            "administrator to register it"
        )
    target = params.get("target_link_uri", "")
    if target and not target.startswith(settings.base_url + "/"):
        raise LaunchRefused("the activity points at a different tool's address")
    state, nonce, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    session.execute(delete(LtiLogin).where(LtiLogin.expires_at < now))
    session.add(
        LtiLogin(
            state_hash=digest(state),
            platform_id=platform.id,
            nonce=nonce,
            created_at=now,
            expires_at=now + LOGIN_LIFETIME,
        )
    )
    session.flush()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": settings.base_url + platforms.LAUNCH_PATH,
        "login_hint": hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in platform.auth_login_url else "?"
    return Started(url=f"{platform.auth_login_url}{sep}{urlencode(query)}", state=state)


def claim_login(
    *, state: str, browser_state: str | None, isolated: SessionFactory
) -> tuple[int, str]:
    """The platform and nonce this state names, marked used in its own short transaction, on
    purpose: a launch that then fails (a bad signature) must leave its state and nonce spent."""
    if not state:
        raise LaunchRefused("the platform did not send the launch's state")
    key, now = digest(state), utcnow()
    with session_scope(isolated) as tx:
        claimed = tx.execute(
            update(LtiLogin)
            .where(LtiLogin.state_hash == key, LtiLogin.used_at.is_(None))
            .where(LtiLogin.expires_at > now)
            .values(used_at=now)
        )
        row = tx.get(LtiLogin, key)
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            if row is None:
                raise LaunchRefused("this launch is not one QI Academy started")
            if row.used_at is not None:
                raise LaunchRefused("this launch has already been used (each works once)")
            raise LaunchRefused("this launch took longer than 10 minutes and has expired")
        assert row is not None
        platform_id, nonce = row.platform_id, row.nonce
    if browser_state is None or not secrets.compare_digest(browser_state, state):
        raise LaunchRefused(
            "it was started in a different browser window, or your browser blocked QI Academy's "
            "cookie; open the activity in a new window"
        )
    return platform_id, nonce


def finish(
    session: Session,
    *,
    id_token: str,
    state: str,
    browser_state: str | None,
    isolated: SessionFactory,
) -> Launched:
    """Check the launch and sign the person in."""
    platform_id, nonce = claim_login(state=state, browser_state=browser_state, isolated=isolated)
    platform = platforms.get_platform(session, platform_id=platform_id)
    keys = messages.fetch_keys(platform.keyset_url)
    claims = messages.validate_launch(
        id_token,
        keys=keys,
        issuer=platform.issuer,
        client_id=platform.client_id,
        nonce=nonce,
        deployments={d.deployment_id for d in platform.deployments},
    )
    user = account_for(session, platform=platform, claims=claims)
    return Launched(user=user, platform=platform, claims=claims)


def module_slug(claims: dict[str, Any]) -> str | None:
    """The module a resource link opens: our custom parameter (set by deep linking or by hand)."""
    custom = claims.get(messages.LTI + "custom") or {}
    slug = custom.get("qia_module") if isinstance(custom, dict) else None
    return str(slug)[:200] if slug else None


def remember_grade_target(
    session: Session, *, launch: Launched, slug: str
) -> LtiGradeTarget | None:
    """Where this learner's score for `slug` goes, when the launch names a line item."""
    endpoint = launch.claims.get(messages.AGS_ENDPOINT) or {}
    lineitem = endpoint.get("lineitem") if isinstance(endpoint, dict) else None
    if not lineitem:
        return None
    target = session.scalar(
        select(LtiGradeTarget).where(
            LtiGradeTarget.platform_id == launch.platform.id,
            LtiGradeTarget.user_id == launch.user.id,
            LtiGradeTarget.lineitem_url == str(lineitem),
        )
    )
    if target is None:
        target = LtiGradeTarget(
            platform_id=launch.platform.id,
            user_id=launch.user.id,
            subject=str(launch.claims["sub"])[:255],
            module_slug=slug,
            lineitem_url=str(lineitem)[:1000],
            created_at=utcnow(),
        )
        session.add(target)
    target.module_slug = slug
    session.flush()
    return target


def account_for(
    session: Session, *, platform: LtiPlatform, claims: dict[str, Any], sign_in: bool = True
) -> User:
    """The account for this platform's person: by `sub`, else by email, else a new one."""
    subject, now = str(claims["sub"])[:255], utcnow()
    link = session.scalar(
        select(LtiUser).where(LtiUser.platform_id == platform.id, LtiUser.subject == subject)
    )
    if link is not None:
        user = accounts_service.get_user(session, user_id=link.user_id)
        link.last_seen_at = now
    else:
        email = accounts_service.normalise_email(str(claims.get("email") or ""))
        if "@" not in email:
            raise LaunchRefused(
                "the platform did not share your email address; ask its administrator to "
                "share email addresses with QI Academy"
            )
        found = accounts_service.users_by_email(session, emails=[email]).get(email)
        if found is not None:
            user = accounts_service.get_user(session, user_id=found.id)
        else:
            org = accounts_service.get_organisation(
                session, organisation_id=platform.organisation_id
            )
            name = " ".join(str(claims.get("name") or "").split())[:200] or email.split("@")[0]
            user = accounts_service.create_user(
                session,
                email=email,
                password=None,
                full_name=name,
                organisation=org.name,
                staff_group="other",
                roles=[Role.LEARNER],
            )
            session.flush()
        session.add(
            LtiUser(
                platform_id=platform.id,
                subject=subject,
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
            )
        )
    if not user.is_active or user.deleted_at is not None:
        raise LaunchRefused("your QI Academy account has been deactivated")
    if sign_in:
        accounts_service.record_external_sign_in(
            session, user=user, organisation_id=platform.organisation_id
        )
    session.flush()
    return user
