"""The capability plan (the "dosing" idea) and the coverage report against it.

A leader sets, per organisation, the share of each staff group that should hold Bronze, Silver
and Gold. The report counts from the report rollups: staff are the organisation's accounts in
the group (report_learner_month, by registration month), holders its active Bronze, Silver or
Gold credentials (report_completion_month, by award month; revoked ones never count). So a
figure is as fresh as the last refresh, and a million learners cost a few hundred rollup rows.
All the arithmetic is in integers: targets are hundredths of a percent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts.constants import STAFF_GROUPS
from app.accounts.models import Organisation, User
from app.audit import service as audit
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.reports.models import CapabilityTarget, ReportCompletionMonth, ReportLearnerMonth
from app.reports.rollups import TIERS, refreshed_at
from app.reports.schemas import (
    CapabilityPlanPublic,
    CapabilityReport,
    CapabilityTargetPublic,
    CoverageMonth,
    CoverageRow,
)

TIER_NAMES = {"bronze": "Bronze", "silver": "Silver", "gold": "Gold"}
MONTHS = 12
Key = tuple[str, str]  # (staff group, tier)


def needed(hundredths: int, staff: int) -> int:
    """People the plan asks for: ceil(target x staff), exactly (a part of a person rounds up)."""
    return -(-hundredths * staff // 10000)


def gap(hundredths: int, staff: int, holding: int) -> int:
    """People still to reach the target: never below 0."""
    return max(0, needed(hundredths, staff) - holding)


def share(holding: int, staff: int) -> float | None:
    """holding / staff as a percentage to 1 decimal place, halves up; None with no staff."""
    if staff == 0:
        return None
    tenths = (2000 * holding + staff) // (2 * staff)
    return tenths / 10


def targets(session: Session, *, organisation_id: int) -> dict[Key, int]:
    """The organisation's plan: (staff group, tier) -> hundredths of a percent."""
    rows = session.execute(
        select(
            CapabilityTarget.staff_group, CapabilityTarget.tier, CapabilityTarget.hundredths
        ).where(CapabilityTarget.organisation_id == organisation_id)
    )
    return {(g, t): h for g, t, h in rows}


def plan(session: Session, *, organisation_id: int) -> CapabilityPlanPublic:
    """The plan as the API shows it, groups in the staff-group list's order."""
    found = targets(session, organisation_id=organisation_id)
    updated = session.scalar(
        select(func.max(CapabilityTarget.updated_at)).where(
            CapabilityTarget.organisation_id == organisation_id
        )
    )
    return CapabilityPlanPublic(
        organisation_id=organisation_id,
        targets=[
            CapabilityTargetPublic(staff_group=g, tier=t, target_percent=found[g, t] / 100)  # type: ignore[arg-type]
            for t in TIERS
            for g in STAFF_GROUPS
            if (g, t) in found
        ],
        updated_at=updated,
    )


def set_plan(
    session: Session, *, organisation_id: int, plan_targets: Mapping[Key, int], by: User
) -> None:
    """Replace the organisation's plan: targets not given are removed."""
    for (group, tier), hundredths in plan_targets.items():
        if group not in STAFF_GROUPS or tier not in TIERS or not 0 <= hundredths <= 10000:
            raise InvalidInput(
                f"Choose a staff group and a tier (Bronze, Silver or Gold), and a target from 0 "
                f"to 100%: '{group[:40]}' and '{tier[:10]}' are not ones we know."
            )
    session.execute(
        delete(CapabilityTarget).where(CapabilityTarget.organisation_id == organisation_id)
    )
    now = utcnow()
    session.add_all(
        CapabilityTarget(
            organisation_id=organisation_id,
            staff_group=group,
            tier=tier,
            hundredths=hundredths,
            updated_at=now,
            updated_by_id=by.id,
        )
        for (group, tier), hundredths in plan_targets.items()
    )
    session.flush()
    audit.record(
        session,
        actor_id=by.id,
        action="capability.plan_set",
        target_type="organisation",
        target_id=organisation_id,
        detail={"targets": len(plan_targets)},
    )


def _months(today: date) -> list[str]:
    """The last MONTHS months as 'YYYY-MM', oldest first, ending with today's."""
    out = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@dataclass
class _Counts:
    """Per (month, staff group) registrations and per (month, staff group, tier) awards."""

    staff: dict[tuple[str, str], int]
    held: dict[tuple[str, str, str], int]


