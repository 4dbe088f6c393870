"""The data export (everything held about one person) and the account deletion request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.cohorts.schemas import CohortSummary
from app.core.schemas import Schema
from app.credentials.schemas import CredentialPublic
from app.feedback.schemas import ModuleFeedbackPublic, SessionFeedbackPublic
from app.notifications.schemas import NotificationPublic
from app.portfolio.schemas import CommentExport
from app.projects.schemas import ProjectDetail

EXPORT_FORMAT = "qi-academy-export/1"


class ExportProfile(Schema):
    id: int
    email: str
    full_name: str
    organisation: str | None
    staff_group: str
    roles: list[str]
    created_at: datetime
    last_login_at: datetime | None


class ExportProgress(Schema):
    module: str
    title: str | None
    status: str
    last_section: int
    best_score: int | None
    started_at: datetime
    completed_at: datetime | None
    cpd_minutes: int | None


class ExportAttempt(Schema):
    id: int
    module: str
    score: int
    passed: bool
    answers: dict[str, Any]
    created_at: datetime


class ExportFeedback(Schema):
    modules: list[ModuleFeedbackPublic]
    sessions: list[SessionFeedbackPublic]


class ExportSignIn(Schema):
    created_at: datetime
    ip: str
    succeeded: bool


class ExportEvent(Schema):
    """Something an admin or the platform did to the account (from the audit log)."""

    action: str
    created_at: datetime


class DataExport(Schema):
    """Everything QI Academy holds about one person, as JSON."""

    format: str = EXPORT_FORMAT
    exported_at: datetime
    profile: ExportProfile
    progress: list[ExportProgress]
    attempts: list[ExportAttempt]
    credentials: list[CredentialPublic]
    cohorts: list[CohortSummary]
    projects: list[ProjectDetail]
    feedback: ExportFeedback
    sign_in_attempts: list[ExportSignIn] = Field(description="Kept for a short time")
    account_events: list[ExportEvent]
    notifications: list[NotificationPublic] = Field(description="Messages in the app, newest first")
    notification_emails: bool = Field(description="Whether notifications are also emailed")
    project_comments: list[CommentExport] = Field(
        description="Comments written on QI portfolio projects"
    )


class AccountDelete(Schema):
    password: str = Field(min_length=1, max_length=256, description="Your current password")
