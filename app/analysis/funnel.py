"""Funnel plots for comparing units at one point in time (Spiegelhalter, Stat Med 2005;24:1185).

Each unit (a team, a ward, an organisation) has an observed count O_i out of a denominator
n_i: cases for a proportion, exposure for a rate. The target theta is the pooled value
sum(O) / sum(n) unless one is given. The control limits at 95% and 99.8% follow the
denominator, so they form a funnel:

* ``exact``: Spiegelhalter's Appendix A.1: r_p is the smallest r with F(r) >= p for the
  binomial(n, theta) (proportions) or Poisson(theta n) (rates) distribution, and the limit is
  (r_p - alpha) / n with alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)), interpolating so the
  limits are smooth in n. Proportions need whole-number denominators for this.
* ``normal``: theta +/- z_p sqrt(V(theta) / n), V = theta (1 - theta) or theta.

Overdispersion (Spiegelhalter 2005, section 6; Spiegelhalter, Qual Saf Health Care
2005;14:347) is estimated from the z-scores z_i = (y_i - theta) / sqrt(V / n_i), Winsorised at
10% in each tail: phi = mean(z^2). If I phi > I - 1 the limits are widened, always on the normal
scale: ``multiplicative`` by sqrt(phi), ``additive`` by a random-effects variance
tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w_i = n_i / V. Limits are kept inside
[0, 1] for proportions and at or above 0 for rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from app.analysis.series import SeriesError

FunnelKind = Literal["proportion", "rate"]
FunnelMethod = Literal["exact", "normal"]
Overdispersion = Literal["none", "multiplicative", "additive"]
Band = Literal["below_99_8", "below_95", "within", "above_95", "above_99_8"]

# Two-sided 95% and 99.8% limits: the tail probabilities each limit leaves outside.
P95 = (0.025, 0.975)
P998 = (0.001, 0.999)
WINSOR = 0.1
CURVE_POINTS = 60
# Exact limits sum the distribution term by term; beyond this expected count the normal
# approximation is within a hair of them and the sum would be slow.
MAX_EXACT_EXPECTED = 20_000
# The exact distributions are summed term by term over theta n +/- this many standard
# deviations: the mass left outside is below 1e-20, far under a double's precision at 0.001.
TAIL_SDS = 10.0


@dataclass(frozen=True)
class Limits:
    denominator: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@dataclass(frozen=True)
class FunnelUnit:
    index: int
    observed: float
    denominator: float
    value: float
    z: float | None
    limits: Limits
    band: Band


@dataclass(frozen=True)
class Funnel:
    kind: FunnelKind
    method: FunnelMethod
    overdispersion: Overdispersion
    target: float
    phi: float | None
    tau2: float | None
    adjusted: bool
    units: tuple[FunnelUnit, ...]
    curve: tuple[Limits, ...]


def _variance(kind: FunnelKind, theta: float) -> float:
    return theta * (1 - theta) if kind == "proportion" else theta


def _binomial_weights(n: int, theta: float) -> tuple[int, list[float]]:
    """Unnormalised binomial probabilities over the window that holds all but ~1e-20."""
    sd = math.sqrt(n * theta * (1 - theta))
    lo = max(0, math.floor(n * theta - TAIL_SDS * sd - 10))
    hi = min(n, math.ceil(n * theta + TAIL_SDS * sd + 10))
    ratio = theta / (1 - theta)
    weights = [1.0]
    for k in range(lo, hi):
        weights.append(weights[-1] * (n - k) / (k + 1) * ratio)
    return lo, weights


def _poisson_weights(mu: float) -> tuple[int, list[float]]:
    sd = math.sqrt(mu)
    lo = max(0, math.floor(mu - TAIL_SDS * sd - 10))
    hi = math.ceil(mu + TAIL_SDS * sd + 10)
    weights = [1.0]
    for k in range(lo, hi):
        weights.append(weights[-1] * mu / (k + 1))
    return lo, weights


def exact_limit_counts(lo: int, weights: Sequence[float], ps: Sequence[float]) -> list[float]:
    """(r_p - alpha) for each p, from probabilities ``weights`` starting at count ``lo``."""
    total = math.fsum(weights)
    results: list[float] = []
    cumulative = 0.0
    previous = 0.0
    wanted = sorted(range(len(ps)), key=lambda i: ps[i])
    out: dict[int, float] = {}
    k = 0
    for r, weight in enumerate(weights, start=lo):
        previous = cumulative
        cumulative += weight / total
        while k < len(wanted) and cumulative >= ps[wanted[k]]:
            p = ps[wanted[k]]
            alpha = (cumulative - p) / (cumulative - previous)
            out[wanted[k]] = r - alpha
            k += 1
        if k == len(wanted):
            break
    for i in range(len(ps)):
        results.append(out.get(i, float(lo + len(weights) - 1)))
    return results


def _exact(kind: FunnelKind, theta: float, n: float) -> tuple[float, float, float, float]:
    ps = (P998[0], P95[0], P95[1], P998[1])
    if theta <= 0 or (kind == "proportion" and theta >= 1):
        return (theta,) * 4  # a degenerate distribution: every unit should equal the target
    expected = theta * n
    if expected > MAX_EXACT_EXPECTED:
        raise SeriesError(
            f"An expected count of {expected:.0f} is too large for exact limits (at most "
            f"{MAX_EXACT_EXPECTED:,}); use method normal, which is as accurate at that size."
        )
    if kind == "proportion":
        lo, weights = _binomial_weights(round(n), theta)
    else:
        lo, weights = _poisson_weights(expected)
    low998, low95, up95, up998 = (c / n for c in exact_limit_counts(lo, weights, ps))
    return low998, low95, up95, up998


def _normal(
    kind: FunnelKind, theta: float, n: float, *, phi: float = 1.0, tau2: float = 0.0
) -> tuple[float, float, float, float]:
    se = math.sqrt(phi * _variance(kind, theta) / n + tau2)
    z95 = NormalDist().inv_cdf(P95[1])
    z998 = NormalDist().inv_cdf(P998[1])
    return theta - z998 * se, theta - z95 * se, theta + z95 * se, theta + z998 * se


def _clip(kind: FunnelKind, value: float) -> float:
    return min(max(value, 0.0), 1.0) if kind == "proportion" else max(value, 0.0)


def winsorised(z: Sequence[float], share: float = WINSOR) -> list[float]:
    """Each tail's ``share`` most extreme z-scores pulled in to the next value inwards."""
    ordered = sorted(z)
    k = math.floor(share * len(ordered))
    if k == 0:
        return list(z)
    low, high = ordered[k], ordered[-k - 1]
    return [min(max(v, low), high) for v in z]


