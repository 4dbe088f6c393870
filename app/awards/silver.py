"""The Silver rule: every Silver module passed, the cohort's attendance met, the project signed off.

Facts come from the domains that own them (progress, cohorts, projects); only this module
combines them, and only it asks credentials to issue Silver.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.awards.schemas import (
    CohortDashboard,
    DashboardRow,
    LearnerCohortView,
    ModuleCell,
    ModuleColumn,
    SilverStatus,
)
from app.cohorts import service as cohorts_service
from app.cohorts.models import Cohort
from app.content import service as content_service
from app.content.registry import ContentRegistry
from app.core.csv import csv_text
from app.core.db import utcnow
from app.credentials import service as credentials_service
from app.credentials.keys import KeyStoreError
from app.progress import service as progress_service
from app.projects import service as projects_service
from app.projects.constants import NOT_STARTED

log = logging.getLogger("qi_academy")
SIGNED_OFF = "signed off"


def attendance_met(*, attended: int, total: int, required: int) -> bool:
    """Exact percent comparison (no rounding); with no sessions yet, only a 0% requirement is met."""
    if total == 0:
        return required == 0
    return attended * 100 >= required * total


def project_label(state: str | None) -> str:
    """A project state ("signed_off" or "signed off") as pages show it ("signed off")."""
    return (state or NOT_STARTED).replace("_", " ")


def _silver(
    *,
    passed: int,
    modules_total: int,
    attended: int,
    sessions_total: int,
    sessions_held: int,
    required: int,
    project: str,
) -> SilverStatus:
    project = project_label(project)
    return SilverStatus(
        modules_passed=passed,
        modules_total=modules_total,
        sessions_attended=attended,
        sessions_total=sessions_total,
        sessions_held=sessions_held,
        attendance_percent=progress_service.percent(attended, sessions_held),
        attendance_required=required,
        attendance_met=attendance_met(attended=attended, total=sessions_total, required=required),
        project=project,
        project_signed_off=project == SIGNED_OFF,
    )


def statuses(
    session: Session,
    *,
    cohort: Cohort,
    user_ids: Collection[int],
    projects: Mapping[int, str] | None = None,
) -> dict[int, SilverStatus]:
    """Silver completion of many learners of one cohort: a fixed number of queries.

    `projects` (user id -> project state) is read from the projects service unless given.
    """
    module_ids = content_service.active_module_ids(session, tier="silver")
    passed = progress_service.passed_counts(session, user_ids=user_ids, module_ids=module_ids)
    attended = cohorts_service.attended_counts(session, cohort_id=cohort.id, user_ids=user_ids)
    total, held = cohorts_service.session_counts(session, cohort_id=cohort.id, now=utcnow())
    if projects is None:
        projects = projects_service.states_for(session, cohort_id=cohort.id)
    return {
        u: _silver(
            passed=passed.get(u, 0),
            modules_total=len(module_ids),
            attended=attended.get(u, 0),
            sessions_total=total,
            sessions_held=held,
            required=cohort.attendance_required,
            project=projects.get(u, NOT_STARTED),
        )
        for u in user_ids
    }


def status(session: Session, *, cohort_id: int, user_id: int) -> SilverStatus:
    """Modules passed, attendance met and project signed off, for one learner of a cohort."""
    cohort = cohorts_service.get_cohort(session, cohort_id=cohort_id)
    return statuses(session, cohort=cohort, user_ids=[user_id])[user_id]


def check_completion(
    session: Session,
    *,
    cohort_id: int,
    user_ids: Collection[int],
    registry: ContentRegistry,
    actor_id: int | None = None,
) -> list[int]:
    """Issue Silver to each of these active learners who has now completed it.

    Returns the ids of those who are complete (whether or not they already held the credential).
    """
    active = set(cohorts_service.active_learner_ids(session, cohort_id=cohort_id))
    learners = [u for u in dict.fromkeys(user_ids) if u in active]
    if not learners:
        return []
    cohort = cohorts_service.get_cohort(session, cohort_id=cohort_id)
    complete = [
        u for u, s in statuses(session, cohort=cohort, user_ids=learners).items() if s.complete
    ]
    for user_id in complete:
        _issue(session, user_id=user_id, registry=registry, actor_id=actor_id)
    return complete


def check_learner(session: Session, *, user_id: int, registry: ContentRegistry) -> None:
    """After a Silver module is passed: complete Silver in any of the learner's cohorts."""
    for cohort in cohorts_service.cohorts_for_learner(session, user_id=user_id):
        check_completion(session, cohort_id=cohort.id, user_ids=[user_id], registry=registry)


