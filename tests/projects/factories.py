"""Project factories: cohorts and learners through the cohorts service, projects through ours."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.cohorts.schemas import CohortCreate
from app.projects import service
from app.projects.models import Project
from app.projects.schemas import MeasureIn, NodeCreate, PdsaIn, ProjectStart, ProjectUpdate
from tests.factories import make_user

_seq = itertools.count(1)
AIM = (
    "Increase the percentage of time-critical Parkinson's doses given within 30 minutes on "
    "Ward 7 from 62% to 90% by 31 March 2027"
)
# Weekly values: 12 baseline weeks around 62, then 10 weeks around 85 after the change.
BASELINE = [60, 63, 61, 64, 62, 59, 63, 62, 61, 64, 60, 62]
AFTER = [80, 84, 86, 83, 88, 85, 87, 86, 89, 88]
FIRST_WEEK = date(2026, 1, 5)


def weeks(n: int, start: date = FIRST_WEEK) -> list[date]:
    return [start + timedelta(weeks=i) for i in range(n)]


def make_trainer(db: Session, *, name: str = "Tomasz Nowak") -> User:
    return make_user(
        db, roles=[Role.TRAINER], name=name, email=f"ptrainer{next(_seq)}@example.nhs.uk"
    )


def make_cohort(
    db: Session, *, lead: User, kind: str = "individuals", attendance_required: int = 0
) -> Cohort:
    today = date.today()
    cohort = cohorts_service.create_cohort(
        db,
        data=CohortCreate(
            name=f"Silver projects cohort {next(_seq)}",
            kind=kind,  # type: ignore[arg-type]
            organisation="Leeds Teaching Hospitals NHS Trust",
            starts_on=today,
            ends_on=today + timedelta(days=180),
            capacity=50,
            attendance_required=attendance_required,
        ),
        creator=lead,
    )
    db.flush()
    return cohort


def make_learner(db: Session, cohort: Cohort | None = None, *, name: str = "Asha Patel") -> User:
    user = make_user(db, name=name, email=f"plearner{next(_seq)}@example.nhs.uk")
    if cohort is not None:
        cohorts_service.join_by_code(db, code=cohort.invite_code, user=user)
        db.flush()
    return user


def make_team(db: Session, cohort: Cohort, *members: User, name: str | None = None) -> int:
    team = cohorts_service.create_team(db, cohort=cohort, name=name or f"Team {next(_seq)}")
    for user in members:
        cohorts_service.move_to_team(db, cohort=cohort, user_id=user.id, team_id=team.id)
    db.flush()
    return team.id


def start(
    db: Session, user: User, cohort: Cohort, *, title: str = "Faster Parkinson's doses"
) -> Project:
    project = service.start_project(
        db, user=user, data=ProjectStart(cohort_id=cohort.id, title=title)
    )
    db.flush()
    return project


def access(db: Session, project: Project, user: User) -> service.ProjectAccess:
    return service.access(db, project_id=project.id, user=user)


def fill(db: Session, project: Project, user: User, *, cycles: int = 2) -> service.ProjectAccess:
    """A project ready for sign-off: aim, drivers, a measure with data, PDSA cycles, reflection."""
    a = access(db, project, user)
    service.update_project(
        db,
        access=a,
        data=ProjectUpdate(
            aim=AIM,
            problem="Doses of time-critical medicines are often late on the ward.",
            reflection="The sticker failed on nights at first; involving the night team helped.",
            sustainability="The medicines link nurse owns the process; audited monthly.",
        ),
    )
    root = service.nodes(db, project_id=project.id)[0]
    primary = service.add_node(
        db, access=a, data=NodeCreate(parent_id=root.id, text="Reliable drug rounds")
    )
    secondary = service.add_node(
        db,
        access=a,
        data=NodeCreate(parent_id=primary.id, text="Staff know which doses are critical"),
    )
    idea = service.add_node(
        db, access=a, data=NodeCreate(parent_id=secondary.id, text="Timing sticker on the chart")
    )
    measure = service.create_measure(
        db,
        access=a,
        data=MeasureIn(
            kind="outcome",
            name="Doses on time",
            definition="Time-critical doses given within 30 minutes of the prescribed time, "
            "divided by all time-critical doses, from the weekly drug chart audit.",
            unit="% of doses",
            direction="increase",
            target=90,
            method="xmr_mdc",
            baseline_points=12,
            is_main=True,
        ),
    )
    values = BASELINE + AFTER
    service.save_points(
        db,
        access=a,
        measure_id=measure.id,
        points=list(zip(weeks(len(values)), values, strict=True)),
    )
    for i in range(cycles):
        service.create_cycle(
            db,
            access=a,
            data=PdsaIn(
                title=f"Sticker test {i + 1}",
                change_idea_id=idea.id,
                plan="One bay, one week.",
                prediction="Fewer late doses.",
                do="Done as planned.",
                study="Late doses fell.",
                act="Extend to the whole ward.",
                decision="adapt",
                starts_on=FIRST_WEEK + timedelta(weeks=12 + i),
            ),
        )
    db.flush()
    return a
