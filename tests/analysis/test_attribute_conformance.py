"""Every reference vector in tests/data/conformance/attribute, against app.analysis.attribute
and app.analysis.funnel: qicharts2's own stored results, and cases derived from the formulas."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.analysis.attribute import attribute_chart
from app.analysis.funnel import funnel

DIR = Path(__file__).resolve().parents[1] / "data" / "conformance" / "attribute"
if not DIR.is_dir():
    raise FileNotFoundError(f"Attribute conformance vectors not found at {DIR}")

Case = dict[str, Any]


def _cases(name: str) -> list[Case]:
    return list(json.loads((DIR / name).read_text(encoding="utf-8"))["cases"])


CHART_CASES = _cases("qicharts2_attribute.json") + _cases("attribute_derived.json")
FUNNEL_CASES = _cases("funnel_derived.json")


def _close(got: float | None, want: float | None, tolerance: float) -> bool:
    if want is None or got is None:
        return got is want
    return math.isclose(got, want, rel_tol=tolerance, abs_tol=tolerance * 1e-3)


def test_every_chart_type_has_published_or_derived_vectors() -> None:
    methods = {c["method"] for c in CHART_CASES}
    assert methods == {
        "p_anhoej",
        "pp_anhoej",
        "u_anhoej",
        "up_anhoej",
        "c_anhoej",
        "g_anhoej",
        "t_anhoej",
    }
    published = {c["method"] for c in CHART_CASES if not c["derived"]}
    assert {"p_anhoej", "u_anhoej", "t_anhoej"} <= published


@pytest.mark.parametrize("case", CHART_CASES, ids=lambda c: c["id"])
def test_chart_matches_reference(case: Case) -> None:
    params = case.get("params", {})
    multiply = params.get("multiply", 1)
    chart = attribute_chart(
        case["method"],
        case["values"],
        case.get("denominators"),
        baseline=params.get("baseline"),
        screen_outliers=params.get("screen_outliers", True),
    )
    expected, tolerance = case["expected"], case["tolerance"]
    for key in ("cl", "lcl", "ucl"):
        got = [None if v is None else v * multiply for v in getattr(chart, key)]
        bad = [
            i
            for i, (g, w) in enumerate(zip(got, expected[key], strict=True))
            if not _close(g, w, tolerance)
        ]
        assert bad == [], (
            f"{key} differs at {bad}: {[got[i] for i in bad]} vs {[expected[key][i] for i in bad]}"
        )
    assert list(chart.outside) == expected["outside"]
    runs = chart.runs
    assert (runs.n_useful, runs.longest_run, runs.longest_run_max) == (
        expected["n_useful"],
        expected["longest_run"],
        expected["longest_run_max"],
    )
    assert (runs.crossings, runs.crossings_min, runs.signal) == (
        expected["crossings"],
        expected["crossings_min"],
        expected["runs_signal"],
    )


@pytest.mark.parametrize("case", FUNNEL_CASES, ids=lambda c: c["id"])
def test_funnel_matches_reference(case: Case) -> None:
    plot = funnel(
        case["observed"],
        case["denominators"],
        kind=case["kind"],
        method=case["method"],
        overdispersion_adjustment=case["overdispersion"],
    )
    expected, tolerance = case["expected"], case["tolerance"]
    assert _close(plot.target, expected["target"], tolerance)
    assert plot.adjusted is expected["adjusted"]
    assert _close(plot.phi, expected["phi"], tolerance)
    assert _close(plot.tau2, expected["tau2"], tolerance)
    for unit, limits in zip(plot.units, expected["limits"], strict=True):
        got = {
            "lower_99_8": unit.limits.lower_998,
            "lower_95": unit.limits.lower_95,
            "upper_95": unit.limits.upper_95,
            "upper_99_8": unit.limits.upper_998,
        }
        for key, want in limits.items():
            assert _close(got[key], want, tolerance), (unit.index, key, got[key], want)
