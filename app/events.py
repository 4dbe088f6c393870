"""Who listens to what: the one table of domain events and their handlers.

A handler runs inside the publishing request's transaction (app/core/events.py); anything that
must wait for the commit is queued by the handler in the outbox. Read this file to see every
way one domain reacts to another.
"""

from __future__ import annotations

from app.accounts.events import AccountAnonymised
from app.awards import handlers as awards
from app.cohorts.events import AttendanceRecorded
from app.core.events import Event, Handler, bus
from app.credentials.events import CredentialIssued, CredentialRevoked
from app.gold import handlers as gold
from app.gold.events import CertificationDecided
from app.progress.events import ModuleStarted
from app.projects.events import ProjectSignedOff
from app.quizzes.events import ModulePassed, QuizAttempted
from app.sso import handlers as sso
from app.xapi import handlers as xapi

HANDLERS: dict[type[Event], list[Handler]] = {
    # A learner opened a module for the first time: xAPI "launched".
    ModuleStarted: [xapi.on_module_started],
    # A quiz was submitted and graded: xAPI "attempted", then "passed" or "failed".
    QuizAttempted: [xapi.on_quiz_attempted],
    # A quiz pass completed a module: Bronze or Silver may now be complete; xAPI "completed".
    ModulePassed: [awards.on_module_passed, xapi.on_module_passed],
    # A register was saved: attendance may now complete Silver; xAPI "attended" for those present.
    AttendanceRecorded: [awards.on_attendance_recorded, xapi.on_attendance_recorded],
    # A project was signed off: its learners may now complete Silver.
    ProjectSignedOff: [awards.on_project_signed_off],
    # A leader certified a Gold trainer: awards issues Gold and the trainer role follows.
    CertificationDecided: [awards.on_certification_decided],
    # A credential was signed: xAPI "earned" (its holder's email is part of issuing).
    CredentialIssued: [xapi.on_credential_issued],
    # A credential was revoked: a Gold one withdraws its certification and trainer role.
    CredentialRevoked: [gold.on_credential_revoked],
    # A holder deleted their account: single sign-on forgets the provider identities linked to it.
    # ... and xAPI forgets the holder's opaque name and any statement not yet sent.
    AccountAnonymised: [sso.on_account_deleted, xapi.on_account_deleted],
}

bus.wire(HANDLERS)
