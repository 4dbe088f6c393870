"""Capability plan routes: leaders set an organisation's targets and read coverage against them.

Pages under /leader/capability (the plan form, the report, CSV of each table) and the JSON API
under /api/v1/organisations/{id}/capability-*, sharing app/reports/capability.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import CurrentUser, LeaderUser
from app.core.csv import csv_response
from app.core.db import utcnow
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import NotFound
from app.core.forms import FormInvalid
from app.core.responses import done_message, done_redirect
from app.core.templating import render
from app.reports import capability, service
from app.reports.dependencies import LeaderOrganisation
from app.reports.schemas import (
    CapabilityPlanPublic,
    CapabilityPlanUpdate,
    CapabilityReport,
    hundredths_of,
)

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/organisations", tags=["reports"])

DONE = {"saved": "The capability plan has been saved. The report below measures against it."}
TIERS = capability.TIER_NAMES


def _field(tier: str, group: str) -> str:
    return f"target-{tier}-{group}"


def _shown(hundredths: int | None) -> str:
    return "" if hundredths is None else f"{hundredths / 100:g}"


def _parse(form: FormData) -> tuple[dict[str, str], dict[capability.Key, int], dict[str, str]]:
    """The form's values, the plan they give, and an error per field that is not a percentage."""
    values: dict[str, str] = {}
    plan: dict[capability.Key, int] = {}
    errors: dict[str, str] = {}
    for tier, tier_name in TIERS.items():
        every_name = f"all-{tier}"
        every = str(form.get(every_name) or "").strip()
        values[every_name] = every
        every_value: int | None = None
        if every:
            try:
                every_value = hundredths_of(every)
            except ValueError:
                errors[every_name] = (
                    f"Enter the {tier_name} target for every staff group as a whole or decimal "
                    "percentage from 0 to 100, like 100, 10 or 2.5"
                )
        for group, group_name in STAFF_GROUPS.items():
            name = _field(tier, group)
            text = str(form.get(name) or "").strip()
            values[name] = text
            if not text:
                if every_value is not None:
                    plan[group, tier] = every_value
                continue
            try:
                plan[group, tier] = hundredths_of(text)
            except ValueError:
                errors[name] = (
                    f"Enter the {tier_name} target for {group_name.lower()} as a whole or decimal "
                    "percentage from 0 to 100, like 100, 10 or 2.5"
                )
    return values, plan, errors


def _form_context(org_id: int, org_name: str, values: dict[str, str]) -> dict[str, object]:
    return {
        "title": f"Capability plan: {org_name}",
        "organisation": {"id": org_id, "name": org_name},
        "values": values,
        "tiers": TIERS,
        "staff_groups": STAFF_GROUPS,
        "nav": "leader",
        "errors": {},
    }


@pages.get("/leader/capability")
def capability_organisations(
    request: Request, _leader: LeaderUser, session: SessionDep
) -> Response:
    """Every organisation, to open its capability plan and report."""
    context = {"title": "Capability plans", "organisations": service.organisations(session)}
    return render(request, "reports/capability_list.html", {**context, "nav": "leader"})


@pages.get("/leader/capability/{organisation_id}")
def capability_report(request: Request, org: LeaderOrganisation, session: SessionDep) -> Response:
    """Coverage against the plan by staff group and tier, and at the end of each month."""
    r = capability.report(session, organisation=org, today=utcnow().date())
    return render(
        request,
        "reports/capability.html",
        {
            "title": f"Capability report: {org.name}",
            "r": r,
            "tiers": TIERS,
            "has_plan": any(c.target_percent is not None for c in r.coverage),
            "done": done_message(request, DONE),
            "nav": "leader",
        },
    )


@pages.get("/leader/capability/{organisation_id}/plan")
def capability_plan_form(
    request: Request, org: LeaderOrganisation, session: SessionDep
) -> Response:
    """The form: a target per staff group and tier, blank for none."""
    found = capability.targets(session, organisation_id=org.id)
    values = {_field(t, g): _shown(found.get((g, t))) for t in TIERS for g in STAFF_GROUPS} | {
        f"all-{t}": "" for t in TIERS
    }
    return render(request, "reports/capability_plan.html", _form_context(org.id, org.name, values))


@pages.post("/leader/capability/{organisation_id}/plan")
async def save_capability_plan(
    request: Request, org: LeaderOrganisation, user: CurrentUser, session: SessionDep
) -> Response:
    """Replace the plan with the form's targets (nothing is saved if any is not a percentage)."""
    values, plan, errors = _parse(await request.form())
    if errors:
        context = _form_context(org.id, org.name, values)
        raise FormInvalid(errors, template="reports/capability_plan.html", context=context)
    capability.set_plan(session, organisation_id=org.id, plan_targets=plan, by=user)
    return done_redirect(f"/leader/capability/{org.id}", "saved")


@pages.get("/leader/capability/{organisation_id}/{table}.csv")
def capability_csv(org: LeaderOrganisation, table: str, session: SessionDep) -> Response:
    """The coverage table or the coverage over time as CSV."""
    found = capability.TABLES.get(table)
    if found is None:
        raise NotFound(
            f"There is no capability table called '{table[:40]}'. Choose coverage or over-time."
        )
    header, rows = found
    r = capability.report(session, organisation=org, today=utcnow().date())
    return csv_response(f"capability-{org.id}-{table}.csv", header, rows(r))


@api.get("/{organisation_id}/capability-plan")
def read_capability_plan(org: LeaderOrganisation, session: SessionDep) -> CapabilityPlanPublic:
    """The organisation's capability plan: a target share per staff group and tier."""
    return capability.plan(session, organisation_id=org.id)


@api.put("/{organisation_id}/capability-plan")
def replace_capability_plan(
    org: LeaderOrganisation, data: CapabilityPlanUpdate, user: CurrentUser, session: SessionDep
) -> CapabilityPlanPublic:
    """Replace the plan: targets not in the body are removed. Each is a percentage 0 to 100."""
    plan: dict[capability.Key, int] = {
        (str(t.staff_group), str(t.tier)): int(t.target_percent * 100) for t in data.targets
    }
    capability.set_plan(session, organisation_id=org.id, plan_targets=plan, by=user)
    return capability.plan(session, organisation_id=org.id)


@api.get("/{organisation_id}/capability-report")
def read_capability_report(org: LeaderOrganisation, session: SessionDep) -> CapabilityReport:
    """Coverage against the plan by staff group and tier, and over the last 12 months."""
    return capability.report(session, organisation=org, today=utcnow().date())
