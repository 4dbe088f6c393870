"""Report filters from the query string: blank fields mean 'all' (or the last twelve months)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from app.accounts import service as accounts_service
from app.accounts.dependencies import LeaderUser
from app.accounts.models import Organisation
from app.core.deps import SessionDep
from app.core.errors import InvalidInput
from app.reports import service
from app.reports.schemas import ReportFilters


def _date(value: str | None, field: str) -> date | None:
    """A month ('2026-04', what the month picker sends) or a day ('2026-04-15')."""
    if not value:
        return None
    try:
        return date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        raise InvalidInput(
            f"Enter the {'from' if field == 'date_from' else 'to'} month as year-month, "
            "for example 2026-04",
            field=field,
        ) from None


def _int(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("Choose an organisation from the list", field="organisation")
    return int(value)


async def _filters(
    _leader: LeaderUser,
    organisation: Annotated[str | None, Query(max_length=12)] = None,
    staff_group: Annotated[str | None, Query(max_length=40)] = None,
    date_from: Annotated[str | None, Query(max_length=10)] = None,
    date_to: Annotated[str | None, Query(max_length=10)] = None,
) -> ReportFilters:
    return service.filters(
        organisation_id=_int(organisation),
        staff_group=staff_group,
        date_from=_date(date_from, "date_from"),
        date_to=_date(date_to, "date_to"),
    )


# Leaders only (the role check runs first), then the filters.
Filters = Annotated[ReportFilters, Depends(_filters)]


def _organisation(organisation_id: int, session: SessionDep, _leader: LeaderUser) -> Organisation:
    """An organisation for leaders and administrators (403 for anyone else, then 404)."""
    return accounts_service.get_organisation(session, organisation_id=organisation_id)


# The organisation `{organisation_id}`, for leaders and administrators (as every leaders' report).
LeaderOrganisation = Annotated[Organisation, Depends(_organisation)]
