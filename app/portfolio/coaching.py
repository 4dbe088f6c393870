"""Coaching and conversation: a QI lead assigns a coach (or answers a team's request for one);
comments on a project, where "@Full Name" notifies that person in the app and, if they want it,
by email through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.schemas import Schema
from app.notifications import service as notifications
from app.outbox import service as outbox
from app.portfolio import service
from app.portfolio.exceptions import WrongStatus
from app.portfolio.models import (
    CoachRequest,
    PortfolioComment,
    PortfolioMember,
    PortfolioProject,
    PortfolioTheme,
    QiLead,
)
from app.portfolio.schemas import CommentExport
from app.portfolio.service import ProjectAccess, require_member, require_qi_lead, touch
from app.projects.privacy import identifier_problem


class CommentPublic(Schema):
    id: int
    author: str
    body: str
    created_at: datetime


class RequestRow(Schema):
    project_id: int
    title: str
    asked_by: str
    note: str
    created_at: datetime


def tell(session: Session, *, user: User, text: str, link: str) -> None:
    """A notification in the app, and by email unless the person has turned email off."""
    notifications.notify(session, user_id=user.id, text=text, link=link)
    if user.deleted_at is None and notifications.email_wanted(session, user_id=user.id):
        url = get_settings().base_url.rstrip("/") + link
        outbox.enqueue(
            session,
            to=user.email,
            subject=f"QI Academy: {text}"[:150],
            body=f"{text}\n\nOpen it: {url}\n\nYou can turn these emails off on your "
            "notifications page.\n",
        )


def _link(project_id: int, anchor: str = "") -> str:
    return f"/portfolio/projects/{project_id}" + (f"#{anchor}" if anchor else "")


def assign_coach(session: Session, *, acc: ProjectAccess, email: str) -> User:
    """A QI lead makes someone of the organisation the project's coach; open requests are answered."""
    require_qi_lead(acc)
    project = acc.project
    coach = accounts_service.users_by_email(session, emails=[email]).get(email.strip().lower())
    if coach is None or coach.organisation_id != project.organisation_id:
        raise InvalidInput(
            f"No one with the email {email} has an account in this organisation. Check the address.",
            field="email",
        )
    project.coach_id = coach.id
    for req in session.scalars(
        select(CoachRequest).where(
            CoachRequest.project_id == project.id, CoachRequest.answered_at.is_(None)
        )
    ):
        req.answered_at, req.answered_by_id = utcnow(), acc.user.id
    touch(project)
    session.flush()
    tell(
        session,
        user=coach,
        text=f"You are now the coach of '{project.title}'",
        link=_link(project.id),
    )
    return coach


def ask_for_coach(session: Session, *, acc: ProjectAccess, note: str) -> None:
    """The team asks its organisation's QI leads for a coach."""
    require_member(acc)
    project = acc.project
    if project.coach_id is not None:
        raise WrongStatus("This project already has a coach.")
    row = CoachRequest(
        project_id=project.id, asked_by_id=acc.user.id, note=note, created_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise WrongStatus(
            "The team has already asked for a coach. A QI lead will answer."
        ) from None
    leads = session.scalars(
        select(QiLead.user_id).where(QiLead.organisation_id == project.organisation_id)
    )
    for lead in accounts_service.users_by_id(session, user_ids=list(leads)).values():
        tell(
            session,
            user=lead,
            text=f"'{project.title}' asks for a coach",
            link=_link(project.id, "coach"),
        )


def has_open_request(session: Session, *, project_id: int) -> bool:
    found = session.scalar(
        select(CoachRequest.id).where(
            CoachRequest.project_id == project_id, CoachRequest.answered_at.is_(None)
        )
    )
    return found is not None


def open_requests(session: Session, *, organisation_ids: list[int]) -> list[RequestRow]:
    if not organisation_ids:
        return []
    rows = session.execute(
        select(CoachRequest, PortfolioProject.title)
        .join(PortfolioProject, PortfolioProject.id == CoachRequest.project_id)
        .where(
            PortfolioProject.organisation_id.in_(organisation_ids),
            CoachRequest.answered_at.is_(None),
        )
        .order_by(CoachRequest.created_at)
        .limit(service.LIST_LIMIT)
    ).all()
    users = accounts_service.users_by_id(
        session, user_ids={r.asked_by_id for r, _ in rows if r.asked_by_id}
    )
    return [
        RequestRow(
            project_id=r.project_id,
            title=title,
            asked_by=users[r.asked_by_id].full_name if r.asked_by_id in users else "Someone",
            note=r.note,
            created_at=r.created_at,
        )
        for r, title in rows
    ]


# --- comments and mentions --------------------------------------------------------------------


def _people(session: Session, *, acc: ProjectAccess) -> dict[int, User]:
    """Everyone a comment can mention: the team, the coach and the organisation's QI leads."""
    p = acc.project
    ids = set(
        session.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == p.id))
    )
    ids |= set(
        session.scalars(select(QiLead.user_id).where(QiLead.organisation_id == p.organisation_id))
    )
    if p.coach_id is not None:
        ids.add(p.coach_id)
    return accounts_service.users_by_id(session, user_ids=ids)


def mentioned(body: str, people: dict[int, User]) -> list[User]:
    """People named as "@Full Name" in the text (case does not matter), longest names first."""
    folded = body.casefold()
    found = [
        u
        for u in people.values()
        if u.deleted_at is None and f"@{u.full_name.casefold()}" in folded
    ]
    return sorted(found, key=lambda u: u.full_name)


