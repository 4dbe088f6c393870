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
from app.portfolio import handlers as portfolio
from app.projects.events import ProjectSignedOff, ProjectStarted
from app.quizzes.events import ModulePassed
from app.sso import handlers as sso

HANDLERS: dict[type[Event], list[Handler]] = {
    # A quiz pass completed a module: Bronze or Silver may now be complete.
    ModulePassed: [awards.on_module_passed],
    # A register was saved: attendance may now complete Silver.
    AttendanceRecorded: [awards.on_attendance_recorded],
    # A cohort project was started: it joins its organisation's QI portfolio.
    ProjectStarted: [portfolio.on_project_started],
    # A project was signed off: its learners may now complete Silver.
    ProjectSignedOff: [awards.on_project_signed_off],
    # A leader certified a Gold trainer: awards issues Gold and the trainer role follows.
    CertificationDecided: [awards.on_certification_decided],
    # A credential was signed: nothing else yet (its holder's email is part of issuing).
    CredentialIssued: [],
    # A credential was revoked: a Gold one withdraws its certification and trainer role.
    CredentialRevoked: [gold.on_credential_revoked],
    # A holder deleted their account: single sign-on forgets the provider identities linked to it.
    AccountAnonymised: [sso.on_account_deleted],
}

bus.wire(HANDLERS)
