"""The in-memory catalogue of modules, loaded and rendered once at start-up and tied to DB versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.content.loader import LoadedModule, load_content
from app.content.schemas import TIERS, FrontMatter


class ContentInvalid(Exception):
    """Raised at start-up: the server refuses to run on content that does not pass the check."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("Content check failed:\n" + "\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RegisteredModule:
    source: LoadedModule
    module_id: int
    version_id: int

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def tier(self) -> str:
        return self.source.tier

    @property
    def meta(self) -> FrontMatter:
        return self.source.meta


class ContentRegistry:
    def __init__(self, modules: list[RegisteredModule]) -> None:
        ordered = sorted(modules, key=lambda m: (TIERS.index(m.meta.tier), m.meta.order))
        self._by_slug = {m.slug: m for m in ordered}
        self._by_id = {m.module_id: m for m in ordered}
        self._by_tier: dict[str, list[RegisteredModule]] = {
            t: [m for m in ordered if m.tier == t] for t in TIERS
        }

    def get(self, slug: str) -> RegisteredModule | None:
        return self._by_slug.get(slug)

    def by_id(self, module_id: int) -> RegisteredModule | None:
        return self._by_id.get(module_id)

    def tier(self, tier: str) -> list[RegisteredModule]:
        return self._by_tier.get(tier, [])

    def all(self) -> list[RegisteredModule]:
        return list(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)


_current: ContentRegistry | None = None


def install(registry: ContentRegistry) -> None:
    """Make `registry` the process's catalogue (content sync does this at start-up)."""
    global _current
    _current = registry


def current() -> ContentRegistry:
    """The catalogue synced at start-up: for code outside a request (event handlers, jobs)."""
    if _current is None:
        raise RuntimeError("content has not been synced in this process yet")
    return _current


def load_or_fail(content_dir: Path) -> list[LoadedModule]:
    result = load_content(content_dir)
    if result.errors:
        raise ContentInvalid(result.errors)
    return result.modules
