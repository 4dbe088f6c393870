"""Project schemas: what learners and trainers send, and what pages and the API show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from app.analysis.schemas import MAX_MAGNITUDE, MAX_POINTS
from app.core.schemas import Schema
from app.projects import chooser
from app.projects.constants import LEVEL_SCORES, RUBRIC, RUBRIC_NAMES
from app.projects.privacy import refuse_identifiers

Status = Literal["draft", "submitted", "changes_requested", "signed_off"]
SubmissionStatus = Literal["submitted", "changes_requested", "signed_off", "withdrawn"]
NodeKind = Literal["aim", "primary", "secondary", "change_idea"]
MeasureKind = Literal["outcome", "process", "balancing"]
Direction = Literal["increase", "decrease", "neutral"]
MeasureType = Literal["continuous", "proportion", "count", "rate", "rare_event"]
Method = Literal[
    "run_anhoej",
    "run_ihi",
    "i_anhoej",
    "xmr_mdc",
    "p_anhoej",
    "pp_anhoej",
    "u_anhoej",
    "up_anhoej",
    "c_anhoej",
    "g_anhoej",
    "t_anhoej",
]
Decision = Literal["adopt", "adapt", "abandon"]
Level = Literal["not_yet_met", "met", "exceeded"]
Impact = Literal["unsatisfactory", "satisfactory", "exemplary"]
ChartType = Literal["run", "xmr", "p", "pp", "u", "up", "c", "g", "t"]

LONG_TEXT = 10_000


# Free text: length-checked, and refused when it holds a patient identifier (see privacy.py).
_Private = AfterValidator(refuse_identifiers)
Title = Annotated[str, StringConstraints(min_length=1, max_length=200), _Private]
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT), _Private]
RequiredLongText = Annotated[str, StringConstraints(min_length=1, max_length=LONG_TEXT), _Private]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=120), _Private]
Role = Annotated[str, StringConstraints(max_length=200), _Private]
NodeText = Annotated[str, StringConstraints(min_length=1, max_length=500), _Private]
Definition = Annotated[str, StringConstraints(min_length=1, max_length=2000), _Private]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=60), _Private]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=300), _Private]
Value = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


# --- the project ------------------------------------------------------------------------------


class ProjectStart(Schema):
    cohort_id: int
    title: Title


class ProjectUpdate(Schema):
    """The write-up's words; a field left out (None) is kept as it is."""

    title: Title | None = None
    problem: LongText | None = Field(default=None, description="The problem and why it matters")
    background: LongText | None = Field(
        default=None, description="What is already known (guidance, published work)"
    )
    setting: LongText | None = Field(
        default=None, description="Where the work happens and who is involved"
    )
    aim: LongText | None = Field(default=None, description="The aim: how much, by when, for whom")
    reflection: LongText | None = Field(default=None, description="Learning and reflection")
    sustainability: LongText | None = Field(
        default=None, description="How the change will last: owner, routine, measuring"
    )


class AimCheckPublic(Schema):
    key: str
    label: str
    met: bool
    hint: str


class AimCheckRequest(Schema):
    aim: Annotated[str, StringConstraints(max_length=LONG_TEXT)]


class AimCheckResult(Schema):
    checks: list[AimCheckPublic]
    hints: list[str]


class MemberCreate(Schema):
    name: ShortName
    role: Role = ""


class MemberPublic(Schema):
    id: int
    name: str
    role: str


class NodeCreate(Schema):
    parent_id: int
    text: NodeText


class NodeUpdate(Schema):
    text: NodeText


class NodePublic(Schema):
    id: int
    parent_id: int | None
    kind: NodeKind
    text: str
    position: int


class TreeNode(Schema):
    """A driver diagram box with its children, for drawing."""

    id: int
    kind: NodeKind
    text: str
    children: list[TreeNode] = Field(default_factory=list)


# --- measures and data ------------------------------------------------------------------------


class MeasureIn(Schema):
    kind: MeasureKind
    data_type: MeasureType = Field(
        default="continuous",
        description="What each period records: one number (continuous), cases out of a "
        "denominator (proportion), a count, a count and its exposure (rate), or the dates of "
        "rare events (rare_event)",
    )
    name: Title
    definition: Definition = Field(
        description="Operational definition: exactly what is counted, how and when"
    )
    unit: Unit
    direction: Direction
    target: Value | None = None
    method: Method | None = Field(
        default=None, description="The chart rules; left out, the chart recommended for the type"
    )
    baseline_points: int | None = Field(
        default=None, ge=2, le=MAX_POINTS, description="Fix the centre line on the first N points"
    )
    is_main: bool = Field(default=False, description="The project's main outcome measure")

    @model_validator(mode="after")
    def _chart_fits_type(self) -> MeasureIn:
        if self.method is None:
            self.method = chooser.recommend(self.data_type).method  # type: ignore[assignment]
        elif not chooser.allowed(self.data_type, self.method):
            raise ValueError(chooser.refusal(self.data_type, self.method))
        return self

    @model_validator(mode="after")
    def _main_is_outcome(self) -> MeasureIn:
        if self.is_main and self.kind != "outcome":
            raise ValueError(
                "Only an outcome measure can be the main outcome measure; choose 'Outcome' "
                "or untick 'main outcome measure'"
            )
        return self


class RebaseCreate(Schema):
    starts_on: date
    reason: Reason


class RebasePublic(Schema):
    id: int
    starts_on: date
    reason: str


class PointIn(Schema):
    period: date
    value: Value = Field(description="The value, numerator, count or number of events")
    denominator: Value | None = Field(
        default=None, description="Proportions: the denominator; rates: the exposure"
    )


