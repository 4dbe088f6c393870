"""Submission and sign-off: the readiness checklist, submit, withdraw, the trainer's review,
the history of decisions, and the comments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.audit import service as audit_service
from app.cohorts import service as cohorts_service
from app.core.db import as_utc, utcnow
from app.core.errors import InvalidInput
from app.core.events import publish
from app.projects import notices
from app.projects.constants import LEVEL_SCORES, RUBRIC
from app.projects.events import ProjectSignedOff
from app.projects.exceptions import CannotSubmit, NothingToReview, NothingToWithdraw
from app.projects.models import Project, ProjectComment, Submission
from app.projects.permissions import ProjectAccess, editable, require_member, require_trainer, touch
from app.projects.schemas import (
    CommentCreate,
    CommentPublic,
    ProjectDetail,
    ReviewCreate,
    SubmissionPublic,
)
from app.projects.workspace import detail

MAX_COMMENTS = 500


@dataclass(frozen=True)
class ReadinessItem:
    label: str
    done: bool
    hint: str


def readiness(detail: ProjectDetail) -> list[ReadinessItem]:
    """What the rubric will look for, as a checklist before submitting (advice, not a gate)."""
    measured = [m for m in detail.measures if m.points >= 2]
    decided = [c for c in detail.pdsa_cycles if c.prediction and c.study and c.decision]
    return [
        ReadinessItem(
            "Aim", bool(detail.aim), "Write a specific aim: how much, by when and for whom."
        ),
        ReadinessItem(
            "Driver diagram",
            any(n.kind == "change_idea" for n in detail.drivers),
            "Add drivers and at least one change idea.",
        ),
        ReadinessItem(
            "Measurement",
            bool(measured),
            "Define at least one measure and add its data over time.",
        ),
        ReadinessItem(
            "Testing of changes",
            len(decided) >= 2,
            "Record at least two PDSA cycles, each with a prediction, what happened and a "
            "decision to adopt, adapt or abandon.",
        ),
        ReadinessItem(
            "Learning and reflection",
            bool(detail.reflection),
            "Reflect on what you learnt, including what did not work.",
        ),
        ReadinessItem(
            "Sustainability",
            bool(detail.sustainability),
            "Say who owns the change, how it is built into routine work and how it will "
            "still be measured.",
        ),
    ]


# --- submission and sign-off ------------------------------------------------------------------


def submit(session: Session, *, access: ProjectAccess) -> Submission:
    """Send the project for sign-off, keeping a snapshot of what was submitted."""
    project = editable(access)
    if not project.aim.strip():
        raise CannotSubmit(
            "Write your aim on the Overview page before you submit: the trainer assesses "
            "the project against it."
        )
    snapshot = detail(session, access=access).model_dump(mode="json")
    submission = Submission(
        project_id=project.id,
        status="submitted",
        submitted_at=utcnow(),
        submitted_by_id=access.user.id,
        snapshot=snapshot,
    )
    session.add(submission)
    project.status = "submitted"
    touch(project)
    session.flush()
    notices.submitted(session, project=project, by=access.user.full_name)
    return submission


def _pending(session: Session, *, project_id: int) -> Submission | None:
    """The submission waiting for a decision, locked: a decision and a withdrawal at the same
    moment take turns, and the second finds nothing waiting."""
    return session.scalar(
        select(Submission)
        .where(Submission.project_id == project_id, Submission.status == "submitted")
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def review(session: Session, *, access: ProjectAccess, data: ReviewCreate) -> Submission:
    """Record a trainer's rubric scores and decision; a sign-off publishes ProjectSignedOff."""
    require_trainer(access)
    project = access.project
    submission = _pending(session, project_id=project.id)
    if submission is None or project.status != "submitted":
        raise NothingToReview()
    now = utcnow()
    approved = data.decision == "approve"
    for criterion in RUBRIC:
        setattr(submission, f"{criterion}_score", getattr(data, criterion))
    submission.comment = data.comment or None
    if approved and data.impact is not None:
        submission.impact, submission.impact_reasons = data.impact, data.impact_reasons
    submission.decided_at = now
    submission.decided_by_id = access.user.id
    submission.status = "signed_off" if approved else "changes_requested"
    project.status = submission.status
    project.signed_off_at = now if approved else None
    touch(project)
    session.flush()
    audit_service.record(
        session,
        actor_id=access.user.id,
        action="project.signed_off" if approved else "project.changes_requested",
        target_type="project",
        target_id=project.id,
        detail={
            "cohort_id": project.cohort_id,
            "submission_id": submission.id,
            "scores": {c: getattr(data, c) for c in RUBRIC},
            "total": data.total,
        },
    )
    team = learner_ids(session, project=project)
    notices.decided(session, project=project, submission=submission, learner_ids=team)
    if approved:
        publish(
            session,
            ProjectSignedOff(
                project_id=project.id,
                cohort_id=project.cohort_id,
                user_ids=tuple(team),
                actor_id=access.user.id,
            ),
        )
    return submission


