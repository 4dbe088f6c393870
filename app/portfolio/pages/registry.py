"""The registry: my projects, the classifier, registering, a project's page, editing and review."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app.accounts.constants import Role
from app.accounts.dependencies import CurrentUser
from app.accounts.models import User
from app.core.deps import SessionDep
from app.core.errors import AppError
from app.core.forms import form_dict
from app.core.responses import done_redirect
from app.portfolio import classifier, coaching, library, scores, service, writeup
from app.portfolio.constants import SCOPES, THEMES
from app.portfolio.dependencies import PortfolioMember, PortfolioQiLead, PortfolioReader
from app.portfolio.exceptions import ResearchNotRegistrable
from app.portfolio.pages.common import Page, page, page_router
from app.portfolio.schemas import Answers, RegistrationCreate, RegistrationUpdate, ReviewCreate
from app.portfolio.service import ProjectAccess

pages = page_router()

QUESTIONS = ("randomised", "changes_care", "generalisable", "purpose")
FIELDS = ("title", "aim", "division", "team")


def _home(request: Request, user: User, session: Session) -> Page:
    led = service.led_organisations(session, user_id=user.id)
    return page(
        request,
        "home.html",
        "QI portfolio",
        rows=service.my_projects(session, user=user),
        waiting=service.waiting_for(session, organisation_ids=led),
        requests=coaching.open_requests(session, organisation_ids=led),
        led=led,
        is_leader=user.has_role(Role.LEADER, Role.ADMIN),
        organisation_id=user.organisation_id,
    )


@pages.get("/portfolio")
def portfolio_home(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Projects the person is on, registrations waiting for a QI lead, and a way to register."""
    return _home(request, user, session).render(request)


def _answers(values: dict[str, str]) -> Answers:
    return Answers.model_validate(values)


def _check(request: Request, user: User, session: Session, values: dict[str, str]) -> Page:
    office = (
        service.research_office(session, organisation_id=user.organisation_id)
        if user.organisation_id
        else None
    )
    return page(
        request,
        "check.html",
        "Is it QI, audit, service evaluation or research?",
        questions=classifier.QUESTIONS,
        purposes=classifier.PURPOSES,
        form=values,
        outcome=None,
        office=office,
    )


