"""The Bronze rule: every Bronze module completed. Issued the moment the last quiz is passed."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.awards.schemas import AchievementsPage, TierGoal
from app.content.registry import ContentRegistry
from app.core.errors import Conflict, InvalidInput
from app.credentials import service as credentials_service
from app.credentials.certificate import unsupported_characters
from app.credentials.keys import KeyStoreError
from app.credentials.models import Credential
from app.credentials.schemas import CredentialPublic
from app.progress import service as progress_service
from app.progress.models import ModuleProgress

log = logging.getLogger("qi_academy")
UNVERIFIED = (
    "Confirm your email address first: we send certificates and badges only to an address you "
    "have confirmed. Follow the link we emailed you, or send the link again from My learning."
)
# Tiers whose rule is "every module of the tier completed" and nothing else; Silver and Gold have
# rules of their own (awards.silver, awards.gold).
AUTOMATIC_TIERS = frozenset({"bronze"})


def tier_complete(registry: ContentRegistry, rows: dict[int, ModuleProgress], tier: str) -> bool:
    modules = registry.tier(tier)
    return bool(modules) and all(
        progress_service.status_of(rows.get(m.module_id)) == "completed" for m in modules
    )


def award_if_earned(
    session: Session,
    *,
    user_id: int,
    tier: str,
    registry: ContentRegistry,
    rows: dict[int, ModuleProgress] | None = None,
    now: datetime | None = None,
) -> Credential | None:
    """Issue a tier's achievement if the learner has now completed every module of the tier.

    Returns the credential they hold for it, or None (not earned yet; a tier with rules of its
    own; or their last one was revoked, which only a person can undo). If the modules they
    completed differ from those of their active credential (a module was added to the tier), a
    new credential supersedes it. A failure to sign (an unusable key directory) is logged, not
    raised: the quiz pass stands and the learner can claim the badge later.
    """
    if tier not in AUTOMATIC_TIERS:
        return None
    rows = rows if rows is not None else progress_service.rows_for(session, user_id=user_id)
    if not tier_complete(registry, rows, tier):
        return None
    if not accounts_service.is_email_verified(session, user_id=user_id):
        return None  # waits: issued when the address is confirmed (handlers.on_email_verified)
    definition = credentials_service.achievement_for_tier(tier)
    earned = credentials_service.earned_modules(registry, rows, tier)
    held = credentials_service.history(session, user_id=user_id, slug=definition.slug)
    current = next((c for c in held if c.status == "active"), None)
    if current is not None and credentials_service.same_basis(current, earned):
        return current
    if current is None and held and held[0].status == "revoked":
        return None
    try:
        with session.begin_nested():
            return credentials_service.create(
                session,
                user_id=user_id,
                definition=definition,
                modules=earned,
                current=current,
                actor_id=None,
                now=now,
            )
    except (KeyStoreError, OSError, Conflict):
        log.exception("could not issue %s to user %s", definition.slug, user_id)
        return None


def claim(session: Session, *, user_id: int, tier: str, registry: ContentRegistry) -> Credential:
    """The learner asks for a badge they earned (before badges existed, or if issuing failed)."""
    definition = credentials_service.achievement_for_tier(tier)
    if not accounts_service.is_email_verified(session, user_id=user_id):
        raise InvalidInput(UNVERIFIED, field="claim")
    credential = award_if_earned(session, user_id=user_id, tier=tier, registry=registry)
    if credential is None:
        raise InvalidInput(
            f"You can get {definition.name} once you have completed every "
            f"{tier.capitalize()} module. If your credential was revoked, contact your QI leader.",
            field="claim",
        )
    return credential


def achievements(
    session: Session, *, user_id: int, full_name: str, registry: ContentRegistry
) -> AchievementsPage:
    """The learner's credentials, and how far they are from the ones awarded automatically."""
    credentials = credentials_service.list_for_user(session, user_id=user_id)
    rows = progress_service.rows_for(session, user_id=user_id)
    goals = []
    for tier in sorted(AUTOMATIC_TIERS):
        definition = credentials_service.achievement_for_tier(tier)
        held = [c for c in credentials if c.achievement == definition.slug]
        if any(c.status in ("active", "expired") for c in held):
            continue
        modules = registry.tier(tier)
        done = sum(
            progress_service.status_of(rows.get(m.module_id)) == "completed" for m in modules
        )
        revoked = bool(held) and held[0].status == "revoked"
        goals.append(
            TierGoal(
                achievement=definition.slug,
                achievement_name=definition.name,
                tier=tier,
                modules_total=len(modules),
                modules_completed=done,
                can_claim=bool(modules) and done == len(modules) and not revoked,
                revoked=revoked,
            )
        )
    return AchievementsPage(
        current=[c for c in credentials if c.status != "superseded"],
        previous=[c for c in credentials if c.status == "superseded"],
        goals=goals,
        unsupported_name_characters=unsupported_characters(full_name) or None,
    )


def earned_now(
    session: Session,
    *,
    user_id: int,
    tier: str,
    registry: ContentRegistry,
    rows: dict[int, ModuleProgress],
) -> CredentialPublic | None:
    """The learner's active credential for a tier they have completed (for the completion moment)."""
    if tier not in AUTOMATIC_TIERS or not tier_complete(registry, rows, tier):
        return None
    slug = credentials_service.achievement_for_tier(tier).slug
    held = credentials_service.list_for_user(session, user_id=user_id)
    return next((c for c in held if c.achievement == slug and c.status == "active"), None)
