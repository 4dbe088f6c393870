"""Every reference vector in tests/data/conformance/spc, run against app.analysis.spc."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.analysis import spc

CONFORMANCE_DIR = Path(__file__).resolve().parents[1] / "data" / "conformance" / "spc"
if not CONFORMANCE_DIR.is_dir():
    # Skipping would let a moved folder pass silently; the vectors are the point of this file.
    raise FileNotFoundError(f"SPC conformance vectors not found at {CONFORMANCE_DIR}")

Case = dict[str, Any]


def _load_cases() -> list[Case]:
    files = sorted(CONFORMANCE_DIR.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"No *.json conformance files in {CONFORMANCE_DIR}")
    cases = []
    for path in files:
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append({**case, "_file": path.name})
    return cases


CASES = _load_cases()
RULE_CASES = [c for c in CASES if c.get("rule_level")]
SERIES_CASES = [c for c in CASES if not c.get("rule_level")]


def test_case_ids_are_unique_so_failures_name_one_case() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_file_contributes_cases() -> None:
    files = {path.name for path in CONFORMANCE_DIR.glob("*.json")}
    assert files == {c["_file"] for c in CASES}


# --- rule level ---------------------------------------------------------------------------

RULES: dict[str, Callable[[dict[str, Any]], list[int]]] = {
    "seven_point_one_side_mean": lambda i: spc.seven_point_one_side_mean(i["relative_to_mean"]),
    "part_of_seven": lambda i: spc.part_of_seven(i["values"]),
    "seven_point_trend": lambda i: spc.seven_point_trend(i["values"]),
    "two_in_three": lambda i: spc.two_in_three(i["close_to_limits"], i["relative_to_mean"]),
    # Upstream tests this rule as the masked result of two_in_three on the same input.
    "part_of_two_in_three": lambda i: spc.part_of_two_in_three(
        spc.two_in_three(i["close_to_limits"], i["relative_to_mean"]), i["close_to_limits"]
    ),
}


@pytest.mark.parametrize("case", RULE_CASES, ids=[c["id"] for c in RULE_CASES])
def test_rule_level_vector(case: Case) -> None:
    rule = RULES[case["rule"]]
    assert rule(case["input"]) == case["expected"]["output"]


# --- whole series -------------------------------------------------------------------------


def _anhoej(case: Case) -> dict[str, Any]:
    params = case["params"]
    if params.get("chart") == "i":
        chart = spc.i_anhoej(case["values"], baseline=params.get("freeze"))
        runs = chart.runs
        extra: dict[str, Any] = {
            "lcl": chart.lcl,
            "ucl": chart.ucl,
            "sigma_signal_idx": list(chart.outside),
        }
    else:
        runs = spc.run_anhoej(case["values"], baseline=params.get("freeze"))
        extra = {}
    return {
        "cl": runs.centre,
        "n_useful": runs.n_useful,
        "longest_run": runs.longest_run,
        "longest_run_max": runs.longest_run_max,
        "n_crossings": runs.crossings,
        "n_crossings_min": runs.crossings_min,
        "runs_signal": runs.signal,
        **extra,
    }


# The vectors use NHSRplotthedots' assurance names; the API says pass / fail.
_ASSURANCE = {"pass": "consistent_pass", "fail": "consistent_fail", "inconsistent": "inconsistent"}


def _mdc(case: Case) -> dict[str, Any]:
    params = case["params"]
    chart = spc.xmr_mdc(
        case["values"],
        baseline=params.get("fix_after_n_points"),
        screen_outliers=params.get("screen_outliers", True),
        improvement=params.get("improvement_direction", "increase"),
        target=params.get("target"),
        rebase=params.get("rebase_idx", ()),
    )
    first = chart.groups[0]  # top-level mean/limits in the vectors are the first group's
    points = chart.points
    return {
        "mean": first.mean,
        "lpl": first.lpl,
        "upl": first.upl,
        "nlpl": first.nlpl,
        "nupl": first.nupl,
        "groups": [{"mean": g.mean, "lpl": g.lpl, "upl": g.upl} for g in chart.groups],
        "point_type": [p.point_type for p in points],
        "special_cause_type": [p.special_cause_type for p in points],
        "special_cause_idx": [p.index for p in points if p.special_cause],
        "special_cause_flag": [p.special_cause for p in points],
        "outside_limits": [p.outside_limits for p in points],
        "relative_to_mean": [p.relative_to_mean for p in points],
        "close_to_limits": [p.close_to_limits for p in points],
        "variation_icon": chart.variation,
        "assurance": _ASSURANCE.get(chart.assurance or "", None),
    }


def _ihi(case: Case) -> dict[str, Any]:
    chart = spc.run_ihi(case["values"], baseline=case["params"].get("baseline"))
    return {
        "centre": chart.centre,
        "n_useful": chart.n_useful,
        "runs": chart.runs,
        "runs_limits": list(chart.runs_limits) if chart.runs_limits else None,
        "shifts": [list(s) for s in chart.shifts],
        "trends": [list(t) for t in chart.trends],
        "signal": chart.signal,
    }


ANALYSERS: dict[str, Callable[[Case], dict[str, Any]]] = {
    "anhoej": _anhoej,
    "mdc": _mdc,
    "ihi": _ihi,
}


def _matches(actual: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return actual == expected
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and abs(actual - expected) <= tolerance
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            _matches(a, e, tolerance) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, dict):
        return all(_matches(actual[k], e, tolerance) for k, e in expected.items())
    raise TypeError(f"unexpected value in a vector: {expected!r}")


@pytest.mark.parametrize("case", SERIES_CASES, ids=[c["id"] for c in SERIES_CASES])
def test_series_vector(case: Case) -> None:
    actual = ANALYSERS[case["rule_set"]](case)
    # A field we do not compute would otherwise be skipped without anyone noticing.
    unchecked = set(case["expected"]) - set(actual)
    assert not unchecked, f"{case['id']}: no check for expected fields {sorted(unchecked)}"
    tolerance = case.get("tolerance", 0.0)
    wrong = {
        key: {"expected": expected, "actual": actual[key]}
        for key, expected in case["expected"].items()
        if not _matches(actual[key], expected, tolerance)
    }
    assert not wrong, f"{case['id']} ({case['_file']}): {wrong}"
