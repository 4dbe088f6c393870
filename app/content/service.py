"""Content: sync files to module versions, list modules by tier, and decide who may open what."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.content import search
from app.content.glossary import Glossary, load_glossary
from app.content.loader import LoadedModule
from app.content.models import Module, ModuleVersion
from app.content.registry import ContentRegistry, RegisteredModule
from app.content.schemas import TIER_NAMES
from app.core.config import get_settings
from app.core.db import utcnow


def sync(
    session: Session, *, modules: list[LoadedModule], glossary: Glossary | None = None
) -> ContentRegistry:
    """Record each module and each new content version; never delete what learners have done.

    Idempotent, so every start-up (and `qi-academy content sync`) can run it; a module whose file
    has gone is marked retired, keeping its versions, attempts and completions.
    """
    existing = {m.slug: m for m in session.scalars(select(Module))}
    registered: list[RegisteredModule] = []
    for src in modules:
        row = existing.get(src.slug)
        if row is None:
            row = Module(
                slug=src.slug, tier=src.tier, position=src.meta.order, title=src.meta.title
            )
            session.add(row)
            session.flush()
        else:
            row.tier, row.position, row.title, row.retired_at = (
                src.tier,
                src.meta.order,
                src.meta.title,
                None,
            )
        version_id = session.scalar(
            select(ModuleVersion.id).where(
                ModuleVersion.module_id == row.id, ModuleVersion.content_hash == src.content_hash
            )
        )
        if version_id is None:
            version = ModuleVersion(
                module_id=row.id,
                content_hash=src.content_hash,
                title=src.meta.title,
                cpd_minutes=src.meta.cpd_minutes,
                pass_mark=src.meta.quiz.pass_mark,
            )
            try:
                with session.begin_nested():
                    session.add(version)
                version_id = version.id
            except IntegrityError:  # another worker synced the same version at the same moment
                version_id = session.scalars(
                    select(ModuleVersion.id).where(
                        ModuleVersion.module_id == row.id,
                        ModuleVersion.content_hash == src.content_hash,
                    )
                ).one()
        registered.append(RegisteredModule(source=src, module_id=row.id, version_id=version_id))
    gone = set(existing) - {m.slug for m in modules}
    if gone:
        session.execute(
            update(Module)
            .where(Module.slug.in_(gone), Module.retired_at.is_(None))
            .values(retired_at=utcnow())
        )
    session.flush()
    registry = ContentRegistry(registered)
    if glossary is None:
        glossary = load_glossary(get_settings().content_dir)[0]
    search.rebuild_if_changed(session, registry=registry, glossary=glossary)
    return registry


class ContentNotSynced(Exception):
    """The database has no version for some module files: run `qi-academy content sync`."""


def lookup(session: Session, *, modules: list[LoadedModule]) -> ContentRegistry:
    """The catalogue from versions already recorded, writing nothing (instances behind a load
    balancer start this way; the deploy step syncs once). Raises ContentNotSynced."""
    rows = session.execute(
        select(Module.slug, Module.id, ModuleVersion.id, ModuleVersion.content_hash).join(
            ModuleVersion, ModuleVersion.module_id == Module.id
        )
    ).all()
    known = {
        (slug, content_hash): (module_id, version_id)
        for slug, module_id, version_id, content_hash in rows
    }
    registered, missing = [], []
    for src in modules:
        ids = known.get((src.slug, src.content_hash))
        if ids is None:
            missing.append(src.slug)
        else:
            registered.append(RegisteredModule(source=src, module_id=ids[0], version_id=ids[1]))
    if missing:
        raise ContentNotSynced(
            "These modules are not synced to the database yet: "
            + ", ".join(missing)
            + ". Run `qi-academy content sync` (the deploy step does), then start again."
        )
    return ContentRegistry(registered)


def tier_lock_reason(tier: str, *, unlocked_tiers: Collection[str]) -> str | None:
    if tier in unlocked_tiers:
        return None
    if tier == "silver":
        return "Silver modules open when you join a Silver cohort run by a QI Academy trainer."
    return "Gold modules open when you become a Gold candidate (apply once you hold Silver)."


def prerequisite_reason(
    module: RegisteredModule, *, registry: ContentRegistry, completed: Collection[str]
) -> str | None:
    missing = [p for p in module.meta.prerequisites if p not in completed]
    if not missing:
        return None
    names = [f"'{registry.get(p).meta.title}'" for p in missing if registry.get(p)]  # type: ignore[union-attr]
    return f"Complete {' and '.join(names)} first: this module builds on it."


def lock_reason(
    module: RegisteredModule,
    *,
    registry: ContentRegistry,
    unlocked_tiers: Collection[str],
    completed: Collection[str],
) -> str | None:
    return tier_lock_reason(module.tier, unlocked_tiers=unlocked_tiers) or prerequisite_reason(
        module, registry=registry, completed=completed
    )


def tier_name(tier: str) -> str:
    return TIER_NAMES.get(tier, tier.title())


def active_module_ids(session: Session, *, tier: str) -> list[int]:
    """Ids of a tier's current (not retired) modules in order, for callers without the registry."""
    return list(
        session.scalars(
            select(Module.id)
            .where(Module.tier == tier, Module.retired_at.is_(None))
            .order_by(Module.position, Module.id)
        )
    )
