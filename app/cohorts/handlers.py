"""What the cohorts domain does when other domains tell it something happened."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.accounts.events import OrganisationsMerged
from app.cohorts.models import Cohort


def on_organisations_merged(session: Session, event: OrganisationsMerged) -> None:
    """A merged organisation's cohorts now belong to the organisation it was merged into."""
    session.execute(
        update(Cohort)
        .where(Cohort.organisation_id == event.source_id)
        .values(organisation_id=event.target_id)
    )
