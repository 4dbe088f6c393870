"""Content dependencies: the catalogue, and a module loaded by slug (or 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.content.registry import ContentRegistry, RegisteredModule
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
