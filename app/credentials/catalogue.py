"""What credentials point at: the issuer, the achievements and their documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.config import get_settings
from app.core.errors import NotFound
from app.credentials import openbadges as ob
from app.credentials.achievements import Achievement, get_achievements


def base_url() -> str:
    return get_settings().base_url


def issuer() -> ob.IssuerProfile:
    return ob.IssuerProfile.qi_academy(base_url=base_url(), email=get_settings().support_email)


def issuer_document() -> dict[str, Any]:
    return ob.issuer_document(issuer())


def issuer_image() -> Path:
    return Path(__file__).with_name("issuer.png")


def achievement(slug: str) -> Achievement:
    found = get_achievements().get(slug)
    if found is None:
        raise NotFound(f"There is no achievement called '{slug[:40]}'.")
    return found


def achievement_for_tier(tier: str) -> Achievement:
    for candidate in get_achievements().values():
        if candidate.tier == tier:
            return candidate
    raise NotFound(f"There is no achievement for the {tier[:20]} tier.")


def achievement_document(slug: str) -> dict[str, Any]:
    definition = achievement(slug).definition(base_url=base_url())
    return ob.achievement_document(definition, base_url=base_url())


def achievement_image(slug: str, *, kind: str) -> Path:
    found = achievement(slug)
    return found.png if kind == "png" else found.image
