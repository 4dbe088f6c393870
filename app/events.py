"""Who listens to what: the one table of domain events and their handlers.

A handler runs inside the publishing request's transaction (app/core/events.py); anything that
must wait for the commit is queued by the handler in the outbox. Read this file to see every
way one domain reacts to another.
"""

from __future__ import annotations

from app.accounts.events import AccountAnonymised, EmailVerified, OrganisationsMerged
from app.awards import handlers as awards
from app.cohorts import handlers as cohorts
from app.cohorts.events import AttendanceRecorded
from app.core.events import Event, Handler, bus
from app.credentials import handlers as credentials
from app.credentials.events import CredentialIssued, CredentialRevoked
from app.gold import handlers as gold
from app.gold.events import CertificationDecided
from app.lti import handlers as lti
from app.portfolio import handlers as portfolio
from app.progress.events import ModuleStarted
from app.projects.events import ProjectSignedOff, ProjectStarted
from app.quizzes.events import ModulePassed, QuizAttempted
from app.reports import handlers as reports
from app.sso import handlers as sso
from app.xapi import handlers as xapi

HANDLERS: dict[type[Event], list[Handler]] = {
    # A learner opened a module for the first time: xAPI "launched".
    ModuleStarted: [xapi.on_module_started],
    # A quiz was submitted and graded: xAPI "attempted", then "passed" or "failed".
    QuizAttempted: [xapi.on_quiz_attempted],
    # A quiz pass completed a module: Bronze or Silver may now be complete; xAPI "completed";
    # LTI queues the score for the platforms' gradebooks the learner launched from.
    ModulePassed: [awards.on_module_passed, lti.on_module_passed, xapi.on_module_passed],
    # A register was saved: attendance may now complete Silver; xAPI "attended" for those present.
    AttendanceRecorded: [awards.on_attendance_recorded, xapi.on_attendance_recorded],
    # A cohort project was started: it joins its organisation's QI portfolio.
    ProjectStarted: [portfolio.on_project_started],
    # A project was signed off: its learners may now complete Silver.
    ProjectSignedOff: [awards.on_project_signed_off],
    # A leader certified a Gold trainer: awards issues Gold and the trainer role follows.
    CertificationDecided: [awards.on_certification_decided],
    # A credential was signed: the status list it names is stored, if it was not yet (its
    # holder's email is part of issuing).
    # ... and xAPI "earned".
    CredentialIssued: [credentials.on_credential_issued, xapi.on_credential_issued],
    # A credential was revoked: the status list is re-signed with its bit set; a Gold one
    # withdraws its certification and trainer role.
    CredentialRevoked: [credentials.on_credential_revoked, gold.on_credential_revoked],
    # An address was confirmed: awards issues the Bronze or Silver that waited for it.
    EmailVerified: [awards.on_email_verified],
    # An admin merged an organisation into a listed one: everything that keeps one moves.
    OrganisationsMerged: [
        cohorts.on_organisations_merged,
        sso.on_organisations_merged,
        reports.on_organisations_merged,
    ],
    # A holder deleted their account: single sign-on forgets the provider identities linked to it.
    # ... LTI forgets platform identities; xAPI the holder's opaque name and unsent statements.
    AccountAnonymised: [sso.on_account_deleted, lti.on_account_deleted, xapi.on_account_deleted],
}

bus.wire(HANDLERS)
