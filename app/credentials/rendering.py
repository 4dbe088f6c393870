"""The forms a credential is served in (certificate PDF, baked PNG and SVG) and the CPD record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.core.db import as_utc, utcnow
from app.credentials import catalogue
from app.credentials import openbadges as ob
from app.credentials.achievements import Achievement
from app.credentials.baking import bake_png, bake_svg
from app.credentials.certificate import CpdActivity, certificate_pdf, cpd_record_csv, cpd_record_pdf
from app.credentials.models import Credential
from app.progress import service as progress_service

ISSUER_NAME = "QI Academy"


def _activities(modules: Sequence[dict[str, Any]]) -> list[CpdActivity]:
    return [
        CpdActivity(
            completed_on=ob.parse_datetime(m["completed_at"]).date(),
            title=m["title"],
            tier=m["tier"],
            cpd_minutes=int(m["cpd_minutes"]),
        )
        for m in modules
    ]


def render_certificate(credential: Credential, *, definition: Achievement) -> bytes:
    return certificate_pdf(
        learner_name=credential.holder_name,
        achievement_name=definition.name,
        tier=definition.tier,
        modules=_activities(credential.modules),
        issued_on=as_utc(credential.issued_at).date(),
        issuer_name=ISSUER_NAME,
        certificate_id=str(credential.id),
        verification_url=ob.verification_url(
            base_url=catalogue.base_url(), credential_id=credential.id
        ),
        badge_image=definition.image,  # SVG: vector, and smaller than the PNG
    )


def certificate(session: Session, *, credential: Credential) -> bytes:
    """The stored certificate PDF (made again only if making it at issue failed)."""
    stored = session.scalar(
        select(Credential.certificate_pdf).where(Credential.id == credential.id)
    )
    if stored is not None:
        return stored
    return render_certificate(credential, definition=catalogue.achievement(credential.achievement))


def rerender_stored(session: Session, *, after: Any = None, limit: int = 100) -> list[Any]:
    """Make the stored certificates of the next `limit` credentials (by id, after `after`) again.

    Certificates stored before the certificate became a tagged PDF (structure tree, XMP, PDF/UA-1)
    are untagged; `qi-academy certificates rerender` walks every credential through this in
    batches. The certificate is made from the credential row alone, so making it again changes
    nothing a verifier checks. Returns the ids it made again (empty when there are no more)."""
    query = select(Credential).order_by(Credential.id).limit(limit)
    if after is not None:
        query = query.where(Credential.id > after)
    rows = session.scalars(query).all()
    for row in rows:
        definition = catalogue.achievement(row.achievement)
        row.certificate_pdf = render_certificate(row, definition=definition)
    session.flush()
    return [row.id for row in rows]


@lru_cache(maxsize=16)
def _artwork(path: Path) -> bytes:
    return path.read_bytes()


def baked(credential: Credential, *, kind: str) -> bytes:
    """The badge image with the signed credential inside it (OB 3.0 baking), PNG or SVG."""
    definition = catalogue.achievement(credential.achievement)
    if kind == "png":
        return bake_png(_artwork(definition.png), credential=credential.jwt)
    return bake_svg(_artwork(definition.image), credential=credential.jwt)


def download_name(credential: Credential, *, suffix: str) -> str:
    return f"qi-academy-{credential.achievement}-{credential.id}.{suffix}"


# --- CPD record -----------------------------------------------------------------------------


def cpd_activities(
    session: Session, *, user_id: int, registry: ContentRegistry
) -> list[CpdActivity]:
    """Everything the learner completed, oldest first, with the CPD it was worth when passed."""
    activities = []
    for row in progress_service.rows_for(session, user_id=user_id).values():
        if row.completed_at is None:
            continue
        module = registry.by_id(row.module_id)
        activities.append(
            CpdActivity(
                completed_on=as_utc(row.completed_at).date(),
                title=module.meta.title if module else "A module no longer offered",
                tier=module.tier if module else "",
                cpd_minutes=row.cpd_minutes or 0,
            )
        )
    return sorted(activities, key=lambda a: (a.completed_on, a.title))


def cpd_record(
    session: Session, *, user_id: int, full_name: str, registry: ContentRegistry, kind: str
) -> bytes:
    activities = cpd_activities(session, user_id=user_id, registry=registry)
    if kind == "csv":
        return cpd_record_csv(activities=activities)
    return cpd_record_pdf(
        learner_name=full_name,
        activities=activities,
        generated_on=utcnow().date(),
        issuer_name=ISSUER_NAME,
    )


def cpd_record_name(*, kind: str, on: date | None = None) -> str:
    return f"qi-academy-cpd-record-{(on or utcnow().date()).isoformat()}.{kind}"
