"""The project library: publishing a project with every team member's consent, the privacy guard
run again over what is published, the library's search and withdrawal ("Adapt this project" is in
adapt.py, the write-up it reads in writeup.py). Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.schemas import Schema
from app.portfolio import coaching, writeup
from app.portfolio.constants import PUBLISHABLE_SCORE, SCOPES
from app.portfolio.exceptions import (
    NotOnTeam,
    PortfolioProjectNotFound,
    WrongStatus,
)
from app.portfolio.models import (
    PortfolioMember,
    PortfolioProject,
    PortfolioTheme,
    Publication,
    PublicationConsent,
)
from app.portfolio.schemas import PersonPublic
from app.portfolio.service import ProjectAccess, require_member
from app.projects import service as projects_service
from app.projects.privacy import identifier_problem
from app.projects.schemas import ProjectDetail

PAGE_SIZE = 20


# --- what can be published, and the privacy guard ---------------------------------------------


def is_eligible(session: Session, *, project: PortfolioProject) -> bool:
    """Signed off in its cohort, or a latest confirmed progress score of 4.0 or more."""
    if project.score is not None and project.score >= PUBLISHABLE_SCORE:
        return True
    if project.cohort_project_id is None:
        return False
    status = projects_service.project_status(session, project_id=project.cohort_project_id)
    return status == "signed_off"


def _published_text(
    project: PortfolioProject, lessons: str, detail: ProjectDetail | None
) -> list[tuple[str, str, str]]:
    """(form field, what to call it, text) for everything the library page will show."""
    out = [
        ("title", "the project's title", project.title),
        ("aim", "the project's aim", project.aim),
        ("division", "the division or service", project.division),
        ("lessons", "the lessons learned", lessons),
    ]
    if detail is not None:
        out += [
            ("write_up", "the write-up's problem", detail.problem),
            ("write_up", "the write-up's background", detail.background),
            ("write_up", "the write-up's setting", detail.setting),
            ("write_up", "the write-up's aim", detail.aim),
            ("write_up", "the write-up's reflection", detail.reflection),
            ("write_up", "the write-up's sustainability plan", detail.sustainability),
        ]
        out += [("write_up", "a box of the driver diagram", n.text) for n in detail.drivers]
        for m in detail.measures:
            out.append(("write_up", f"the measure {m.name!r}", f"{m.name}\n{m.definition}"))
        for c in detail.pdsa_cycles:
            text = "\n".join((c.title, c.plan, c.prediction, c.do, c.study, c.act))
            out.append(("write_up", f"the PDSA cycle {c.title!r}", text))
    return out


def guard(session: Session, *, project: PortfolioProject, lessons: str) -> None:
    """Refuse publication while anything to be published holds a patient identifier."""
    detail = writeup.cohort_detail(session, project=project)
    for name, label, text in _published_text(project, lessons, detail):
        problem = identifier_problem(text or "")
        if problem:
            where = (
                "Change it in the project's workspace"
                if name == "write_up"
                else "Change it on the project"
                if name in ("title", "aim", "division")
                else "Change the lessons learned"
            )
            raise InvalidInput(
                f"This project cannot be published: {label} may identify a patient. {problem} "
                f"{where}, then publish again.",
                field="lessons" if name == "lessons" else "scope",
            )


# --- proposing, consent and publication -------------------------------------------------------


@dataclass(frozen=True)
class PublicationState:
    """Where a project's publication stands, for its page."""

    scope: str
    status: str
    lessons: str
    waiting_for: list[str]  # team members who have not answered yet
    refused: bool
    my_decision: str | None  # the viewer's own answer, if they are on the team


def publication_of(session: Session, *, project_id: int) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.project_id == project_id))


def _member_ids(session: Session, *, project_id: int) -> list[int]:
    return list(
        session.scalars(
            select(PortfolioMember.user_id).where(PortfolioMember.project_id == project_id)
        )
    )


