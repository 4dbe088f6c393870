"""Request and response models for the stateless series analysis endpoint."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.analysis import attribute_rules
from app.analysis.attribute import AttributeMethod
from app.analysis.spc import Assurance, Improvement, PointType
from app.core.schemas import Schema

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

MAX_POINTS = 10_000
# Magnitudes beyond this lose whole-number precision in a float (2**53 ~ 9e15) and let sums of
# 10,000 points overflow towards infinity, which JSON cannot carry back.
MAX_MAGNITUDE = 1e15
# What each method needs to compute anything: a centre and one moving range or crossing.
MIN_POINTS: dict[str, int] = {
    "run_anhoej": 2,
    "run_ihi": 2,
    "i_anhoej": 2,
    "xmr_mdc": 2,
    **dict.fromkeys(attribute_rules.METHODS, 2),
}
# NHSRplotthedots refuses fix_after_n_points below 12 (ptd_spc_options.R); qicharts2 needs 2
# baseline points for a median or a moving range.
MIN_BASELINE: dict[str, int] = {
    "run_anhoej": 2,
    "run_ihi": 2,
    "i_anhoej": 2,
    "xmr_mdc": 12,
    **dict.fromkeys(attribute_rules.METHODS, 2),
}

Value = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


def _error(kind: str, message: str, **context: object) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context)


class AnalysisRequest(Schema):
    """A series and the rule set to judge it by."""

    model_config = ConfigDict(from_attributes=True, strict=True, extra="forbid")

    method: Method = Field(
        description="run_anhoej / i_anhoej: qicharts2 0.8.1; run_ihi: Perla et al. 2011; "
        "xmr_mdc: NHS Making Data Count (NHSRplotthedots 0.2.2). Attribute and rare-event "
        "charts, qicharts2 0.8.1: p_anhoej (proportions), pp_anhoej (Laney p'), u_anhoej "
        "(rates per unit of exposure), up_anhoej (Laney u'), c_anhoej (counts), g_anhoej "
        "(opportunities or days between events), t_anhoej (time between events, > 0)."
    )
    values: list[Value] = Field(
        max_length=MAX_POINTS,
        description="The measurements in time order: finite numbers. For p/pp the numerators "
        "(cases with the outcome), for u/up the counts, for c the counts, for g the number of "
        "opportunities or days between events, for t the time between events.",
    )
    denominators: list[Value] | None = Field(
        default=None,
        validate_default=True,  # so a missing list is reported for the charts that need one
        max_length=MAX_POINTS,
        description="p, pp, u, up only, and required there: one per value, each > 0. For p "
        "and pp the number of cases (each numerator at most its denominator); for u and up "
        "the exposure (patient days, occupied bed days, ...).",
    )
    baseline: int | None = Field(
        default=None,
        description="Use the first N points for the centre line and limits "
        "(for xmr_mdc: within each rebase group, at least 12).",
    )
    screen_outliers: bool = Field(
        default=True,
        description="i_anhoej, xmr_mdc, pp_anhoej, up_anhoej and t_anhoej: drop moving ranges "
        ">= 3.267 x the mean moving range (of the z-scores for Laney's charts).",
    )
    improvement: Improvement = Field(
        default="increase", description="xmr_mdc: which direction counts as improvement."
    )
    target: Value | None = Field(default=None, description="xmr_mdc: target for assurance.")
    rebase: list[int] = Field(
        default_factory=list,
        max_length=MAX_POINTS,
        description="xmr_mdc: indices (0-based) where a new period with its own limits starts.",
    )

    @field_validator("values")
    @classmethod
    def _enough_values(cls, values: list[float], info: ValidationInfo) -> list[float]:
        method = info.data.get("method")
        minimum = MIN_POINTS.get(method or "", 2)
        if len(values) < minimum:
            raise _error(
                "too_few_values",
                "{method} needs at least {minimum} values; got {count}. Add more measurements.",
                method=method or "this method",
                minimum=minimum,
                count=len(values),
            )
        if method in attribute_rules.METHODS:
            attribute_rules.check_values(method, values)
        return values

    @field_validator("denominators")
    @classmethod
    def _denominators_fit(
        cls, denominators: list[float] | None, info: ValidationInfo
    ) -> list[float] | None:
        attribute_rules.check_denominators(
            info.data.get("method") or "", info.data.get("values"), denominators
        )
        return denominators

    @field_validator("baseline")
    @classmethod
    def _baseline_in_range(cls, baseline: int | None, info: ValidationInfo) -> int | None:
        if baseline is None:
            return None
        method = info.data.get("method") or ""
        minimum = MIN_BASELINE.get(method, 2)
        count = len(info.data.get("values") or [])
        if baseline < minimum:
            raise _error(
                "baseline_too_short",
                "must be at least {minimum} points for {method}; got {baseline}.",
                minimum=minimum,
                method=method,
                baseline=baseline,
            )
        if count and baseline > count:
            raise _error(
                "baseline_too_long",
                "is {baseline} points but the series has only {count} values; "
                "use at most {count}, or leave it out to use every point.",
                baseline=baseline,
                count=count,
            )
        return baseline

    @field_validator("target")
    @classmethod
    def _target_only_for_mdc(cls, target: float | None, info: ValidationInfo) -> float | None:
        if target is not None and info.data.get("method") != "xmr_mdc":
            raise _error(
                "target_not_supported",
                "is only used by xmr_mdc (assurance against a target); "
                "remove it or choose xmr_mdc.",
            )
        return target

    @field_validator("rebase")
    @classmethod
    def _rebase_splits_series(cls, rebase: list[int], info: ValidationInfo) -> list[int]:
        if not rebase:
            return rebase
        if info.data.get("method") != "xmr_mdc":
            raise _error(
                "rebase_not_supported",
                "is only used by xmr_mdc; remove it or choose xmr_mdc.",
            )
        count = len(info.data.get("values") or [])
        if len(set(rebase)) != len(rebase):
            raise _error(
                "rebase_duplicate", "lists the same index more than once; give each index once."
            )
        starts = sorted(rebase)
        if count and not (1 <= starts[0] and starts[-1] <= count - 1):
            raise _error(
                "rebase_out_of_range",
                "indices must be between 1 and {last} (0-based, the point that starts "
                "the new period); got {bad}.",
                last=count - 1,
                bad=starts[0] if starts[0] < 1 else starts[-1],
            )
        bounds = [0, *starts, count]
        for start, end in pairwise(bounds):
            if count and end - start < 2:
                raise _error(
                    "rebase_group_too_short",
                    "the period starting at index {start} has {size} value(s); each period "
                    "needs at least 2 to measure its moving range.",
                    start=start,
                    size=end - start,
                )
        return starts


class RunAnhoejPublic(Schema):
    method: Literal["run_anhoej"] = "run_anhoej"
    centre: float
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool


class IAnhoejPublic(Schema):
    method: Literal["i_anhoej"] = "i_anhoej"
    centre: float
    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool
    lcl: float
    ucl: float
    outside: list[int]


class RunIhiPublic(Schema):
    method: Literal["run_ihi"] = "run_ihi"
    centre: float
    n_useful: int
    runs: int
    runs_limits: tuple[int, int] | None = Field(
        description="Lower and upper limit from Table 1; null below 10 useful points."
    )
    shifts: list[tuple[int, int]] = Field(description="[first, last] index, inclusive.")
    trends: list[tuple[int, int]] = Field(description="[first, last] index, inclusive.")
    signal: bool


class XmrGroupPublic(Schema):
    start: int
    end: int
    mean: float
    lpl: float
    upl: float


class XmrPointPublic(Schema):
    index: int
    value: float
    type: PointType


class XmrMdcPublic(Schema):
    method: Literal["xmr_mdc"] = "xmr_mdc"
    groups: list[XmrGroupPublic]
    points: list[XmrPointPublic]
    variation: PointType = Field(description="The latest point's type.")
    assurance: Assurance | None = Field(description="null without a target or when neutral.")


class AttributePublic(Schema):
    """p, p', u, u', c, g and t charts: per-point centre and limits, and both kinds of signal."""

    method: AttributeMethod
    cl: list[float] = Field(description="Centre line per point (the g chart's is the median).")
    lcl: list[float | None] = Field(description="Lower 3-sigma limit per point; null if undefined.")
    ucl: list[float | None] = Field(description="Upper 3-sigma limit per point; null if undefined.")
    outside: list[int] = Field(description="Indices (0-based) of points outside the limits.")
    n_useful: int = Field(description="Points off the centre line (the runs analysis counts them).")
    longest_run: int | None = Field(description="null when no point is off the centre line.")
    longest_run_max: int | None = Field(description="Signal when longest_run is above this.")
    crossings: int | None = Field(description="Times the series crosses the centre line.")
    crossings_min: int | None = Field(description="Signal when crossings is below this.")
    runs_signal: bool = Field(description="Anhøj rules: unusually long run or few crossings.")
    signal: bool = Field(description="runs_signal, or any point outside the limits.")


AnalysisPublic = Annotated[
    RunAnhoejPublic | RunIhiPublic | IAnhoejPublic | XmrMdcPublic | AttributePublic,
    Field(discriminator="method"),
]
