"""Single sign-on fixtures: a real OpenID provider, an organisation registered with it, test keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.core.config import get_settings
from app.sso import providers
from app.sso.models import IdentityProvider
from app.sso.schemas import ProviderCreate
from tests.sso import provider as oidc_provider

ACCOUNTS = {
    "alice": {"email": "alice@leeds.nhs.uk", "email_verified": True, "name": "Alice Adams"},
}


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    """node-oidc-provider, with QI Academy (as the tests serve it) registered as client `qia`."""
    clients = [oidc_provider.client("qia", "http://testserver")]
    with oidc_provider.running(clients, ACCOUNTS) as url:
        yield url


@pytest.fixture
def isolated(db: Session) -> Callable[[], Session]:
    """'Its own transaction' inside the test's rolled-back one (as the app fixture does)."""
    return lambda: Session(
        bind=db.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def idp(db: Session, issuer: str) -> IdentityProvider:
    """Leeds Teaching Hospitals' provider, registered by an admin (its discovery is checked)."""
    admin = accounts_service.create_user(
        db,
        email="admin@qi.example",
        password=None,
        full_name="Ada Admin",
        organisation=None,
        staff_group="other",
        roles=[Role.ADMIN],
    )
    org = accounts_service.create_organisation(
        db, name="Leeds Teaching Hospitals", kind="nhs_trust", region=None
    )
    db.flush()
    data = ProviderCreate(
        name="Leeds Teaching Hospitals",
        issuer=issuer,
        client_id="qia",
        client_secret=oidc_provider.CLIENT_SECRET,
        domains=["leeds.nhs.uk"],
        organisation_id=org.id,
        default_staff_group="nursing_midwifery",
    )
    return providers.register_provider(db, actor=admin, data=data, settings=get_settings())


class Signer:
    """Signs id_tokens with a key the test controls; `keys` is what the provider publishes."""

    def __init__(self, kid: str = "test-key-1") -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})
        self.kid = kid

    @property
    def keys(self) -> KeySet:
        return KeySet([RSAKey.import_key(self.key.as_dict(private=False))])

    def token(self, **claims: Any) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.kid}, claims, self.key)


@pytest.fixture
def signer() -> Signer:
    return Signer()
