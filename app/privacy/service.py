"""People's data: one JSON export of everything held about a person; deletion in one transaction.

Deletion anonymises rather than deletes the account row: progress, attempts and ratings stay so
reports' totals do not change, but nothing left points at a person.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit
from app.cohorts import service as cohorts_service
from app.content.registry import ContentRegistry
from app.core.config import Settings
from app.core.db import as_utc, utcnow
from app.core.errors import Conflict
from app.credentials import service as credentials_service
from app.feedback import service as feedback_service
from app.notifications import service as notifications_service
from app.outbox import service as outbox_service
from app.portfolio import coaching
from app.privacy.schemas import (
    DataExport,
    ExportAttempt,
    ExportEvent,
    ExportFeedback,
    ExportProfile,
    ExportProgress,
    ExportSignIn,
)
from app.progress import service as progress_service
from app.projects import service as projects_service
from app.projects.schemas import ProjectDetail
from app.quizzes import service as quizzes_service

DELETION_REASON = "holder deleted account"


class LastAdmin(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "You are the only admin. Make someone else an admin before you delete your account."
        )


def _slug(registry: ContentRegistry, module_id: int) -> tuple[str, str | None]:
    module = registry.by_id(module_id)
    return (module.slug, module.meta.title) if module else (f"module-{module_id}", None)


def export(session: Session, *, user: User, registry: ContentRegistry) -> DataExport:
    """Everything held about `user`: a fixed number of queries, plus a few per project they have."""
    progress = []
    for module_id, row in sorted(progress_service.rows_for(session, user_id=user.id).items()):
        slug, title = _slug(registry, module_id)
        progress.append(
            ExportProgress(
                module=slug,
                title=title,
                status=progress_service.status_of(row),
                last_section=row.last_section,
                best_score=row.best_score,
                started_at=as_utc(row.started_at),
                completed_at=as_utc(row.completed_at) if row.completed_at else None,
                cpd_minutes=row.cpd_minutes,
            )
        )
    attempts = [
        ExportAttempt(
            id=a.id,
            module=_slug(registry, a.module_id)[0],
            score=a.score,
            passed=a.passed,
            answers=a.answers,
            created_at=as_utc(a.created_at),
        )
        for a in quizzes_service.attempts_for(session, user_id=user.id)
    ]
    cohorts = cohorts_service.cohorts_for_learner(
        session, user_id=user.id
    ) + cohorts_service.cohorts_for_trainer(session, user_id=user.id)
    return DataExport(
        exported_at=utcnow(),
        profile=ExportProfile(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            organisation=user.organisation.name if user.organisation else None,
            staff_group=user.staff_group,
            roles=sorted(user.role_names),
            created_at=as_utc(user.created_at),
            last_login_at=as_utc(user.last_login_at) if user.last_login_at else None,
        ),
        progress=progress,
        attempts=attempts,
        credentials=credentials_service.list_for_user(session, user_id=user.id),
        cohorts=cohorts,
        projects=_projects(session, user=user),
        feedback=ExportFeedback(
            modules=feedback_service.for_user(session, user_id=user.id, registry=registry),
            sessions=feedback_service.session_feedback_for_user(session, user_id=user.id),
        ),
        sign_in_attempts=[
            ExportSignIn(created_at=as_utc(a.created_at), ip=a.ip, succeeded=a.succeeded)
            for a in accounts_service.login_attempts_for(session, email=user.email)
        ],
        account_events=[
            ExportEvent(action=e.action, created_at=as_utc(e.created_at))
            for e in audit.about(session, target_type="user", target_id=user.id)
        ],
        notifications=notifications_service.everything_for(session, user_id=user.id),
        notification_emails=notifications_service.email_wanted(session, user_id=user.id),
        project_comments=coaching.comments_by(session, user_id=user.id),
    )


def _projects(session: Session, *, user: User) -> list[ProjectDetail]:
    """The whole workspace of each project the learner (or their team) has in an active cohort."""
    return [
        projects_service.detail(
            session,
            access=projects_service.access(session, project_id=mine.project.id, user=user),
        )
        for mine in projects_service.my_projects(session, user=user)
        if mine.project is not None
    ]


def delete_account(
    session: Session, *, user: User, password: str, ip: str, settings: Settings
) -> bool:
    """Delete (anonymise) the account if `password` is right; False, and nothing changed, if not.

    Returns instead of raising on a wrong password so the caller commits the failed attempt,
    which counts towards the sign-in throttle like any other.
    """
    if not accounts_service.confirm_password(
        session, user=user, password=password, ip=ip, settings=settings
    ):
        return False
    if user.has_role(Role.ADMIN) and accounts_service.count_active_admins(session) <= 1:
        raise LastAdmin()
    revoked = _revoke_credentials(session, user=user)
    erased = feedback_service.erase_comments_of(session, user_id=user.id)
    erased_project_comments = coaching.erase_comments_of(session, user_id=user.id)
    notifications_deleted = notifications_service.forget(session, user_id=user.id)
    left = cohorts_service.leave_all(session, user_id=user.id)
    outbox_service.forget_address(session, to_address=user.email)
    accounts_service.anonymise_user(session, user=user)
    audit.record(
        session,
        actor_id=user.id,
        action="user.deleted",
        target_type="user",
        target_id=user.id,
        detail={
            "credentials_revoked": revoked,
            "feedback_comments_erased": erased,
            "project_comments_erased": erased_project_comments,
            "notifications_deleted": notifications_deleted,
            "cohorts_left": left,
        },
    )
    return True


def _revoke_credentials(session: Session, *, user: User) -> int:
    """Revoke every credential still standing, with the reason verifiers will see."""
    revoked = 0
    for held in credentials_service.list_for_user(session, user_id=user.id):
        if held.status == "revoked":
            continue
        credential = credentials_service.get(session, credential_id=held.id)
        credentials_service.revoke(
            session, credential=credential, actor=user, reason=DELETION_REASON
        )
        revoked += 1
    return revoked