def add_comment(session: Session, *, acc: ProjectAccess, body: str) -> list[User]:
    """A comment by anyone who may read the project; returns who was mentioned (and told)."""
    text = body.strip()
    if not text:
        raise InvalidInput("Enter a comment", field="body")
    if len(text) > 5000:
        raise InvalidInput("The comment must be 5,000 characters or fewer", field="body")
    problem = identifier_problem(text)
    if problem:
        raise InvalidInput(problem, field="body")
    session.add(
        PortfolioComment(
            project_id=acc.project.id, author_id=acc.user.id, body=text, created_at=utcnow()
        )
    )
    touch(acc.project)
    session.flush()
    people = [u for u in mentioned(text, _people(session, acc=acc)) if u.id != acc.user.id]
    for user in people:
        tell(
            session,
            user=user,
            text=f"{acc.user.full_name} mentioned you on '{acc.project.title}'",
            link=_link(acc.project.id, "comments"),
        )
    return people


def comments(session: Session, *, project_id: int) -> list[CommentPublic]:
    rows = list(
        session.scalars(
            select(PortfolioComment)
            .where(PortfolioComment.project_id == project_id)
            .order_by(PortfolioComment.created_at, PortfolioComment.id)
        )
    )
    users = accounts_service.users_by_id(
        session, user_ids={r.author_id for r in rows if r.author_id}
    )
    return [
        CommentPublic(
            id=r.id,
            author=users[r.author_id].full_name if r.author_id in users else "Someone",
            body=r.body,
            created_at=r.created_at,
        )
        for r in rows
    ]


ERASED_COMMENT = "This comment was removed when its author deleted their account."


def comments_by(session: Session, *, user_id: int) -> list[CommentExport]:
    """Every comment the person wrote, on any project, oldest first (their data export)."""
    rows = session.execute(
        select(PortfolioComment, PortfolioProject.title)
        .join(PortfolioProject, PortfolioProject.id == PortfolioComment.project_id)
        .where(PortfolioComment.author_id == user_id)
        .order_by(PortfolioComment.created_at, PortfolioComment.id)
    ).all()
    return [
        CommentExport(
            project_id=c.project_id, project_title=title, body=c.body, created_at=c.created_at
        )
        for c, title in rows
    ]


def erase_comments_of(session: Session, *, user_id: int) -> int:
    """Account deletion: the person's words go; the thread keeps its shape ("Someone" wrote a
    removed comment), so replies to it still read in order."""
    rows = list(
        session.scalars(select(PortfolioComment).where(PortfolioComment.author_id == user_id))
    )
    for row in rows:
        row.body = ERASED_COMMENT
        row.author_id = None
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class CoachEntry:
    user_id: int
    full_name: str
    email: str
    organisation: str
    active_projects: int
    themes: tuple[str, ...]


def coach_directory(session: Session, *, organisation_id: int | None = None) -> list[CoachEntry]:
    """People coaching at least one active project, with how many and the projects' themes (never
    the projects themselves: a directory shows who to ask, not the work). A fixed four queries."""
    active = PortfolioProject.status == "active"
    where = [PortfolioProject.coach_id.is_not(None), active]
    if organisation_id is not None:
        where.append(PortfolioProject.organisation_id == organisation_id)
    counts = [
        (int(coach_id or 0), org_id, int(n))  # coach_id is never NULL here: the WHERE says so
        for coach_id, org_id, n in session.execute(
            select(PortfolioProject.coach_id, PortfolioProject.organisation_id, func.count())
            .where(*where)
            .group_by(PortfolioProject.coach_id, PortfolioProject.organisation_id)
        )
    ]
    themes: dict[int, set[str]] = {}
    for coach_id, theme in session.execute(
        select(PortfolioProject.coach_id, PortfolioTheme.theme)
        .join(PortfolioTheme, PortfolioTheme.project_id == PortfolioProject.id)
        .where(*where)
        .distinct()
    ):
        themes.setdefault(int(coach_id or 0), set()).add(theme)
    users = accounts_service.users_by_id(session, user_ids={c for c, _, _ in counts})
    names = accounts_service.organisation_names(session, organisation_ids={o for _, o, _ in counts})
    entries: dict[int, CoachEntry] = {}
    for coach_id, org_id, n in counts:
        user = users.get(coach_id)
        if user is None or not user.is_active:
            continue
        before = entries.get(coach_id)
        entries[coach_id] = CoachEntry(
            user_id=coach_id,
            full_name=user.full_name,
            email=user.email,
            organisation=names.get(org_id, "") if before is None else before.organisation,
            active_projects=n + (before.active_projects if before else 0),
            themes=tuple(sorted(themes.get(coach_id, set()))),
        )
    return sorted(entries.values(), key=lambda e: (e.full_name.lower(), e.user_id))


def coach_organisations(session: Session) -> list[tuple[int, str]]:
    """Organisations with at least one coach of an active project, for the directory's filter."""
    ids = set(
        session.scalars(
            select(PortfolioProject.organisation_id)
            .where(PortfolioProject.coach_id.is_not(None), PortfolioProject.status == "active")
            .distinct()
        )
    )
    names = accounts_service.organisation_names(session, organisation_ids=ids)
    return sorted(names.items(), key=lambda item: item[1].lower())