def state(session: Session, *, acc: ProjectAccess) -> PublicationState | None:
    pub = publication_of(session, project_id=acc.project.id)
    if pub is None:
        return None
    consents = list(
        session.scalars(
            select(PublicationConsent).where(PublicationConsent.publication_id == pub.id)
        )
    )
    pending = [c.user_id for c in consents if c.decision == "pending"]
    users = accounts_service.users_by_id(session, user_ids=pending)
    mine = next((c.decision for c in consents if c.user_id == acc.user.id), None)
    return PublicationState(
        scope=pub.scope,
        status=pub.status,
        lessons=pub.lessons,
        waiting_for=sorted(u.full_name for u in users.values()),
        refused=any(c.decision == "refused" for c in consents),
        my_decision=mine,
    )


def propose(session: Session, *, acc: ProjectAccess, scope: str, lessons: str) -> Publication:
    """A team member proposes the project for the library; the rest of the team is asked."""
    require_member(acc)
    project = acc.project
    if scope not in SCOPES:
        raise InvalidInput("Choose where to publish the project", field="scope")
    lessons = lessons.strip()
    if not lessons:
        raise InvalidInput("Enter the lessons learned", field="lessons")
    if len(lessons) > 4000:
        raise InvalidInput("Lessons learned must be 4,000 characters or fewer", field="lessons")
    if not is_eligible(session, project=project):
        raise WrongStatus(
            "A project can be published once it is signed off, or once a QI lead or its coach "
            f"has confirmed a progress score of {PUBLISHABLE_SCORE:.1f} or more."
        )
    guard(session, project=project, lessons=lessons)
    pub = publication_of(session, project_id=project.id)
    if pub is not None and pub.status in ("proposed", "published"):
        raise WrongStatus("This project is already proposed for the library or published there.")
    now = utcnow()
    if pub is None:
        pub = Publication(project_id=project.id, organisation_id=project.organisation_id)
        session.add(pub)
    pub.scope, pub.status, pub.lessons = scope, "proposed", lessons
    pub.proposed_by_id, pub.proposed_at = acc.user.id, now
    pub.published_at = pub.withdrawn_at = pub.withdrawn_by_id = None
    session.flush()
    session.execute(delete(PublicationConsent).where(PublicationConsent.publication_id == pub.id))
    team = _member_ids(session, project_id=project.id)
    session.add_all(
        PublicationConsent(
            publication_id=pub.id,
            user_id=uid,
            decision="consented" if uid == acc.user.id else "pending",
            decided_at=now if uid == acc.user.id else None,
        )
        for uid in team
    )
    session.flush()
    others = accounts_service.users_by_id(session, user_ids=[u for u in team if u != acc.user.id])
    for user in others.values():
        coaching.tell(
            session,
            user=user,
            text=f"{acc.user.full_name} asks if you agree to publish {project.title!r} "
            "in the project library",
            link=f"/portfolio/projects/{project.id}#library",
        )
    _publish_if_agreed(session, project=project, pub=pub)
    return pub


def answer(session: Session, *, acc: ProjectAccess, consent: bool) -> Publication:
    """A team member consents or refuses; one refusal stops it, everyone's consent publishes it."""
    require_member(acc)
    pub = publication_of(session, project_id=acc.project.id)
    if pub is None or pub.status != "proposed":
        raise WrongStatus("This project is not waiting for the team's consent to publish.")
    row = session.get(PublicationConsent, (pub.id, acc.user.id))
    if row is None:
        raise NotOnTeam()
    row.decision, row.decided_at = ("consented" if consent else "refused"), utcnow()
    session.flush()
    if not consent:
        pub.status = "refused"
        session.flush()
        return pub
    _publish_if_agreed(session, project=acc.project, pub=pub)
    return pub


def _publish_if_agreed(session: Session, *, project: PortfolioProject, pub: Publication) -> None:
    waiting = session.scalar(
        select(func.count()).where(
            PublicationConsent.publication_id == pub.id, PublicationConsent.decision != "consented"
        )
    )
    if waiting:
        return
    # The texts may have changed since it was proposed: the guard runs again as it goes out.
    guard(session, project=project, lessons=pub.lessons)
    # What the library lists and searches, as it was when everyone agreed.
    aim = writeup.source_aim(session, project=project)
    names = [m["name"] for m in writeup.plan_of(session, project=project).get("measures", [])]
    pub.title, pub.aim, pub.division = project.title, aim, project.division
    pub.lead_staff_group = project.lead_staff_group
    pub.topic = f"{project.title}\n{aim}".lower()
    pub.setting = project.division.lower()
    pub.measure_names = "\n".join(names).lower()
    pub.status, pub.published_at = "published", utcnow()
    session.flush()


