"""The project registry: register, review, read; who may see and change a project; QI leads and
the research office setting. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.portfolio.exceptions import (
    NoOrganisation,
    NotOnTeam,
    NotQiLead,
    PortfolioProjectNotFound,
    UnknownColleague,
    WrongStatus,
)
from app.portfolio.models import (
    PortfolioMember,
    PortfolioProject,
    PortfolioReview,
    PortfolioSetting,
    PortfolioTheme,
    QiLead,
)
from app.portfolio.schemas import (
    PersonPublic,
    ProjectPublic,
    ProjectRow,
    RegistrationCreate,
    RegistrationUpdate,
    ResearchOfficeUpdate,
    ReviewCreate,
    ReviewPublic,
)

LIST_LIMIT = 200


@dataclass(frozen=True)
class ProjectAccess:
    """A project and what the person asking may do with it."""

    project: PortfolioProject
    user: User
    is_member: bool
    is_qi_lead: bool
    is_coach: bool
    is_leader: bool

    @property
    def can_edit(self) -> bool:
        return self.is_member and self.project.cohort_project_id is None

    @property
    def can_score(self) -> bool:
        return self.is_member and self.project.status == "active"

    @property
    def can_confirm(self) -> bool:
        return self.is_qi_lead or self.is_coach


# --- QI leads and settings ------------------------------------------------------------------


def is_qi_lead(session: Session, *, user_id: int, organisation_id: int) -> bool:
    found = session.scalar(
        select(QiLead.user_id).where(
            QiLead.user_id == user_id, QiLead.organisation_id == organisation_id
        )
    )
    return found is not None


def led_organisations(session: Session, *, user_id: int) -> list[int]:
    return list(session.scalars(select(QiLead.organisation_id).where(QiLead.user_id == user_id)))


def qi_leads(session: Session, *, organisation_id: int) -> list[PersonPublic]:
    ids = session.scalars(select(QiLead.user_id).where(QiLead.organisation_id == organisation_id))
    users = accounts_service.users_by_id(session, user_ids=list(ids))
    return sorted(
        (PersonPublic(id=u.id, full_name=u.full_name) for u in users.values()),
        key=lambda p: p.full_name.lower(),
    )


def grant_qi_lead(session: Session, *, organisation_id: int, email: str, by: User) -> User:
    """Make the person with `email` (an account in this organisation) a QI lead of it."""
    user = accounts_service.users_by_email(session, emails=[email]).get(email.strip().lower())
    if user is None or user.organisation_id != organisation_id:
        raise InvalidInput(
            f"No one with the email {email} has an account in this organisation. Check the "
            "address; the person must choose this organisation on their account first.",
            field="email",
        )
    if not is_qi_lead(session, user_id=user.id, organisation_id=organisation_id):
        session.add(
            QiLead(
                organisation_id=organisation_id,
                user_id=user.id,
                granted_by_id=by.id,
                granted_at=utcnow(),
            )
        )
        session.flush()
    return user


def revoke_qi_lead(session: Session, *, organisation_id: int, user_id: int) -> None:
    session.execute(
        delete(QiLead).where(QiLead.organisation_id == organisation_id, QiLead.user_id == user_id)
    )
    session.flush()


def research_office(session: Session, *, organisation_id: int) -> ResearchOfficeUpdate:
    row = session.get(PortfolioSetting, organisation_id)
    if row is None:
        return ResearchOfficeUpdate()
    return ResearchOfficeUpdate.model_validate(row)


def set_research_office(
    session: Session, *, organisation_id: int, data: ResearchOfficeUpdate
) -> None:
    row = session.get(PortfolioSetting, organisation_id)
    if row is None:
        row = PortfolioSetting(organisation_id=organisation_id)
        session.add(row)
    row.research_office_url = data.research_office_url
    row.research_office_email = str(data.research_office_email)
    session.flush()


# --- access -----------------------------------------------------------------------------------


def access(session: Session, *, project_id: int, user: User) -> ProjectAccess:
    """The project and the asker's part in it; 404 for anyone with no part (nothing leaks)."""
    project = session.get(PortfolioProject, project_id)
    if project is None:
        raise PortfolioProjectNotFound()
    member = session.get(PortfolioMember, (project_id, user.id)) is not None
    result = ProjectAccess(
        project=project,
        user=user,
        is_member=member,
        is_qi_lead=is_qi_lead(session, user_id=user.id, organisation_id=project.organisation_id),
        is_coach=project.coach_id == user.id,
        is_leader=user.has_role(Role.LEADER, Role.ADMIN),
    )
    if not (result.is_member or result.is_qi_lead or result.is_coach or result.is_leader):
        raise PortfolioProjectNotFound()
    return result


