"""CSV import: a good file enrols everyone (creating invited accounts); a bad one imports nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cohorts.models import Cohort, Enrolment, Team
from tests.cohorts.factories import make_cohort, make_learner, make_trainer
from tests.factories import csrf_token, make_user, sign_in


def _upload(client: TestClient, cohort: Cohort, content: bytes | str, name: str = "l.csv"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/trainer/cohorts/{cohort.id}/members/import",
        data={"csrf_token": token},
        files={"file": (name, data, "text/csv")},
    )


def _counts(db: Session, cohort: Cohort) -> tuple[int, int, int]:
    users = db.scalar(select(func.count()).select_from(User)) or 0
    enrolments = db.scalar(select(func.count()).where(Enrolment.cohort_id == cohort.id)) or 0
    teams = db.scalar(select(func.count()).where(Team.cohort_id == cohort.id)) or 0
    return users, enrolments, teams


def test_good_file_enrols_everyone_and_creates_invited_accounts(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    existing = make_user(db, email="existing.nurse@example.nhs.uk", name="Existing Nurse")
    sign_in(client, lead.email)
    content = (
        "\ufeffemail,full_name,team\r\n"
        "new.one@example.nhs.uk,New One,Ward 7 falls\r\n"
        '"new.two@example.nhs.uk","Two, New",ward 7 FALLS\r\n'
        "\r\n"
        "EXISTING.NURSE@example.nhs.uk,Existing Nurse,Theatres flow\r\n"
        "solo@example.nhs.uk,Solo Learner\r\n"
    )
    r = _upload(client, cohort, content)
    assert r.status_code == 200, r.text
    assert "Learners imported" in r.text
    assert "4 learners; 4 newly enrolled" in r.text
    assert "3 new accounts created" in r.text
    new_one = db.scalars(select(User).where(User.email == "new.one@example.nhs.uk")).one()
    assert new_one.password_hash is None  # invited: cannot sign in until they set a password
    assert new_one.full_name == "New One"
    two = db.scalars(select(User).where(User.email == "new.two@example.nhs.uk")).one()
    assert two.full_name == "Two, New"
    teams = {t.name: t.id for t in db.scalars(select(Team).where(Team.cohort_id == cohort.id))}
    assert set(teams) == {"Ward 7 falls", "Theatres flow"}  # "ward 7 FALLS" is the same team
    rows = {
        e.user_id: e.team_id
        for e in db.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    }
    assert rows[new_one.id] == rows[two.id] == teams["Ward 7 falls"]
    assert rows[existing.id] == teams["Theatres flow"]
    assert len(rows) == 4
    assert "Invited" in r.text
    assert "Solo Learner" in r.text
    event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cohort.import", AuditEvent.target_id == str(cohort.id)
        )
    ).one()
    assert event.actor_id == lead.id
    assert event.detail == {"rows": 4, "accounts_created": 3, "enrolled": 4, "already_enrolled": 0}
    # The same file again changes nothing but says who was already there.
    again = _upload(client, cohort, content)
    assert "0 newly enrolled" in again.text
    assert "4 already in the cohort" in again.text
    assert _counts(db, cohort)[1] == 4


def test_bad_file_lists_every_problem_by_line_and_imports_nothing(
    client: TestClient, db: Session
) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="individuals")
    sign_in(client, lead.email)
    before = _counts(db, cohort)
    content = (
        "email,full_name\n"
        "good.person@example.nhs.uk,Good Person\n"
        "not-an-email,Someone\n"
        "nameless@example.nhs.uk,\n"
        "good.person@example.nhs.uk,Good Again\n"
        "team.person@example.nhs.uk,Team Person,Ward 3\n"
        "one-column-only\n"
        f"{lead.email},The Trainer\n"
    )
    r = _upload(client, cohort, content)
    assert r.status_code == 422
    assert "Nothing was imported: the file has 6 problems" in r.text
    for expected in (
        "line 3: &#39;not-an-email&#39; is not a valid email address",
        "line 4: the full name is missing",
        "line 5: good.person@example.nhs.uk appears more than once (first on line 2)",
        "line 6: this cohort is for individuals, so leave the team column empty",
        "line 7: expected 2 or 3 columns",
        f"line 8: {lead.email} is a trainer of this cohort",
    ):
        assert expected in r.text, expected
    assert _counts(db, cohort) == before
    assert db.scalar(select(User).where(User.email == "good.person@example.nhs.uk")) is None
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.import")) is None


def test_file_over_capacity_imports_nothing(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, capacity=2)
    make_learner(db, cohort)
    sign_in(client, lead.email)
    before = _counts(db, cohort)
    r = _upload(client, cohort, "a@example.nhs.uk,A Person\nb@example.nhs.uk,B Person\n")
    assert r.status_code == 422
    assert "The cohort has 1 places left but the file adds 2 learners" in r.text
    assert _counts(db, cohort) == before


def test_empty_binary_and_missing_files_are_explained(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    sign_in(client, lead.email)
    assert "The file has no learners in it" in _upload(client, cohort, "email,full_name\n").text
    latin1 = "jos\xe9@example.nhs.uk,Jos\xe9\n".encode("latin-1")
    r = _upload(client, cohort, latin1)
    assert r.status_code == 422
    assert "Save it as &#39;CSV UTF-8&#39;" in r.text
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    r = client.post(f"/trainer/cohorts/{cohort.id}/members/import", data={"csrf_token": token})
    assert r.status_code == 422
    assert "Choose a CSV file of learners to upload" in r.text


def test_removed_learner_is_re_enrolled_by_import(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    sign_in(client, lead.email)
    token = csrf_token(client, f"/trainer/cohorts/{cohort.id}/members")
    client.post(
        f"/trainer/cohorts/{cohort.id}/members/{learner.id}/remove", data={"csrf_token": token}
    )
    r = _upload(client, cohort, f"{learner.email},{learner.full_name}\n")
    assert "1 newly enrolled" in r.text
    row = db.scalars(select(Enrolment).where(Enrolment.user_id == learner.id)).one()
    db.refresh(row)
    assert row.status == "active"
    assert row.removed_at is None
