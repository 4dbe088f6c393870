"""Organisations from a list: people pick listed ones, a typed name waits unlisted, and an admin
lists it or merges it into a listed organisation, moving people, cohorts, sign-on and report
history. Only admins can see typed names or merge."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.constants import Role
from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent
from app.reports import service as reports_service
from app.reports.models import ReportLearnerMonth, ReportProject
from app.sso.models import IdentityProvider
from tests.admin.factories import admin_signed_in, person
from tests.cohorts.factories import make_cohort, make_trainer
from tests.factories import csrf_token, make_user, sign_in


def _org(db: Session, name: str, *, listed: bool) -> Organisation:
    if listed:
        org = accounts_service.create_organisation(db, name=name, kind="social_care", region=None)
    else:
        org = accounts_service.get_or_create_organisation(db, name=name)
    db.flush()
    return org


def _member(db: Session, org: Organisation, email: str) -> User:
    user = make_user(db, email=email)
    user.organisation_id = org.id
    db.flush()
    return user


def test_people_are_offered_listed_organisations_only(client: TestClient, db: Session) -> None:
    _org(db, "Oak Lodge Care Home", listed=True)
    _org(db, "Oak Lodge Care Group (typed)", listed=False)
    page = client.get("/register").text
    assert '<datalist id="organisation-list">' in page
    assert '<option value="Oak Lodge Care Home">' in page
    assert "Oak Lodge Care Group (typed)" not in page  # one person's typing is not shown to others
    assert "My organisation is not listed" in page
    sign_in(client, make_user(db).email)
    assert '<option value="Oak Lodge Care Home">' in client.get("/account").text


def test_a_typed_name_waits_unlisted_and_the_admin_sees_it(client: TestClient, db: Session) -> None:
    form = {
        "csrf_token": csrf_token(client, "/register"),
        "full_name": "Ama Owusu",
        "email": "ama.typed@example.nhs.uk",
        "password": "kettle lantern willow",
        "organisation": "Sunny  Days care home",
        "staff_group": "nursing_midwifery",
        "next": "/dashboard",
    }
    assert client.post("/register", data=form, follow_redirects=False).status_code == 303
    org = db.scalars(select(Organisation).where(Organisation.name == "Sunny Days care home")).one()
    assert org.listed is False
    client.cookies.clear()
    admin_signed_in(client, db)
    page = client.get("/admin/organisations").text
    unlisted = page.split('id="unlisted"', 1)[1]
    assert "Sunny Days care home</a> (1 account)" in unlisted
    token = csrf_token(client, f"/admin/organisations/{org.id}")
    r = client.post(
        f"/admin/organisations/{org.id}/list", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"] == "/admin/organisations?done=listed"
    db.refresh(org)
    assert org.listed is True


def test_merging_moves_people_cohorts_sign_on_and_report_history(
    client: TestClient, db: Session
) -> None:
    home = _org(db, "Oak Lodge Care Home", listed=True)
    group = _org(db, "Oak Lodge Care Group", listed=False)
    listed_people = [_member(db, home, f"home{i}@example.nhs.uk") for i in range(2)]
    typed_people = [_member(db, group, f"group{i}@example.nhs.uk") for i in range(3)]
    cohort = make_cohort(db, lead=make_trainer(db))
    cohort.organisation_id = group.id
    provider = IdentityProvider(
        name="Oak Lodge",
        issuer="https://idp.oak.example",
        client_id="qia",
        client_secret_encrypted="x",
        organisation_id=group.id,
        default_staff_group="other",
    )
    db.add(provider)
    db.flush()
    reports_service.refresh(db, full=True)
    db.add(
        ReportProject(
            project_id=987654, organisation_id=group.id, month="2026-11", shows_improvement=True
        )
    )
    db.flush()
    before = _registered(db, home.id) + _registered(db, group.id)
    assert _registered(db, group.id) == 3

    admin_signed_in(client, db)
    page = client.get(f"/admin/organisations/{group.id}").text
    assert "Merge into another organisation" in page
    token = csrf_token(client, f"/admin/organisations/{group.id}")
    r = client.post(
        f"/admin/organisations/{group.id}/merge",
        data={"csrf_token": token, "target_id": str(home.id)},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/admin/organisations?done=merged"
    group_id, home_id = group.id, home.id
    db.expire_all()  # the request changed these rows on the same connection
    assert db.scalar(select(Organisation.id).where(Organisation.id == group_id)) is None
    for user in listed_people + typed_people:
        assert user.organisation_id == home_id
    assert (cohort.organisation_id, provider.organisation_id) == (home_id, home_id)
    assert db.get(ReportProject, 987654).organisation_id == home_id  # type: ignore[union-attr]
    # Rollup rows for the same month and staff group add up; nothing is lost or counted twice.
    assert _registered(db, group_id) == 0
    assert _registered(db, home_id) == before
    reports_service.refresh(db, full=True)  # a rebuild from the source agrees with the merge
    assert _registered(db, home_id) == before
    merged = db.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.merged")).one()
    assert merged.detail["from_name"] == "Oak Lodge Care Group"
    assert merged.detail["accounts"] == 3


def _registered(db: Session, org_id: int) -> int:
    total = db.scalar(
        select(func.coalesce(func.sum(ReportLearnerMonth.registered), 0)).where(
            ReportLearnerMonth.organisation_id == org_id
        )
    )
    return int(total or 0)


def test_merge_refuses_itself_and_unlisted_targets(client: TestClient, db: Session) -> None:
    a = _org(db, "Typed A", listed=False)
    b = _org(db, "Typed B", listed=False)
    admin_signed_in(client, db)
    token = csrf_token(client, f"/admin/organisations/{a.id}")
    for target, message in ((b.id, "Choose a listed organisation"), (a.id, "Choose a different")):
        r = client.post(
            f"/admin/organisations/{a.id}/merge",
            data={"csrf_token": token, "target_id": str(target)},
        )
        assert r.status_code == 422
        assert message in r.text
    blank = client.post(f"/admin/organisations/{a.id}/merge", data={"csrf_token": token})
    assert blank.status_code == 422
    assert db.get(Organisation, a.id) is not None


def test_only_admins_can_list_or_merge(client: TestClient, db: Session) -> None:
    home = _org(db, "Listed Home", listed=True)
    typed = _org(db, "Typed Home", listed=False)
    member = _member(db, typed, "typed.member@example.nhs.uk")
    for role in (Role.LEARNER, Role.TRAINER, Role.LEADER):
        client.cookies.clear()
        sign_in(client, person(db, role).email)
        token = csrf_token(client, "/dashboard")
        merge = client.post(
            f"/admin/organisations/{typed.id}/merge",
            data={"csrf_token": token, "target_id": str(home.id)},
        )
        listing = client.post(f"/admin/organisations/{typed.id}/list", data={"csrf_token": token})
        assert (merge.status_code, listing.status_code) == (403, 403)
        assert client.get("/admin/organisations").status_code == 403
    client.cookies.clear()
    no_csrf = client.post(
        f"/admin/organisations/{typed.id}/merge", data={"target_id": str(home.id)}
    )
    assert no_csrf.status_code in (401, 403)
    db.refresh(member)
    assert member.organisation_id == typed.id
    assert db.get(Organisation, typed.id) is not None
