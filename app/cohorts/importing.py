"""The CSV import of learners: every row checked first, then all enrolled (or none), and told by email."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import User
from app.audit import service as audit_service
from app.cohorts.cohorts import lock_cohort
from app.cohorts.exceptions import ImportRejected
from app.cohorts.membership import team_key
from app.cohorts.models import Cohort, CohortTrainer, Enrolment, Team
from app.cohorts.schemas import ImportResult, RowError
from app.core.config import get_settings
from app.core.db import utcnow
from app.outbox import service as outbox_service

MAX_IMPORT_ROWS = 500
MAX_IMPORT_BYTES = 1_000_000
_EMAIL = TypeAdapter(EmailStr)


@dataclass
class _Row:
    line: int
    email: str
    full_name: str
    team: str | None


def parse_csv(content: bytes, *, kind: str) -> tuple[list[_Row], list[RowError]]:
    """Rows of email,full_name[,team], with every problem found (not just the first)."""
    if len(content) > MAX_IMPORT_BYTES:
        return [], [RowError(line=None, message="The file is larger than 1 MB: split it.")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            RowError(
                line=None,
                message="The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.",
            )
        ]
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if first and cells[0].casefold() in ("email", "email address"):
                first = False
                continue  # a header row
            first = False
            problems = _row_problems(cells, kind=kind)
            email = accounts_service.normalise_email(cells[0]) if cells else ""
            if not problems and email in seen:
                problems.append(f"{email} appears more than once (first on line {seen[email]})")
            errors += [RowError(line=line, message=p) for p in problems]
            if not problems:
                seen[email] = line
                team = cells[2] if len(cells) == 3 and cells[2] else None
                rows.append(_Row(line, email, " ".join(cells[1].split()), team))
    except csv.Error as exc:
        errors.append(RowError(line=reader.line_num, message=f"the file is not valid CSV ({exc})"))
    if not rows and not errors:
        errors.append(RowError(line=None, message="The file has no learners in it."))
    if len(rows) > MAX_IMPORT_ROWS:
        errors.append(
            RowError(
                line=None,
                message=f"The file has {len(rows)} learners; import at most {MAX_IMPORT_ROWS} at a time.",
            )
        )
    return rows, errors


def _row_problems(cells: list[str], *, kind: str) -> list[str]:
    if len(cells) not in (2, 3):
        return [
            f"expected 2 or 3 columns (email, full name, team) but found {len(cells)}; "
            "put names that contain commas in double quotes"
        ]
    problems = []
    email, name = cells[0], cells[1]
    try:
        _EMAIL.validate_python(email)
        if len(email) > 254:
            raise ValueError
    except (ValidationError, ValueError):
        problems.append(
            f"'{email[:60]}' is not a valid email address" if email else "the email is missing"
        )
    if not name:
        problems.append("the full name is missing")
    elif len(name) > 200:
        problems.append("the full name is longer than 200 characters")
    team = cells[2] if len(cells) == 3 else ""
    if team and kind != "teams":
        problems.append("this cohort is for individuals, so leave the team column empty")
    elif len(team) > 80:
        problems.append("the team name is longer than 80 characters")
    return problems


def import_csv(session: Session, *, cohort: Cohort, content: bytes, actor_id: int) -> ImportResult:
    """Enrol everyone in the file, creating invited accounts for new emails: all or nothing.

    Every row is checked before anything is written; a file with any problem raises ImportRejected
    listing each one with its line number.
    """
    cohort = lock_cohort(session, cohort_id=cohort.id)
    rows, errors = parse_csv(content, kind=cohort.kind)
    users = accounts_service.users_by_email(session, emails=[r.email for r in rows])
    enrolments = {
        e.user_id: e
        for e in session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    }
    trainers = set(
        session.scalars(select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == cohort.id))
    )
    joining = 0
    for r in rows:
        user = users.get(r.email)
        if user is None:
            joining += 1
            continue
        if user.id in trainers:
            errors.append(RowError(line=r.line, message=f"{r.email} is a trainer of this cohort"))
        elif not user.is_active:
            errors.append(
                RowError(line=r.line, message=f"the account for {r.email} has been closed")
            )
        elif user.id not in enrolments or enrolments[user.id].status != "active":
            joining += 1
    active = sum(1 for e in enrolments.values() if e.status == "active")
    if active + joining > cohort.capacity:
        errors.append(
            RowError(
                line=None,
                message=f"The cohort has {max(cohort.capacity - active, 0)} places left but the "
                f"file adds {joining} learners. Raise the capacity or remove rows.",
            )
        )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line or 0))

    team_ids = _teams_by_name(session, cohort=cohort, names=[r.team for r in rows if r.team])
    org = cohort.organisation.name if cohort.organisation else None
    now = utcnow()
    created = enrolled = already = 0
    invited: list[User] = []  # new accounts: a link to choose a password
    added: list[User] = []  # existing accounts newly enrolled: a note that they are in
    for r in rows:
        user = users.get(r.email)
        if user is None:
            user = accounts_service.create_user(
                session,
                email=r.email,
                password=None,  # invited: they set a password before they can sign in
                full_name=r.full_name,
                organisation=org,
                staff_group="other",
                roles=[Role.LEARNER],
            )
            session.flush()
            created += 1
            invited.append(user)
        team_id = team_ids[team_key(r.team)] if r.team else None
        enrolment = enrolments.get(user.id)
        if enrolment is None:
            session.add(
                Enrolment(
                    cohort_id=cohort.id,
                    user_id=user.id,
                    team_id=team_id,
                    status="active",
                    enrolled_at=now,
                )
            )
            enrolled += 1
            if user not in invited:
                added.append(user)
        elif enrolment.status != "active":
            enrolment.status, enrolment.removed_at, enrolment.enrolled_at = "active", None, now
            enrolment.team_id = team_id
            enrolled += 1
            added.append(user)
        else:
            if team_id is not None:
                enrolment.team_id = team_id
            already += 1
    session.flush()
    _email_imported(session, cohort=cohort, invited=invited, added=added, actor_id=actor_id)
    result = ImportResult(
        rows=len(rows), accounts_created=created, enrolled=enrolled, already_enrolled=already
    )
    audit_service.record(
        session,
        actor_id=actor_id,
        action="cohort.import",
        target_type="cohort",
        target_id=cohort.id,
        detail=result.model_dump(),
    )
    return result


def _email_imported(
    session: Session, *, cohort: Cohort, invited: list[User], added: list[User], actor_id: int
) -> None:
    """Tell everyone the import enrolled: new accounts get a link to choose a password."""
    settings = get_settings()
    dates = f"{cohort.starts_on:%d %B %Y} to {cohort.ends_on:%d %B %Y}"
    for user in invited:
        accounts_service.send_invitation(
            session,
            user=user,
            settings=settings,
            invited_by_id=actor_id,
            reason=f"Your trainer has enrolled you in the Silver cohort '{cohort.name}' ({dates}).",
        )
    for user in added:
        outbox_service.enqueue(
            session,
            to=user.email,
            subject=f"You have joined {cohort.name} on QI Academy",
            body=(
                f"Hello {user.full_name},\n\nYour trainer has enrolled you in the Silver cohort "
                f"'{cohort.name}' ({dates}). The Silver modules are open to you now, and the "
                f"cohort's workshops and your project are here:\n"
                f"{settings.base_url}/cohorts/{cohort.id}\n\nQI Academy\n"
            ),
        )


def _teams_by_name(session: Session, *, cohort: Cohort, names: Sequence[str]) -> dict[str, int]:
    """Team ids by case-folded name, creating the teams the file names that do not exist yet."""
    existing = {
        team_key(t.name): t.id
        for t in session.scalars(select(Team).where(Team.cohort_id == cohort.id))
    }
    now = utcnow()
    for name in names:
        key = team_key(name)
        if key not in existing:
            team = Team(cohort_id=cohort.id, name=" ".join(name.split()), created_at=now)
            session.add(team)
            session.flush()
            existing[key] = team.id
    return existing
