"""Derive attribute_derived.json and funnel_derived.json from the quoted formulas.

An independent transcription, not the app's code: 50-digit decimals (and exact fractions for
the binomial and the runs limits), rounded to a double only when written. Run it from the
repository root with `python tests/data/conformance/spc/derive.py`; it rewrites the
two files. SOURCES.md quotes the formulas.
"""

from __future__ import annotations

import itertools
import json
import math
from decimal import Decimal, getcontext
from fractions import Fraction
from pathlib import Path

getcontext().prec = 50
HERE = Path(__file__).parent
D = Decimal
SCREEN = D("3.267")
D2 = D("1.128")


def mean(xs: list[Decimal]) -> Decimal:
    return sum(xs, D(0)) / len(xs)


def median(xs: list[Decimal]) -> Decimal:
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def amr(xs: list[Decimal], screen: bool) -> Decimal:
    mr = [abs(b - a) for a, b in itertools.pairwise(xs)]
    a = mean(mr)
    if screen:
        kept = [m for m in mr if m < SCREEN * a]
        a = mean(kept) if kept else D(0)
    return a


def qbinom05(trials: int) -> int:
    total, cum, c = 2**trials, 0, 1
    for x in range(trials + 1):
        cum += c
        if Fraction(cum, total) >= Fraction(1, 20):
            return x
        c = c * (trials - x) // (x + 1)
    return trials


def runs(y: list[Decimal], cl: Decimal) -> dict[str, object]:
    signs = [1 if v > cl else -1 for v in y if v != cl]
    if not signs:
        return {
            "n_useful": 0,
            "longest_run": None,
            "longest_run_max": None,
            "crossings": None,
            "crossings_min": None,
            "runs_signal": False,
        }
    lengths, current = [], 1
    for a, b in itertools.pairwise(signs):
        if a == b:
            current += 1
        else:
            lengths.append(current)
            current = 1
    lengths.append(current)
    n = len(signs)
    run_max = round(math.log2(n)) + 3
    cross_min = qbinom05(n - 1)
    longest, crossings = max(lengths), len(lengths) - 1
    return {
        "n_useful": n,
        "longest_run": longest,
        "longest_run_max": run_max,
        "crossings": crossings,
        "crossings_min": cross_min,
        "runs_signal": longest > run_max or crossings < cross_min,
    }


def chart(method: str, values: list, dens: list | None, baseline: int | None, screen: bool = True):
    b = baseline or len(values)
    y = [D(v) for v in values]
    n = [D(v) for v in dens] if dens else None
    k = len(y)
    if method in ("p", "pp", "u", "up"):
        assert n is not None
        y = [D(a) / m for a, m in zip(values, n, strict=True)]
        cl = sum((D(v) for v in values[:b]), D(0)) / sum(n[:b], D(0))
        var = (lambda m: cl * (1 - cl) / m) if method in ("p", "pp") else (lambda m: cl / m)
        sd = [var(m).sqrt() for m in n]
        if method in ("pp", "up"):
            z = [(y[i] - cl) / sd[i] for i in range(b)]
            sigma_z = amr(z, screen) / D2
            sd = [s * sigma_z for s in sd]
        lcl = [max(cl - 3 * s, D(0)) for s in sd]
        ucl = [cl + 3 * s for s in sd]
        if method in ("p", "pp"):
            ucl = [min(u, D(1)) for u in ucl]
        centre = cl
    elif method == "c":
        cl = mean(y[:b])
        lcl, ucl, centre = [max(cl - 3 * cl.sqrt(), D(0))] * k, [cl + 3 * cl.sqrt()] * k, cl
    elif method == "g":
        m = mean(y[:b])
        sd = (m * (m + 1)).sqrt()
        lcl, ucl, centre = [max(m - 3 * sd, D(0))] * k, [m + 3 * sd] * k, median(y[:b])
    elif method == "t":
        p = D(1) / D("3.6")
        yt = [v**p for v in y]
        cl_t = mean(yt[:b])
        s = amr(yt[:b], screen) / D2
        lo, hi = cl_t - 3 * s, cl_t + 3 * s
        centre = cl_t ** D("3.6")
        lcl, ucl = [D(0) if lo < 0 else lo ** D("3.6")] * k, [hi ** D("3.6")] * k
    outside = [i for i in range(k) if y[i] > ucl[i] or y[i] < lcl[i]]
    return {
        "cl": [float(centre)] * k,
        "lcl": [float(v) for v in lcl],
        "ucl": [float(v) for v in ucl],
        "outside": outside,
        **runs(y, centre),
    }


