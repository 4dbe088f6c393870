"""Content schemas: the front matter format (validated) and what the API shows of a module."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator

from app.core.schemas import Schema

Tier = Literal["bronze", "silver", "gold"]
TIERS: tuple[Tier, ...] = ("bronze", "silver", "gold")
TIER_NAMES = {"bronze": "Bronze", "silver": "Silver", "gold": "Gold"}
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class OptionSource(_Strict):
    text: Text
    correct: bool
    feedback: Text


class QuestionSource(_Strict):
    id: Slug
    type: Literal["single", "multiple", "true_false"]
    prompt: Text
    explanation: Text
    scenario: bool = False
    options: list[OptionSource] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _shape(self) -> QuestionSource:
        right = sum(o.correct for o in self.options)
        texts = [o.text for o in self.options]
        if len(set(texts)) != len(texts):
            raise ValueError("options must have different texts")
        if self.type == "true_false":
            if sorted(texts) != ["False", "True"]:
                raise ValueError(
                    "a true_false question has exactly two options, 'True' and 'False'"
                )
        if self.type in ("single", "true_false") and right != 1:
            raise ValueError(
                f"a {self.type} question needs exactly one correct option (it has {right})"
            )
        if self.type == "multiple" and right < 1:
            raise ValueError("a multiple question needs at least one correct option")
        return self


class QuizSource(_Strict):
    pass_mark: int = Field(default=80, ge=1, le=100)
    questions: list[QuestionSource] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> QuizSource:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids must be unique; repeated: {', '.join(dupes)}")
        return self


class Reference(_Strict):
    title: Text
    url: HttpUrl


class FrontMatter(_Strict):
    slug: Slug
    title: Text
    tier: Tier
    order: int = Field(ge=1, le=99)
    summary: Text
    cpd_minutes: int = Field(ge=1, le=600)
    outcomes: list[Text] = Field(min_length=1)
    prerequisites: list[Slug] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    quiz: QuizSource


# --- API views -----------------------------------------------------------------------------


class ModuleSummary(Schema):
    slug: str
    title: str
    tier: str
    order: int
    summary: str
    cpd_minutes: int
    locked: bool
    locked_reason: str | None = None


class ModuleList(Schema):
    data: list[ModuleSummary]
    count: int


class SectionPublic(Schema):
    title: str
    html: str


class OptionPublic(Schema):
    id: str
    text: str


class QuestionPublic(Schema):
    id: str
    type: str
    prompt: str
    options: list[OptionPublic]


class QuizPublic(Schema):
    pass_mark: int
    questions: list[QuestionPublic]


class ModuleDetail(Schema):
    slug: str
    title: str
    tier: str
    cpd_minutes: int
    outcomes: list[str]
    sections: list[SectionPublic]
    quiz: QuizPublic
