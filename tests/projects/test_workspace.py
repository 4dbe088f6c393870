"""The project workspace: starting a project, the aim helper, team, driver diagram, measures,
data (typed, pasted, uploaded), PDSA cycles, privacy refusals, read-only states, query counts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts import service as cohorts_service
from app.projects import service
from app.projects.models import DataPoint, DriverNode, Measure, PdsaCycle, Project
from app.projects.schemas import MeasureIn
from tests.factories import bearer, csrf_token, sign_in
from tests.projects.factories import (
    AIM,
    access,
    fill,
    make_cohort,
    make_learner,
    make_team,
    make_trainer,
    start,
    weeks,
)

VALID_NHS = "943 476 5919"


def _post(client: TestClient, path: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    """A form post with the CSRF token (the same for every page of one browser session)."""
    token = getattr(client, "_qia_csrf", None) or csrf_token(client, "/projects")
    client._qia_csrf = token  # type: ignore[attr-defined]
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def setup(db: Session):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    return lead, cohort, ann


# --- starting -------------------------------------------------------------------------------


def test_learner_starts_one_project_per_cohort(client: TestClient, db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    sign_in(client, ann.email)
    page = client.get("/projects")
    assert cohort.name in page.text
    assert "Start your project" in page.text
    r = _post(client, "/projects", {"cohort_id": str(cohort.id), "title": "Faster doses"})
    assert r.status_code == 303
    project_id = int(r.headers["location"].split("/")[2].split("?")[0])
    project = db.get(Project, project_id)
    assert project is not None
    assert (project.user_id, project.team_id, project.status) == (ann.id, None, "draft")
    again = _post(client, "/projects", {"cohort_id": str(cohort.id), "title": "Another"})
    assert again.headers["location"] == f"/projects/{project_id}"
    assert _count(db, Project) == 1
    assert "Faster doses" in client.get("/projects").text


def test_start_needs_a_title_and_an_enrolment(client: TestClient, db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, ann = setup
    other = make_cohort(db, lead=lead)
    sign_in(client, ann.email)
    empty = _post(client, "/projects", {"cohort_id": str(cohort.id), "title": ""})
    assert empty.status_code == 422
    assert "Enter a title" in empty.text
    h = bearer(client, ann.email)
    r = client.post("/api/v1/projects", json={"cohort_id": other.id, "title": "X"}, headers=h)
    assert r.status_code == 404
    assert "not a learner in this cohort" in r.json()["detail"]
    assert _count(db, Project) == 0


def test_team_project_is_shared_by_every_active_member(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead, kind="teams")
    ann, bob, cat = (make_learner(db, cohort, name=n) for n in ("Ann Lee", "Bob Roy", "Cat Day"))
    team_id = make_team(db, cohort, ann, bob, name="Ward 7 team")
    h_cat = bearer(client, cat.email)
    refused = client.post(
        "/api/v1/projects", json={"cohort_id": cohort.id, "title": "X"}, headers=h_cat
    )
    assert refused.status_code == 422
    assert "not in a team yet" in refused.json()["detail"]
    h_ann, h_bob = bearer(client, ann.email), bearer(client, bob.email)
    made = client.post(
        "/api/v1/projects", json={"cohort_id": cohort.id, "title": "Ours"}, headers=h_ann
    )
    assert made.status_code == 201
    assert made.json()["owner"] == "Ward 7 team"
    pid = made.json()["id"]
    twice = client.post(
        "/api/v1/projects", json={"cohort_id": cohort.id, "title": "Ours 2"}, headers=h_bob
    )
    assert twice.status_code == 409
    changed = client.patch(f"/api/v1/projects/{pid}", json={"aim": AIM}, headers=h_bob)
    assert changed.status_code == 200
    assert db.get(Project, pid).team_id == team_id  # type: ignore[union-attr]
    assert client.get(f"/api/v1/projects/{pid}", headers=h_ann).json()["team_members"] == [
        "Ann Lee",
        "Bob Roy",
    ]
    assert client.get(f"/api/v1/projects/{pid}", headers=h_cat).status_code == 404
    assert client.get("/api/v1/projects", headers=h_bob).json()["count"] == 1


# --- overview and the aim helper ------------------------------------------------------------


def test_aim_helper_gives_hints_but_never_blocks_saving(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    sign_in(client, ann.email)
    form = {
        "title": "Falls",
        "aim": "Reduce falls",
        "problem": "Falls at night.",
        "background": "",
        "setting": "",
        "reflection": "",
        "sustainability": "",
    }
    r = _post(client, f"/projects/{project.id}", form)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "Your changes have been saved" in page
    assert "Say how much" in page
    assert "Say by when" in page
    assert "For whom:</strong> not found yet" in page
    db.refresh(project)
    assert project.aim == "Reduce falls"
    # The driver diagram's root box shows the aim.
    root = db.scalar(select(DriverNode).where(DriverNode.project_id == project.id))
    assert root is not None
    assert root.text == "Reduce falls"
    api = client.post(
        "/api/v1/projects/aim-check", json={"aim": AIM}, headers=bearer(client, ann.email)
    )
    assert api.json()["hints"] == []
    assert all(c["met"] for c in api.json()["checks"])


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("problem", f"Patient {VALID_NHS} fell twice"),
        ("aim", "Reduce falls for John Smith DOB 12/03/1950 by 2027"),
        ("reflection", "NHS number 9434765919 showed it"),
    ],
)
def test_identifiers_in_the_narrative_are_refused_and_nothing_is_saved(
    client: TestClient,
    db: Session,
    setup,
    field: str,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    _lead, cohort, ann = setup
    project = start(db, ann, cohort, title="Falls")
    sign_in(client, ann.email)
    form = dict.fromkeys(
        ("problem", "background", "setting", "aim", "reflection", "sustainability"), ""
    )
    form |= {"title": "Renamed", field: text}
    r = _post(client, f"/projects/{project.id}", form)
    assert r.status_code == 422
    assert "Error:" in r.text.split("</title>")[0]
    assert "never details that identify a patient" in r.text
    db.refresh(project)
    assert project.title == "Falls"
    assert getattr(project, field) == ""


def test_identifiers_are_refused_in_every_free_text_field_of_the_api(
    client: TestClient,
    db: Session,
    setup,  # type: ignore[no-untyped-def]
) -> None:
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    h = bearer(client, ann.email)
    base = f"/api/v1/projects/{project.id}"
    nodes = service.nodes(db, project_id=project.id)
    measure = service.measures(db, project_id=project.id)[0]
    cycle = service.cycles(db, project_id=project.id)[0]
    bad = f"Seen {VALID_NHS}"
    measure_body = {
        "kind": "process",
        "name": "Checks",
        "definition": bad,
        "unit": "%",
        "direction": "increase",
    }
    cycle_body = {"title": "T", "starts_on": "2026-03-02"}
    attempts = [
        ("patch", base, {"problem": bad}),
        ("patch", base, {"sustainability": "Asha Patel, born 1 March 1950, owns it"}),
        ("post", f"{base}/members", {"name": "Asha Patel", "role": bad}),
        ("post", f"{base}/drivers", {"parent_id": nodes[0].id, "text": bad}),
        ("patch", f"{base}/drivers/{nodes[1].id}", {"text": bad}),
        ("post", f"{base}/measures", measure_body),
        ("put", f"{base}/measures/{measure.id}", {**measure_body, "name": measure.name}),
        (
            "post",
            f"{base}/measures/{measure.id}/rebases",
            {"starts_on": "2026-03-02", "reason": bad},
        ),
        ("post", f"{base}/pdsa", {**cycle_body, "prediction": bad}),
        ("put", f"{base}/pdsa/{cycle.id}", {**cycle_body, "study": bad}),
        ("post", f"{base}/comments", {"body": bad}),
    ]
    for method, path, body in attempts:
        r = getattr(client, method)(path, json=body, headers=h)
        assert r.status_code == 422, (path, body, r.text)
        detail = r.json()["detail"]
        assert "NHS number" in detail or "date of birth" in detail, detail
    assert a.project.status == "draft"
    assert _count(db, Measure) == 1
    assert db.scalar(select(PdsaCycle.study).where(PdsaCycle.id == cycle.id)) == "Late doses fell."


# --- team and driver diagram ----------------------------------------------------------------


def test_team_members_are_added_and_removed(client: TestClient, db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/team"
    r = _post(client, path, {"name": "Grace Mensah", "role": "Ward manager (sponsor)"})
    assert r.status_code == 303
    page = client.get(path).text
    assert "Grace Mensah" in page
    assert "Ward manager (sponsor)" in page
    member = service.members(db, project_id=project.id)[0]
    assert _post(client, f"{path}/{member.id}/delete", {}).status_code == 303
    assert service.members(db, project_id=project.id) == []
    assert _post(client, path, {"name": "", "role": ""}).status_code == 422


def test_driver_diagram_levels_follow_from_the_parent(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/drivers"
    root = service.nodes(db, project_id=project.id)[0]
    assert root.kind == "aim"
    assert (
        _post(client, path, {"parent_id": str(root.id), "text": "Reliable rounds"}).status_code
        == 303
    )
    primary = service.nodes(db, project_id=project.id)[-1]
    _post(client, path, {"parent_id": str(primary.id), "text": "Staff know the doses"})
    secondary = service.nodes(db, project_id=project.id)[-1]
    _post(client, path, {"parent_id": str(secondary.id), "text": "Timing sticker"})
    idea = service.nodes(db, project_id=project.id)[-1]
    assert [n.kind for n in service.nodes(db, project_id=project.id)] == [
        "aim",
        "primary",
        "secondary",
        "change_idea",
    ]
    page = client.get(path).text
    # Drawn as nested lists, each box labelled with its level.
    tree = page[page.index('class="qia-tree__root"') :]
    assert (
        tree.index("Reliable rounds")
        < tree.index("Staff know the doses")
        < tree.index("Timing sticker")
    )
    assert tree.count('class="qia-tree__children"') == 3
    assert "Primary driver" in tree
    assert "Change idea" in tree
    under_idea = _post(client, path, {"parent_id": str(idea.id), "text": "Too deep"})
    assert under_idea.status_code == 422
    assert "Change ideas are the last level" in under_idea.text
    renamed = _post(client, f"{path}/{primary.id}", {"text": "Reliable drug rounds"})
    assert renamed.status_code == 303
    assert service.nodes(db, project_id=project.id)[1].text == "Reliable drug rounds"
    assert _post(client, f"{path}/{root.id}/delete", {}).status_code == 422
    # Deleting a primary driver deletes everything under it.
    assert _post(client, f"{path}/{primary.id}/delete", {}).status_code == 303
    assert [n.kind for n in service.nodes(db, project_id=project.id)] == ["aim"]


def test_a_change_idea_tested_by_a_pdsa_cycle_cannot_be_deleted(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    fill(db, project, ann)
    primary = service.nodes(db, project_id=project.id)[1]
    sign_in(client, ann.email)
    r = _post(client, f"/projects/{project.id}/drivers/{primary.id}/delete", {})
    assert r.status_code == 409
    assert "Sticker test 1" in r.text
    assert len(service.nodes(db, project_id=project.id)) == 4


# --- measures and data ----------------------------------------------------------------------


def _measure_form(**changes: str) -> dict[str, str]:
    form = {
        "kind": "outcome",
        "name": "Falls",
        "definition": "Falls recorded on the incident system per 1,000 bed days, monthly.",
        "unit": "falls per 1,000 bed days",
        "direction": "decrease",
        "target": "",
        "method": "run_ihi",
        "baseline_points": "",
    }
    return form | changes


def _measure_in(**changes: str) -> MeasureIn:
    form = {k: v for k, v in _measure_form(**changes).items() if v != ""}
    return MeasureIn.model_validate(form)


def test_measures_are_defined_with_one_main_outcome_measure(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/measures"
    first = _post(client, path, _measure_form(is_main="yes"))
    assert first.status_code == 303
    second = _post(client, path, _measure_form(name="Harm from falls", is_main="yes", target="2"))
    assert second.status_code == 303
    rows = {m.name: m for m in service.measures(db, project_id=project.id)}
    assert not rows["Falls"].is_main
    assert rows["Harm from falls"].is_main
    assert rows["Harm from falls"].target == 2
    duplicate = _post(client, path, _measure_form(name="falls"))
    assert duplicate.status_code == 409
    assert "already has a measure called" in duplicate.text
    process_main = _post(client, path, _measure_form(name="Checks", kind="process", is_main="yes"))
    assert process_main.status_code == 422
    assert "Only an outcome measure can be the main outcome measure" in process_main.text
    missing = _post(
        client, path, _measure_form(kind="", direction="", name="X", baseline_points="1")
    )
    assert missing.status_code == 422
    assert "Choose the type of measure" in missing.text
    assert "Choose which direction is better" in missing.text
    assert _count(db, Measure) == 2
    page = client.get(path).text
    assert "Harm from falls</a> (main outcome measure)" in page


def test_values_are_typed_with_iso_or_uk_dates_and_replace_the_same_date(
    client: TestClient,
    db: Session,
    setup,  # type: ignore[no-untyped-def]
) -> None:
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    measure = service.create_measure(db, access=access(db, project, ann), data=_measure_in())  # type: ignore[arg-type]
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/measures/{measure.id}/data"
    assert _post(client, path, {"period": "2026-01-05", "value": "4.2"}).status_code == 303
    assert _post(client, path, {"period": "05/01/2026", "value": "3.9"}).status_code == 303
    bad = _post(client, path, {"period": "31/02/2026", "value": "many"})
    assert bad.status_code == 422
    assert "is not a real date" in bad.text
    assert "Enter a number" in bad.text
    values = db.scalars(select(DataPoint.value).where(DataPoint.measure_id == measure.id)).all()
    assert values == [3.9]


def test_pasted_csv_is_saved_all_or_nothing_with_line_numbered_errors(
    client: TestClient,
    db: Session,
    setup,  # type: ignore[no-untyped-def]
) -> None:
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    measure = service.create_measure(db, access=access(db, project, ann), data=_measure_in())  # type: ignore[arg-type]
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/measures/{measure.id}/data/import"
    broken = "date,value\n2026-01-05,4\n2026-01-12,four\n19/01/2026,5\n2026-01-05,6\n"
    r = _post(client, path, {"csv": broken})
    assert r.status_code == 422
    assert "Line 3: &#39;four&#39; is not a number." in r.text
    assert "Line 5: 2026-01-05 appears again (first on line 2)" in r.text
    assert "2026-01-12,four" in r.text  # the pasted text is kept for fixing
    assert _count(db, DataPoint) == 0
    good = "date,value\n2026-01-05,4\n12/01/2026,5\n2026-01-19,3.5\n"
    saved = _post(client, path, {"csv": good})
    assert saved.status_code == 303
    assert _count(db, DataPoint) == 3
    page = client.get(saved.headers["location"]).text
    assert "Your data has been saved. New values: 3. Values replaced: 0." in page
    upload = _post(
        client,
        path,
        {"csv": ""},
        files={
            "file": (
                "falls.csv",
                b"\xef\xbb\xbfdate,value\r\n2026-01-19,3\r\n2026-01-26,2\r\n",
                "text/csv",
            )
        },
    )
    assert upload.status_code == 303
    stored = dict(
        db.execute(
            select(DataPoint.period, DataPoint.value).where(DataPoint.measure_id == measure.id)
        ).all()
    )
    assert len(stored) == 4
    assert sorted(stored.values()) == [2, 3, 4, 5]


def test_csv_and_json_data_through_the_api(client: TestClient, db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    measure = service.create_measure(db, access=access(db, project, ann), data=_measure_in())  # type: ignore[arg-type]
    h = bearer(client, ann.email)
    base = f"/api/v1/projects/{project.id}/measures/{measure.id}"
    r = client.post(
        f"{base}/data.csv",
        content=b"2026-01-05,4\n2026-01-12,5\n",
        headers={**h, "content-type": "text/csv"},
    )
    assert r.json() == {"added": 2, "updated": 0}
    r = client.post(
        f"{base}/data",
        json={
            "points": [{"period": "2026-01-12", "value": 6}, {"period": "2026-01-19", "value": 7}]
        },
        headers=h,
    )
    assert r.json() == {"added": 1, "updated": 1}
    bad = client.post(
        f"{base}/data.csv", content=b"2026-13-01,4\n", headers={**h, "content-type": "text/csv"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"] == "DataRejected"
    assert "Line 1:" in bad.json()["detail"]
    assert client.delete(f"{base}/data/2026-01-05", headers=h).status_code == 204
    assert [p["value"] for p in client.get(base, headers=h).json()["data"]] == [6, 7]
    wrong_type = client.post(
        f"{base}/data.csv", content=b"{}", headers={**h, "content-type": "application/json"}
    )
    assert wrong_type.status_code == 422


# --- PDSA cycles ----------------------------------------------------------------------------


def test_pdsa_cycles_link_to_this_projects_change_ideas(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    fill(db, project, ann, cycles=0)
    idea = service.nodes(db, project_id=project.id)[-1]
    other = start(db, make_learner(db, cohort, name="Bob Roy"), cohort)
    other_root = service.nodes(db, project_id=other.id)[0]
    sign_in(client, ann.email)
    path = f"/projects/{project.id}/pdsa"
    form = {
        "title": "Sticker on nights",
        "change_idea_id": str(idea.id),
        "starts_on": "02/03/2026",
        "ends_on": "",
        "plan": "One bay.",
        "prediction": "Fewer late doses.",
        "do": "",
        "study": "",
        "act": "",
        "decision": "",
    }
    r = _post(client, path, form)
    assert r.status_code == 303
    cycle = service.cycles(db, project_id=project.id)[0]
    assert (cycle.change_idea, cycle.starts_on.isoformat(), cycle.decision) == (
        "Timing sticker on the chart",
        "2026-03-02",
        None,
    )
    page = client.get(r.headers["location"]).text
    assert "PDSA 1: Sticker on nights" in page
    updated = _post(
        client,
        f"{path}/{cycle.id}",
        form | {"study": "Late doses fell from 9 to 3.", "decision": "adopt"},
    )
    assert updated.status_code == 303
    assert service.cycles(db, project_id=project.id)[0].decision == "adopt"
    foreign = _post(client, path, form | {"change_idea_id": str(other_root.id)})
    assert foreign.status_code == 422
    assert "Choose a change idea from this project" in foreign.text
    backwards = _post(client, path, form | {"ends_on": "2026-03-01"})
    assert backwards.status_code == 422
    assert "end date must be on or after the start date" in backwards.text
    assert len(service.cycles(db, project_id=project.id)) == 1
    assert _post(client, f"{path}/{cycle.id}/delete", {}).status_code == 303
    assert service.cycles(db, project_id=project.id) == []


# --- who may change what ----------------------------------------------------------------------


def test_submitted_and_signed_off_projects_are_read_only(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    service.submit(db, access=a)
    db.flush()
    h = bearer(client, ann.email)
    r = client.patch(f"/api/v1/projects/{project.id}", json={"title": "New"}, headers=h)
    assert r.status_code == 409
    assert "waiting for your trainer's decision" in r.json()["detail"]
    sign_in(client, ann.email)
    page = client.get(f"/projects/{project.id}").text
    assert "cannot be changed" in page
    assert 'action="/projects/' + str(project.id) + '"' not in page  # no edit form
    # Comments are still welcome.
    assert (
        client.post(
            f"/api/v1/projects/{project.id}/comments", json={"body": "Thanks!"}, headers=h
        ).status_code
        == 201
    )


def test_trainers_read_but_cannot_change_a_learners_project(
    client: TestClient, db: Session, setup
) -> None:  # type: ignore[no-untyped-def]
    lead, cohort, ann = setup
    project = start(db, ann, cohort)
    fill(db, project, ann)
    h = bearer(client, lead.email)
    assert client.get(f"/api/v1/projects/{project.id}", headers=h).status_code == 200
    r = client.patch(f"/api/v1/projects/{project.id}", json={"title": "Mine now"}, headers=h)
    assert r.status_code == 403
    assert "Only the project's learner" in r.json()["detail"]
    sign_in(client, lead.email)
    page = client.get(f"/projects/{project.id}/measures")
    assert page.status_code == 200
    assert "Add a measure" not in page.text
    assert "reading this project as a trainer" in page.text


def test_workspace_pages_make_a_fixed_number_of_queries(
    client: TestClient, db: Session, setup, count_queries
) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    a = fill(db, project, ann)
    sign_in(client, ann.email)
    paths = ["", "/measures", "/pdsa", "/drivers", "/charts", "/submit", "/history"]

    def counts() -> list[int]:
        out = []
        for p in paths:
            with count_queries() as q:
                assert client.get(f"/projects/{project.id}{p}").status_code == 200
            out.append(q.count)
        return out

    before = counts()
    for i in range(3):
        service.create_measure(db, access=a, data=_measure_in(name=f"Extra {i}"))  # type: ignore[arg-type]
    fill_more = service.measures(db, project_id=project.id)
    service.save_points(
        db, access=a, measure_id=fill_more[-1].id, points=[(d, 1.0) for d in weeks(30)]
    )
    db.flush()
    assert counts() == before


def test_my_projects_makes_a_fixed_number_of_queries_however_many_cohorts(
    client: TestClient, db: Session, count_queries
) -> None:  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    ann = make_learner(db, name="Ann Lee")

    def join_team_cohort(team: str | None, title: str | None) -> None:
        cohort = make_cohort(db, lead=lead, kind="teams")
        cohorts_service.join_by_code(db, code=cohort.invite_code, user=ann)
        db.flush()
        if team:
            make_team(db, cohort, ann, name=team)
        if title:
            start(db, ann, cohort, title=title)

    join_team_cohort("Ward 7 team", "Ward 7 doses")
    sign_in(client, ann.email)
    h = bearer(client, ann.email)

    def counts() -> tuple[int, int]:
        with count_queries() as page:
            assert client.get("/projects").status_code == 200
        with count_queries() as api:
            assert client.get("/api/v1/projects", headers=h).status_code == 200
        return page.count, api.count

    before = counts()
    join_team_cohort("Bay B team", "Bay B falls")
    join_team_cohort(None, None)  # not in a team there yet
    assert counts() == before
    page = client.get("/projects").text
    for text in ("Ward 7 team", "Ward 7 doses", "Bay B team", "Bay B falls", "not in a team yet"):
        assert text in page
    listed = client.get("/api/v1/projects", headers=h).json()
    assert sorted((p["title"], p["owner"]) for p in listed["data"]) == [
        ("Bay B falls", "Bay B team"),
        ("Ward 7 doses", "Ward 7 team"),
    ]


def test_anonymous_visitors_are_asked_to_sign_in(client: TestClient, db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    _lead, cohort, ann = setup
    project = start(db, ann, cohort)
    r = client.get(f"/projects/{project.id}", follow_redirects=False)
    assert r.status_code == 303
    assert re.match(r"/login\?next=", r.headers["location"])
    assert client.get(f"/api/v1/projects/{project.id}").status_code == 401