WEEKS = 20
DRINKS_DEN = [24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 23, 27, 21, 24, 26, 22, 25, 23, 24, 26]
DRINKS_NUM = [12, 15, 11, 16, 13, 19, 10, 14, 18, 9, 17, 20, 8, 15, 21, 11, 19, 12, 20, 22]
WIDE_DEN = [1850, 2210, 1975, 2430, 2105, 1990, 2300, 2050, 2380, 2150, 1920, 2260, 2010, 2200]
WIDE_NUM = [296, 420, 257, 511, 337, 398, 322, 410, 381, 366, 288, 475, 302, 440]
BED_DAYS = [812, 790, 845, 770, 880, 905, 760, 830, 815, 870, 795, 850, 900, 780, 820, 860]
FALLS = [6, 4, 9, 3, 7, 12, 2, 8, 5, 11, 4, 6, 14, 3, 7, 10]
COUNTS = [3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 3, 8, 9, 7, 10, 9, 8, 11, 9]
DAYS_BETWEEN = [12, 30, 5, 44, 18, 27, 9, 61, 33, 15, 40, 22, 80, 95, 70, 120]
HOURS = [286, 948, 536, 124, 816, 729, 4, 143, 431, 8, 2837, 596, 81, 227, 603, 492]
SMALL_DEN = [5, 5, 6, 4, 5, 5, 5, 5, 6, 5]
SMALL_NUM = [4, 5, 5, 3, 5, 4, 2, 1, 1, 0]

CASES = [
    ("derived-p-drinks", "p_anhoej", DRINKS_NUM, DRINKS_DEN, None, True),
    ("derived-pp-drinks", "pp_anhoej", DRINKS_NUM, DRINKS_DEN, None, True),
    ("derived-pp-drinks-baseline12", "pp_anhoej", DRINKS_NUM, DRINKS_DEN, 12, True),
    ("derived-pp-large-n-overdispersed", "pp_anhoej", WIDE_NUM, WIDE_DEN, None, True),
    ("derived-pp-large-n-unscreened", "pp_anhoej", WIDE_NUM, WIDE_DEN, None, False),
    ("derived-p-large-n", "p_anhoej", WIDE_NUM, WIDE_DEN, None, True),
    ("derived-p-small-n-clipped-baseline6", "p_anhoej", SMALL_NUM, SMALL_DEN, 6, True),
    ("derived-u-falls-per-bed-day", "u_anhoej", FALLS, BED_DAYS, None, True),
    ("derived-up-falls-per-bed-day", "up_anhoej", FALLS, BED_DAYS, None, True),
    ("derived-up-falls-baseline8", "up_anhoej", FALLS, BED_DAYS, 8, True),
    ("derived-c-baseline12", "c_anhoej", COUNTS, None, 12, True),
    ("derived-c-all", "c_anhoej", COUNTS, None, None, True),
    ("derived-g-days-between-ulcers-baseline10", "g_anhoej", DAYS_BETWEEN, None, 10, True),
    ("derived-g-all", "g_anhoej", DAYS_BETWEEN, None, None, True),
    ("derived-t-hours-baseline10", "t_anhoej", HOURS, None, 10, True),
    ("derived-t-hours-unscreened", "t_anhoej", HOURS, None, None, False),
]


def attribute_cases() -> list[dict[str, object]]:
    out = []
    for cid, method, values, dens, baseline, screen in CASES:
        expected = chart(method.removesuffix("_anhoej"), values, dens, baseline, screen)
        case = {"id": cid, "method": method, "derived": True, "values": values}
        if dens:
            case["denominators"] = dens
        case["params"] = {"baseline": baseline, "screen_outliers": screen}
        case["expected"] = expected
        case["tolerance"] = 1e-12
        out.append(case)
    return out


# --- funnel plots --------------------------------------------------------------------------
Z95, Z998 = D("1.959963984540054"), D("3.090232306167813")  # NormalDist().inv_cdf(.975/.999)
PS = (Fraction(1, 1000), Fraction(1, 40), Fraction(39, 40), Fraction(999, 1000))


def binomial_limits(n: int, theta: Fraction) -> list[float]:
    cdf, total = [], Fraction(0)
    for r in range(n + 1):
        total += math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        cdf.append(total)
    out = []
    for p in PS:
        r = next(i for i, f in enumerate(cdf) if f >= p)
        below = cdf[r - 1] if r else Fraction(0)
        alpha = (cdf[r] - p) / (cdf[r] - below)
        out.append(float(min(max((r - alpha) / n, Fraction(0)), Fraction(1))))
    return out


def poisson_limits(exposure: Decimal, theta: Decimal) -> list[float]:
    mu = theta * exposure
    cdf, term, total, r = [], (-mu).exp(), D(0), 0
    while not cdf or total < D("0.9999"):
        total += term
        cdf.append(total)
        r += 1
        term = term * mu / r
    out = []
    for p in PS:
        pd = D(p.numerator) / D(p.denominator)
        r = next(i for i, f in enumerate(cdf) if f >= pd)
        below = cdf[r - 1] if r else D(0)
        alpha = (cdf[r] - pd) / (cdf[r] - below)
        out.append(float(max((r - alpha) / exposure, D(0))))
    return out


