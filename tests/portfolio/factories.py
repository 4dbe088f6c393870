"""Portfolio factories: people of two organisations, QI leads, registrations through the service."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.portfolio import library, scores, service
from app.portfolio.models import PortfolioMember, PortfolioProject
from app.portfolio.schemas import RegistrationCreate, ReviewCreate, ScoreCreate
from tests.factories import PASSWORD

LEEDS = "Leeds Teaching Hospitals NHS Trust"
YORK = "York and Scarborough NHS Trust"
_seq = itertools.count(1)

QI = {"randomised": "no", "changes_care": "no", "generalisable": "no", "purpose": "improve"}
RESEARCH = {**QI, "randomised": "yes"}


def person(
    db: Session,
    *,
    name: str = "Asha Patel",
    organisation: str = LEEDS,
    roles: list[Role] | None = None,
    staff_group: str = "nursing_midwifery",
) -> User:
    user = accounts_service.create_user(
        db,
        email=f"portfolio{next(_seq)}@example.nhs.uk",
        password=PASSWORD,
        full_name=name,
        organisation=organisation,
        staff_group=staff_group,
        roles=roles or [Role.LEARNER],
    )
    db.flush()
    return user


def qi_lead(db: Session, *, organisation: str = LEEDS, name: str = "Quinn Lead") -> User:
    user = person(db, name=name, organisation=organisation)
    granter = person(db, name="Lee Leader", organisation=organisation, roles=[Role.LEADER])
    assert user.organisation_id is not None
    service.grant_qi_lead(db, organisation_id=user.organisation_id, email=user.email, by=granter)
    return user


def register(
    db: Session,
    user: User,
    *,
    title: str = "Drinks at the 3pm round",
    team: list[User] | None = None,
    themes: list[str] | None = None,
    division: str = "Medicine",
) -> PortfolioProject:
    data = RegistrationCreate.model_validate(
        {
            "title": title,
            "aim": "Increase residents offered a drink at 3pm from 60% to 95% by June 2027",
            "division": division,
            "themes": themes or ["nutrition"],
            "team": [u.email for u in team or []],
            "answers": QI,
        }
    )
    project = service.register(db, user=user, kind="qi", data=data)
    db.flush()
    return project


def approve(db: Session, project: PortfolioProject, lead: User) -> None:
    acc = service.access(db, project_id=project.id, user=lead)
    service.review(db, acc=acc, data=ReviewCreate(decision="approved"))
    db.flush()


def score(db: Session, project: PortfolioProject, user: User, value: str, on: str) -> int:
    acc = service.access(db, project_id=project.id, user=user)
    row = scores.set_score(
        db, acc=acc, data=ScoreCreate.model_validate({"score": value, "scored_on": on})
    )
    return row.id


def confirm(db: Session, project: PortfolioProject, lead: User, score_id: int) -> None:
    acc = service.access(db, project_id=project.id, user=lead)
    scores.confirm(db, acc=acc, score_id=score_id)
    db.flush()


def scored(db: Session, project: PortfolioProject, user: User, lead: User, value: str) -> None:
    """A score recorded by the team and confirmed by the QI lead."""
    confirm(db, project, lead, score(db, project, user, value, "2026-10-01"))


def publish(
    db: Session,
    project: PortfolioProject,
    *,
    scope: str = "community",
    lessons: str = "Start small: one ward, one shift.",
) -> None:
    """Propose the project and have every team member consent, through the service."""
    members = list(
        db.scalars(select(PortfolioMember.user_id).where(PortfolioMember.project_id == project.id))
    )
    users = accounts_service.users_by_id(db, user_ids=members)
    first, *rest = [users[i] for i in members]
    library.propose(
        db,
        acc=service.access(db, project_id=project.id, user=first),
        scope=scope,
        lessons=lessons,
    )
    for user in rest:
        library.answer(db, acc=service.access(db, project_id=project.id, user=user), consent=True)
    db.flush()
