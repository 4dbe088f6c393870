"""Shared project fixtures."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.projects import service
from tests.projects.factories import fill, make_cohort, make_learner, make_trainer, start


@pytest.fixture
def submitted(db: Session):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    service.submit(db, access=a)
    db.flush()
    return lead, cohort, ann, project
