"""Learning platforms as admins register and change them; the addresses to give the platform."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit
from app.core.config import Settings
from app.lti import keys
from app.lti.exceptions import PlatformNotFound, PlatformTaken
from app.lti.models import LtiDeployment, LtiPlatform
from app.lti.schemas import PlatformCreate, PlatformPublic, PlatformUpdate, ToolUrls

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/lti/jwks"


def tool_urls(settings: Settings) -> ToolUrls:
    base = settings.base_url
    return ToolUrls(
        tool_url=base + LAUNCH_PATH,
        login_url=base + LOGIN_PATH,
        redirect_url=base + LAUNCH_PATH,
        deep_linking_url=base + LAUNCH_PATH,
        keyset_url=base + JWKS_PATH,
    )


def to_public(session: Session, platform: LtiPlatform, settings: Settings) -> PlatformPublic:
    org = accounts_service.get_organisation(session, organisation_id=platform.organisation_id)
    return PlatformPublic(
        id=platform.id,
        name=platform.name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=[d.deployment_id for d in platform.deployments],
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        keyset_url=platform.keyset_url,
        organisation_id=platform.organisation_id,
        organisation=org.name,
        enabled=platform.enabled,
        tool=tool_urls(settings),
        created_at=platform.created_at,
    )


def list_platforms(session: Session, settings: Settings) -> list[PlatformPublic]:
    rows = session.scalars(
        select(LtiPlatform).order_by(func.lower(LtiPlatform.name), LtiPlatform.id)
    )
    return [to_public(session, p, settings) for p in rows]


def get_platform(session: Session, *, platform_id: int) -> LtiPlatform:
    platform = session.get(LtiPlatform, platform_id)
    if platform is None:
        raise PlatformNotFound()
    return platform


def find_platform(session: Session, *, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The enabled platform for this issuer (and client id, when the platform sends one)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.enabled.is_(True))
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    return session.scalars(query.order_by(LtiPlatform.id)).first()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _flush(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # the same issuer and client id, registered twice
        raise PlatformTaken() from exc


def _taken(session: Session, issuer: str, client_id: str, but: int | None) -> None:
    query = select(LtiPlatform.id).where(
        LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id
    )
    found = session.scalar(query)
    if found is not None and found != but:
        raise PlatformTaken()


def register_platform(
    session: Session, *, actor: User, data: PlatformCreate, settings: Settings
) -> LtiPlatform:
    """Add a platform and its deployments (and make the tool's key if it has none yet)."""
    accounts_service.get_organisation(session, organisation_id=data.organisation_id)
    _taken(session, data.issuer, data.client_id, None)
    platform = LtiPlatform(
        **data.model_dump(exclude={"deployment_ids"}),
        enabled=True,
        deployments=[LtiDeployment(deployment_id=d) for d in data.deployment_ids],
    )
    session.add(platform)
    _flush(session)
    keys.ensure_key(session, settings)
    audit.record(
        session,
        actor_id=actor.id,
        action="lti.platform_registered",
        target_type="lti_platform",
        target_id=platform.id,
        detail={"issuer": data.issuer, "client_id": data.client_id},
    )
    return platform


def update_platform(
    session: Session, *, actor: User, platform: LtiPlatform, data: PlatformUpdate
) -> LtiPlatform:
    """Change what was sent; deployments are replaced by the list given."""
    changed = sorted(data.model_dump(exclude_unset=True))
    if data.organisation_id is not None:
        accounts_service.get_organisation(session, organisation_id=data.organisation_id)
    _taken(
        session, data.issuer or platform.issuer, data.client_id or platform.client_id, platform.id
    )
    for field, value in data.model_dump(exclude_unset=True, exclude={"deployment_ids"}).items():
        if value is not None:
            setattr(platform, field, value)
    if data.deployment_ids is not None:
        keep = {d.deployment_id: d for d in platform.deployments}
        platform.deployments = [
            keep.get(d) or LtiDeployment(deployment_id=d) for d in data.deployment_ids
        ]
    _flush(session)
    audit.record(
        session,
        actor_id=actor.id,
        action="lti.platform_changed",
        target_type="lti_platform",
        target_id=platform.id,
        detail={"fields": changed},
    )
    return platform
