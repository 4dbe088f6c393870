"""PDSA cycles, each testing a change idea of the driver diagram."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.projects.exceptions import ItemNotFound
from app.projects.models import DriverNode, PdsaCycle
from app.projects.permissions import ProjectAccess, editable, touch
from app.projects.schemas import PdsaIn, PdsaPublic

MAX_CYCLES = 100


def cycles(session: Session, *, project_id: int) -> list[PdsaPublic]:
    """The project's PDSA cycles by start date, each with its change idea's words: one query."""
    rows = session.execute(
        select(PdsaCycle, DriverNode.text)
        .outerjoin(
            DriverNode,
            (DriverNode.id == PdsaCycle.change_idea_id)
            & (DriverNode.project_id == PdsaCycle.project_id),
        )
        .where(PdsaCycle.project_id == project_id)
        .order_by(PdsaCycle.starts_on, PdsaCycle.id)
    )
    return [_cycle_public(c, idea) for c, idea in rows]


def _cycle_public(cycle: PdsaCycle, idea: str | None) -> PdsaPublic:
    return PdsaPublic(
        id=cycle.id,
        title=cycle.title,
        change_idea_id=cycle.change_idea_id,
        change_idea=idea,
        plan=cycle.plan,
        prediction=cycle.prediction,
        do=cycle.do,
        study=cycle.study,
        act=cycle.act,
        decision=cycle.decision,  # type: ignore[arg-type]
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
    )


def cycle(session: Session, *, project_id: int, cycle_id: int) -> PdsaPublic:
    found = [c for c in cycles(session, project_id=project_id) if c.id == cycle_id]
    if not found:
        raise ItemNotFound("PDSA cycle")
    return found[0]


def _check_idea(session: Session, *, project_id: int, idea_id: int | None) -> None:
    if idea_id is None:
        return
    kind = session.scalar(
        select(DriverNode.kind).where(DriverNode.id == idea_id, DriverNode.project_id == project_id)
    )
    if kind != "change_idea":
        raise InvalidInput(
            "Choose a change idea from this project's driver diagram.", field="change_idea_id"
        )


def create_cycle(session: Session, *, access: ProjectAccess, data: PdsaIn) -> PdsaCycle:
    project = editable(access)
    count = session.scalar(select(func.count()).where(PdsaCycle.project_id == project.id)) or 0
    if count >= MAX_CYCLES:
        raise InvalidInput(f"A project can record up to {MAX_CYCLES} PDSA cycles.", field="title")
    _check_idea(session, project_id=project.id, idea_id=data.change_idea_id)
    row = PdsaCycle(project_id=project.id, created_at=utcnow(), **data.model_dump())
    session.add(row)
    touch(project)
    session.flush()
    return row


def _cycle_row(session: Session, *, project_id: int, cycle_id: int) -> PdsaCycle:
    row = session.scalar(
        select(PdsaCycle).where(PdsaCycle.id == cycle_id, PdsaCycle.project_id == project_id)
    )
    if row is None:
        raise ItemNotFound("PDSA cycle")
    return row


def update_cycle(
    session: Session, *, access: ProjectAccess, cycle_id: int, data: PdsaIn
) -> PdsaCycle:
    project = editable(access)
    row = _cycle_row(session, project_id=project.id, cycle_id=cycle_id)
    _check_idea(session, project_id=project.id, idea_id=data.change_idea_id)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    touch(project)
    session.flush()
    return row


def delete_cycle(session: Session, *, access: ProjectAccess, cycle_id: int) -> None:
    project = editable(access)
    session.delete(_cycle_row(session, project_id=project.id, cycle_id=cycle_id))
    touch(project)
    session.flush()
