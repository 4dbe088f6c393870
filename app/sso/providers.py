"""Identity providers as admins register and change them: one per organisation's sign-in service."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit
from app.core.config import Settings
from app.sso import crypto, oidc
from app.sso.exceptions import DomainTaken, ProviderNotFound
from app.sso.models import IdentityProvider, ProviderDomain
from app.sso.schemas import ProviderCreate, ProviderPublic, ProviderUpdate

CALLBACK_PATH = "/sso/callback"
AFTER_PROVIDER_SIGN_OUT_PATH = "/login"


def redirect_uri(settings: Settings) -> str:
    return settings.base_url + CALLBACK_PATH


def post_logout_redirect_uri(settings: Settings) -> str:
    return settings.base_url + AFTER_PROVIDER_SIGN_OUT_PATH


def to_public(session: Session, provider: IdentityProvider, settings: Settings) -> ProviderPublic:
    org = accounts_service.get_organisation(session, organisation_id=provider.organisation_id)
    return ProviderPublic(
        id=provider.id,
        name=provider.name,
        issuer=provider.issuer,
        client_id=provider.client_id,
        domains=[d.domain for d in provider.domains],
        organisation_id=provider.organisation_id,
        organisation=org.name,
        default_staff_group=provider.default_staff_group,  # type: ignore[arg-type]
        trust_email=provider.trust_email,
        enabled=provider.enabled,
        redirect_uri=redirect_uri(settings),
        post_logout_redirect_uri=post_logout_redirect_uri(settings),
        created_at=provider.created_at,
    )


def list_providers(session: Session, settings: Settings) -> list[ProviderPublic]:
    providers = session.scalars(
        select(IdentityProvider).order_by(func.lower(IdentityProvider.name), IdentityProvider.id)
    )
    return [to_public(session, p, settings) for p in providers]


def get_provider(session: Session, *, provider_id: int) -> IdentityProvider:
    provider = session.get(IdentityProvider, provider_id)
    if provider is None:
        raise ProviderNotFound()
    return provider


def provider_for_domain(session: Session, *, domain: str) -> IdentityProvider | None:
    """The enabled provider people with `domain` addresses sign in through, if any."""
    return session.scalar(
        select(IdentityProvider)
        .join(ProviderDomain, ProviderDomain.provider_id == IdentityProvider.id)
        .where(ProviderDomain.domain == domain.lower(), IdentityProvider.enabled.is_(True))
    )


def _claim_domains(session: Session, provider: IdentityProvider, domains: list[str]) -> None:
    taken = session.scalars(
        select(ProviderDomain.domain).where(
            ProviderDomain.domain.in_(domains), ProviderDomain.provider_id != provider.id
        )
    ).first()
    if taken:
        raise DomainTaken(taken)
    keep = {d.domain: d for d in provider.domains}
    provider.domains = [keep.get(d) or ProviderDomain(domain=d) for d in domains]


def _flush(session: Session, domains: list[str]) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same domain claimed by a concurrent request
        raise DomainTaken(domains[0]) from exc


def register_provider(
    session: Session, *, actor: User, data: ProviderCreate, settings: Settings
) -> IdentityProvider:
    """Add a provider, after checking its organisation and its discovery document."""
    accounts_service.get_organisation(session, organisation_id=data.organisation_id)
    oidc.discover(data.issuer, fresh=True)  # DiscoveryFailed names what is wrong with the URL
    provider = IdentityProvider(
        name=data.name,
        issuer=data.issuer,
        client_id=data.client_id,
        client_secret_encrypted=crypto.seal(data.client_secret, settings),
        organisation_id=data.organisation_id,
        default_staff_group=data.default_staff_group,
        trust_email=data.trust_email,
        enabled=True,
    )
    session.add(provider)
    session.flush()
    _claim_domains(session, provider, data.domains)
    _flush(session, data.domains)
    audit.record(
        session,
        actor_id=actor.id,
        action="sso.provider_registered",
        target_type="identity_provider",
        target_id=provider.id,
        detail={
            "issuer": data.issuer,
            "domains": data.domains,
            "organisation_id": data.organisation_id,
        },
    )
    return provider


def update_provider(
    session: Session,
    *,
    actor: User,
    provider: IdentityProvider,
    data: ProviderUpdate,
    settings: Settings,
) -> IdentityProvider:
    """Change what was sent (an empty secret keeps the saved one); a new issuer is checked first."""
    changed = sorted(data.model_dump(exclude_unset=True, exclude={"client_secret"}))
    if data.organisation_id is not None:
        accounts_service.get_organisation(session, organisation_id=data.organisation_id)
    if data.issuer is not None and data.issuer != provider.issuer:
        oidc.discover(data.issuer, fresh=True)
    for field in ("name", "issuer", "client_id", "organisation_id", "default_staff_group"):
        value = getattr(data, field)
        if value is not None:
            setattr(provider, field, value)
    for flag in ("trust_email", "enabled"):
        if getattr(data, flag) is not None:
            setattr(provider, flag, getattr(data, flag))
    if data.client_secret:
        provider.client_secret_encrypted = crypto.seal(data.client_secret, settings)
        changed.append("client_secret")
    if data.domains is not None:
        _claim_domains(session, provider, data.domains)
    _flush(session, data.domains or ["that domain"])
    audit.record(
        session,
        actor_id=actor.id,
        action="sso.provider_changed",
        target_type="identity_provider",
        target_id=provider.id,
        detail={"fields": changed},
    )
    return provider
