"""xAPI against Ralph, a real LRS started here: a learner's journey arrives as statements Ralph
accepts, returns and its own models validate; an LRS that is down gets them once it is up."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.content.registry import ContentRegistry
from app.core.config import get_settings
from app.core.db import utcnow
from app.outbox import tasks, worker
from app.outbox.models import OutboxTask
from app.privacy import service as privacy_service
from app.xapi import service
from app.xapi.models import LrsConnection, XapiActor
from app.xapi.statements import Verb
from tests.cohorts.factories import enrol, make_cohort, make_session, make_trainer
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import answers, bearer, csrf_token, make_user, sessions_on, sign_in
from tests.servers import free_port
from tests.xapi import lrs_server as ralph
from tests.xapi.lrs_server import PASSWORD, USERNAME

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ralph.Ralph]:
    home = tmp_path_factory.mktemp("ralph")
    with ralph.running(home, free_port()) as server:
        yield server


def save_lrs(client: TestClient, db: Session, *, organisation_id: int, endpoint: str) -> None:
    """An admin sets up the organisation's LRS through the admin page, as a person would."""
    admin = make_user(db, roles=[Role.ADMIN], email=f"admin-{free_port()}@example.nhs.uk")
    sign_in(client, admin.email)
    path = f"/admin/xapi/{organisation_id}"
    form = {"endpoint": endpoint, "username": USERNAME, "password": PASSWORD, "enabled": "yes"}
    r = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert r.status_code == 200, r.text  # followed the redirect to the list
    assert "Learning record store saved." in r.text
    client.cookies.clear()


def statements_of(lrs: ralph.Ralph, name: str) -> list[dict[str, object]]:
    return [s for s in lrs.statements() if s["actor"].get("account", {}).get("name") == name]  # type: ignore[union-attr]


def test_a_learner_journey_arrives_in_ralph_as_valid_statements(
    client: TestClient, db: Session, registry: ContentRegistry, lrs: ralph.Ralph
) -> None:
    learner = make_user(db, name="Nina Okafor", email="nina.okafor@example.nhs.uk")
    assert learner.organisation_id is not None
    save_lrs(client, db, organisation_id=learner.organisation_id, endpoint=lrs.base)
    bronze = registry.tier("bronze")
    first = bronze[0]

    # Opens the first module's first section (launched), fails its quiz once, then passes.
    sign_in(client, learner.email)
    assert client.get(f"/modules/{first.slug}/sections/1").status_code == 200
    headers = bearer(client, learner.email)
    wrong = client.post(
        f"/api/v1/modules/{first.slug}/attempts",
        json={"answers": answers(first, correct=False)},
        headers=headers,
    )
    assert wrong.json()["passed"] is False
    for module in bronze:  # passing every Bronze module earns Bronze
        r = client.post(
            f"/api/v1/modules/{module.slug}/attempts",
            json={"answers": answers(module)},
            headers=headers,
        )
        assert r.json()["passed"] is True, module.slug

    # Attends a workshop session: the trainer saves the register through the API.
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    enrol(db, cohort, learner)
    workshop = make_session(db, cohort, title="Workshop 1: run charts", days=-1)
    r = client.put(
        f"/api/v1/cohorts/{cohort.id}/sessions/{workshop.id}/attendance",
        json={"marks": [{"user_id": learner.id, "status": "present"}]},
        headers=bearer(client, trainer.email),
    )
    assert r.status_code == 200, r.text

    # Nothing has left yet: the statements wait in the outbox until the delivery loop runs.
    name = service.actor_name(db, user_id=learner.id)
    assert statements_of(lrs, name) == []
    report = worker.deliver_tasks(sessions_on(db))
    assert (report.retrying, report.failed) == (0, 0), report.errors

    got = statements_of(lrs, name)
    verbs = Counter(str(s["verb"]["id"]) for s in got)  # type: ignore[index]
    n = len(bronze)
    assert verbs == {
        Verb.LAUNCHED: n,  # each module once (the first by reading, the others by their quiz)
        Verb.ATTEMPTED: n + 1,
        Verb.FAILED: 1,
        Verb.PASSED: n,
        Verb.COMPLETED: n,
        Verb.ATTENDED: 1,
        Verb.EARNED: 1,
    }
    assert report.sent == len(got)
    base = get_settings().base_url
    by_verb = {str(s["verb"]["id"]): s for s in got}  # type: ignore[index]
    failed = by_verb[Verb.FAILED]
    assert failed["object"]["id"] == f"{base}/modules/{first.slug}/quiz"  # type: ignore[index]
    assert failed["result"]["success"] is False  # type: ignore[index]
    assert failed["result"]["score"]["scaled"] == wrong.json()["score"] / 100  # type: ignore[index]
    assert by_verb[Verb.ATTENDED]["object"]["definition"]["name"] == {"en-GB": workshop.title}  # type: ignore[index]
    assert by_verb[Verb.EARNED]["object"]["id"] == f"{base}/achievements/bronze"  # type: ignore[index]
    # The actor is an opaque account on our home page: no email, no name anywhere.
    assert {json.dumps(s["actor"], sort_keys=True) for s in got} == {
        json.dumps(
            {"objectType": "Agent", "account": {"homePage": base, "name": name}}, sort_keys=True
        )
    }
    text = json.dumps(got)
    assert learner.email not in text
    assert "Nina" not in text

    # Ralph's own xAPI models accept every statement as Ralph returned it.
    reports = ralph.validate(got)
    assert len(reports) == len(got)
    assert [r["errors"] for r in reports] == [[] for _ in reports]
    assert {r["verb_model"] for r in reports} >= {"CompletedVerb"}  # a concept model was used