class PointsIn(Schema):
    points: list[PointIn] = Field(min_length=1, max_length=MAX_POINTS)


class PointPublic(Schema):
    period: date
    value: float
    denominator: float | None = None


class ImportResult(Schema):
    added: int
    updated: int


class MeasurePublic(Schema):
    id: int
    kind: MeasureKind
    data_type: MeasureType = "continuous"
    name: str
    definition: str
    unit: str
    direction: Direction
    target: float | None
    method: Method
    baseline_points: int | None
    is_main: bool
    points: int = 0
    rebases: list[RebasePublic] = Field(default_factory=list)


class MeasureData(MeasurePublic):
    data: list[PointPublic] = Field(default_factory=list)


# --- PDSA cycles ------------------------------------------------------------------------------


class PdsaIn(Schema):
    title: Title
    change_idea_id: int | None = None
    plan: LongText = ""
    prediction: LongText = ""
    do: LongText = ""
    study: LongText = ""
    act: LongText = ""
    decision: Decision | None = None
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> PdsaIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("The end date must be on or after the start date")
        return self


class PdsaPublic(Schema):
    id: int
    title: str
    change_idea_id: int | None
    change_idea: str | None = None
    plan: str
    prediction: str
    do: str
    study: str
    act: str
    decision: Decision | None
    starts_on: date
    ends_on: date | None


# --- sign-off ---------------------------------------------------------------------------------


class ReviewCreate(Schema):
    """A trainer's decision: a level per rubric criterion, a comment, approve or ask for changes."""

    aim: Level
    measurement: Level
    testing: Level
    learning: Level
    sustainability: Level
    comment: LongText = ""
    decision: Literal["approve", "changes"]
    impact: Impact | None = Field(
        default=None, description="On sign-off: the project's impact, in the style of QIPAT"
    )
    impact_reasons: LongText = ""

    @model_validator(mode="after")
    def _signoff_rule(self) -> ReviewCreate:
        if self.decision == "approve":
            short = [RUBRIC_NAMES[c].lower() for c in RUBRIC if getattr(self, c) == "not_yet_met"]
            if short:
                raise ValueError(
                    "A project can be signed off only when every criterion is at least met; "
                    f"not yet met: {', '.join(short)}. Ask for changes instead, saying what "
                    "would meet the descriptor"
                )
            if self.impact is not None and not self.impact_reasons:
                raise ValueError(
                    "Give the reasons for your impact judgement: what changed, for whom, and "
                    "the evidence"
                )
        elif not self.comment:
            raise ValueError(
                "Write a comment saying what the learner needs to change: the criterion, the "
                "evidence, and what would meet it"
            )
        return self

    @property
    def total(self) -> int:
        return sum(LEVEL_SCORES[getattr(self, c)] for c in RUBRIC)


class SubmissionPublic(Schema):
    """A submission and what became of it: the trainer's decision, or the team's withdrawal."""

    id: int
    status: SubmissionStatus
    submitted_at: datetime
    submitted_by: str | None
    scores: dict[str, Level] | None
    total: int | None
    comment: str | None
    impact: Impact | None = None
    impact_reasons: str | None = None
    decided_at: datetime | None = Field(description="When the trainer decided (not withdrawals)")
    decided_by: str | None
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None


class CommentCreate(Schema):
    body: RequiredLongText


class CommentPublic(Schema):
    id: int
    author: str | None
    body: str
    created_at: datetime


# --- views ------------------------------------------------------------------------------------


class ProjectSummary(Schema):
    id: int
    cohort_id: int
    cohort_name: str
    title: str
    status: Status
    owner: str = Field(description="The learner's name, or the team's")
    is_team: bool
    updated_at: datetime


class ProjectPublic(ProjectSummary):
    problem: str
    background: str
    setting: str
    aim: str
    reflection: str
    sustainability: str
    signed_off_at: datetime | None


class ProjectDetail(ProjectPublic):
    """Everything in the workspace: the export and the submission snapshot are built from this."""

    members: list[MemberPublic]
    team_members: list[str] = Field(description="Enrolled learners of a team project")
    drivers: list[NodePublic]
    measures: list[MeasureData]
    pdsa_cycles: list[PdsaPublic]


class WithdrawalPublic(Schema):
    """After a withdrawal: the project, open for changes again, and the withdrawn submission."""

    project: ProjectPublic
    submission: SubmissionPublic


class ProjectList(Schema):
    data: list[ProjectSummary]
    count: int


class CohortProjectRow(Schema):
    """A trainer's list row: a learner (or team) and their project, if started."""

    owner: str
    is_team: bool
    project_id: int | None
    title: str | None
    status: str
    submitted_at: datetime | None
    updated_at: datetime | None


TreeNode.model_rebuild()


class SignalPublic(Schema):
    rule: str
    explanation: str
    found: bool
    where: str


class ChartRowPublic(Schema):
    period: date
    value: float
    note: str


class PdsaMarkPublic(Schema):
    label: str
    title: str
    starts_on: date
    shown: bool


class ChartPublic(Schema):
    """A measure's chart in words: what the accessible SVG shows, for the API."""

    type: ChartType
    title: str
    rules: str
    available: bool
    message: str | None
    description: str
    summary: list[str]
    signals: list[SignalPublic]
    notices: list[str]
    data: list[ChartRowPublic]
    pdsa: list[PdsaMarkPublic]
    improvement: bool = Field(description="XmR only: a special cause in the improvement direction")