def require_member(acc: ProjectAccess) -> None:
    if not acc.is_member:
        raise NotOnTeam()


def require_qi_lead(acc: ProjectAccess) -> None:
    if not acc.is_qi_lead:
        raise NotQiLead()


def touch(project: PortfolioProject) -> None:
    project.updated_at = utcnow()


# --- registration and review ------------------------------------------------------------------


def _colleagues(session: Session, *, user: User, emails: list[str]) -> list[User]:
    found = accounts_service.users_by_email(session, emails=emails)
    out: list[User] = []
    for email in emails:
        colleague = found.get(email.strip().lower())
        if colleague is None or colleague.organisation_id != user.organisation_id:
            raise UnknownColleague(email)
        if colleague.id != user.id and colleague not in out:
            out.append(colleague)
    return out


def _set_themes(session: Session, *, project: PortfolioProject, themes: list[str]) -> None:
    session.execute(delete(PortfolioTheme).where(PortfolioTheme.project_id == project.id))
    session.add_all(
        PortfolioTheme(project_id=project.id, organisation_id=project.organisation_id, theme=t)
        for t in themes
    )


def register(
    session: Session, *, user: User, kind: str, data: RegistrationCreate
) -> PortfolioProject:
    """A project of the registrant's organisation, waiting for a QI lead's approval."""
    if user.organisation_id is None:
        raise NoOrganisation()
    team = _colleagues(session, user=user, emails=[str(e) for e in data.team])
    now = utcnow()
    project = PortfolioProject(
        organisation_id=user.organisation_id,
        kind=kind,
        title=data.title,
        aim=data.aim,
        division=data.division,
        status="awaiting_approval",
        lead_id=user.id,
        lead_staff_group=user.staff_group,
        answers=data.answers.model_dump(),
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    session.flush()
    session.add_all(PortfolioMember(project_id=project.id, user_id=u.id) for u in [user, *team])
    _set_themes(session, project=project, themes=list(data.themes))
    session.flush()
    return project


def update_registration(session: Session, *, acc: ProjectAccess, data: RegistrationUpdate) -> None:
    """The team changes the registration; a returned one goes back to the QI lead."""
    require_member(acc)
    project = acc.project
    if project.cohort_project_id is not None:
        raise WrongStatus("A cohort project is changed in its workspace.")
    project.title, project.aim, project.division = data.title, data.aim, data.division
    _set_themes(session, project=project, themes=list(data.themes))
    if project.status == "returned":
        project.status = "awaiting_approval"
    touch(project)
    session.flush()


def review(session: Session, *, acc: ProjectAccess, data: ReviewCreate) -> None:
    """A QI lead approves the registration or returns it with what to change."""
    require_qi_lead(acc)
    project = acc.project
    if project.status != "awaiting_approval":
        raise WrongStatus("This registration is not waiting for a decision.")
    if data.decision == "returned" and not data.comment:
        raise InvalidInput("Enter what the team needs to change", field="comment")
    now = utcnow()
    session.add(
        PortfolioReview(
            project_id=project.id,
            decision=data.decision,
            comment=data.comment,
            decided_by_id=acc.user.id,
            decided_at=now,
        )
    )
    project.status = "active" if data.decision == "approved" else "returned"
    if data.decision == "approved":
        project.approved_at = now
    touch(project)
    session.flush()


# --- reading ----------------------------------------------------------------------------------


def _person(users: dict[int, User], user_id: int | None) -> PersonPublic | None:
    user = users.get(user_id) if user_id is not None else None
    return PersonPublic(id=user.id, full_name=user.full_name) if user else None


def project_public(session: Session, *, acc: ProjectAccess) -> ProjectPublic:
    p = acc.project
    member_ids = list(
        session.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == p.id))
    )
    ids = {*member_ids, *(i for i in (p.lead_id, p.coach_id) if i is not None)}
    users = accounts_service.users_by_id(session, user_ids=ids)
    org = accounts_service.get_organisation(session, organisation_id=p.organisation_id)
    themes = session.scalars(
        select(PortfolioTheme.theme)
        .where(PortfolioTheme.project_id == p.id)
        .order_by(PortfolioTheme.theme)
    )
    team = [x for x in (_person(users, i) for i in member_ids) if x is not None]
    return ProjectPublic(
        id=p.id,
        organisation_id=p.organisation_id,
        organisation=org.name,
        cohort_project_id=p.cohort_project_id,
        kind=p.kind,  # type: ignore[arg-type]
        title=p.title,
        aim=p.aim,
        division=p.division,
        status=p.status,  # type: ignore[arg-type]
        themes=list(themes),
        lead=_person(users, p.lead_id),
        team=sorted(team, key=lambda x: x.full_name.lower()),
        coach=_person(users, p.coach_id),
        score=p.score,
        answers={k: str(v) for k, v in (p.answers or {}).items()},
        created_at=p.created_at,
        updated_at=p.updated_at,
        approved_at=p.approved_at,
    )


