"""Choosing a chart in plain words: what a measure records decides the chart we recommend.

Tables, not branches, so the chooser grows by adding rows: ``QUESTIONS`` asks what is recorded
(the first question answered yes gives the measure's type), ``RECOMMENDED`` says which chart suits
that type and why in one sentence, ``ALLOWED`` lists the other charts a learner may choose
instead, and ``CHARTS`` names each chart plainly with its technical name for a details component.
XmR stays the Making Data Count default for continuous data.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.projects.constants import MEASURE_TYPES, METHODS


@dataclass(frozen=True)
class Question:
    data_type: str
    ask: str
    example: str
    records: str  # what is entered each period, in words


@dataclass(frozen=True)
class ChartChoice:
    method: str
    chart_type: str  # the chart page's ?type=
    plain: str
    technical: str


@dataclass(frozen=True)
class Recommendation:
    data_type: str
    method: str
    chart: ChartChoice
    why: str
    question: Question


QUESTIONS: tuple[Question, ...] = (
    Question(
        "proportion",
        "Are you counting people who did or did not get something?",
        "For example, residents offered a drink at the 3pm round, out of all the residents on "
        "the unit that week. You give both numbers each week.",
        "how many did (the numerator) and how many could have (the denominator)",
    ),
    Question(
        "rate",
        "Are you counting events against how much care was given?",
        "For example, falls each week and the occupied bed days that week, to give falls per "
        "1,000 bed days. You give both numbers each week.",
        "the number of events and the exposure, such as occupied bed days",
    ),
    Question(
        "rare_event",
        "Are you recording the dates of rare events?",
        "For example, the date of each pressure ulcer, when there are only a few a month. The "
        "chart shows the days between them.",
        "the date of each event",
    ),
    Question(
        "count",
        "Are you counting events where the chance of them is about the same each week?",
        "For example, complaints each week on a ward whose size does not change.",
        "the number of events",
    ),
    Question(
        "continuous",
        "Are you measuring something, or given a number that is not a count?",
        "For example, minutes from arrival to a first dose, a pain score, or a percentage "
        "someone else reports without its numbers.",
        "one number",
    ),
)

CHARTS: dict[str, ChartChoice] = {
    c.method: c
    for c in (
        ChartChoice(
            "xmr_mdc",
            "xmr",
            "A chart with limits that show the usual range (Making Data Count)",
            "XmR chart (individuals and moving range) with NHS England's Making Data Count "
            "rules: a point outside the limits, a run of 7, 2 of 3 near a limit, 7 on one side.",
        ),
        ChartChoice(
            "run_anhoej",
            "run",
            "A run chart around the middle value (median)",
            "Run chart with the Anhøj rules: an unusually long run or unusually few crossings "
            "of the median (qicharts2).",
        ),
        ChartChoice(
            "run_ihi",
            "run",
            "A run chart around the middle value, with the IHI rules",
            "Run chart with the IHI rules: a shift of 6, a trend of 5, too few or too many runs.",
        ),
        ChartChoice(
            "i_anhoej",
            "xmr",
            "A chart with limits, judged the qicharts2 way",
            "I chart with 3-sigma limits from the screened average moving range and the Anhøj "
            "rules (qicharts2).",
        ),
        ChartChoice(
            "p_anhoej",
            "p",
            "A chart of the percentage each week, with limits that follow how many people "
            "there were",
            "p chart: centre = all numerators / all denominators; limits centre ± 3 √(centre "
            "(1 - centre) / n) for each week's n; Anhøj rules (qicharts2).",
        ),
        ChartChoice(
            "pp_anhoej",
            "pp",
            "The same percentage chart, with limits widened when there are hundreds of people "
            "each week",
            "Laney p' chart: the p chart's sigma times sigma z, the screened average moving "
            "range of the z-scores divided by 1.128 (qicharts2).",
        ),
        ChartChoice(
            "u_anhoej",
            "u",
            "A chart of the rate each week, with limits that follow how much care was given",
            "u chart: centre = all events / all exposure; limits centre ± 3 √(centre / "
            "exposure) for each week; Anhøj rules (qicharts2).",
        ),
        ChartChoice(
            "up_anhoej",
            "up",
            "The same rate chart, with limits widened when the exposure is very large",
            "Laney u' chart: the u chart's sigma times sigma z (qicharts2).",
        ),
        ChartChoice(
            "c_anhoej",
            "c",
            "A chart of the count each week, with limits for counts",
            "c chart: centre the mean count; limits centre ± 3 √centre; Anhøj rules (qicharts2).",
        ),
        ChartChoice(
            "g_anhoej",
            "g",
            "A chart of the days between events, where longer gaps are better",
            "g chart: limits mean ± 3 √(mean (mean + 1)), centre line the median; Anhøj rules "
            "(qicharts2).",
        ),
        ChartChoice(
            "t_anhoej",
            "t",
            "A chart of the time between events, for events at least a day apart",
            "t chart: an I chart on the days between events raised to the power 1/3.6, "
            "transformed back (qicharts2).",
        ),
    )
}

# The chart we recommend for each type, and why, in one sentence a porter would follow.
RECOMMENDED: dict[str, tuple[str, str]] = {
    "continuous": (
        "xmr_mdc",
        "A chart with limits shows whether a change is more than the ups and downs you would "
        "expect; it is the NHS England (Making Data Count) way for measurements like this.",
    ),
    "proportion": (
        "p_anhoej",
        "Because the number of people changes from week to week, the limits are worked out "
        "for each week: a week with fewer people is allowed to swing more.",
    ),
    "rate": (
        "u_anhoej",
        "Because the amount of care given changes from week to week, the limits are worked out "
        "for each week from it.",
    ),
    "rare_event": (
        "g_anhoej",
        "Counting rare events each week gives mostly zeros, so the chart shows the days "
        "between them instead: longer gaps mean fewer events.",
    ),
    "count": (
        "c_anhoej",
        "Counts of events with the same chance each week have limits of their own, which this "
        "chart draws.",
    ),
}

# Every chart a measure of the type may use, the recommended one first.
ALLOWED: dict[str, tuple[str, ...]] = {
    "continuous": ("xmr_mdc", "run_anhoej", "run_ihi", "i_anhoej"),
    "proportion": ("p_anhoej", "pp_anhoej", "run_anhoej", "run_ihi", "xmr_mdc"),
    "rate": ("u_anhoej", "up_anhoej", "run_anhoej", "run_ihi", "xmr_mdc"),
    "rare_event": ("g_anhoej", "t_anhoej", "run_anhoej"),
    "count": ("c_anhoej", "run_anhoej", "run_ihi", "xmr_mdc"),
}

TYPE_NAMES = {
    "continuous": "A measurement (one number each period)",
    "proportion": "People who did or did not get something (a number out of a number)",
    "rate": "Events against the care given (a count and its exposure)",
    "rare_event": "Dates of rare events",
    "count": "A count of events",
}

assert {q.data_type for q in QUESTIONS} == set(MEASURE_TYPES) == set(RECOMMENDED) == set(ALLOWED)
assert set(CHARTS) == set(METHODS)
assert all(ALLOWED[t][0] == RECOMMENDED[t][0] for t in MEASURE_TYPES)


def question(data_type: str) -> Question:
    return next(q for q in QUESTIONS if q.data_type == data_type)


def recommend(data_type: str) -> Recommendation:
    """The chart for a measure of this type, and the sentence that explains the choice."""
    method, why = RECOMMENDED[data_type]
    return Recommendation(data_type, method, CHARTS[method], why, question(data_type))


def choices(data_type: str) -> list[ChartChoice]:
    return [CHARTS[m] for m in ALLOWED[data_type]]


def allowed(data_type: str, method: str) -> bool:
    return method in ALLOWED[data_type]


def chart_type(method: str) -> str:
    return CHARTS[method].chart_type


SHORT_NAMES = {
    "xmr_mdc": "XmR chart",
    "run_anhoej": "run chart (Anhøj rules)",
    "run_ihi": "run chart (IHI rules)",
    "i_anhoej": "I chart",
    "p_anhoej": "p chart",
    "pp_anhoej": "Laney p' chart",
    "u_anhoej": "u chart",
    "up_anhoej": "Laney u' chart",
    "c_anhoej": "c chart",
    "g_anhoej": "g chart",
    "t_anhoej": "t chart",
}


def refusal(data_type: str, method: str) -> str:
    """What to fix when a measure's type cannot use the chart asked for."""
    names = [SHORT_NAMES[m] for m in ALLOWED[data_type]]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}"
    return (
        f"A measure of this type ({TYPE_NAMES[data_type].lower()}) cannot use the "
        f"{SHORT_NAMES[method]}; choose the {listed}, or change what the measure records"
    )
