"""IHI progress scores: set by the team, confirmed by a QI lead or the coach, kept as a dated
history and drawn as a step chart (in app/analysis's scene and SVG back end)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.analysis.render import to_svg
from app.analysis.scene import (
    AXIS,
    COMMON,
    GRID,
    IMPROVEMENT,
    TEXT,
    Chart,
    Item,
    Label,
    Line,
    Marker,
    Polyline,
)
from app.core.db import utcnow
from app.core.timefmt import day
from app.portfolio.constants import SCALE, SCORES
from app.portfolio.exceptions import NotConfirmer, ScoreNotFound, WrongStatus
from app.portfolio.models import ProgressScore
from app.portfolio.schemas import ScoreCreate, ScorePublic
from app.portfolio.service import ProjectAccess, require_member, touch


def set_score(session: Session, *, acc: ProjectAccess, data: ScoreCreate) -> ProgressScore:
    """The team records where the project stands; it waits for confirmation."""
    require_member(acc)
    if acc.project.status != "active":
        raise WrongStatus(
            "Progress scores can be recorded once a QI lead has approved the project."
        )
    row = ProgressScore(
        project_id=acc.project.id,
        score=float(data.score),
        scored_on=data.scored_on,
        note=data.note,
        set_by_id=acc.user.id,
        created_at=utcnow(),
    )
    session.add(row)
    touch(acc.project)
    session.flush()
    return row


def confirm(session: Session, *, acc: ProjectAccess, score_id: int) -> None:
    """A QI lead or the coach confirms a score; the project's current score is the latest
    confirmed one by date."""
    if not acc.can_confirm:
        raise NotConfirmer()
    row = session.get(ProgressScore, score_id)
    if row is None or row.project_id != acc.project.id:
        raise ScoreNotFound()
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        row.confirmed_by_id = acc.user.id
    session.flush()
    latest = session.scalar(
        select(ProgressScore.score)
        .where(ProgressScore.project_id == acc.project.id, ProgressScore.confirmed_at.is_not(None))
        .order_by(ProgressScore.scored_on.desc(), ProgressScore.id.desc())
        .limit(1)
    )
    acc.project.score = latest
    touch(acc.project)
    session.flush()


def history(session: Session, *, project_id: int) -> list[ScorePublic]:
    """Every score, oldest first."""
    rows = list(
        session.scalars(
            select(ProgressScore)
            .where(ProgressScore.project_id == project_id)
            .order_by(ProgressScore.scored_on, ProgressScore.id)
        )
    )
    ids = {i for r in rows for i in (r.set_by_id, r.confirmed_by_id) if i is not None}
    users = accounts_service.users_by_id(session, user_ids=ids)

    def name(user_id: int | None) -> str | None:
        return users[user_id].full_name if user_id in users else None

    return [
        ScorePublic(
            id=r.id,
            score=r.score,
            scored_on=r.scored_on,
            note=r.note,
            set_by=name(r.set_by_id) or "Someone",
            confirmed_by=name(r.confirmed_by_id) if r.confirmed_at else None,
            confirmed_at=r.confirmed_at,
        )
        for r in rows
    ]


# --- the step chart ---------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 40, 56


@dataclass(frozen=True)
class StepChart:
    svg: str
    description: str


def _x(when: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return LEFT + (WIDTH - LEFT - RIGHT) * (when - first).days / span


def _y(score: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (5.0 - score) / 4.5


def _axes(first: date, last: date) -> list[Item]:
    items: list[Item] = []
    for s in SCORES:
        y = _y(s)
        items.append(Line(LEFT, y, WIDTH - RIGHT, y, GRID))
        if s in (0.5, 1.0, 2.0, 3.0, 4.0, 5.0):
            items.append(Label(LEFT - 6, y + 4, f"{s:.1f}", anchor="end", colour=AXIS))
    base = HEIGHT - BOTTOM
    items.append(Line(LEFT, base, WIDTH - RIGHT, base, AXIS))
    items.append(Line(LEFT, TOP, LEFT, base, AXIS))
    items.append(Label(LEFT, base + 18, day(first), colour=AXIS))
    if last != first:
        items.append(Label(WIDTH - RIGHT, base + 18, day(last), anchor="end", colour=AXIS))
    return items


def _legend() -> list[Item]:
    y = HEIGHT - 12
    return [
        Marker(LEFT + 6, y - 4, "square", 5, IMPROVEMENT),
        Label(LEFT + 16, y, "Confirmed", colour=TEXT),
        Marker(LEFT + 116, y - 4, "circle", 4, COMMON),
        Label(LEFT + 126, y, "Not confirmed yet", colour=TEXT),
    ]


def step_chart(rows: Sequence[ScorePublic], *, today: date | None = None) -> StepChart | None:
    """The score held from each date until the next, up to today; None with no scores."""
    if not rows:
        return None
    first, last = rows[0].scored_on, max(today or date.today(), rows[-1].scored_on)
    points: list[tuple[float, float]] = []
    for i, r in enumerate(rows):
        x, y = _x(r.scored_on, first, last), _y(r.score)
        if points:
            points.append((x, points[-1][1]))
        points.append((x, y))
        if i == len(rows) - 1:
            points.append((_x(last, first, last), y))
    items: list[Item] = [*_axes(first, last), Polyline(tuple(points), IMPROVEMENT, 2.0)]
    for r in rows:
        x, y = _x(r.scored_on, first, last), _y(r.score)
        confirmed = r.confirmed_at is not None
        items.append(
            Marker(
                x,
                y,
                "square" if confirmed else "circle",
                5 if confirmed else 4,
                IMPROVEMENT if confirmed else COMMON,
            )
        )
    items += [Label(LEFT, 20, "IHI progress score over time", size=14, bold=True), *_legend()]
    now = rows[-1]
    description = (
        f"Step chart of {len(rows)} progress score{'s' if len(rows) != 1 else ''} from "
        f"{day(first)} to {day(last)}. The latest is {now.score:.1f} "
        f"({SCALE[f'{now.score:.1f}'][0].lower()}), from {day(now.scored_on)}. "
        "The data table below lists every score."
    )
    chart = Chart(
        WIDTH, HEIGHT, "IHI progress score over time", description, tuple(items), "progress-chart"
    )
    return StepChart(svg=to_svg(chart), description=description)
