"""Content dependencies: the catalogue, the glossary, and a module loaded by slug (or 404)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from app.content.glossary import Glossary, load_glossary
from app.content.registry import ContentRegistry, RegisteredModule
from app.core.config import get_settings
from app.core.errors import NotFound


async def get_registry(request: Request) -> ContentRegistry:
    registry: ContentRegistry = request.app.state.content
    return registry


ContentDep = Annotated[ContentRegistry, Depends(get_registry)]


async def _module(slug: str, registry: ContentDep) -> RegisteredModule:
    module = registry.get(slug)
    if module is None:
        raise NotFound(f"There is no module called '{slug[:80]}'. Choose one from the module list.")
    return module


ModuleDep = Annotated[RegisteredModule, Depends(_module)]


@cache
def _glossary_of(content_dir: Path) -> Glossary:
    # Checked with the modules at start-up (load_or_fail), so it is read here once per process.
    return load_glossary(content_dir)[0]


async def get_glossary() -> Glossary:
    return _glossary_of(get_settings().content_dir)


GlossaryDep = Annotated[Glossary, Depends(get_glossary)]
