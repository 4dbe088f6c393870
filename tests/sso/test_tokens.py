"""id_token checks and account matching, with real signed tokens: keys the test controls, and the
real provider's published keys (which a token the test signs must not pass)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.core.config import get_settings
from app.sso import oidc, service
from app.sso.exceptions import EmailNotAccepted, SignInNotFound, TokenRejected
from app.sso.models import ExternalIdentity, IdentityProvider, SsoLogin
from tests.sso.conftest import Signer

BROWSER = "browser-csrf-secret"


def _start(
    db: Session, isolated: Callable[[], Session], email: str = "alice@leeds.nhs.uk"
) -> SsoLogin:
    started = service.begin(
        db, email=email, next_path="/dashboard", browser=BROWSER, settings=get_settings()
    )
    query = parse_qs(urlsplit(started.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["nonce"][0]
    assert query["response_type"] == ["code"]
    db.commit()  # a savepoint: the isolated session (on the same connection) sees the row
    return service.claim_login(db, state=query["state"][0], browser=BROWSER, isolated=isolated)


def _claims(idp: IdentityProvider, login: SsoLogin, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "aud": "qia",
        "sub": "alice-123",
        "iat": now,
        "exp": now + 300,
        "nonce": login.nonce,
        "email": "alice@leeds.nhs.uk",
        "email_verified": True,
        "name": "Alice Adams",
    }
    return {**claims, **over}


def _rejected(db: Session, login: SsoLogin, raw: str, signer: Signer) -> str:
    with pytest.raises(TokenRejected) as caught:
        service.complete(db, login=login, raw_id_token=raw, keys=signer.keys)
    return caught.value.message


def test_a_genuine_token_makes_an_account_in_the_providers_organisation(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    done = service.complete(
        db, login=login, raw_id_token=signer.token(**_claims(idp, login)), keys=signer.keys
    )
    user = db.get(User, done.user.id)
    assert done.created
    assert user is not None
    assert (user.email, user.full_name, user.password_hash) == (
        "alice@leeds.nhs.uk",
        "Alice Adams",
        None,
    )
    assert user.organisation_id == idp.organisation_id
    assert user.staff_group == "nursing_midwifery"
    link = db.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
    assert link is not None
    assert link.subject == "alice-123"


def test_the_same_subject_with_a_changed_email_is_the_same_account(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    first = _start(db, isolated)
    one = service.complete(
        db, login=first, raw_id_token=signer.token(**_claims(idp, first)), keys=signer.keys
    )
    again = _start(db, isolated)
    changed = _claims(idp, again, email="alice.adams@leeds.nhs.uk")
    two = service.complete(db, login=again, raw_id_token=signer.token(**changed), keys=signer.keys)
    assert two.user.id == one.user.id
    assert not two.created


def test_an_existing_account_with_the_verified_email_is_linked_not_duplicated(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    existing = accounts_service.create_user(
        db,
        email="Alice@Leeds.nhs.uk",
        password="three random words",
        full_name="Alice A",
        organisation=None,
        staff_group="other",
        roles=[],
    )
    login = _start(db, isolated)
    done = service.complete(
        db, login=login, raw_id_token=signer.token(**_claims(idp, login)), keys=signer.keys
    )
    assert done.user.id == existing.id
    assert not done.created
    assert done.user.organisation_id == idp.organisation_id  # linked to the organisation


def test_an_unverified_email_or_one_outside_the_domains_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    unverified = signer.token(**_claims(idp, login, email_verified=False))
    with pytest.raises(EmailNotAccepted, match="has not confirmed your email address"):
        service.complete(db, login=login, raw_id_token=unverified, keys=signer.keys)
    elsewhere = signer.token(**_claims(idp, login, email="mallory@other.example"))
    with pytest.raises(EmailNotAccepted, match=r"leeds\.nhs\.uk addresses only"):
        service.complete(db, login=login, raw_id_token=elsewhere, keys=signer.keys)
    assert accounts_service.users_by_email(db, emails=["mallory@other.example"]) == {}


def test_a_token_signed_with_another_key_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    forger = Signer(kid=signer.kid)  # same key id, different key
    message = _rejected(db, login, forger.token(**_claims(idp, login)), signer)
    assert "signature does not match" in message


def test_a_token_the_test_signs_fails_against_the_real_providers_keys(
    db: Session, idp: IdentityProvider, isolated: Callable[[], Session]
) -> None:
    """The provider publishes its own key as test-key-1; a token we sign with that kid is forged."""
    login = _start(db, isolated)
    meta = oidc.discover(idp.issuer)
    published = oidc.fetch_keys(meta)
    forged = Signer(kid="test-key-1").token(**_claims(idp, login))
    with pytest.raises(TokenRejected, match="signature does not match"):
        service.complete(db, login=login, raw_id_token=forged, keys=published)
    unknown = Signer(kid="not-published").token(**_claims(idp, login))
    with pytest.raises(TokenRejected, match="does not publish"):
        service.complete(db, login=login, raw_id_token=unknown, keys=published)


def test_a_token_with_the_wrong_nonce_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    raw = signer.token(**_claims(idp, login, nonce="a-nonce-from-another-sign-in"))
    assert "does not belong to this sign-in" in _rejected(db, login, raw, signer)


def test_a_token_for_another_audience_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    raw = signer.token(**_claims(idp, login, aud="some-other-app"))
    assert "different application" in _rejected(db, login, raw, signer)


def test_an_expired_token_or_one_from_another_issuer_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    login = _start(db, isolated)
    old = int(time.time()) - 3600
    expired = signer.token(**_claims(idp, login, iat=old, exp=old + 300))
    assert "has expired" in _rejected(db, login, expired, signer)
    other = signer.token(**_claims(idp, login, iss="https://evil.example"))
    assert "different service" in _rejected(db, login, other, signer)


def test_a_replayed_token_is_refused(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    """The same answer twice: its state is spent. In a new sign-in: its nonce is not that one's."""
    started = service.begin(
        db, email="alice@leeds.nhs.uk", next_path=None, browser=BROWSER, settings=get_settings()
    )
    state = parse_qs(urlsplit(started.url).query)["state"][0]
    db.commit()
    login = service.claim_login(db, state=state, browser=BROWSER, isolated=isolated)
    raw = signer.token(**_claims(idp, login))
    service.complete(db, login=login, raw_id_token=raw, keys=signer.keys)
    with pytest.raises(SignInNotFound, match="already been used"):
        service.claim_login(db, state=state, browser=BROWSER, isolated=isolated)
    fresh = _start(db, isolated)
    assert "does not belong to this sign-in" in _rejected(db, fresh, raw, signer)


