"""Request and response models for the stateless funnel plot endpoint."""

from __future__ import annotations

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.analysis.funnel import Band, FunnelKind, FunnelMethod, Overdispersion
from app.analysis.schemas import Value
from app.core.schemas import Schema

MAX_UNITS = 1_000
MIN_UNITS_FOR_OVERDISPERSION = 3


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


def _check_pairs(
    kind: str | None, method: str | None, observed: list[float], denominators: list[float]
) -> None:
    if kind != "proportion":
        return
    for position, (o, n) in enumerate(zip(observed, denominators, strict=True), start=1):
        if o > n:
            raise _fail(
                "observed_above_denominator",
                f"unit {position} has {_num(o)} observed out of {_num(n)}: a proportion's "
                "count cannot be more than its denominator.",
            )
        if method == "exact" and (o != int(o) or n != int(n)):
            raise _fail(
                "not_whole_numbers",
                f"unit {position} is {_num(o)} out of {_num(n)}: exact binomial limits need "
                "whole numbers of cases; round them or use method normal.",
            )


class FunnelRequest(Schema):
    """Units to compare at one point in time: an observed count and a denominator each."""

    model_config = ConfigDict(from_attributes=True, strict=True, extra="forbid")

    kind: FunnelKind = Field(
        description="proportion: observed cases out of denominator cases (binomial); "
        "rate: observed events per unit of exposure (Poisson)."
    )
    method: FunnelMethod = Field(
        default="exact",
        description="exact: binomial or Poisson limits (Spiegelhalter 2005, Appendix A.1); "
        "normal: the normal approximation. Overdispersed limits are always normal.",
    )
    overdispersion: Overdispersion = Field(
        default="none",
        description="none, or widen the limits when the units vary more than chance allows: "
        "multiplicative (phi) or additive (random effects, tau^2); z-scores Winsorised at 10%.",
    )
    target: Value | None = Field(
        default=None,
        description="The value to compare with; by default the pooled sum(observed) / "
        "sum(denominators). A proportion between 0 and 1; a rate above 0.",
    )

    observed: list[Value] = Field(
        min_length=1, max_length=MAX_UNITS, description="Each unit's count, 0 or more."
    )
    denominators: list[Value] = Field(
        min_length=1,
        max_length=MAX_UNITS,
        description="Each unit's cases (proportion) or exposure (rate), above 0.",
    )

    @field_validator("observed")
    @classmethod
    def _counts(cls, observed: list[float]) -> list[float]:
        for position, o in enumerate(observed, start=1):
            if o < 0:
                raise _fail(
                    "observed_negative", f"unit {position} is {_num(o)}: a count cannot be below 0."
                )
        return observed

    @field_validator("denominators")
    @classmethod
    def _positive(cls, denominators: list[float], info: ValidationInfo) -> list[float]:
        observed = info.data.get("observed")
        if observed is not None and len(observed) != len(denominators):
            raise _fail(
                "denominators_length",
                f"has {len(denominators)} entries for {len(observed)} units; give one per unit.",
            )
        for position, n in enumerate(denominators, start=1):
            if n <= 0:
                raise _fail(
                    "denominator_not_positive",
                    f"unit {position} has denominator {_num(n)}: each unit needs at least one case "
                    "or some exposure; correct it or leave the unit out.",
                )
        if observed is not None:
            _check_pairs(info.data.get("kind"), info.data.get("method"), observed, denominators)
        overdispersion = info.data.get("overdispersion")
        if (
            overdispersion not in (None, "none")
            and len(denominators) < MIN_UNITS_FOR_OVERDISPERSION
        ):
            raise _fail(
                "too_few_units",
                f"overdispersion needs at least {MIN_UNITS_FOR_OVERDISPERSION} units to estimate; "
                f"got {len(denominators)}. Add units or use overdispersion none.",
            )
        return denominators

    @field_validator("target")
    @classmethod
    def _target_fits(cls, target: float | None, info: ValidationInfo) -> float | None:
        if target is None:
            return None
        if info.data.get("kind") == "proportion" and not 0 < target < 1:
            raise _fail("target_range", "must be a proportion between 0 and 1 (not 0 or 1).")
        if info.data.get("kind") == "rate" and target <= 0:
            raise _fail("target_range", "must be a rate above 0.")
        return target


class FunnelLimitsPublic(Schema):
    denominator: float
    lower_95: float
    upper_95: float
    lower_99_8: float
    upper_99_8: float


class FunnelUnitPublic(Schema):
    index: int = Field(description="The unit's position in the request, 0-based.")
    observed: float
    denominator: float
    value: float = Field(description="observed / denominator.")
    z: float | None = Field(description="(value - target) / its standard error; null if 0.")
    limits: FunnelLimitsPublic = Field(description="The limits at this unit's denominator.")
    band: Band = Field(description="Where the unit falls: within, or beyond a 95% or 99.8% limit.")


class FunnelPublic(Schema):
    kind: FunnelKind
    method: FunnelMethod = Field(description="How the limits were drawn (normal if adjusted).")
    overdispersion: Overdispersion
    target: float
    phi: float | None = Field(description="Winsorised overdispersion factor; null if not asked.")
    tau2: float | None = Field(
        description="Additive random-effects variance; null unless additive."
    )
    adjusted: bool = Field(description="True when the limits were widened for overdispersion.")
    units: list[FunnelUnitPublic]
    curve: list[FunnelLimitsPublic] = Field(
        description="Limits at denominators spread from the smallest to the largest, to draw."
    )
