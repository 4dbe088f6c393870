"""Portfolio factories: people of two organisations, QI leads, registrations through the service."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.portfolio import scores, service
from app.portfolio.models import PortfolioProject
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