def withdraw(session: Session, *, acc: ProjectAccess) -> None:
    """A team member or a QI lead of the organisation takes the project out of the library."""
    if not (acc.is_member or acc.is_qi_lead):
        raise NotOnTeam()
    pub = publication_of(session, project_id=acc.project.id)
    if pub is None or pub.status not in ("published", "proposed"):
        raise WrongStatus("This project is not in the library.")
    pub.status, pub.published_at = "withdrawn", None
    pub.withdrawn_at, pub.withdrawn_by_id = utcnow(), acc.user.id
    session.flush()


# --- reading the library ----------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryQuery:
    topic: str = ""
    setting: str = ""
    staff_group: str = ""
    measure: str = ""
    page: int = 1


def query_args(query: LibraryQuery) -> dict[str, str]:
    """The search's filters, for the links to other pages of it."""
    return {k: v for k, v in vars(query).items() if k != "page" and isinstance(v, str)}


class LibraryRow(Schema):
    project_id: int
    title: str
    aim: str
    division: str
    organisation: str
    scope: str
    published_at: datetime


@dataclass
class LibraryPage:
    rows: list[LibraryRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _visible(viewer: User) -> Any:
    community = Publication.scope == "community"
    if viewer.organisation_id is None:
        return community
    return or_(community, Publication.organisation_id == viewer.organisation_id)


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, *, viewer: User, query: LibraryQuery) -> LibraryPage:
    """Published projects the viewer may read, newest first, one page of them: a count, a page
    and the organisations' names, from the publication table alone."""
    conditions: list[Any] = [Publication.status == "published", _visible(viewer)]
    if query.topic.strip():
        conditions.append(Publication.topic.like(_like(query.topic), escape="\\"))
    if query.setting.strip():
        conditions.append(Publication.setting.like(_like(query.setting), escape="\\"))
    if query.staff_group:
        conditions.append(Publication.lead_staff_group == query.staff_group)
    if query.measure.strip():
        conditions.append(Publication.measure_names.like(_like(query.measure), escape="\\"))
    total = int(session.scalar(select(func.count()).where(*conditions)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page_no = min(max(1, query.page), pages)
    rows = session.execute(
        select(
            Publication.project_id,
            Publication.title,
            Publication.aim,
            Publication.division,
            Publication.organisation_id,
            Publication.scope,
            Publication.published_at,
        )
        .where(*conditions)
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    ).all()
    names = accounts_service.organisation_names(
        session, organisation_ids={r.organisation_id for r in rows}
    )
    return LibraryPage(
        rows=[
            LibraryRow(
                project_id=r.project_id,
                title=r.title,
                aim=r.aim,
                division=r.division,
                organisation=names.get(r.organisation_id, ""),
                scope=r.scope,
                published_at=r.published_at,
            )
            for r in rows
        ],
        total=total,
        page=page_no,
        pages=pages,
    )


def published(
    session: Session, *, viewer: User, project_id: int
) -> tuple[PortfolioProject, Publication]:
    """A published project the viewer may read (404 for anyone else, and once withdrawn)."""
    found = session.execute(
        select(PortfolioProject, Publication)
        .join(Publication, Publication.project_id == PortfolioProject.id)
        .where(
            PortfolioProject.id == project_id, Publication.status == "published", _visible(viewer)
        )
    ).first()
    if found is None:
        raise PortfolioProjectNotFound()
    return found[0], found[1]


def team_names(session: Session, *, project_id: int) -> list[PersonPublic]:
    users = accounts_service.users_by_id(
        session, user_ids=_member_ids(session, project_id=project_id)
    )
    return sorted(
        (PersonPublic(id=u.id, full_name=u.full_name) for u in users.values()),
        key=lambda p: p.full_name.lower(),
    )


def themes_of(session: Session, *, project_id: int) -> list[str]:
    return list(
        session.scalars(
            select(PortfolioTheme.theme)
            .where(PortfolioTheme.project_id == project_id)
            .order_by(PortfolioTheme.theme)
        )
    )


def organisation_name(session: Session, *, organisation_id: int) -> str:
    names = accounts_service.organisation_names(session, organisation_ids=[organisation_id])
    return names.get(organisation_id, "")
