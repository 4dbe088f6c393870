"""What the reports read model does when other domains tell it something happened."""

from __future__ import annotations

from sqlalchemy import delete, literal, select, update
from sqlalchemy.orm import Session

from app.accounts.events import OrganisationsMerged
from app.reports.models import (
    ReportCompletionMonth,
    ReportLearnerMonth,
    ReportProject,
    ReportQuizMonth,
)
from app.reports.rollups import _upsert_add

# Each monthly rollup: its key columns after organisation_id, and the counts that add up.
_MONTHLY = (
    (ReportLearnerMonth, ["staff_group"], ["registered"]),
    (ReportCompletionMonth, ["staff_group", "achievement"], ["completions"]),
    (ReportQuizMonth, ["staff_group", "module_id"], ["attempts", "passed"]),
)


def on_organisations_merged(session: Session, event: OrganisationsMerged) -> None:
    """Report history moves with the organisation: the source's monthly counts are added to the
    target's (rows for the same month and group add up), so no report loses or doubles a count."""
    for table, keys, sums in _MONTHLY:
        columns = ["month", "organisation_id", *keys, *sums]
        query = select(
            table.month,
            literal(event.target_id),
            *(getattr(table, c) for c in [*keys, *sums]),
        ).where(table.organisation_id == event.source_id)
        _upsert_add(session, table, query, columns, sums)
        session.execute(delete(table).where(table.organisation_id == event.source_id))
    session.execute(
        update(ReportProject)
        .where(ReportProject.organisation_id == event.source_id)
        .values(organisation_id=event.target_id)
    )
