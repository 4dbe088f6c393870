"""Emails that keep a project moving: the trainers hear when a project is submitted or withdrawn,
the team hears the trainer's decision. Queued in the outbox in the same transaction, so an email
goes out only if the change it tells of was saved."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.cohorts import service as cohorts_service
from app.core.config import get_settings
from app.outbox import service as outbox_service
from app.projects.models import Project, Submission


def _link(project: Project, path: str = "") -> str:
    return f"{get_settings().base_url}/projects/{project.id}{path}"


def _review_link(project: Project) -> str:
    base = get_settings().base_url
    return f"{base}/trainer/cohorts/{project.cohort_id}/projects/{project.id}"


def _trainers(session: Session, project: Project) -> list[str]:
    return [t.email for t in cohorts_service.trainers_of(session, cohort_id=project.cohort_id)]


def _team(session: Session, learner_ids: list[int]) -> list[str]:
    users = accounts_service.users_by_id(session, user_ids=learner_ids)
    return [u.email for u in users.values() if u.is_active]


def submitted(session: Session, *, project: Project, by: str) -> None:
    for to in _trainers(session, project):
        outbox_service.enqueue(
            session,
            to=to,
            subject=f"Project ready for sign-off: {project.title}",
            body=f'{by} has submitted "{project.title}" for sign-off.\n\n'
            f"Review it here: {_review_link(project)}\n",
        )


def withdrawn(session: Session, *, project: Project, by: str) -> None:
    for to in _trainers(session, project):
        outbox_service.enqueue(
            session,
            to=to,
            subject=f"Project withdrawn: {project.title}",
            body=f'{by} has taken "{project.title}" back to make changes. It no longer needs '
            "your review. You will get another email when it is submitted again.\n",
        )


def decided(
    session: Session, *, project: Project, submission: Submission, learner_ids: list[int]
) -> None:
    approved = submission.status == "signed_off"
    if approved:
        subject = f"Your project is signed off: {project.title}"
        opening = f'Your trainer has signed off "{project.title}".'
    else:
        subject = f"Changes requested: {project.title}"
        opening = f'Your trainer has asked for changes to "{project.title}" before signing it off.'
    comment = f"\n\nTheir comment:\n{submission.comment}" if submission.comment else ""
    body = f"{opening}{comment}\n\nSee the project: {_link(project)}\n"
    for to in _team(session, learner_ids):
        outbox_service.enqueue(session, to=to, subject=subject, body=body)