def test_a_sign_in_started_in_another_browser_is_refused(
    db: Session, idp: IdentityProvider, isolated: Callable[[], Session]
) -> None:
    assert idp.id
    started = service.begin(
        db, email="alice@leeds.nhs.uk", next_path=None, browser=BROWSER, settings=get_settings()
    )
    state = parse_qs(urlsplit(started.url).query)["state"][0]
    db.commit()
    with pytest.raises(SignInNotFound, match="different browser"):
        service.claim_login(db, state=state, browser="someone-else", isolated=isolated)
    with pytest.raises(SignInNotFound, match="already been used"):  # and the state is spent
        service.claim_login(db, state=state, browser=BROWSER, isolated=isolated)


def test_after_the_holder_deletes_their_account_signing_in_again_makes_a_new_one(
    db: Session, idp: IdentityProvider, signer: Signer, isolated: Callable[[], Session]
) -> None:
    first = _start(db, isolated)
    old = service.complete(
        db, login=first, raw_id_token=signer.token(**_claims(idp, first)), keys=signer.keys
    )
    accounts_service.anonymise_user(db, user=old.user)
    assert (
        db.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == old.user.id)) is None
    )
    again = _start(db, isolated)
    new = service.complete(
        db, login=again, raw_id_token=signer.token(**_claims(idp, again)), keys=signer.keys
    )
    assert new.created
    assert new.user.id != old.user.id
