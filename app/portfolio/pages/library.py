"""The project library's pages: proposing a project, the team's consent, the library and a
published project, withdrawal, and "Adapt this project"."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from app.accounts.constants import STAFF_GROUPS
from app.accounts.dependencies import CurrentUser
from app.core.deps import SessionDep
from app.core.errors import AppError, InvalidInput
from app.core.forms import form_dict
from app.core.pagination import Pager
from app.core.responses import done_redirect
from app.portfolio import adapt, library, scores, writeup
from app.portfolio.constants import THEMES
from app.portfolio.dependencies import PortfolioMember, PortfolioReader
from app.portfolio.models import PortfolioProject
from app.portfolio.pages.common import Page, page, page_router
from app.portfolio.pages.registry import project_page
from app.projects import export

pages = page_router()


@pages.post("/portfolio/projects/{project_id}/publish")
async def propose_publication(
    request: Request, acc: PortfolioMember, session: SessionDep
) -> Response:
    """A team member proposes the project for the library; the team is asked to consent."""
    form = form_dict(await request.form(), "scope", "lessons")
    try:
        pub = library.propose(session, acc=acc, scope=form["scope"], lessons=form["lessons"])
    except AppError as exc:
        context = {"library_form": form}
        raise project_page(request, acc, session).refuse(exc, "scope", **context) from exc
    done = "published" if pub.status == "published" else "proposed"
    return done_redirect(f"/portfolio/projects/{acc.project.id}", done)


@pages.post("/portfolio/projects/{project_id}/consent")
async def answer_publication(
    request: Request, acc: PortfolioMember, session: SessionDep
) -> Response:
    """A team member agrees to publish the project, or does not."""
    decision = form_dict(await request.form(), "consent")["consent"]
    try:
        if decision not in ("yes", "no"):
            raise InvalidInput("Choose whether you agree", field="consent")
        pub = library.answer(session, acc=acc, consent=decision == "yes")
    except AppError as exc:
        raise project_page(request, acc, session).refuse(exc, "consent") from exc
    done = {"published": "published", "refused": "declined"}.get(pub.status, "consented")
    return done_redirect(f"/portfolio/projects/{acc.project.id}", done)


@pages.post("/portfolio/projects/{project_id}/withdraw")
def withdraw_publication(acc: PortfolioReader, session: SessionDep) -> Response:
    """A team member or a QI lead takes the project out of the library."""
    library.withdraw(session, acc=acc)
    return done_redirect(f"/portfolio/projects/{acc.project.id}", "withdrawn")


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


def _query(params: QueryParams) -> library.LibraryQuery:
    staff = params.get("staff_group", "")
    return library.LibraryQuery(
        topic=params.get("topic", "")[:200],
        setting=params.get("setting", "")[:120],
        staff_group=staff if staff in STAFF_GROUPS else "",
        measure=params.get("measure", "")[:200],
        page=_page_number(params.get("page", "1")),
    )


@pages.get("/portfolio/library")
def library_search(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Published projects the person may read, searchable by topic, setting, staff group, measure."""
    query = _query(request.query_params)
    found = library.search(session, viewer=user, query=query)
    pager = Pager(page=found.page, per_page=library.PAGE_SIZE, total=found.total)
    return page(
        request,
        "library.html",
        "Project library",
        query=query,
        found=found,
        pager=pager,
        pagination=pager.links("/portfolio/library", **library.query_args(query)),
        staff_groups=STAFF_GROUPS,
    ).render(request)


def _published(
    request: Request, session: Session, project: PortfolioProject, **context: Any
) -> Page:
    """The published page: a cohort project's SQUIRE write-up with its charts, or the
    registration's own words and the plan it was adapted with; the progress score chart."""
    detail = writeup.cohort_detail(session, project=project)
    sections: list[export.Section] = []
    doc_title = project.title
    if detail is not None:
        base = str(request.base_url).rstrip("/")
        charts = writeup.cohort_charts(session, project=project, base_url=base)
        doc_title, sections = export.outline(detail, charts)
    history = scores.history(session, project_id=project.id)
    return page(
        request,
        "published.html",
        project.title,
        project=project,
        organisation=library.organisation_name(session, organisation_id=project.organisation_id),
        team=library.team_names(session, project_id=project.id),
        theme_names=[THEMES[t] for t in library.themes_of(session, project_id=project.id)],
        doc_title=doc_title,
        sections=sections,
        chart=scores.step_chart(history),
        plan=writeup.plan_of(session, project=project) if detail is None else None,
        adaptation=writeup.adaptation_of(session, project_id=project.id),
        **context,
    )


@pages.get("/portfolio/library/{project_id}")
def published_project(
    request: Request, project_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """A published project: the write-up, its charts and the lessons learned."""
    project, pub = library.published(session, viewer=user, project_id=project_id)
    can_adapt = user.organisation_id is not None
    return _published(request, session, project, publication=pub, can_adapt=can_adapt).render(
        request
    )


@pages.post("/portfolio/library/{project_id}/adapt")
def adapt_project(project_id: int, user: CurrentUser, session: SessionDep) -> Response:
    """Start a project in the person's own organisation from a published one."""
    project = adapt.adapt(session, viewer=user, project_id=project_id)
    return done_redirect(f"/portfolio/projects/{project.id}/edit", "adapted")