def withdraw(session: Session, *, access: ProjectAccess) -> Submission:
    """Take back the submission waiting for the trainer, so the team can change the project.

    Any member of the project (the learner, or anyone in the team) may withdraw; trainers may not.
    The submission stays in the history as "withdrawn", with decided_at and decided_by_id saying
    when and by whom it stopped waiting (which keeps the rule that a submission waits exactly
    while decided_at is empty) and no scores or comment.

    The project goes back to where it stood before it was submitted. If the trainer's last
    decision asked for changes, that request still stands (their comments are what the team is
    working on), so the project is "changes requested" again; calling it a draft would hide the
    request from the team and from the cohort's dashboard. Otherwise it is a "draft".

    The pending row is locked as review() locks it, so a withdrawal and a decision at the same
    moment cannot both win: whichever comes second finds nothing waiting (NothingToWithdraw, or
    NothingToReview for the trainer).
    """
    require_member(access)
    project = access.project
    submission = _pending(session, project_id=project.id)
    if submission is None:
        raise NothingToWithdraw()
    last_decision = session.scalar(
        select(Submission.status)
        .where(
            Submission.project_id == project.id,
            Submission.status.in_(("changes_requested", "signed_off")),
        )
        .order_by(Submission.decided_at.desc(), Submission.id.desc())
        .limit(1)
    )
    submission.status = "withdrawn"
    submission.decided_at = utcnow()
    submission.decided_by_id = access.user.id
    project.status = "changes_requested" if last_decision == "changes_requested" else "draft"
    touch(project)
    session.flush()
    audit_service.record(
        session,
        actor_id=access.user.id,
        action="project.withdrawn",
        target_type="project",
        target_id=project.id,
        detail={
            "cohort_id": project.cohort_id,
            "submission_id": submission.id,
            "status": project.status,
        },
    )
    notices.withdrawn(session, project=project, by=access.user.full_name)
    return submission


def learner_ids(session: Session, *, project: Project) -> list[int]:
    """Whose project this is: the learner, or every active member of the team."""
    if project.user_id is not None:
        return [project.user_id]
    assert project.team_id is not None
    return cohorts_service.team_member_ids(session, team_id=project.team_id)


def history(session: Session, *, project_id: int) -> list[SubmissionPublic]:
    """Every submission and what became of it (a decision or a withdrawal), newest first."""
    rows = list(
        session.scalars(
            select(Submission)
            .where(Submission.project_id == project_id)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        )
    )
    people = accounts_service.users_by_id(
        session,
        user_ids={u for s in rows for u in (s.submitted_by_id, s.decided_by_id) if u is not None},
    )

    def name(user_id: int | None) -> str | None:
        return people[user_id].full_name if user_id in people else None

    out = []
    for s in rows:
        withdrawn = s.status == "withdrawn"
        # A withdrawal also fills decided_at (the end of waiting); only a trainer's is a decision.
        decided = s.decided_at if s.decided_at is not None and not withdrawn else None
        scores = {c: getattr(s, f"{c}_score") for c in RUBRIC} if decided else None
        out.append(
            SubmissionPublic(
                id=s.id,
                status=s.status,  # type: ignore[arg-type]
                submitted_at=as_utc(s.submitted_at),
                submitted_by=name(s.submitted_by_id),
                scores=scores,
                total=sum(LEVEL_SCORES[v] for v in scores.values()) if scores else None,
                comment=s.comment,
                impact=s.impact,  # type: ignore[arg-type]
                impact_reasons=s.impact_reasons,
                decided_at=as_utc(decided) if decided else None,
                decided_by=name(s.decided_by_id) if decided else None,
                withdrawn_at=as_utc(s.decided_at) if withdrawn and s.decided_at else None,
                withdrawn_by=name(s.decided_by_id) if withdrawn else None,
            )
        )
    return out


def comments(session: Session, *, project_id: int) -> list[CommentPublic]:
    rows = list(
        session.scalars(
            select(ProjectComment)
            .where(ProjectComment.project_id == project_id)
            .order_by(ProjectComment.created_at, ProjectComment.id)
        )
    )
    people = accounts_service.users_by_id(
        session, user_ids={c.author_id for c in rows if c.author_id is not None}
    )
    return [
        CommentPublic(
            id=c.id,
            author=people[c.author_id].full_name if c.author_id in people else None,
            body=c.body,
            created_at=as_utc(c.created_at),
        )
        for c in rows
    ]


def add_comment(session: Session, *, access: ProjectAccess, data: CommentCreate) -> ProjectComment:
    """A note from a team member or a trainer, at any stage (signed off too): kept for good."""
    count = (
        session.scalar(select(func.count()).where(ProjectComment.project_id == access.project.id))
        or 0
    )
    if count >= MAX_COMMENTS:
        raise InvalidInput(f"A project can hold up to {MAX_COMMENTS} comments.", field="body")
    comment = ProjectComment(
        project_id=access.project.id, author_id=access.user.id, body=data.body, created_at=utcnow()
    )
    session.add(comment)
    session.flush()
    return comment
