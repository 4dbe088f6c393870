"""Fixed vocabularies for the portfolio: kinds of work, statuses, themes and the IHI progress scale."""

from __future__ import annotations

from collections.abc import Iterable

# What the classifier can decide. Research is never registered here: it needs research approval.
KINDS: dict[str, str] = {
    "qi": "Quality improvement",
    "audit": "Clinical audit",
    "service_evaluation": "Service evaluation",
    "research": "Research",
}
REGISTRABLE_KINDS = ("qi", "audit", "service_evaluation")

# awaiting_approval -> active (approved) or returned -> awaiting_approval again; active -> completed
# or stopped. Projects from a Silver cohort start active: the cohort is the approval.
STATUSES: dict[str, str] = {
    "awaiting_approval": "Waiting for approval",
    "returned": "Returned for changes",
    "active": "Active",
    "completed": "Completed",
    "stopped": "Stopped",
}
STATUS_COLOURS = {
    "awaiting_approval": "yellow",
    "returned": "orange",
    "active": "blue",
    "completed": "green",
    "stopped": "grey",
}
DECISIONS = ("approved", "returned")

# The project library: where a project is published, and how far its publication has got.
SCOPES: dict[str, str] = {
    "organisation": "My organisation's library",
    "community": "The whole QI Academy community",
}
# proposed (waiting for the team's consent) -> published, or refused (someone said no); published
# -> withdrawn. A refused or withdrawn project can be proposed again.
PUBLICATION_STATUSES = ("proposed", "published", "refused", "withdrawn")
CONSENTS = ("pending", "consented", "refused")
# A project reaching this confirmed IHI score (or signed off in its cohort) can be published.
PUBLISHABLE_SCORE = 4.0

THEMES: dict[str, str] = {
    "patient_safety": "Patient safety",
    "patient_experience": "Patient experience",
    "flow": "Patient flow and waiting times",
    "falls": "Falls",
    "pressure_ulcers": "Pressure ulcers",
    "infection": "Infection prevention",
    "medicines": "Medicines",
    "nutrition": "Nutrition and hydration",
    "deterioration": "Deteriorating patients",
    "end_of_life": "End of life care",
    "mental_health": "Mental health",
    "inequalities": "Health inequalities",
    "staff_wellbeing": "Staff wellbeing",
    "efficiency": "Productivity and efficiency",
    "sustainability": "Environmental sustainability",
    "other": "Other",
}

# The IHI progress scale (Breakthrough Series assessment scale), in plain words.
SCALE: dict[str, tuple[str, str]] = {
    "0.5": ("Intent to take part", "The team has agreed to do the project and has a charter."),
    "1.0": (
        "Team formed",
        "The team is formed, with an aim and measures agreed, but no work has started.",
    ),
    "1.5": (
        "Planning has begun",
        "The team is organised, is collecting baseline data and is planning its first changes.",
    ),
    "2.0": (
        "Activity, but no changes",
        "The team is actively studying the problem and its causes, but has not tested a change.",
    ),
    "2.5": (
        "Changes tested, no improvement yet",
        "The team is testing changes in PDSA cycles, but the measures have not improved yet.",
    ),
    "3.0": (
        "Modest improvement",
        "Tests are finished and some changes are in place; process measures show some improvement.",
    ),
    "3.5": (
        "Improvement",
        "Process measures keep improving and the outcome measure has begun to improve.",
    ),
    "4.0": (
        "Significant improvement",
        "Most of what the team expected has happened: the outcome measure is near the aim's target.",
    ),
    "4.5": (
        "Sustainable improvement",
        "The measures have stayed improved for several months and spreading the changes has begun.",
    ),
    "5.0": (
        "Outstanding sustainable results",
        "The aim is met and has stayed met; the changes are part of everyday work and are spreading.",
    ),
}
SCORES = tuple(float(s) for s in SCALE)

# "No update for 8 weeks": an active project nobody has changed or scored in this many days.
STALE_DAYS = 56


def in_list(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def score_label(score: float) -> str:
    return f"{score:.1f}"
