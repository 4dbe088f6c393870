"""The trainer's latest decision and comment show on the project overview, not only in History."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import csrf_token, sign_in

ALL_MET = dict.fromkeys(("aim", "measurement", "testing", "learning", "sustainability"), "met")


def test_the_overview_shows_the_trainers_latest_comment(
    client: TestClient,
    db: Session,  # noqa: ARG001 (the fixture's rows live in it)
    submitted,  # type: ignore[no-untyped-def]
) -> None:
    lead, cohort, ann, project = submitted
    sign_in(client, ann.email)
    assert "Your trainer asked for changes" not in client.get(f"/projects/{project.id}").text
    client.cookies.clear()
    sign_in(client, lead.email)
    path = f"/trainer/cohorts/{cohort.id}/projects/{project.id}/review"
    comment = "Sustainability: name an owner <and> say how it will be measured."
    scores = ALL_MET | {"sustainability": "not_yet_met"}
    token = csrf_token(client, path.removesuffix("/review"))
    data = {**scores, "comment": comment, "decision": "changes", "csrf_token": token}
    assert client.post(path, data=data, follow_redirects=False).status_code == 303
    client.cookies.clear()
    sign_in(client, ann.email)
    page = client.get(f"/projects/{project.id}").text
    assert "Your trainer asked for changes" in page
    assert f"{lead.full_name}, " in page
    assert "name an owner &lt;and&gt; say how it will be measured." in page
    assert f'href="/projects/{project.id}/history"' in page
