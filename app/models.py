"""Every domain's models, imported so Alembic and the mapper registry see the whole schema."""

from app.accounts.models import (
    LoginAttempt,
    Organisation,
    PasswordReset,
    Throttle,
    User,
    UserRole,
    UserSession,
)
from app.audit.models import AuditEvent
from app.cohorts.models import (
    Attendance,
    Cohort,
    CohortTrainer,
    Enrolment,
    Team,
    WorkshopSession,
)
from app.content.models import Module, ModuleVersion
from app.core.db import Base
from app.core.models import JobRun
from app.credentials.models import Credential, CredentialSubject
from app.esr.models import CompetenceMapping
from app.feedback.models import ModuleFeedback, SessionFeedback
from app.gold.models import GoldCandidacy, GoldCertification, TeachingObservation
from app.lti.models import (
    LtiCohortLink,
    LtiDeepLink,
    LtiDeployment,
    LtiGradeTarget,
    LtiLogin,
    LtiPlatform,
    LtiScore,
    LtiToolKey,
    LtiUser,
)
from app.notifications.models import Notification, NotificationSetting
from app.outbox.models import OutboxMessage, OutboxTask
from app.portfolio.models import (
    Adaptation,
    CoachRequest,
    PortfolioComment,
    PortfolioMember,
    PortfolioProject,
    PortfolioReview,
    PortfolioSetting,
    PortfolioTheme,
    ProgressScore,
    Publication,
    PublicationConsent,
    QiLead,
)
from app.progress.models import ModuleProgress
from app.projects.models import (
    DataPoint,
    DriverNode,
    Measure,
    MeasureRebase,
    PdsaCycle,
    Project,
    ProjectComment,
    ProjectMember,
    Submission,
)
from app.quizzes.models import QuizAttempt
from app.reports.models import (
    REPORT_INDEXES,
    CapabilityTarget,
    ReportCompletionMonth,
    ReportLearnerMonth,
    ReportProject,
    ReportQuizMonth,
    ReportRefresh,
)
from app.sso.models import ExternalIdentity, IdentityProvider, ProviderDomain, SsoLogin
from app.xapi.models import LrsConnection, XapiActor

__all__ = [
    "REPORT_INDEXES",
    "Adaptation",
    "Attendance",
    "AuditEvent",
    "Base",
    "CapabilityTarget",
    "CoachRequest",
    "Cohort",
    "CohortTrainer",
    "CompetenceMapping",
    "Credential",
    "CredentialSubject",
    "DataPoint",
    "DriverNode",
    "Enrolment",
    "ExternalIdentity",
    "GoldCandidacy",
    "GoldCertification",
    "IdentityProvider",
    "JobRun",
    "LoginAttempt",
    "LrsConnection",
    "LtiCohortLink",
    "LtiDeepLink",
    "LtiDeployment",
    "LtiGradeTarget",
    "LtiLogin",
    "LtiPlatform",
    "LtiScore",
    "LtiToolKey",
    "LtiUser",
    "Measure",
    "MeasureRebase",
    "Module",
    "ModuleFeedback",
    "ModuleProgress",
    "ModuleVersion",
    "Notification",
    "NotificationSetting",
    "Organisation",
    "OutboxMessage",
    "OutboxTask",
    "PasswordReset",
    "PdsaCycle",
    "PortfolioComment",
    "PortfolioMember",
    "PortfolioProject",
    "PortfolioReview",
    "PortfolioSetting",
    "PortfolioTheme",
    "ProgressScore",
    "Project",
    "ProjectComment",
    "ProjectMember",
    "ProviderDomain",
    "Publication",
    "PublicationConsent",
    "QiLead",
    "QuizAttempt",
    "ReportCompletionMonth",
    "ReportLearnerMonth",
    "ReportProject",
    "ReportQuizMonth",
    "ReportRefresh",
    "SessionFeedback",
    "SsoLogin",
    "Submission",
    "TeachingObservation",
    "Team",
    "Throttle",
    "User",
    "UserRole",
    "UserSession",
    "WorkshopSession",
    "XapiActor",
]
