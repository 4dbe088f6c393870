"""Fixed vocabularies for projects: statuses, node kinds, measure settings and the sign-off rubric."""

from __future__ import annotations

PROJECT_STATUSES = ("draft", "submitted", "changes_requested", "signed_off")
STATUS_LABELS = {
    "draft": "draft",
    "submitted": "submitted",
    "changes_requested": "changes requested",
    "signed_off": "signed off",
}
NOT_STARTED = "not started"

NODE_KINDS = ("aim", "primary", "secondary", "change_idea")
NODE_NAMES = {
    "aim": "Aim",
    "primary": "Primary driver",
    "secondary": "Secondary driver",
    "change_idea": "Change idea",
}
# A node's kind follows from its parent's: aim -> primary -> secondary -> change idea.
CHILD_KIND = {"aim": "primary", "primary": "secondary", "secondary": "change_idea"}

MEASURE_KINDS = ("outcome", "process", "balancing")
MEASURE_KIND_NAMES = {"outcome": "Outcome", "process": "Process", "balancing": "Balancing"}
DIRECTIONS = ("increase", "decrease", "neutral")
DIRECTION_NAMES = {
    "increase": "Higher is better",
    "decrease": "Lower is better",
    "neutral": "Neither (watch for change either way)",
}
# What is recorded each period: one number, or a pair (cases out of a denominator; events over
# an exposure), or the dates of rare events (days between them are derived).
MEASURE_TYPES = ("continuous", "proportion", "count", "rate", "rare_event")
PAIRED_TYPES = frozenset({"proportion", "rate"})
ATTRIBUTE_METHODS = (
    "p_anhoej",
    "pp_anhoej",
    "u_anhoej",
    "up_anhoej",
    "c_anhoej",
    "g_anhoej",
    "t_anhoej",
)
METHODS = ("run_anhoej", "run_ihi", "i_anhoej", "xmr_mdc", *ATTRIBUTE_METHODS)
METHOD_NAMES = {
    "run_anhoej": "Run chart, Anhøj rules (longest run and crossings)",
    "run_ihi": "Run chart, IHI rules (shift, trend, number of runs)",
    "i_anhoej": "I chart, 3-sigma limits with Anhøj rules (qicharts2)",
    "xmr_mdc": "XmR chart, Making Data Count rules (NHS England)",
    "p_anhoej": "p chart, limits from each period's denominator, Anhøj rules (qicharts2)",
    "pp_anhoej": "Laney p' chart, p chart limits widened for large denominators (qicharts2)",
    "u_anhoej": "u chart, limits from each period's exposure, Anhøj rules (qicharts2)",
    "up_anhoej": "Laney u' chart, u chart limits widened for large exposures (qicharts2)",
    "c_anhoej": "c chart, counts with equal opportunity, Anhøj rules (qicharts2)",
    "g_anhoej": "g chart, days between rare events, Anhøj rules (qicharts2)",
    "t_anhoej": "t chart, time between rare events, transformed I chart (qicharts2)",
}

PDSA_DECISIONS = ("adopt", "adapt", "abandon")
DECISION_NAMES = {"adopt": "Adopt", "adapt": "Adapt", "abandon": "Abandon"}

# "withdrawn": the team took the submission back before the trainer decided (kept in the history).
SUBMISSION_STATUSES = ("submitted", "changes_requested", "signed_off", "withdrawn")
RUBRIC = ("aim", "measurement", "testing", "learning", "sustainability")
RUBRIC_NAMES = {
    "aim": "Aim",
    "measurement": "Measurement",
    "testing": "Testing of changes",
    "learning": "Learning and reflection",
    "sustainability": "Sustainability",
}
LEVELS = ("not_yet_met", "met", "exceeded")
LEVEL_NAMES = {"not_yet_met": "Not yet met", "met": "Met", "exceeded": "Exceeded"}
# The trainer's judgement of the project's impact, in the style of the RCP's QI project assessment
# tool (QIPAT): asked when signing off, with the reasons.
IMPACTS = ("unsatisfactory", "satisfactory", "exemplary")
IMPACT_NAMES = {
    "unsatisfactory": "Unsatisfactory",
    "satisfactory": "Satisfactory",
    "exemplary": "Exemplary",
}
IMPACT_HINTS = {
    "unsatisfactory": "Little change for patients, service users or staff, or no evidence of it.",
    "satisfactory": "Measured improvement in the team's own area, with some evidence it will last.",
    "exemplary": "Clear, sustained improvement that matters to patients or service users, well "
    "evidenced, with learning others can use.",
}
LEVEL_SCORES = {"not_yet_met": 0, "met": 1, "exceeded": 2}
# What "met" asks for, from the Gold module on assessing projects (content/gold/04).
RUBRIC_MET = {
    "aim": "Specific: what will improve, for whom, by how much and by when; linked to a baseline; "
    "within the team's control.",
    "measurement": "At least one clearly defined measure plotted over time with a baseline and "
    "median, and interpreted correctly using run chart rules.",
    "testing": "At least two documented PDSA cycles, each with a prediction, data and a decision "
    "to adopt, adapt or abandon, linked to the aim.",
    "learning": "Honest reflection on what was learnt about the system, the changes and the "
    "learner's own practice, including what did not work.",
    "sustainability": "A credible plan: who owns the change, how it is built into routine work, "
    "and how it will continue to be measured.",
}


def in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
