"""The write-up export: SQUIRE headings filled from the workspace, with charts, as Markdown and PDF."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from tests.factories import sign_in
from tests.projects.factories import AIM, fill, make_cohort, make_learner, make_trainer, start

HEADINGS = ["Abstract", "Introduction", "Methods", "Results", "Discussion", "Conclusions"]


def _project(db: Session):  # type: ignore[no-untyped-def]
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort, name="Ann Lee")
    project = start(db, ann, cohort, title="Faster Parkinson's doses on Ward 7")
    fill(db, project, ann)
    return ann, lead, project


def test_markdown_has_the_squire_headings_in_order_with_the_workspace_content(
    client: TestClient, db: Session
) -> None:
    ann, _lead, project = _project(db)
    sign_in(client, ann.email)
    r = client.get(f"/projects/{project.id}/export.md")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert f'filename="qi-project-{project.id}.md"' in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("# Faster Parkinson's doses on Ward 7: a quality improvement project\n")
    positions = [text.index(f"\n## {h}\n") for h in HEADINGS]
    assert positions == sorted(positions)
    for sub in [
        "Problem description",
        "Available knowledge",
        "Rationale",
        "Specific aim",
        "Context",
        "Interventions",
        "Study of the interventions",
        "Measures",
        "Analysis",
        "Ethical considerations",
    ]:
        assert f"\n### {sub}\n" in text
    assert AIM in text
    # The driver diagram as a nested list, the PDSA cycles, the measure table, the chart.
    assert "- Aim: " in text
    assert "      - Change idea: Timing sticker on the chart" in text
    assert "#### PDSA 1: Sticker test 1" in text
    assert "Prediction: Fewer late doses." in text
    assert "| Doses on time (main outcome measure) | Outcome |" in text
    assert f"/projects/{project.id}/measures/" in text
    assert "chart.png?type=xmr)" in text
    assert "XmR chart of 22 points" in text
    assert "| 5 Jan 2026 | 60 |" in text
    assert "The sticker failed on nights" in text  # discussion: the reflection


def test_pdf_has_the_headings_bookmarks_and_chart_images(client: TestClient, db: Session) -> None:
    _ann, lead, project = _project(db)
    sign_in(client, lead.email)  # the cohort's trainer can export too
    r = client.get(f"/projects/{project.id}/export.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in HEADINGS:
        assert heading in text
    assert "Faster Parkinson" in text
    assert "Sticker test 1" in text
    assert sum(len(page.images) for page in reader.pages) == 1  # one measure, one chart
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:2] == ["Abstract", "Introduction"]
    assert reader.metadata is not None
    assert (
        reader.metadata.title == "Faster Parkinson's doses on Ward 7: a quality improvement project"
    )


def test_an_empty_project_still_exports_with_placeholders(client: TestClient, db: Session) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    ann = make_learner(db, cohort)
    project = start(db, ann, cohort, title="Just started")
    sign_in(client, ann.email)
    md = client.get(f"/projects/{project.id}/export.md").text
    assert "Not yet written." in md
    assert "No measures with data yet." in md
    pdf = client.get(f"/projects/{project.id}/export.pdf")
    assert pdf.status_code == 200
    assert PdfReader(io.BytesIO(pdf.content)).pages