def normal_limits(kind: str, theta: Decimal, n: Decimal, phi=D(1), tau2=D(0)) -> list[float]:
    var = theta * (1 - theta) if kind == "proportion" else theta
    se = (phi * var / n + tau2).sqrt()
    raw = [theta - Z998 * se, theta - Z95 * se, theta + Z95 * se, theta + Z998 * se]
    clip = (lambda v: min(max(v, D(0)), D(1))) if kind == "proportion" else (lambda v: max(v, D(0)))
    return [float(clip(v)) for v in raw]


def overdispersion(kind: str, theta: Decimal, obs: list, dens: list) -> tuple[Decimal, Decimal]:
    var = theta * (1 - theta) if kind == "proportion" else theta
    z = [(D(o) / D(n) - theta) / (var / D(n)).sqrt() for o, n in zip(obs, dens, strict=True)]
    s = sorted(z)
    k = math.floor(len(z) / 10)
    if k:
        z = [min(max(v, s[k]), s[-k - 1]) for v in z]
    phi = sum((v * v for v in z), D(0)) / len(z)
    w = [D(n) / var for n in dens]
    spread = sum(w, D(0)) - sum((x * x for x in w), D(0)) / sum(w, D(0))
    tau2 = max(D(0), (len(z) * phi - (len(z) - 1)) / spread)
    return phi, tau2


TEAMS_OBS = [18, 25, 9, 40, 14, 31, 6, 22, 12, 35, 20, 16]
TEAMS_DEN = [40, 50, 30, 60, 45, 52, 28, 41, 33, 58, 47, 39]
WARD_FALLS = [12, 30, 7, 22, 41, 15, 9, 27, 18, 33]
WARD_DAYS = [3100, 5200, 2400, 4800, 6100, 3900, 2200, 5000, 4100, 5600]
SPREAD_FALLS = [5, 48, 3, 22, 60, 15, 9, 41, 18, 33]
FUNNELS = [
    ("funnel-proportion-exact", "proportion", "exact", "none", TEAMS_OBS, TEAMS_DEN),
    ("funnel-proportion-normal", "proportion", "normal", "none", TEAMS_OBS, TEAMS_DEN),
    (
        "funnel-proportion-multiplicative",
        "proportion",
        "exact",
        "multiplicative",
        TEAMS_OBS,
        TEAMS_DEN,
    ),
    ("funnel-proportion-additive", "proportion", "exact", "additive", TEAMS_OBS, TEAMS_DEN),
    ("funnel-rate-exact", "rate", "exact", "none", WARD_FALLS, WARD_DAYS),
    ("funnel-rate-normal", "rate", "normal", "none", WARD_FALLS, WARD_DAYS),
    ("funnel-rate-additive-not-overdispersed", "rate", "exact", "additive", WARD_FALLS, WARD_DAYS),
    ("funnel-rate-multiplicative", "rate", "exact", "multiplicative", SPREAD_FALLS, WARD_DAYS),
    ("funnel-rate-additive", "rate", "normal", "additive", SPREAD_FALLS, WARD_DAYS),
]


def funnel_cases() -> list[dict[str, object]]:
    out = []
    for cid, kind, method, od, obs, dens in FUNNELS:
        theta_f = Fraction(sum(obs), sum(dens))
        theta = D(theta_f.numerator) / D(theta_f.denominator)
        phi = tau2 = None
        adjusted = False
        if od != "none":
            phi, tau2 = overdispersion(kind, theta, obs, dens)
            adjusted = len(obs) * phi > len(obs) - 1
        limits = []
        for n in dens:
            if adjusted and od == "multiplicative":
                limits.append(normal_limits(kind, theta, D(n), phi=phi))
            elif adjusted:
                limits.append(normal_limits(kind, theta, D(n), tau2=tau2))
            elif method == "normal":
                limits.append(normal_limits(kind, theta, D(n)))
            elif kind == "proportion":
                limits.append(binomial_limits(n, theta_f))
            else:
                limits.append(poisson_limits(D(n), theta))
        out.append(
            {
                "id": cid,
                "kind": kind,
                "method": method,
                "overdispersion": od,
                "derived": True,
                "observed": obs,
                "denominators": dens,
                "expected": {
                    "target": float(theta),
                    "adjusted": adjusted,
                    "phi": None if phi is None else float(phi),
                    "tau2": None if od != "additive" else float(tau2),
                    "limits": [
                        dict(
                            zip(
                                ("lower_99_8", "lower_95", "upper_95", "upper_99_8"),
                                lim,
                                strict=True,
                            )
                        )
                        for lim in limits
                    ],
                },
                "tolerance": 1e-9,
            }
        )
    return out


def main() -> None:
    note = "derived from the formulas quoted in SOURCES.md by derive.py (50-digit decimals, exact fractions)"
    (HERE / "attribute_derived.json").write_text(
        json.dumps(
            {
                "source": "derived",
                "derived_by": note,
                "indexing": "0-based",
                "cases": attribute_cases(),
            },
            indent=1,
        )
        + "\n"
    )
    (HERE / "funnel_derived.json").write_text(
        json.dumps(
            {
                "source": "derived",
                "derived_by": note,
                "indexing": "0-based",
                "cases": funnel_cases(),
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
