"""Signing in through an organisation's identity provider, from the email address typed to the
account signed in; and what to offer at sign-out.

The flow (OpenID Connect, authorization code with PKCE): `begin` remembers a state, a nonce and a
PKCE verifier and returns the provider's URL; the provider sends the browser back with a code;
`finish` claims the state once, trades the code for an id_token, checks it, and finds the account
by the provider's `sub`, else by a verified email in one of the provider's domains, else makes one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.core.config import Settings
from app.core.db import SessionFactory, session_scope, utcnow
from app.core.errors import AppError
from app.core.forms import safe_next
from app.sso import crypto, oidc
from app.sso.exceptions import (
    AccountDeactivated,
    DiscoveryFailed,
    EmailNotAccepted,
    NoProviderForDomain,
    ProviderRefused,
    ProviderUnreachable,
    SignInNotFound,
)
from app.sso.models import ExternalIdentity, IdentityProvider, SsoLogin
from app.sso.providers import (
    get_provider,
    post_logout_redirect_uri,
    provider_for_domain,
    redirect_uri,
)

LOGIN_LIFETIME = timedelta(minutes=10)  # from leaving our page to coming back from the provider


@dataclass(frozen=True)
class Authorization:
    url: str
    provider: str


@dataclass(frozen=True)
class SignedIn:
    user: User
    provider_id: int
    created: bool  # a new account, made just now
    next_path: str = "/dashboard"


@dataclass(frozen=True)
class SignOutOffer:
    organisation: str
    url: str | None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def begin(
    session: Session, *, email: str, next_path: str | None, browser: str, settings: Settings
) -> Authorization:
    """Find the provider for this email's domain and return where to send the browser."""
    domain = _domain(email)
    provider = provider_for_domain(session, domain=domain) if domain else None
    if provider is None:
        raise NoProviderForDomain(domain or "these")
    try:
        meta = oidc.discover(provider.issuer)
    except DiscoveryFailed as exc:
        raise ProviderUnreachable(provider.issuer) from exc
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks for 43 to 128
    now = utcnow()
    session.execute(delete(SsoLogin).where(SsoLogin.expires_at < now))
    session.add(
        SsoLogin(
            state_hash=_hash(state),
            provider_id=provider.id,
            nonce=nonce,
            code_verifier=verifier,
            browser_hash=_hash(browser),
            next_path=safe_next(next_path),
            created_at=now,
            expires_at=now + LOGIN_LIFETIME,
        )
    )
    session.flush()
    url = oidc.authorization_url(
        meta,
        client_id=provider.client_id,
        redirect_uri=redirect_uri(settings),
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        login_hint=email.strip(),
    )
    return Authorization(url=url, provider=provider.name)


def claim_login(
    session: Session, *, state: str, browser: str, isolated: SessionFactory
) -> SsoLogin:
    """The sign-in this state names, marked used: each state (and its nonce) works once.

    Marked in its own short transaction, on purpose: a callback that then fails (a bad
    id_token) rolls its request back, and the state must stay spent all the same.
    """
    if not state:
        raise SignInNotFound("did not come back with its state")
    key, now = _hash(state), utcnow()
    with session_scope(isolated) as tx:
        claimed = tx.execute(
            update(SsoLogin)
            .where(SsoLogin.state_hash == key, SsoLogin.used_at.is_(None))
            .where(SsoLogin.expires_at > now)
            .values(used_at=now)
        )
        won = int(getattr(claimed, "rowcount", 0) or 0) == 1
        row = tx.get(SsoLogin, key)
        if not won:
            if row is None:
                raise SignInNotFound("is not one we started")
            if row.used_at is not None:
                raise SignInNotFound("has already been used: each one works once")
            raise SignInNotFound("took longer than 10 minutes and has expired")
    login = session.get(SsoLogin, key)
    if login is None or not secrets.compare_digest(login.browser_hash, _hash(browser)):
        raise SignInNotFound("was started in a different browser")
    return login


def finish(
    session: Session,
    *,
    state: str,
    code: str,
    error: str,
    browser: str,
    settings: Settings,
    isolated: SessionFactory,
) -> SignedIn:
    """The provider's answer: claim the state, trade the code, check the id_token, sign in."""
    login = claim_login(session, state=state, browser=browser, isolated=isolated)
    if error:
        raise ProviderRefused(error)
    if not code:
        raise ProviderRefused("no authorization code")
    provider = get_provider(session, provider_id=login.provider_id)
    try:
        meta = oidc.discover(provider.issuer)
    except DiscoveryFailed as exc:
        raise ProviderUnreachable(provider.issuer) from exc
    raw, access_token = oidc.exchange_code(
        meta,
        client_id=provider.client_id,
        client_secret=crypto.unseal(provider.client_secret_encrypted, settings),
        redirect_uri=redirect_uri(settings),
        code=code,
        code_verifier=login.code_verifier,
    )
    keys = oidc.fetch_keys(meta)
    return complete(session, login=login, raw_id_token=raw, keys=keys, access_token=access_token)