def test_an_lrs_that_is_down_gets_the_statements_once_it_is_up(
    client: TestClient, db: Session, registry: ContentRegistry, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens here yet
    learner = make_user(db)
    assert learner.organisation_id is not None
    save_lrs(
        client,
        db,
        organisation_id=learner.organisation_id,
        endpoint=f"http://127.0.0.1:{port}/xAPI/",
    )
    module = registry.tier("bronze")[0]
    r = client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, learner.email),
    )
    assert r.json()["passed"] is True

    down = worker.deliver_tasks(sessions_on(db))
    assert (down.sent, down.retrying) == (0, 4)  # launched, attempted, passed, completed
    db.expire_all()
    queued = [t for t in tasks.for_kind(db, kind=service.KIND) if t.user_id == learner.id]
    assert [t.status for t in queued] == ["pending"] * 4
    assert all("ConnectError" in (t.last_error or "") for t in queued)
    ids = {t.key for t in queued}
    assert ids == {t.payload["statement"]["id"] for t in queued}

    # Not due again until the backoff has passed.
    assert worker.deliver_tasks(sessions_on(db)).claimed == 0
    with ralph.running(tmp_path / "ralph", port) as lrs:
        later = utcnow() + timedelta(minutes=2)
        up = worker.deliver_tasks(sessions_on(db), clock=lambda: later)
        assert (up.sent, up.retrying, up.failed) == (4, 0, 0), up.errors
        name = service.actor_name(db, user_id=learner.id)
        assert {s["id"] for s in statements_of(lrs, name)} == ids

        # An answer lost on the way: the same statements are sent again, and Ralph keeps one each.
        db.expire_all()
        for task in db.scalars(select(OutboxTask).where(OutboxTask.key.in_(ids))):
            task.status, task.next_attempt_at = "pending", utcnow()
        db.flush()
        again = worker.deliver_tasks(sessions_on(db))
        assert again.sent == 4
        held = statements_of(lrs, name)
        assert sorted(s["id"] for s in held) == sorted(ids)


def test_an_organisation_without_an_lrs_queues_nothing(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = make_user(db)
    module = registry.tier("bronze")[0]
    client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, learner.email),
    )
    assert [t for t in tasks.for_kind(db, kind=service.KIND) if t.user_id == learner.id] == []


def test_an_organisation_that_opts_in_is_sent_the_learners_email(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner: User = make_user(db, email="sam.jones@example.nhs.uk")
    assert learner.organisation_id is not None
    save_lrs(
        client, db, organisation_id=learner.organisation_id, endpoint="https://lrs.example.nhs.uk/"
    )
    lrs_row = db.get(LrsConnection, learner.organisation_id)
    assert lrs_row is not None
    assert PASSWORD not in lrs_row.password_encrypted  # stored encrypted
    lrs_row.send_email = True
    db.flush()
    module = registry.tier("bronze")[0]
    client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, learner.email),
    )
    queued = [t for t in tasks.for_kind(db, kind=service.KIND) if t.user_id == learner.id]
    assert queued
    assert {json.dumps(t.payload["statement"]["actor"]) for t in queued} == {
        json.dumps({"objectType": "Agent", "mbox": "mailto:sam.jones@example.nhs.uk"})
    }


def test_the_lrs_form_says_what_to_fix_and_saves_nothing(client: TestClient, db: Session) -> None:
    admin = make_user(db, roles=[Role.ADMIN])
    assert admin.organisation_id is not None
    sign_in(client, admin.email)
    path = f"/admin/xapi/{admin.organisation_id}"
    form = {"endpoint": "lrs dot trust", "username": "", "password": "", "enabled": "yes"}
    r = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert r.status_code == 422
    assert "There is a problem" in r.text
    assert "Enter the endpoint as a web address" in r.text
    assert "Enter the key or user name" in r.text
    assert "Enter the secret" in r.text
    assert db.get(LrsConnection, admin.organisation_id) is None


def test_the_admin_list_counts_each_organisations_waiting_statements(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = make_user(db)
    org_id = learner.organisation_id
    assert org_id is not None
    save_lrs(client, db, organisation_id=org_id, endpoint="https://lrs.example.nhs.uk/xAPI/")
    module = registry.tier("bronze")[0]
    client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module, correct=False)},
        headers=bearer(client, learner.email),
    )
    admin = make_user(db, roles=[Role.ADMIN])
    r = client.get("/api/v1/admin/learning-record-stores", headers=bearer(client, admin.email))
    assert r.status_code == 200
    [mine] = [o for o in r.json() if o["organisation_id"] == org_id]
    assert mine["lrs"]["endpoint"] == "https://lrs.example.nhs.uk/xAPI/"
    assert (mine["lrs"]["pending"], mine["lrs"]["sent"], mine["lrs"]["failed"]) == (3, 0, 0)
    assert "password" not in json.dumps(mine)
    others = [o for o in r.json() if o["organisation_id"] != org_id]
    assert all(o["lrs"] is None for o in others)


def test_deleting_an_account_forgets_its_unsent_statements_and_opaque_name(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    learner = make_user(db)
    assert learner.organisation_id is not None
    save_lrs(client, db, organisation_id=learner.organisation_id, endpoint="https://lrs.example/")
    module = registry.tier("bronze")[0]
    client.post(
        f"/api/v1/modules/{module.slug}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, learner.email),
    )
    assert [t for t in tasks.for_kind(db, kind=service.KIND) if t.user_id == learner.id]
    assert db.get(XapiActor, learner.id) is not None
    privacy_service.delete_account(
        db, user=learner, password=FACTORY_PASSWORD, ip="127.0.0.1", settings=get_settings()
    )
    db.flush()
    db.expire_all()
    assert [t for t in tasks.for_kind(db, kind=service.KIND) if t.user_id == learner.id] == []
    assert db.get(XapiActor, learner.id) is None