def _issue(
    session: Session, *, user_id: int, registry: ContentRegistry, actor_id: int | None
) -> None:
    """Issue Silver once. A learner who already has one (even revoked or superseded) is left
    alone: re-awarding a revoked credential is for a person to decide, not for this check."""
    definition = credentials_service.achievement_for_tier("silver")
    held = credentials_service.list_for_user(session, user_id=user_id)
    if any(c.achievement == definition.slug for c in held):
        return
    if not accounts_service.is_email_verified(session, user_id=user_id):
        return  # waits for the address to be confirmed (handlers.on_email_verified)
    try:
        with session.begin_nested():
            credentials_service.issue(
                session,
                user_id=user_id,
                achievement_slug=definition.slug,
                registry=registry,
                actor_id=actor_id,
            )
    except (KeyStoreError, OSError):
        # An unusable signing key must not undo the sign-off or the register; the learner can
        # claim the badge from their achievements page once the key is fixed.
        log.exception("could not issue Silver to user %s", user_id)


# ---------------------------------------------------------------- the cohort's dashboard


def module_columns(registry: ContentRegistry) -> list[ModuleColumn]:
    return [
        ModuleColumn(id=m.module_id, slug=m.slug, title=m.meta.title)
        for m in registry.tier("silver")
    ]


def dashboard(
    session: Session, *, cohort: Cohort, modules: Sequence[ModuleColumn]
) -> CohortDashboard:
    """Learners x Silver modules, attendance and project, for the cohort's trainers.

    A fixed number of queries however many learners: members, the progress matrix, attendance
    counts, session count and project states.
    """
    people = cohorts_service.members(session, cohort_id=cohort.id)
    ids = [m.user_id for m in people]
    matrix = progress_service.status_matrix(
        session, user_ids=ids, module_ids=[m.id for m in modules]
    )
    attended = cohorts_service.attended_counts(session, cohort_id=cohort.id, user_ids=ids)
    total, held = cohorts_service.session_counts(session, cohort_id=cohort.id, now=utcnow())
    projects = projects_service.states_for(session, cohort_id=cohort.id)
    rows = []
    for m in people:
        cells = []
        for col in modules:
            state, best = matrix.get((m.user_id, col.id), ("not_started", None))
            cells.append(ModuleCell(status=state, best_score=best))
        rows.append(
            DashboardRow(
                user_id=m.user_id,
                full_name=m.full_name,
                email=m.email,
                team=m.team,
                cells=cells,
                silver=_silver(
                    passed=sum(1 for c in cells if c.status == "completed"),
                    modules_total=len(modules),
                    attended=attended.get(m.user_id, 0),
                    sessions_total=total,
                    sessions_held=held,
                    required=cohort.attendance_required,
                    project=projects.get(m.user_id, NOT_STARTED),
                ),
            )
        )
    return CohortDashboard(
        cohort=cohorts_service.trainer_view(session, cohort=cohort),
        modules=list(modules),
        rows=rows,
        sessions_total=total,
    )


_STATUS_WORDS = {"not_started": "not started", "in_progress": "in progress", "completed": "passed"}


def cell_text(cell: ModuleCell) -> str:
    word = _STATUS_WORDS[cell.status]
    return f"{word} ({cell.best_score}%)" if cell.best_score is not None else word


def dashboard_csv(view: CohortDashboard) -> str:
    header = ["full_name", "email", "team"]
    for m in view.modules:
        header += [f"{m.slug} status", f"{m.slug} best score"]
    header += [
        "sessions attended",
        "sessions total",
        "attendance percent",
        "attendance met",
        "project",
        "silver complete",
    ]
    rows = []
    for r in view.rows:
        line: list[str] = [r.full_name, r.email, r.team or ""]
        for c in r.cells:
            line += [_STATUS_WORDS[c.status], "" if c.best_score is None else str(c.best_score)]
        s = r.silver
        line += [
            str(s.sessions_attended),
            str(s.sessions_total),
            str(s.attendance_percent),
            "yes" if s.attendance_met else "no",
            s.project,
            "yes" if s.complete else "no",
        ]
        rows.append(line)
    return csv_text(header, rows)


def learner_view(session: Session, *, cohort: Cohort, user_id: int) -> LearnerCohortView:
    team = cohorts_service.team_of(session, cohort_id=cohort.id, user_id=user_id)
    return LearnerCohortView(
        cohort=cohorts_service.cohort_public(session, cohort=cohort),
        team=team.name if team else None,
        sessions=cohorts_service.sessions_for(session, cohort_id=cohort.id),
        silver=statuses(session, cohort=cohort, user_ids=[user_id])[user_id],
    )
