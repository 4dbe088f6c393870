"""The project library: publication with every team member's consent, the privacy guard again,
withdrawal, "Adapt this project", who can read the library, and its search."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.notifications.models import Notification
from app.portfolio import library, service
from app.portfolio.models import (
    Adaptation,
    PortfolioMember,
    PortfolioProject,
    PortfolioTheme,
    Publication,
)
from tests.factories import csrf_token, sign_in
from tests.portfolio.factories import (
    YORK,
    approve,
    person,
    publish,
    qi_lead,
    register,
    scored,
)
from tests.projects.factories import AIM, fill, make_cohort, make_learner, make_trainer, start

NHS_NUMBER = "943 476 5919"  # a valid NHS number (it passes the Modulus 11 check)


def _ready(db: Session, *, title: str = "Drinks at the 3pm round", **kw: Any) -> dict[str, Any]:
    """An approved Leeds project of two people with a confirmed score of 4.0."""
    nurse, mate = person(db, name="Nia Nurse"), person(db, name="Mo Mate")
    lead = qi_lead(db)
    project = register(db, nurse, team=[mate], title=title, **kw)
    approve(db, project, lead)
    scored(db, project, nurse, lead, "4.0")
    return {"project": project, "nurse": nurse, "mate": mate, "lead": lead}


def _post(client: TestClient, url: str, data: dict[str, str], token_page: str) -> Any:
    token = csrf_token(client, token_page)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def _listed(client: TestClient, **params: str) -> str:
    r = client.get("/portfolio/library", params=params)
    assert r.status_code == 200
    return r.text


# --- consent -----------------------------------------------------------------------------------


def test_it_is_published_only_when_everyone_consents_and_one_refusal_blocks_it(
    client: TestClient, db: Session
) -> None:
    w = _ready(db)
    project, url = w["project"], f"/portfolio/projects/{w['project'].id}"
    sign_in(client, w["nurse"].email)
    r = _post(
        client,
        url + "/publish",
        {"scope": "community", "lessons": "Ask the housekeepers first."},
        url,
    )
    assert r.status_code == 303
    pub = library.publication_of(db, project_id=project.id)
    assert pub is not None
    assert pub.status == "proposed"
    asked = db.scalar(select(Notification).where(Notification.user_id == w["mate"].id))
    assert asked is not None
    assert "agree to publish" in asked.text
    page = client.get(url).text
    assert "Not answered yet: Mo Mate" in page
    assert project.title not in _listed(client)

    # The team member who was asked says no: it is not published, and the page says so calmly.
    client.cookies.clear()
    sign_in(client, w["mate"].email)
    assert "Do you agree to publish this project?" in client.get(url).text
    r = _post(client, url + "/consent", {"consent": "no"}, url)
    assert r.status_code == 303
    db.expire_all()
    assert library.publication_of(db, project_id=project.id).status == "refused"  # type: ignore[union-attr]
    assert "Not everyone on the team agreed" in client.get(url).text
    assert project.title not in _listed(client)
    assert client.get(f"/portfolio/library/{project.id}").status_code == 404

    # Proposed again, and this time everyone agrees: it is published.
    r = _post(client, url + "/publish", {"scope": "community", "lessons": "Start small."}, url)
    assert r.status_code == 303
    client.cookies.clear()
    sign_in(client, w["nurse"].email)
    r = _post(client, url + "/consent", {"consent": "yes"}, url)
    assert r.status_code == 303
    db.expire_all()
    assert library.publication_of(db, project_id=project.id).status == "published"  # type: ignore[union-attr]
    assert project.title in _listed(client)
    shown = client.get(f"/portfolio/library/{project.id}")
    assert shown.status_code == 200
    assert "Start small." in shown.text


def test_a_single_member_team_publishes_at_once(db: Session) -> None:
    nurse, lead = person(db), qi_lead(db)
    project = register(db, nurse)
    approve(db, project, lead)
    scored(db, project, nurse, lead, "4.5")
    publish(db, project)
    assert library.publication_of(db, project_id=project.id).status == "published"  # type: ignore[union-attr]


def test_a_project_below_4_and_not_signed_off_cannot_be_proposed(
    client: TestClient, db: Session
) -> None:
    nurse, lead = person(db), qi_lead(db)
    project = register(db, nurse)
    approve(db, project, lead)
    scored(db, project, nurse, lead, "3.5")
    url = f"/portfolio/projects/{project.id}"
    sign_in(client, nurse.email)
    assert "Propose for the library" not in client.get(url).text
    r = _post(client, url + "/publish", {"scope": "community", "lessons": "x"}, url)
    assert r.status_code == 409
    assert "progress score of 4.0 or more" in r.text
    assert db.scalar(select(func.count()).select_from(Publication)) == 0


def test_someone_not_on_the_team_cannot_propose_or_consent(client: TestClient, db: Session) -> None:
    w = _ready(db)
    url = f"/portfolio/projects/{w['project'].id}"
    sign_in(client, w["lead"].email)  # the QI lead reads the project but is not on the team
    r = _post(client, url + "/publish", {"scope": "community", "lessons": "x"}, url)
    assert r.status_code == 403
    r = _post(client, url + "/consent", {"consent": "yes"}, url)
    assert r.status_code == 403


# --- the privacy guard ---------------------------------------------------------------------------


def test_lessons_with_a_patient_identifier_are_refused_and_name_the_field(
    client: TestClient, db: Session
) -> None:
    w = _ready(db)
    url = f"/portfolio/projects/{w['project'].id}"
    sign_in(client, w["nurse"].email)
    r = _post(
        client,
        url + "/publish",
        {"scope": "organisation", "lessons": f"Patient {NHS_NUMBER} fell twice."},
        url,
    )
    assert r.status_code == 422
    assert "the lessons learned may identify a patient" in r.text
    assert 'href="#lessons"' in r.text  # the error summary links to the field to fix
    assert db.scalar(select(func.count()).select_from(Publication)) == 0


def test_the_guard_runs_again_when_the_last_consent_would_publish_it(
    client: TestClient, db: Session
) -> None:
    w = _ready(db)
    project, url = w["project"], f"/portfolio/projects/{w['project'].id}"
    library.propose(
        db,
        acc=service.access(db, project_id=project.id, user=w["nurse"]),
        scope="community",
        lessons="Ask early.",
    )
    # Written in after it was proposed (as an import or an old row might hold it).
    project.aim = f"Fewer falls for the patient with NHS number {NHS_NUMBER}"
    db.flush()
    sign_in(client, w["mate"].email)
    r = _post(client, url + "/consent", {"consent": "yes"}, url)
    assert r.status_code == 422
    assert "aim may identify a patient" in r.text
    db.expire_all()
    assert library.publication_of(db, project_id=project.id).status == "proposed"  # type: ignore[union-attr]


def test_the_guard_reads_a_cohort_projects_write_up(db: Session) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    ann = make_learner(db, cohort, name="Ann Learner")
    cohort_project = start(db, ann, cohort, title="Faster doses")
    fill(db, cohort_project, ann)
    cohort_project.reflection = f"We learned a lot from {NHS_NUMBER}."
    cohort_project.status = "signed_off"
    db.flush()
    row = db.scalar(
        select(PortfolioProject).where(PortfolioProject.cohort_project_id == cohort_project.id)
    )
    assert row is not None
    assert library.is_eligible(db, project=row)
    with pytest.raises(library.InvalidInput, match="reflection may identify a patient"):
        library.propose(
            db,
            acc=service.access(db, project_id=row.id, user=ann),
            scope="community",
            lessons="Ask the night team.",
        )


# --- withdrawal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mate", "lead"])
def test_a_team_member_or_the_qi_lead_withdraws_it_and_it_leaves_the_library_at_once(
    client: TestClient, db: Session, who: str
) -> None:
    w = _ready(db)
    project = w["project"]
    publish(db, project, scope="organisation")
    reader = person(db, name="Rae Reader")
    sign_in(client, reader.email)
    assert project.title in _listed(client)
    client.cookies.clear()
    sign_in(client, w[who].email)
    url = f"/portfolio/projects/{project.id}"
    r = _post(client, url + "/withdraw", {}, url)
    assert r.status_code == 303
    client.cookies.clear()
    sign_in(client, reader.email)
    assert project.title not in _listed(client)
    assert client.get(f"/portfolio/library/{project.id}").status_code == 404


def test_a_colleague_off_the_team_cannot_withdraw_it(client: TestClient, db: Session) -> None:
    w = _ready(db)
    publish(db, w["project"])
    colleague = person(db, name="Col League")
    sign_in(client, colleague.email)
    url = f"/portfolio/projects/{w['project'].id}"
    r = _post(client, url + "/withdraw", {}, "/portfolio")
    assert r.status_code == 404
    assert library.publication_of(db, project_id=w["project"].id).status == "published"  # type: ignore[union-attr]


# --- Adapt this project --------------------------------------------------------------------------


def test_adapting_copies_the_aim_drivers_and_measure_definitions_not_the_data(
    client: TestClient, db: Session
) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    ann = make_learner(db, cohort, name="Ann Learner")
    cohort_project = start(db, ann, cohort, title="Faster Parkinson's doses")
    fill(db, cohort_project, ann)
    cohort_project.status = "signed_off"
    db.flush()
    source = db.scalar(
        select(PortfolioProject).where(PortfolioProject.cohort_project_id == cohort_project.id)
    )
    assert source is not None
    publish(db, source, lessons="Involve the night team.")

    york = person(
        db, organisation=YORK, name="York Learner", staff_group="allied_health_professionals"
    )
    sign_in(client, york.email)
    page = client.get(f"/portfolio/library/{source.id}")
    assert page.status_code == 200
    assert "Doses on time" in page.text  # the write-up's measure and its chart
    assert "<svg" in page.text
    r = _post(
        client, f"/portfolio/library/{source.id}/adapt", {}, f"/portfolio/library/{source.id}"
    )
    assert r.status_code == 303
    new = db.scalar(
        select(PortfolioProject).where(
            PortfolioProject.organisation_id == york.organisation_id,
            PortfolioProject.id != source.id,
        )
    )
    assert new is not None
    assert new.aim == AIM
    assert new.status == "awaiting_approval"
    assert new.lead_id == york.id
    assert new.cohort_project_id is None
    assert db.get(PortfolioMember, (new.id, york.id)) is not None
    adapted = db.get(Adaptation, new.id)
    assert adapted is not None
    assert adapted.source_id == source.id
    assert adapted.source_title == "Faster Parkinson's doses"
    [measure] = adapted.plan["measures"]
    assert measure["name"] == "Doses on time"
    assert measure["definition"].startswith("Time-critical doses given within 30 minutes")
    assert "data" not in measure
    assert "baseline_points" not in measure
    texts = [n["text"] for n in adapted.plan["drivers"]]
    assert "Timing sticker on the chart" in texts
    assert [n["depth"] for n in adapted.plan["drivers"]][:2] == [0, 1]
    shown = client.get(f"/portfolio/projects/{new.id}").text
    assert "Adapted from" in shown
    assert "Timing sticker on the chart" in shown


def test_adapting_a_registered_project_copies_its_aim_and_themes(
    client: TestClient, db: Session
) -> None:
    w = _ready(db, themes=["falls", "patient_safety"])
    publish(db, w["project"])
    york = person(db, organisation=YORK)
    sign_in(client, york.email)
    url = f"/portfolio/library/{w['project'].id}"
    r = _post(client, url + "/adapt", {}, url)
    assert r.status_code == 303
    assert "/edit" in r.headers["location"]
    new = db.scalar(select(PortfolioProject).where(PortfolioProject.lead_id == york.id))
    assert new is not None
    assert new.aim == w["project"].aim
    themes = set(
        db.scalars(select(PortfolioTheme.theme).where(PortfolioTheme.project_id == new.id))
    )
    assert themes == {"falls", "patient_safety"}
    assert db.scalar(select(func.count()).select_from(Adaptation)) == 1


def test_an_organisation_scope_project_cannot_be_adapted_from_elsewhere(
    client: TestClient, db: Session
) -> None:
    w = _ready(db)
    publish(db, w["project"], scope="organisation")
    sign_in(client, person(db, organisation=YORK).email)
    r = _post(client, f"/portfolio/library/{w['project'].id}/adapt", {}, "/portfolio")
    assert r.status_code == 404
    assert db.scalar(select(func.count()).select_from(Adaptation)) == 0


# --- who can read the library ---------------------------------------------------------------------


def test_organisation_scope_is_for_its_own_people_and_community_scope_for_everyone(
    client: TestClient, db: Session
) -> None:
    own = _ready(db, title="Leeds-only falls work")
    shared = _ready(db, title="Shared hydration work")
    publish(db, own["project"], scope="organisation")
    publish(db, shared["project"], scope="community")
    leeds, york = person(db, name="Lee Ds"), person(db, organisation=YORK, name="Yo Rk")

    sign_in(client, leeds.email)
    listing = _listed(client)
    assert "Leeds-only falls work" in listing
    assert "Shared hydration work" in listing
    assert client.get(f"/portfolio/library/{own['project'].id}").status_code == 200

    client.cookies.clear()
    sign_in(client, york.email)
    listing = _listed(client)
    assert "Leeds-only falls work" not in listing
    assert "Shared hydration work" in listing
    assert client.get(f"/portfolio/library/{own['project'].id}").status_code == 404
    assert client.get(f"/portfolio/library/{shared['project'].id}").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, db: Session) -> None:
    w = _ready(db)
    publish(db, w["project"])
    for path in ("/portfolio/library", f"/portfolio/library/{w['project'].id}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303)
        assert r.headers["location"].startswith("/login")
    token = csrf_token(client, "/login")
    r = client.post(
        f"/portfolio/library/{w['project'].id}/adapt",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303, 401)
    assert db.scalar(select(func.count()).select_from(Adaptation)) == 0


# --- search ----------------------------------------------------------------------------------------


def test_the_library_searches_by_topic_setting_staff_group_and_measure(
    client: TestClient, db: Session
) -> None:
    falls = _ready(db, title="Fewer falls at night", division="Older people's medicine")
    drinks = _ready(db, title="Drinks for every resident", division="Community nursing")
    publish(db, falls["project"])
    publish(db, drinks["project"])
    doctor = person(db, name="Dee Doctor", staff_group="medical_dental")
    lead = qi_lead(db, name="Another Lead")
    sepsis = register(db, doctor, title="Sepsis screening", division="Emergency department")
    approve(db, sepsis, lead)
    scored(db, sepsis, doctor, lead, "5.0")
    publish(db, sepsis)
    # A measure name to search for (what publication records from the plan).
    pub = library.publication_of(db, project_id=sepsis.id)
    assert pub is not None
    pub.measure_names = "screened within an hour\nlength of stay"
    db.flush()

    sign_in(client, person(db, organisation=YORK).email)
    titles = ("Fewer falls at night", "Drinks for every resident", "Sepsis screening")

    def found(**params: str) -> set[str]:
        text = _listed(client, **params)
        return {t for t in titles if t in text}

    assert found() == set(titles)
    assert found(topic="FALLS") == {"Fewer falls at night"}
    assert found(topic="residents offered") == set(titles)  # every aim says it
    assert found(topic="every resident") == {"Drinks for every resident"}
    assert found(setting="community") == {"Drinks for every resident"}
    assert found(staff_group="medical_dental") == {"Sepsis screening"}
    assert found(staff_group="nursing_midwifery") == {
        "Fewer falls at night",
        "Drinks for every resident",
    }
    assert found(measure="length of stay") == {"Sepsis screening"}
    assert found(topic="sepsis", setting="community") == set()
    assert found(topic="100%_") == set()  # wildcards are searched for as text


def test_the_library_pages_and_takes_the_same_queries_for_any_page_size(
    client: TestClient,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    count_queries: Any,
) -> None:
    viewer = person(db, organisation=YORK)
    lead = qi_lead(db)
    for i in range(5):
        nurse = person(db)
        project = register(db, nurse, title=f"Library project {i}")
        approve(db, project, lead)
        scored(db, project, nurse, lead, "4.0")
        publish(db, project)
    monkeypatch.setattr(library, "PAGE_SIZE", 2)
    first = library.search(db, viewer=viewer, query=library.LibraryQuery())
    assert first.total == 5
    assert first.pages == 3
    assert len(first.rows) == 2
    last = library.search(db, viewer=viewer, query=library.LibraryQuery(page=9))
    assert last.page == 3
    assert len(last.rows) == 1
    with count_queries() as small:
        library.search(db, viewer=viewer, query=library.LibraryQuery())
    monkeypatch.setattr(library, "PAGE_SIZE", 20)
    with count_queries() as big:
        library.search(db, viewer=viewer, query=library.LibraryQuery())
    assert small.count == big.count <= 3
    sign_in(client, viewer.email)
    text = client.get("/portfolio/library", params={"page": "2"}).text
    assert "Showing 1 to 5 of 5 projects" in text  # one page of 20: page 2 shows page 1
