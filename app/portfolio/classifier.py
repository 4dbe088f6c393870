"""Is it QI, clinical audit, service evaluation or research? Plain questions in the style of the
HRA's "Is my study research?" decision tool, and the outcome explained.

The HRA tool asks three questions; a yes to any of them means the work is research and needs
research approval. What is left is sorted by its purpose: testing changes (QI), checking care
against a standard (audit) or finding out what a service achieves (service evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Answer = Literal["yes", "no"]
Purpose = Literal["improve", "standard", "evaluate"]

QUESTIONS: dict[str, tuple[str, str]] = {
    "randomised": (
        "Will people be put into different groups at random, for example by a computer or by "
        "tossing a coin?",
        "For example, half the patients get the new leaflet and half do not, chosen at random.",
    ),
    "changes_care": (
        "Will anyone's treatment or care be changed away from what is normally accepted, only "
        "for the project?",
        "Testing a new drug, a new device or a treatment not yet in use is a change from accepted "
        "care. Changing how the team delivers care that is already accepted is not.",
    ),
    "generalisable": (
        "Is the main point to produce findings that apply to other places, to add to what is "
        "known in general?",
        "Answer no if you mainly want to improve or check care here, even if you share what you "
        "learn later.",
    ),
}
PURPOSES: dict[str, tuple[str, str]] = {
    "improve": (
        "To make care better here by testing changes, a small step at a time",
        "For example, testing a new way of doing the 3pm drinks round on one ward.",
    ),
    "standard": (
        "To check whether care here meets a set standard",
        "For example, a NICE guideline or a local policy that says what should happen.",
    ),
    "evaluate": (
        "To find out what a service here achieves, without a standard to compare with",
        "For example, asking whether a new discharge lounge is used and what patients think.",
    ),
}

OUTCOMES: dict[str, str] = {
    "research": "Your answers suggest this is research. Research must be approved before it "
    "starts, usually by a research ethics committee and the Health Research Authority (HRA). "
    "It cannot be registered here as a QI project. Talk to your research office first.",
    "qi": "Your answers suggest this is quality improvement: you will test changes to make care "
    "better here. You can register it as a QI project.",
    "audit": "Your answers suggest this is a clinical audit: you will measure care here against "
    "a standard. You can register it in the portfolio as a clinical audit. Your clinical audit "
    "team may also want to know about it.",
    "service_evaluation": "Your answers suggest this is a service evaluation: you will find out "
    "what a service here achieves, without testing changes or comparing with a standard. You can "
    "register it in the portfolio as a service evaluation.",
}


@dataclass(frozen=True)
class Outcome:
    kind: str  # a key of constants.KINDS
    explanation: str
    reasons: tuple[str, ...]


_REASONS = {
    "randomised": "People would be put into groups at random.",
    "changes_care": "Care would be changed away from what is accepted, only for the project.",
    "generalisable": "The main point is findings that apply elsewhere.",
}


def classify(
    *, randomised: Answer, changes_care: Answer, generalisable: Answer, purpose: Purpose
) -> Outcome:
    """The HRA questions first (any yes: research), then the purpose decides."""
    answers = {
        "randomised": randomised,
        "changes_care": changes_care,
        "generalisable": generalisable,
    }
    reasons = tuple(_REASONS[q] for q, a in answers.items() if a == "yes")
    if reasons:
        return Outcome("research", OUTCOMES["research"], reasons)
    kind = {"improve": "qi", "standard": "audit", "evaluate": "service_evaluation"}[purpose]
    return Outcome(kind, OUTCOMES[kind], (PURPOSES[purpose][0] + ".",))
