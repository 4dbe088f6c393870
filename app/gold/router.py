"""Gold pages: apply, the leader's assessment, lineage (with CSV) and the trainer directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser
from app.content.dependencies import ContentDep
from app.content.registry import ContentRegistry
from app.core.deps import SessionDep, verify_csrf
from app.core.errors import AppError
from app.core.forms import field_errors, form_dict
from app.core.templating import render
from app.gold import service
from app.gold.api import api
from app.gold.dependencies import CandidacyForLeader, LeaderUser
from app.gold.models import CRITERIA, GoldCandidacy
from app.gold.schemas import RATING_NAMES, DecisionCreate, ObservationCreate

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

_OBS_LABELS = {
    "observed_on": "the date of the session",
    "notes": "notes on the session",
    **{k: f"a rating for {v.lower()}" for k, v in CRITERIA.items()},
}
_DECISION_LABELS = {"decision": "certify or decline", "reasons": "the reasons for your decision"}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


@pages.get("/gold")
def my_gold(
    request: Request, user: CurrentUser, session: SessionDep, registry: ContentDep
) -> Response:
    """Your Gold: whether you can apply, what evidence you still need, your certification."""
    view = service.my_gold(session, user=user, registry=registry)
    return render(
        request, "gold/mine.html", {"title": "Gold: train the trainer", "view": view, "nav": "gold"}
    )


@pages.post("/gold/apply")
async def apply_for_gold(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Become a Gold candidate (or start renewal)."""
    form = form_dict(await request.form(), "statement")
    service.apply(session, user=user, statement=form["statement"])
    return _see_other("/gold")


def _leader_page(
    request: Request, session: SessionDep, status_code: int = 200, **extra: object
) -> Response:
    context = {
        "title": "Gold candidates",
        "candidates": service.candidacies(session),
        "certifications": service.certifications(session),
        "form": {},
        "nav": "leader",
        **extra,
    }
    return render(
        request,
        "gold/leader.html",
        context,
        status_code=status_code,
    )


@pages.get("/leader/gold")
def gold_candidates(request: Request, _leader: LeaderUser, session: SessionDep) -> Response:
    """Open candidacies to assess, a form to nominate someone, and certifications to date."""
    return _leader_page(request, session)


@pages.post("/leader/gold/nominate")
async def nominate_for_gold(request: Request, leader: LeaderUser, session: SessionDep) -> Response:
    """Put someone forward for Gold by email."""
    form = form_dict(await request.form(), "email")
    try:
        candidacy = service.nominate(session, leader=leader, email=form["email"])
    except AppError as exc:
        return _leader_page(
            request, session, exc.status_code, form=form, errors={"email": exc.message}
        )
    return _see_other(f"/leader/gold/candidates/{candidacy.id}")


def _assess_page(
    request: Request,
    session: SessionDep,
    candidacy: GoldCandidacy,
    registry: ContentRegistry,
    **extra: object,
) -> Response:
    errors = extra.get("errors")
    return render(
        request,
        "gold/assess.html",
        {
            "title": "Assess a Gold candidate",
            "candidate": service.candidacy_public(session, candidacy=candidacy),
            "evidence": service.evidence(session, candidacy=candidacy, registry=registry),
            "observations": service.observations(session, candidacy_id=candidacy.id),
            "criteria": CRITERIA,
            "ratings": RATING_NAMES,
            "form": {},
            "nav": "leader",
            **extra,
        },
        status_code=int(extra.get("status_code", 422)) if errors else 200,  # type: ignore[call-overload]
    )


@pages.get("/leader/gold/candidates/{candidacy_id}")
def assess_candidate(
    request: Request,
    candidacy: CandidacyForLeader,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """The candidate's evidence, observed teaching sessions, and the decision form."""
    return _assess_page(request, session, candidacy, registry)


@pages.post("/leader/gold/candidates/{candidacy_id}/observation")
async def record_observation(
    request: Request,
    candidacy: CandidacyForLeader,
    leader: LeaderUser,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """Record an observed teaching session against the rubric."""
    form = form_dict(await request.form(), "observed_on", "notes", *CRITERIA)
    try:
        data = ObservationCreate.model_validate({k: v for k, v in form.items() if v})
        service.record_observation(session, candidacy=candidacy, observer=leader, data=data)
    except ValidationError as exc:
        errors = field_errors(exc, _OBS_LABELS)
        return _assess_page(request, session, candidacy, registry, form=form, errors=errors)
    except AppError as exc:
        return _assess_page(
            request,
            session,
            candidacy,
            registry,
            form=form,
            errors={exc.field or "observed_on": exc.message},
            status_code=exc.status_code,
        )
    return _see_other(f"/leader/gold/candidates/{candidacy.id}")


@pages.post("/leader/gold/candidates/{candidacy_id}/decision")
async def decide_candidate(
    request: Request,
    candidacy: CandidacyForLeader,
    leader: LeaderUser,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """Certify (when the evidence is complete) or decline, with reasons."""
    form = form_dict(await request.form(), "decision", "reasons")
    try:
        data = DecisionCreate.model_validate({k: v for k, v in form.items() if v})
        service.decide(session, candidacy=candidacy, leader=leader, data=data, registry=registry)
    except ValidationError as exc:
        errors = field_errors(exc, _DECISION_LABELS)
        return _assess_page(request, session, candidacy, registry, decision=form, errors=errors)
    except AppError as exc:
        return _assess_page(
            request,
            session,
            candidacy,
            registry,
            decision=form,
            errors={"decision": exc.message},
            status_code=exc.status_code,
        )
    return _see_other("/leader/gold")


@pages.post("/leader/gold/certifications/{certification_id}/revoke")
async def revoke_certification(
    request: Request, certification_id: int, leader: LeaderUser, session: SessionDep
) -> Response:
    """Withdraw a Gold certification: the credential is revoked and the trainer role removed."""
    form = form_dict(await request.form(), "reason")
    service.revoke(session, certification_id=certification_id, leader=leader, reason=form["reason"])
    return _see_other("/leader/gold")


OrgFilter = Annotated[int | None, Query(alias="organisation")]


@pages.get("/trainers")
def trainer_directory(
    request: Request,
    _user: CurrentUser,
    session: SessionDep,
    organisation: OrgFilter = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Certified Gold trainers by organisation and region, with the cohorts they run."""
    orgs, regions = service.directory_filters(session)
    entries = service.directory(session, organisation_id=organisation, region=region or None)
    return render(
        request,
        "gold/directory.html",
        {
            "title": "Find a QI trainer",
            "entries": entries,
            "organisations": orgs,
            "regions": regions,
            "selected": {"organisation": organisation, "region": region or ""},
            "nav": "trainers",
        },
    )
