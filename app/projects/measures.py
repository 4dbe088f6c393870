"""Measures and their data: definitions and chart settings, dated values, CSV import, rebases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.projects import chooser, dataio
from app.projects.exceptions import ItemNotFound
from app.projects.models import DataPoint, Measure, MeasureRebase, Project
from app.projects.permissions import ProjectAccess, editable, touch
from app.projects.schemas import (
    ImportResult,
    MeasureData,
    MeasureIn,
    PointPublic,
    RebaseCreate,
    RebasePublic,
)

MAX_MEASURES = 30


def measures(session: Session, *, project_id: int) -> list[MeasureData]:
    """Every measure with its data and rebase dates: three queries however many measures."""
    return measures_of(session, project_ids=[project_id]).get(project_id, [])


def measures_of(session: Session, *, project_ids: Sequence[int]) -> dict[int, list[MeasureData]]:
    """Every measure of these projects, with data and rebase dates, by project: three queries."""
    if not project_ids:
        return {}
    rows = list(
        session.scalars(
            select(Measure)
            .where(Measure.project_id.in_(list(project_ids)))
            .order_by(Measure.project_id, Measure.position, Measure.id)
        )
    )
    ids = [m.id for m in rows]
    data: dict[int, list[PointPublic]] = {}
    for p in session.scalars(
        select(DataPoint).where(DataPoint.measure_id.in_(ids)).order_by(DataPoint.period)
    ):
        data.setdefault(p.measure_id, []).append(
            PointPublic(period=p.period, value=p.value, denominator=p.denominator)
        )
    rebases: dict[int, list[RebasePublic]] = {}
    for r in session.scalars(
        select(MeasureRebase)
        .where(MeasureRebase.measure_id.in_(ids))
        .order_by(MeasureRebase.starts_on)
    ):
        rebases.setdefault(r.measure_id, []).append(RebasePublic.model_validate(r))
    out: dict[int, list[MeasureData]] = {}
    for m in rows:
        out.setdefault(m.project_id, []).append(
            MeasureData(
                id=m.id,
                kind=m.kind,  # type: ignore[arg-type]
                data_type=m.data_type,  # type: ignore[arg-type]
                name=m.name,
                definition=m.definition,
                unit=m.unit,
                direction=m.direction,  # type: ignore[arg-type]
                target=m.target,
                method=m.method,  # type: ignore[arg-type]
                baseline_points=m.baseline_points,
                is_main=m.is_main,
                points=len(data.get(m.id, [])),
                rebases=rebases.get(m.id, []),
                data=data.get(m.id, []),
            )
        )
    return out


def measure_data(session: Session, *, project_id: int, measure_id: int) -> MeasureData:
    found = [m for m in measures(session, project_id=project_id) if m.id == measure_id]
    if not found:
        raise ItemNotFound("measure")
    return found[0]


def _measure(session: Session, *, project_id: int, measure_id: int) -> Measure:
    measure = session.scalar(
        select(Measure).where(Measure.id == measure_id, Measure.project_id == project_id)
    )
    if measure is None:
        raise ItemNotFound("measure")
    return measure


def _name_taken(session: Session, *, project_id: int, name: str, other_than: int | None) -> bool:
    query = select(Measure.id).where(
        Measure.project_id == project_id, func.lower(Measure.name) == name.lower()
    )
    if other_than is not None:
        query = query.where(Measure.id != other_than)
    return session.scalar(query) is not None


def _set_measure(session: Session, measure: Measure, data: MeasureIn, project: Project) -> None:
    if _name_taken(session, project_id=project.id, name=data.name, other_than=measure.id):
        raise Conflict(
            f"This project already has a measure called '{data.name}'. Give this one another name.",
            field="name",
        )
    if measure.id is not None and data.data_type != measure.data_type:
        held = session.scalar(select(func.count()).where(DataPoint.measure_id == measure.id))
        if held:
            raise Conflict(
                f"This measure already has {held} value{'s' if held != 1 else ''} recorded as "
                f"{chooser.TYPE_NAMES[measure.data_type].lower()}. Keep its type, or delete its "
                "data first (download it on the export page if you want to keep a copy).",
                field="data_type",
            )
    if data.is_main:
        # One main outcome measure: choosing this one clears the previous choice.
        session.execute(
            update(Measure)
            .where(Measure.project_id == project.id, Measure.is_main.is_(True))
            .values(is_main=False)
        )
    for key, value in data.model_dump().items():
        setattr(measure, key, value)


def create_measure(session: Session, *, access: ProjectAccess, data: MeasureIn) -> Measure:
    project = editable(access)
    count = session.scalar(select(func.count()).where(Measure.project_id == project.id)) or 0
    if count >= MAX_MEASURES:
        raise InvalidInput(f"A project can have up to {MAX_MEASURES} measures.", field="name")
    measure = Measure(project_id=project.id, position=count, created_at=utcnow())
    _set_measure(session, measure, data, project)
    session.add(measure)
    touch(project)
    session.flush()
    return measure


def update_measure(
    session: Session, *, access: ProjectAccess, measure_id: int, data: MeasureIn
) -> Measure:
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    _set_measure(session, measure, data, project)
    touch(project)
    session.flush()
    return measure


def delete_measure(session: Session, *, access: ProjectAccess, measure_id: int) -> None:
    project = editable(access)
    session.delete(_measure(session, project_id=project.id, measure_id=measure_id))
    touch(project)
    session.flush()


def save_points(
    session: Session,
    *,
    access: ProjectAccess,
    measure_id: int,
    points: Sequence[dataio.Point | tuple[date, float]],
) -> ImportResult:
    """Add each (date, value, denominator), replacing what is stored for a date: all or nothing.

    Each point must suit the measure's type (a proportion's numerator within its denominator,
    a count a whole number, ...): DataRejected names every one that does not, saving nothing.
    """
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    triples = [dataio.as_point(p) for p in points]
    seen: set[date] = set()
    errors: list[str] = []
    for number, (when, value, denominator) in enumerate(triples, start=1):
        if when in seen:
            errors.append(f"{when.isoformat()} is given twice; give each date once.")
        seen.add(when)
        problem = dataio.point_problem(measure.data_type, value, denominator)
        if problem:
            errors.append(f"Value {number} ({dataio.day(when)}): {problem}.")
    if errors:
        raise dataio.DataRejected(errors)
    existing = {
        p.period: p
        for p in session.scalars(select(DataPoint).where(DataPoint.measure_id == measure.id))
    }
    added = sum(1 for when, _, _ in triples if when not in existing)
    if len(existing) + added > dataio.MAX_POINTS:
        raise dataio.DataRejected(
            [
                f"A measure can hold up to {dataio.MAX_POINTS} values; this would make "
                f"{len(existing) + added}."
            ]
        )
    for when, value, denominator in triples:
        row = existing.get(when)
        if row is None:
            row = DataPoint(measure_id=measure.id, period=when, value=value)
            session.add(row)
        row.value, row.denominator = value, denominator
    touch(project)
    session.flush()
    return ImportResult(added=added, updated=len(points) - added)


def import_csv(
    session: Session, *, access: ProjectAccess, measure_id: int, text: str
) -> ImportResult:
    """Pasted or uploaded lines ("date,value"; "date,numerator,denominator" for a proportion or
    rate; "date" for a rare event); DataRejected lists every bad line, saving nothing."""
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    points = dataio.parse_points(text, measure.data_type)
    return save_points(session, access=access, measure_id=measure_id, points=points)


def delete_point(session: Session, *, access: ProjectAccess, measure_id: int, period: date) -> None:
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    gone = session.execute(
        delete(DataPoint).where(DataPoint.measure_id == measure.id, DataPoint.period == period)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("value")
    touch(project)
    session.flush()


def add_rebase(
    session: Session, *, access: ProjectAccess, measure_id: int, data: RebaseCreate
) -> MeasureRebase:
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    taken = session.scalar(
        select(MeasureRebase.id).where(
            MeasureRebase.measure_id == measure.id, MeasureRebase.starts_on == data.starts_on
        )
    )
    if taken is not None:
        raise Conflict(
            "The limits are already recalculated from this date. Choose another date.",
            field="starts_on",
        )
    rebase = MeasureRebase(measure_id=measure.id, starts_on=data.starts_on, reason=data.reason)
    session.add(rebase)
    touch(project)
    session.flush()
    return rebase


def delete_rebase(
    session: Session, *, access: ProjectAccess, measure_id: int, rebase_id: int
) -> None:
    project = editable(access)
    measure = _measure(session, project_id=project.id, measure_id=measure_id)
    gone = session.execute(
        delete(MeasureRebase).where(
            MeasureRebase.id == rebase_id, MeasureRebase.measure_id == measure.id
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise ItemNotFound("recalculation of limits")
    touch(project)
    session.flush()
