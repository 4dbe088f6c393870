"""Gold pages: apply, the leader's assessment, lineage (with CSV) and the trainer directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from starlette.responses import RedirectResponse, Response

from app.accounts.dependencies import CurrentUser, LeaderUser
from app.content.dependencies import ContentDep
from app.core.deps import SessionDep, verify_csrf
from app.core.forms import form_dict
from app.core.templating import render
from app.gold import service, views
from app.gold.api import api
from app.gold.dependencies import CandidacyForLeader

__all__ = ["api", "pages"]  # the api routes live in api.py

pages = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


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


@pages.get("/leader/gold")
def gold_candidates(request: Request, _leader: LeaderUser, session: SessionDep) -> Response:
    """Open candidacies to assess, a form to nominate someone, and certifications to date."""
    return render(request, views.LEADER, views.leader_context(session))


@pages.post("/leader/gold/nominate")
async def nominate_for_gold(request: Request, leader: LeaderUser, session: SessionDep) -> Response:
    """Put someone forward for Gold by email."""
    candidacy = views.nominate(session, leader=leader, form_data=await request.form())
    return _see_other(f"/leader/gold/candidates/{candidacy.id}")


@pages.get("/leader/gold/candidates/{candidacy_id}")
def assess_candidate(
    request: Request,
    candidacy: CandidacyForLeader,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """The candidate's evidence, observed teaching sessions, and the decision form."""
    context = views.assess_context(session, candidacy=candidacy, registry=registry)
    return render(request, views.ASSESS, context)


@pages.post("/leader/gold/candidates/{candidacy_id}/observation")
async def record_observation(
    request: Request,
    candidacy: CandidacyForLeader,
    leader: LeaderUser,
    session: SessionDep,
    registry: ContentDep,
) -> Response:
    """Record an observed teaching session against the rubric."""
    form_data = await request.form()
    views.record_observation(
        session, candidacy=candidacy, observer=leader, registry=registry, form_data=form_data
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
    form_data = await request.form()
    views.decide(
        session, candidacy=candidacy, leader=leader, registry=registry, form_data=form_data
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
    context = views.directory_context(session, organisation=organisation, region=region)
    return render(request, views.DIRECTORY, context)
