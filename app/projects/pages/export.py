"""The write-up with SQUIRE headings: the export page and its Markdown and PDF downloads."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.config import get_settings
from app.core.deps import SessionDep
from app.core.responses import attachment
from app.projects import chart_data, export, service
from app.projects.dependencies import ProjectForReader
from app.projects.pages.common import page_router, workspace_page
from app.projects.permissions import ProjectAccess

pages = page_router()


def write_up(session: Session, access: ProjectAccess, suffix: Literal["md", "pdf"]) -> Response:
    """The write-up as a download: Markdown ("md") linking to the charts, or PDF with them."""
    detail = service.detail(session, access=access)
    charts = chart_data.export_charts(
        session, project_id=access.project.id, base_url=get_settings().base_url
    )
    name = f"qi-project-{access.project.id}.{suffix}"
    # private=False: these downloads have never sent Cache-Control: no-store, and whether they
    # should is a decision of its own, not part of where the code lives.
    if suffix == "md":
        text = export.to_markdown(detail, charts)
        return attachment(
            text, filename=name, media_type="text/markdown; charset=utf-8", private=False
        )
    pdf = export.to_pdf(detail, charts)
    return attachment(pdf, filename=name, media_type="application/pdf", private=False)


@pages.get("/projects/{project_id}/export")
def export_page(request: Request, access: ProjectForReader) -> Response:
    """Download the write-up with SQUIRE headings as PDF or Markdown."""
    return workspace_page(request, access, "export", "export.html", "Export").render(request)


@pages.get("/projects/{project_id}/export.md")
def export_markdown(access: ProjectForReader, session: SessionDep) -> Response:
    """The write-up as Markdown."""
    return write_up(session, access, "md")


@pages.get("/projects/{project_id}/export.pdf")
def export_pdf(access: ProjectForReader, session: SessionDep) -> Response:
    """The write-up as PDF, with the charts."""
    return write_up(session, access, "pdf")