@pages.get("/portfolio/check")
def check_project(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """The classifier's questions; with answers, the outcome explained."""
    values = {q: request.query_params.get(q, "") for q in QUESTIONS}
    base = _check(request, user, session, values)
    if not any(values.values()):
        return base.render(request)
    try:
        outcome = classifier.classify(**_answers(values).model_dump())
    except ValidationError as exc:
        raise base.refuse(exc, "randomised") from exc
    return Page(base.template, {**base.context, "outcome": outcome}).render(request)


def _register(
    request: Request, answers: dict[str, str], form: dict[str, Any] | None = None
) -> Page:
    outcome = classifier.classify(**_answers(answers).model_dump())
    return page(
        request,
        "register.html",
        "Register a project",
        answers=answers,
        outcome=outcome,
        form=form or {"title": "", "aim": "", "division": "", "team": "", "themes": []},
    )


@pages.get("/portfolio/new")
def register_form(request: Request, _user: CurrentUser) -> Response:
    """The registration form, after the classifier (which it needs to know what the work is)."""
    answers = {q: request.query_params.get(q, "") for q in QUESTIONS}
    try:
        if classifier.classify(**_answers(answers).model_dump()).kind == "research":
            raise ResearchNotRegistrable()
    except (ValidationError, ResearchNotRegistrable):
        return RedirectResponse("/portfolio/check", status_code=303)
    return _register(request, answers).render(request)


def registration_form(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    answers = form_dict(form, *QUESTIONS)
    values: dict[str, Any] = form_dict(form, *FIELDS)
    values["themes"] = [t for t in form.getlist("themes") if isinstance(t, str)]
    return answers, values


def _create(values: dict[str, Any], answers: dict[str, str]) -> RegistrationCreate:
    emails = [e for e in values["team"].replace(",", "\n").split() if e]
    return RegistrationCreate.model_validate({**values, "team": emails, "answers": answers})


@pages.post("/portfolio/new")
async def register_project(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Register the project; it waits for a QI lead's approval."""
    answers, values = registration_form(await request.form())
    try:
        kind = classifier.classify(**_answers(answers).model_dump()).kind
    except ValidationError:
        kind = "research"  # the answers were tampered with: ask the questions again
    if kind == "research":
        return RedirectResponse("/portfolio/check", status_code=303)
    try:
        project = service.register(session, user=user, kind=kind, data=_create(values, answers))
    except (ValidationError, AppError) as exc:
        raise _register(request, answers, values).refuse(exc, "title") from exc
    return done_redirect(f"/portfolio/projects/{project.id}", "registered")


def project_page(request: Request, acc: ProjectAccess, session: Session, **extra: Any) -> Page:
    project = service.project_public(session, acc=acc)
    history = scores.history(session, project_id=project.id)
    publication = library.state(session, acc=acc)
    pub_status = publication.status if publication else None
    return page(
        request,
        "project.html",
        project.title,
        project=project,
        can={
            "edit": acc.can_edit,
            "score": acc.can_score,
            "confirm": acc.can_confirm,
            "review": acc.is_qi_lead and project.status == "awaiting_approval",
            "coach": acc.is_qi_lead,
            "status": (acc.is_member or acc.is_qi_lead)
            and project.status in ("active", "completed", "stopped"),
            "ask": acc.is_member and project.coach is None,
            "publish": acc.is_member
            and pub_status in (None, "refused", "withdrawn")
            and library.is_eligible(session, project=acc.project),
            "consent": pub_status == "proposed"
            and publication is not None
            and publication.my_decision == "pending",
            "withdraw": (acc.is_member or acc.is_qi_lead)
            and pub_status in ("proposed", "published"),
        },
        publication=publication,
        adaptation=writeup.adaptation_of(session, project_id=project.id),
        plan=writeup.plan_of(session, project=acc.project),
        scopes=SCOPES,
        library_form={"scope": "", "lessons": publication.lessons if publication else ""},
        reviews=service.reviews(session, project_id=project.id),
        history=history,
        chart=scores.step_chart(history),
        theme_names=[THEMES[t] for t in project.themes],
        today_iso=date.today().isoformat(),
        form={"decision": "", "comment": "", "score": "", "scored_on": "", "note": ""},
        comments=coaching.comments(session, project_id=project.id),
        asked=coaching.has_open_request(session, project_id=project.id),
        coach_form={"email": ""},
        comment_form={"body": ""},
        **extra,
    )


@pages.get("/portfolio/projects/{project_id}")
def project_detail(request: Request, acc: PortfolioReader, session: SessionDep) -> Response:
    """A project: what it is, its team, its decisions and its progress scores."""
    return project_page(request, acc, session).render(request)


def _edit(
    request: Request, acc: ProjectAccess, session: Session, form: dict[str, Any] | None
) -> Page:
    project = service.project_public(session, acc=acc)
    values = form or {
        "title": project.title,
        "aim": project.aim,
        "division": project.division,
        "themes": project.themes,
    }
    return page(request, "edit.html", f"Change: {project.title}", project=project, form=values)


@pages.get("/portfolio/projects/{project_id}/edit")
def edit_form(request: Request, acc: PortfolioMember, session: SessionDep) -> Response:
    """The registration's words and themes, to change."""
    return _edit(request, acc, session, None).render(request)


@pages.post("/portfolio/projects/{project_id}/edit")
async def edit_project(request: Request, acc: PortfolioMember, session: SessionDep) -> Response:
    """Save the changes; a returned registration goes back to the QI lead."""
    _, values = registration_form(await request.form())
    returned = acc.project.status == "returned"
    try:
        service.update_registration(
            session, acc=acc, data=RegistrationUpdate.model_validate(values)
        )
    except (ValidationError, AppError) as exc:
        raise _edit(request, acc, session, values).refuse(exc, "title") from exc
    return done_redirect(
        f"/portfolio/projects/{acc.project.id}", "resubmitted" if returned else "saved"
    )


@pages.post("/portfolio/projects/{project_id}/review")
async def review_project(request: Request, acc: PortfolioQiLead, session: SessionDep) -> Response:
    """A QI lead approves the registration or returns it with a comment."""
    form = form_dict(await request.form(), "decision", "comment")
    try:
        service.review(session, acc=acc, data=ReviewCreate.model_validate(form))
    except (ValidationError, AppError) as exc:
        context = {"form": {**form, "score": "", "scored_on": "", "note": ""}}
        raise project_page(request, acc, session).refuse(exc, "decision", **context) from exc
    return done_redirect(f"/portfolio/projects/{acc.project.id}", form["decision"])