def _counts(session: Session, organisation_id: int, months: Sequence[str]) -> _Counts:
    """Grouped rollup rows: everything before the window folded into its first month."""
    first = months[0]
    lm, cm = ReportLearnerMonth, ReportCompletionMonth
    staff: dict[tuple[str, str], int] = {}
    held: dict[tuple[str, str, str], int] = {}
    for month, group, n in session.execute(
        select(lm.month, lm.staff_group, func.sum(lm.registered))
        .where(lm.organisation_id == organisation_id)
        .group_by(lm.month, lm.staff_group)
    ):
        key = (max(month, first), group)
        staff[key] = staff.get(key, 0) + int(n)
    for month, group, tier, n in session.execute(
        select(cm.month, cm.staff_group, cm.achievement, func.sum(cm.completions))
        .where(cm.organisation_id == organisation_id, cm.achievement.in_(TIERS))
        .group_by(cm.month, cm.staff_group, cm.achievement)
    ):
        hkey = (max(month, first), group, tier)
        held[hkey] = held.get(hkey, 0) + int(n)
    return _Counts(staff=staff, held=held)


def report(session: Session, *, organisation: Organisation, today: date) -> CapabilityReport:
    """Coverage against the plan now (by staff group and tier) and at each month's end."""
    plan_targets = targets(session, organisation_id=organisation.id)
    months = _months(today)
    counts = _counts(session, organisation.id, months)
    staff_now = dict.fromkeys(STAFF_GROUPS, 0)
    held_now = {(g, t): 0 for g in STAFF_GROUPS for t in TIERS}
    series: list[CoverageMonth] = []
    by_month: dict[str, list[CoverageMonth]] = {}
    for month in months:  # running totals: figures at the end of each month
        for g in STAFF_GROUPS:
            staff_now[g] += counts.staff.get((month, g), 0)
            for t in TIERS:
                held_now[g, t] += counts.held.get((month, g, t), 0)
        for t in TIERS:
            with_target = [g for g in STAFF_GROUPS if (g, t) in plan_targets]
            row = CoverageMonth(
                month=month,
                tier=t,
                staff=sum(staff_now.values()),
                holding=sum(held_now[g, t] for g in STAFF_GROUPS),
                share_percent=None,
                needed=sum(needed(plan_targets[g, t], staff_now[g]) for g in with_target),
                gap=sum(gap(plan_targets[g, t], staff_now[g], held_now[g, t]) for g in with_target),
            )
            row.share_percent = share(row.holding, row.staff)
            by_month.setdefault(month, []).append(row)
    for t in TIERS:
        series += [next(r for r in by_month[m] if r.tier == t) for m in months]
    coverage = []
    for t in TIERS:
        for g, name in STAFF_GROUPS.items():
            target = plan_targets.get((g, t))
            staff, holding = staff_now[g], held_now[g, t]
            coverage.append(
                CoverageRow(
                    staff_group=g,
                    staff_group_name=name,
                    tier=t,
                    staff=staff,
                    holding=holding,
                    share_percent=share(holding, staff),
                    target_percent=None if target is None else target / 100,
                    needed=None if target is None else needed(target, staff),
                    gap=None if target is None else gap(target, staff, holding),
                )
            )
    return CapabilityReport(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        coverage=coverage,
        months=series,
        refreshed_at=refreshed_at(session),
    )


def _cell(value: Any, none: str) -> Any:
    return none if value is None else value


COVERAGE_HEADER = [
    "staff_group",
    "tier",
    "staff",
    "holding",
    "share_percent",
    "target_percent",
    "people_needed",
    "gap_people",
]
MONTHS_HEADER = [
    "month",
    "tier",
    "staff",
    "holding",
    "share_percent",
    "people_needed",
    "gap_people",
]


def coverage_rows(r: CapabilityReport) -> Iterable[list[Any]]:
    """The coverage table as CSV rows ('no staff' and 'no target' spelt out, not blank)."""
    return (
        [
            c.staff_group_name,
            TIER_NAMES[c.tier],
            c.staff,
            c.holding,
            _cell(c.share_percent, "no staff"),
            _cell(c.target_percent, "no target"),
            _cell(c.needed, ""),
            _cell(c.gap, ""),
        ]
        for c in r.coverage
    )


def month_rows(r: CapabilityReport) -> Iterable[list[Any]]:
    """The coverage-over-time table as CSV rows."""
    return (
        [
            m.month,
            TIER_NAMES[m.tier],
            m.staff,
            m.holding,
            _cell(m.share_percent, "no staff"),
            m.needed,
            m.gap,
        ]
        for m in r.months
    )


TABLES = {"coverage": (COVERAGE_HEADER, coverage_rows), "over-time": (MONTHS_HEADER, month_rows)}