def reviews(session: Session, *, project_id: int) -> list[ReviewPublic]:
    rows = list(
        session.scalars(
            select(PortfolioReview)
            .where(PortfolioReview.project_id == project_id)
            .order_by(PortfolioReview.decided_at.desc(), PortfolioReview.id.desc())
        )
    )
    users = accounts_service.users_by_id(
        session, user_ids={r.decided_by_id for r in rows if r.decided_by_id}
    )
    return [
        ReviewPublic(
            decision=r.decision,  # type: ignore[arg-type]
            comment=r.comment,
            decided_by=users[r.decided_by_id].full_name if r.decided_by_id in users else "Someone",
            decided_at=r.decided_at,
        )
        for r in rows
    ]


def _rows(session: Session, *conditions: object) -> list[ProjectRow]:
    query = (
        select(PortfolioProject)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(PortfolioProject.updated_at.desc(), PortfolioProject.id.desc())
        .limit(LIST_LIMIT)
    )
    return [ProjectRow.model_validate(p) for p in session.scalars(query)]


def my_projects(session: Session, *, user: User) -> list[ProjectRow]:
    """Projects the person is on the team of, or coaches."""
    mine = select(PortfolioMember.project_id).where(PortfolioMember.user_id == user.id)
    return _rows(session, or_(PortfolioProject.id.in_(mine), PortfolioProject.coach_id == user.id))


def waiting_for(session: Session, *, organisation_ids: list[int]) -> list[ProjectRow]:
    """Registrations waiting for a decision in the organisations a QI lead leads."""
    if not organisation_ids:
        return []
    return _rows(
        session,
        PortfolioProject.organisation_id.in_(organisation_ids),
        PortfolioProject.status == "awaiting_approval",
    )


def organisation_projects(
    session: Session, *, organisation_id: int
) -> tuple[list[ProjectRow], int]:
    rows = _rows(session, PortfolioProject.organisation_id == organisation_id)
    total = session.scalar(
        select(func.count()).where(PortfolioProject.organisation_id == organisation_id)
    )
    return rows, int(total or 0)


# --- cohort projects join the registry -------------------------------------------------------


def add_cohort_project(
    session: Session,
    *,
    project_id: int,
    organisation_id: int,
    title: str,
    user_ids: tuple[int, ...],
) -> None:
    """A Silver cohort's project, active from the start (the cohort is its approval)."""
    users = accounts_service.users_by_id(session, user_ids=user_ids)
    lead = users.get(user_ids[0]) if user_ids else None
    now = utcnow()
    project = PortfolioProject(
        organisation_id=organisation_id,
        cohort_project_id=project_id,
        kind="qi",
        title=title,
        aim="",
        division="",
        status="active",
        lead_id=lead.id if lead else None,
        lead_staff_group=lead.staff_group if lead else "other",
        answers={},
        created_at=now,
        updated_at=now,
        approved_at=now,
    )
    try:
        with session.begin_nested():
            session.add(project)
            session.flush()
    except IntegrityError:
        return  # already in the registry
    session.add_all(PortfolioMember(project_id=project.id, user_id=uid) for uid in users)
    session.flush()


def set_status(session: Session, *, acc: ProjectAccess, status: str) -> None:
    """The team (or a QI lead) marks an approved project completed or stopped, or active again."""
    if not (acc.is_member or acc.is_qi_lead):
        raise NotOnTeam()
    if status not in ("active", "completed", "stopped"):
        raise InvalidInput("Choose active, completed or stopped", field="status")
    if acc.project.status not in ("active", "completed", "stopped"):
        raise WrongStatus("A project can be completed or stopped once a QI lead has approved it.")
    acc.project.status = status
    touch(acc.project)
    session.flush()
