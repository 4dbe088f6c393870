"""ESR completions: an organisation's names for our achievements and modules, and the CSV built
from them for the NHS Electronic Staff Record (ESR).

ESR's own learning import format is not published, so the columns are the ones a trust's ESR
team needs to load or key competences (README, "ESR completions"): the person (employee and
assignment number columns left for the trust to fill, since QI Academy does not hold them; name
and work email to match on), the organisation's competence name, the date achieved and the
expiry date (achieved plus the months the organisation set, else the credential's own expiry).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.audit import service as audit
from app.content.registry import ContentRegistry
from app.content.schemas import TIERS
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.timefmt import local
from app.credentials import service as credentials_service
from app.esr.models import CompetenceMapping
from app.progress import service as progress_service

HEADER = (
    "Employee Number",
    "Assignment Number",
    "Full Name",
    "Email",
    "Competence Name",
    "Achieved Date",
    "Expiry Date",
    "Source",
)
MAX_MONTHS = 120


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day where it is shorter (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Source:
    """One thing an organisation can map: an achievement or a module."""

    kind: str  # "achievement" or "module"
    key: str  # the achievement's or module's slug
    label: str
    competence_name: str = ""
    valid_months: int | None = None

    @property
    def field(self) -> str:
        return f"{self.kind}-{self.key}"


def sources(session: Session, *, organisation_id: int, registry: ContentRegistry) -> list[Source]:
    """Every achievement, then every module, with what the organisation calls it (if anything)."""
    saved = {
        (m.source_kind, m.source_key): m
        for m in session.scalars(
            select(CompetenceMapping).where(CompetenceMapping.organisation_id == organisation_id)
        )
    }
    items = [
        ("achievement", a.slug, f"{a.name} (achievement)")
        for a in (credentials_service.achievement_for_tier(t) for t in TIERS)
    ]
    items += [("module", m.slug, f"{m.meta.title} (module)") for m in registry.all()]
    out = []
    for kind, key, label in items:
        found = saved.get((kind, key))
        name = found.competence_name if found else ""
        out.append(Source(kind, key, label, name, found.valid_months if found else None))
    return out


def parse_mappings(
    given: dict[str, tuple[str, str]], known: list[Source]
) -> tuple[list[Source], dict[str, str]]:
    """The form's (name, months) per source field, checked; returns (sources, errors by field)."""
    out, errors = [], {}
    for source in known:
        name, months_text = (v.strip() for v in given.get(source.field, ("", "")))
        name = " ".join(name.split())
        months: int | None = None
        if len(name) > 200:
            errors[f"name-{source.field}"] = f"{source.label}: keep the name to 200 characters"
        if months_text:
            if not months_text.isdigit() or not 1 <= int(months_text) <= MAX_MONTHS:
                errors[f"months-{source.field}"] = (
                    f"{source.label}: enter the months it stays valid as a whole number "
                    f"from 1 to {MAX_MONTHS}, or leave it empty if it never expires"
                )
            else:
                months = int(months_text)
            if not name:
                errors.setdefault(
                    f"name-{source.field}",
                    f"{source.label}: enter the ESR competence name, or clear the months",
                )
        out.append(Source(source.kind, source.key, source.label, name, months))
    return out, errors


def save_mappings(
    session: Session, *, actor: User, organisation_id: int, mappings: list[Source]
) -> int:
    """Replace the organisation's mappings with these (an empty name maps nothing); returns how many."""
    org = accounts_service.get_organisation(session, organisation_id=organisation_id)
    if any(m.valid_months is not None and not m.competence_name for m in mappings):
        raise InvalidInput("Every expiry needs a competence name.")
    session.execute(delete(CompetenceMapping).where(CompetenceMapping.organisation_id == org.id))
    now = utcnow()
    kept = [m for m in mappings if m.competence_name]
    for m in kept:
        session.add(
            CompetenceMapping(
                organisation_id=org.id,
                source_kind=m.kind,
                source_key=m.key,
                competence_name=m.competence_name,
                valid_months=m.valid_months,
                updated_at=now,
            )
        )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="esr.mappings_saved",
        target_type="organisation",
        target_id=org.id,
        detail={"mapped": len(kept)},
    )
    return len(kept)


def _expiry(achieved: date, months: int | None, valid_until: datetime | None) -> date | None:
    if months is not None:
        return add_months(achieved, months)
    return local(valid_until).date() if valid_until else None


def _uk(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def completion_rows(
    session: Session, *, organisation_id: int, registry: ContentRegistry
) -> list[list[str]]:
    """One row per person and mapped competence they hold, by name then competence."""
    mapped = {
        (s.kind, s.key): s
        for s in sources(session, organisation_id=organisation_id, registry=registry)
        if s.competence_name
    }
    people = {
        u.id: u
        for u in accounts_service.users_in_organisation(session, organisation_id=organisation_id)
    }
    ids = list(people)
    found: list[tuple[int, Source, date, datetime | None]] = []
    for user_id, module_id, done in progress_service.completions_for(session, user_ids=ids):
        module = registry.by_id(module_id)
        source = mapped.get(("module", module.slug)) if module else None
        if source is not None:
            found.append((user_id, source, local(done).date(), None))
    for user_id, slug, issued, until in credentials_service.active_for(session, user_ids=ids):
        source = mapped.get(("achievement", slug))
        if source is not None:
            found.append((user_id, source, local(issued).date(), until))
    rows = []
    for user_id, source, achieved, until in found:
        person = people[user_id]
        expiry = _expiry(achieved, source.valid_months, until)
        rows.append(
            [
                "",
                "",
                person.full_name,
                person.email,
                source.competence_name,
                _uk(achieved),
                _uk(expiry),
                source.label,
            ]
        )
    return sorted(rows, key=lambda r: (r[2].casefold(), r[3], r[4].casefold()))
