"""The Gold JSON API (/api/v1/me/gold, /api/v1/gold/..., /api/v1/trainers): the pages' services."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.accounts.dependencies import CurrentUser, LeaderUser
from app.content.dependencies import ContentDep
from app.core.deps import SessionDep
from app.gold import service
from app.gold.dependencies import CandidacyForLeader
from app.gold.schemas import (
    ApplicationCreate,
    CandidacyList,
    CandidacyPublic,
    CandidateDetail,
    CertificationList,
    CertificationPublic,
    DecisionCreate,
    DecisionPublic,
    DirectoryList,
    MyGold,
    NominationCreate,
    ObservationCreate,
    ObservationPublic,
    RevocationCreate,
)

api = APIRouter(prefix="/api/v1", tags=["gold"])

CandidacyStatus = Literal["open", "certified", "declined", "withdrawn"]
OrgFilter = Annotated[int | None, Query(alias="organisation", description="Organisation id")]


# --- the signed-in person -----------------------------------------------------------------------


@api.get("/me/gold")
def read_my_gold(user: CurrentUser, session: SessionDep, registry: ContentDep) -> MyGold:
    """Your Gold: whether you can apply, your candidacy's evidence and what is missing, your certification."""
    return service.my_gold(session, user=user, registry=registry)


@api.post("/me/gold/application", status_code=status.HTTP_201_CREATED)
def apply_for_gold(
    data: ApplicationCreate, user: CurrentUser, session: SessionDep
) -> CandidacyPublic:
    """Become a Gold candidate (needs Silver), or start renewal if you were certified before."""
    candidacy = service.apply(session, user=user, statement=data.statement)
    return service.candidacy_public(session, candidacy=candidacy)


@api.get("/trainers")
def list_trainers(
    _user: CurrentUser,
    session: SessionDep,
    organisation: OrgFilter = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
) -> DirectoryList:
    """Currently certified Gold trainers, by organisation and region, with the cohorts they run."""
    rows = service.directory(session, organisation_id=organisation, region=region or None)
    return DirectoryList(data=rows, count=len(rows))


# --- improvement leaders (and admins) -----------------------------------------------------------


@api.get("/gold/candidates")
def list_candidates(
    _leader: LeaderUser, session: SessionDep, status: CandidacyStatus = "open"
) -> CandidacyList:
    """Gold candidacies with this status (open by default), oldest first. Leaders and admins."""
    rows = service.candidacies(session, status=status)
    return CandidacyList(data=rows, count=len(rows))


@api.post("/gold/nominations", status_code=status.HTTP_201_CREATED)
def nominate_for_gold(
    data: NominationCreate, leader: LeaderUser, session: SessionDep
) -> CandidacyPublic:
    """Put someone forward for Gold by the email of their account. Leaders and admins."""
    candidacy = service.nominate(session, leader=leader, email=data.email)
    return service.candidacy_public(session, candidacy=candidacy)


@api.get("/gold/candidates/{candidacy_id}")
def read_candidate(
    candidacy: CandidacyForLeader, session: SessionDep, registry: ContentDep
) -> CandidateDetail:
    """A candidacy with its evidence (what is met, what is missing) and observed sessions."""
    return CandidateDetail(
        candidacy=service.candidacy_public(session, candidacy=candidacy),
        evidence=service.evidence(session, candidacy=candidacy, registry=registry),
        observations=service.observations(session, candidacy_id=candidacy.id),
    )


@api.post("/gold/candidates/{candidacy_id}/observations", status_code=status.HTTP_201_CREATED)
def record_observation(
    data: ObservationCreate, candidacy: CandidacyForLeader, leader: LeaderUser, session: SessionDep
) -> ObservationPublic:
    """Record an observed teaching session against the rubric (you are the observer)."""
    obs = service.record_observation(session, candidacy=candidacy, observer=leader, data=data)
    return service.observation_public(session, observation=obs)


@api.post("/gold/candidates/{candidacy_id}/decision")
def decide_candidate(
    data: DecisionCreate,
    candidacy: CandidacyForLeader,
    leader: LeaderUser,
    session: SessionDep,
    registry: ContentDep,
) -> DecisionPublic:
    """Certify (only with complete evidence: grants the trainer role) or decline, with reasons."""
    cert = service.decide(session, candidacy=candidacy, leader=leader, data=data, registry=registry)
    return DecisionPublic(
        candidacy=service.candidacy_public(session, candidacy=candidacy),
        certification=service.certification_public(session, certification=cert) if cert else None,
    )


@api.get("/gold/certifications")
def list_certifications(_leader: LeaderUser, session: SessionDep) -> CertificationList:
    """Gold certifications, newest first (the latest 200), with their state."""
    rows = service.certifications(session)
    return CertificationList(data=rows, count=len(rows))


@api.post("/gold/certifications/{certification_id}/revoke")
def revoke_certification(
    certification_id: int, data: RevocationCreate, leader: LeaderUser, session: SessionDep
) -> CertificationPublic:
    """Withdraw a certification now: its credential is revoked and, unless another is current, the trainer role."""
    cert = service.revoke(
        session, certification_id=certification_id, leader=leader, reason=data.reason
    )
    return service.certification_public(session, certification=cert)
