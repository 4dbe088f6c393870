"""Gold pages' assembly: what each page shows, and the forms that redraw it with their errors.

A form with errors raises FormInvalid (the one handler draws the page after the rollback), so
each context is built from schemas and plain values before raising.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.accounts.models import User
from app.content.registry import ContentRegistry
from app.core.errors import AppError
from app.core.forms import FormInvalid, field_errors, form_dict
from app.gold import service
from app.gold.models import CRITERIA, GoldCandidacy
from app.gold.schemas import RATING_NAMES, DecisionCreate, ObservationCreate

LEADER = "gold/leader.html"
ASSESS = "gold/assess.html"
DIRECTORY = "gold/directory.html"

_OBS_LABELS = {
    "observed_on": "the date of the session",
    "notes": "notes on the session",
    **{k: f"a rating for {v.lower()}" for k, v in CRITERIA.items()},
}
_DECISION_LABELS = {"decision": "certify or decline", "reasons": "the reasons for your decision"}


def leader_context(session: Session, **extra: Any) -> dict[str, Any]:
    """Open candidacies, the nomination form and certifications to date."""
    return {
        "title": "Gold candidates",
        "candidates": service.candidacies(session),
        "certifications": service.certifications(session),
        "form": {},
        "nav": "leader",
        **extra,
    }


def assess_context(
    session: Session, *, candidacy: GoldCandidacy, registry: ContentRegistry, **extra: Any
) -> dict[str, Any]:
    """A candidate's evidence, observed sessions and the forms to observe and decide."""
    return {
        "title": "Assess a Gold candidate",
        "candidate": service.candidacy_public(session, candidacy=candidacy),
        "evidence": service.evidence(session, candidacy=candidacy, registry=registry),
        "observations": service.observations(session, candidacy_id=candidacy.id),
        "criteria": CRITERIA,
        "ratings": RATING_NAMES,
        "form": {},
        "nav": "leader",
        **extra,
    }


def directory_context(
    session: Session, *, organisation: int | None, region: str | None
) -> dict[str, Any]:
    """Certified trainers, filtered by organisation and region, with the filters' choices."""
    orgs, regions = service.directory_filters(session)
    entries = service.directory(session, organisation_id=organisation, region=region or None)
    return {
        "title": "Find a QI trainer",
        "entries": entries,
        "organisations": orgs,
        "regions": regions,
        "selected": {"organisation": organisation, "region": region or ""},
        "nav": "trainers",
    }


def nominate(session: Session, *, leader: User, form_data: FormData) -> GoldCandidacy:
    """Nominate by the form's email, or redraw the leader's page with what to fix."""
    form = form_dict(form_data, "email")
    try:
        return service.nominate(session, leader=leader, email=form["email"])
    except AppError as exc:
        context = leader_context(session, form=form)
        raise FormInvalid(
            {"email": exc.message}, template=LEADER, context=context, status_code=exc.status_code
        ) from exc


def _filled(form: dict[str, str]) -> dict[str, str]:
    """Blank fields left out, so a schema reports them as missing rather than malformed."""
    return {k: v for k, v in form.items() if v}


def record_observation(
    session: Session,
    *,
    candidacy: GoldCandidacy,
    observer: User,
    registry: ContentRegistry,
    form_data: FormData,
) -> None:
    """Record the observation form, or redraw the assessment page with what to fix."""
    form = form_dict(form_data, "observed_on", "notes", *CRITERIA)
    try:
        data = ObservationCreate.model_validate(_filled(form))
        service.record_observation(session, candidacy=candidacy, observer=observer, data=data)
    except ValidationError as exc:
        errors, code = field_errors(exc, _OBS_LABELS), 422
    except AppError as exc:
        errors, code = {exc.field or "observed_on": exc.message}, exc.status_code
    else:
        return
    context = assess_context(session, candidacy=candidacy, registry=registry, form=form)
    raise FormInvalid(errors, template=ASSESS, context=context, status_code=code)


def decide(
    session: Session,
    *,
    candidacy: GoldCandidacy,
    leader: User,
    registry: ContentRegistry,
    form_data: FormData,
) -> None:
    """Record the decision form, or redraw the assessment page with what to fix."""
    form = form_dict(form_data, "decision", "reasons")
    try:
        data = DecisionCreate.model_validate(_filled(form))
        service.decide(session, candidacy=candidacy, leader=leader, data=data, registry=registry)
    except ValidationError as exc:
        errors, code = field_errors(exc, _DECISION_LABELS), 422
    except AppError as exc:
        errors, code = {"decision": exc.message}, exc.status_code
    else:
        return
    context = assess_context(session, candidacy=candidacy, registry=registry, decision=form)
    raise FormInvalid(errors, template=ASSESS, context=context, status_code=code)
