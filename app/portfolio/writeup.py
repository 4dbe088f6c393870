"""A project's write-up for the library: a cohort project's workspace (read through app/projects),
its charts, and the plan "Adapt this project" copies (the driver diagram and the measures'
definitions, never their data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.portfolio.models import Adaptation, PortfolioProject
from app.projects import chart_data, export
from app.projects import service as projects_service
from app.projects.schemas import ProjectDetail


def cohort_detail(session: Session, *, project: PortfolioProject) -> ProjectDetail | None:
    if project.cohort_project_id is None:
        return None
    return projects_service.library_detail(session, project_id=project.cohort_project_id)


def cohort_charts(
    session: Session, *, project: PortfolioProject, base_url: str
) -> list[export.Chart]:
    """Each measure's own chart, for the write-up (drawn in the page, never linked)."""
    if project.cohort_project_id is None:
        return []
    return chart_data.export_charts(
        session, project_id=project.cohort_project_id, base_url=base_url
    )


def adaptation_of(session: Session, *, project_id: int) -> Adaptation | None:
    return session.get(Adaptation, project_id)


def _depths(detail: ProjectDetail) -> list[dict[str, Any]]:
    """The driver diagram in reading order, each box with its depth (the aim is 0)."""
    children: dict[int | None, list[Any]] = {}
    for n in sorted(detail.drivers, key=lambda n: (n.position, n.id)):
        children.setdefault(n.parent_id, []).append(n)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for n in children.get(parent, []):
            out.append({"kind": n.kind, "text": n.text, "depth": depth})
            walk(n.id, depth + 1)

    walk(None, 0)
    return out


def plan_of(session: Session, *, project: PortfolioProject) -> dict[str, Any]:
    """The aim's driver diagram and the measures' definitions (never their data)."""
    detail = cohort_detail(session, project=project)
    if detail is not None:
        return {
            "drivers": _depths(detail),
            "measures": [
                {
                    "name": m.name,
                    "kind": m.kind,
                    "data_type": m.data_type,
                    "definition": m.definition,
                    "unit": m.unit,
                    "direction": m.direction,
                    "target": m.target,
                    "method": m.method,
                }
                for m in detail.measures
            ],
        }
    adapted = adaptation_of(session, project_id=project.id)
    return dict(adapted.plan) if adapted is not None else {"drivers": [], "measures": []}


def source_aim(session: Session, *, project: PortfolioProject) -> str:
    detail = cohort_detail(session, project=project)
    return (detail.aim if detail is not None and detail.aim else project.aim) or ""
