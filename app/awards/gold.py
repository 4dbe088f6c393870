"""The Gold rule: an improvement leader certified the trainer. Awards issues the credential."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.credentials import service as credentials_service
from app.gold import service as gold_service


def award(
    session: Session,
    *,
    user_id: int,
    certification_id: int,
    renewal: bool,
    actor_id: int,
    registry: ContentRegistry,
) -> None:
    """Issue Gold (a renewal supersedes the one held) and link it to the certification."""
    credential = credentials_service.issue(
        session,
        user_id=user_id,
        achievement_slug=gold_service.GOLD,
        registry=registry,
        reissue=renewal,
        actor_id=actor_id,
    )
    gold_service.link_credential(
        session,
        certification_id=certification_id,
        credential_id=str(credential.id),
        valid_until=credential.valid_until,
    )