def overdispersion(
    kind: FunnelKind, theta: float, denominators: Sequence[float], values: Sequence[float]
) -> tuple[float, float]:
    """phi (Winsorised mean squared z-score) and the additive tau^2 (0 if not over-dispersed)."""
    variance = _variance(kind, theta)
    if variance <= 0:
        return 1.0, 0.0
    z = [(y - theta) / math.sqrt(variance / n) for y, n in zip(values, denominators, strict=True)]
    count = len(z)
    phi = math.fsum(v * v for v in winsorised(z)) / count
    weights = [n / variance for n in denominators]
    total = math.fsum(weights)
    spread = total - math.fsum(w * w for w in weights) / total
    tau2 = max(0.0, (count * phi - (count - 1)) / spread) if spread > 0 else 0.0
    return phi, tau2


def _band(value: float, lim: Limits) -> Band:
    if value > lim.upper_998:
        return "above_99_8"
    if value < lim.lower_998:
        return "below_99_8"
    if value > lim.upper_95:
        return "above_95"
    if value < lim.lower_95:
        return "below_95"
    return "within"


def _curve_denominators(denominators: Sequence[float], *, whole: bool) -> list[float]:
    """Denominators spread evenly on a log scale; whole numbers of cases for a proportion."""
    low, high = min(denominators), max(denominators)
    if low == high:
        return [low]
    step = (math.log(high) - math.log(low)) / (CURVE_POINTS - 1)
    grid = [math.exp(math.log(low) + i * step) for i in range(CURVE_POINTS)]
    grid[0], grid[-1] = low, high
    if whole:
        grid = sorted({float(round(n)) for n in grid})
    return grid


def funnel(
    observed: Sequence[float],
    denominators: Sequence[float],
    *,
    kind: FunnelKind = "proportion",
    method: FunnelMethod = "exact",
    overdispersion_adjustment: Overdispersion = "none",
    target: float | None = None,
) -> Funnel:
    """Limits for every unit, a smooth curve for drawing, and where each unit falls."""
    if len(observed) != len(denominators) or not observed:
        raise SeriesError("Give one denominator per unit, for at least one unit.")
    theta = target if target is not None else math.fsum(observed) / math.fsum(denominators)
    values = [o / n for o, n in zip(observed, denominators, strict=True)]
    phi: float | None = None
    tau2: float | None = None
    adjusted = False
    if overdispersion_adjustment != "none":
        phi, tau2 = overdispersion(kind, theta, denominators, values)
        adjusted = len(values) * phi > len(values) - 1
    scale: dict[str, float] = {}
    if overdispersion_adjustment == "multiplicative":
        scale = {"phi": phi or 1.0}
    elif overdispersion_adjustment == "additive":
        scale = {"tau2": tau2 or 0.0}

    def limits(n: float) -> Limits:
        if adjusted:
            raw = _normal(kind, theta, n, **scale)
        elif method == "exact":
            raw = _exact(kind, theta, n)
        else:
            raw = _normal(kind, theta, n)
        low998, low95, up95, up998 = (_clip(kind, v) for v in raw)
        return Limits(n, low95, up95, low998, up998)

    spread = {"phi": 1.0, "tau2": 0.0}
    if adjusted:
        spread.update(scale)
    units = []
    for i, (o, n, y) in enumerate(zip(observed, denominators, values, strict=True)):
        lim = limits(n)
        variance = spread["phi"] * _variance(kind, theta) / n + spread["tau2"]
        z = (y - theta) / math.sqrt(variance) if variance > 0 else None
        units.append(FunnelUnit(i, o, n, y, z, lim, _band(y, lim)))
    whole = kind == "proportion" and method == "exact" and not adjusted
    curve = tuple(limits(n) for n in _curve_denominators(denominators, whole=whole))
    return Funnel(
        kind=kind,
        method="normal" if adjusted else method,
        overdispersion=overdispersion_adjustment,
        target=theta,
        phi=phi,
        tau2=tau2 if overdispersion_adjustment == "additive" else None,
        adjusted=adjusted,
        units=tuple(units),
        curve=curve,
    )