def complete(
    session: Session,
    *,
    login: SsoLogin,
    raw_id_token: str,
    keys: KeySet,
    access_token: str | None = None,
) -> SignedIn:
    """Check the id_token against this sign-in (keys, issuer, audience, expiry, nonce) and find
    or make the account. Email and name come from userinfo when the id_token leaves them out."""
    provider = get_provider(session, provider_id=login.provider_id)
    meta = oidc.discover(provider.issuer)
    claims = oidc.validate_id_token(
        raw_id_token,
        meta=meta,
        keys=keys,
        client_id=provider.client_id,
        nonce=login.nonce,
    )
    if "email" not in claims and access_token:
        info = oidc.userinfo(meta, access_token=access_token, subject=str(claims["sub"]))
        claims = {**info, **claims}  # the signed claims win
    done = account_for(session, provider=provider, claims=claims)
    return SignedIn(done.user, done.provider_id, done.created, next_path=login.next_path)


def _email(provider: IdentityProvider, claims: dict[str, Any], organisation: str) -> str:
    """The claimed email, if it may find or make an account: verified, in the provider's domains."""
    email = accounts_service.normalise_email(str(claims.get("email") or ""))
    if not email or "@" not in email:
        raise EmailNotAccepted(
            "Your organisation's sign-in did not tell us your email address, so we cannot find "
            "or make your account. Ask your IT service desk to share the email claim with QI Academy."
        )
    domains = [d.domain for d in provider.domains]
    if _domain(email) not in domains:
        raise EmailNotAccepted(
            f"Your organisation's sign-in gave the address {email[:254]}, but {organisation} signs "
            f"in people with {', '.join(domains)} addresses only. Ask your QI Academy administrator."
        )
    if claims.get("email_verified") is not True and not provider.trust_email:
        raise EmailNotAccepted(
            "Your organisation's sign-in has not confirmed your email address, so we cannot link "
            "it to an account. Ask your IT service desk, or sign in with your password."
        )
    return email


def account_for(
    session: Session, *, provider: IdentityProvider, claims: dict[str, Any]
) -> SignedIn:
    """The account for these checked claims: by `sub`, else by verified email, else a new one."""
    subject, now = str(claims["sub"])[:255], utcnow()
    link = session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == subject
        )
    )
    created = False
    if link is not None:
        user = accounts_service.get_user(session, user_id=link.user_id)
        link.last_seen_at = now
        organisation_id = None
    else:
        org = accounts_service.get_organisation(session, organisation_id=provider.organisation_id)
        email = _email(provider, claims, org.name)
        found = accounts_service.users_by_email(session, emails=[email]).get(email)
        if found is not None:
            user = accounts_service.get_user(session, user_id=found.id)
        else:
            user, created = _new_account(session, provider, claims, email, org.name), True
        session.add(
            ExternalIdentity(
                provider_id=provider.id,
                subject=subject,
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
            )
        )
        # The provider speaks for the organisation: a linked account belongs to it.
        organisation_id = provider.organisation_id
    if not user.is_active or user.deleted_at is not None:
        raise AccountDeactivated()
    accounts_service.record_external_sign_in(session, user=user, organisation_id=organisation_id)
    return SignedIn(user=user, provider_id=provider.id, created=created)


def _new_account(
    session: Session,
    provider: IdentityProvider,
    claims: dict[str, Any],
    email: str,
    organisation: str,
) -> User:
    name = " ".join(str(claims.get("name") or "").split())[:200] or email.split("@", 1)[0]
    user = accounts_service.create_user(
        session,
        email=email,
        password=None,  # they sign in through their organisation; a reset link can set one
        full_name=name,
        organisation=organisation,
        staff_group=provider.default_staff_group,
        roles=[Role.LEARNER],
    )
    session.flush()
    return user


def sign_out_offer(session: Session, *, provider_id: int, settings: Settings) -> SignOutOffer:
    """The organisation whose sign-in was used, and its provider's sign-out page if it has one."""
    provider = get_provider(session, provider_id=provider_id)
    org = accounts_service.get_organisation(session, organisation_id=provider.organisation_id)
    try:
        meta = oidc.discover(provider.issuer)
    except AppError:  # an unreachable provider must not spoil our own sign-out page
        return SignOutOffer(organisation=org.name, url=None)
    url = oidc.end_session_url(
        meta,
        client_id=provider.client_id,
        post_logout_redirect_uri=post_logout_redirect_uri(settings),
    )
    return SignOutOffer(organisation=org.name, url=url)
