"""POST /api/v1/analysis: each method's answer, and a clear 422 for every bad series."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app

URL = "/api/v1/analysis"
STABLE = [50.0, 53, 48, 51, 49, 54, 47, 52, 50, 48, 53, 49, 51, 47, 52, 50, 49, 53, 48, 51]


@pytest.fixture(scope="module")
def api() -> TestClient:
    """The real app, without its lifespan: this endpoint is stateless and needs no database."""
    app: FastAPI = create_app()
    return TestClient(app)


def _post(api: TestClient, body: dict[str, Any]) -> Any:
    return api.post(URL, json=body)


def _problem(api: TestClient, body: dict[str, Any] | str) -> str:
    """Send a bad request; return the error detail after checking it is a 422 InvalidInput."""
    if isinstance(body, str):
        response = api.post(URL, content=body, headers={"content-type": "application/json"})
    else:
        response = api.post(URL, json=body)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["error"] == "InvalidInput"
    return str(payload["detail"])


def test_run_anhoej_returns_the_runs_analysis(api: TestClient) -> None:
    cdi = [17, 12, 27, 20, 20, 18, 22, 19, 19, 24, 17, 16, 24, 19, 19, 22, 25, 19]
    cdi += [17, 6, 25, 17, 11, 14, 9, 11, 7, 13, 5, 5, 3, 5, 9, 4, 5, 9]
    response = _post(api, {"method": "run_anhoej", "values": cdi, "baseline": 24})
    assert response.status_code == 200
    assert response.json() == {
        "method": "run_anhoej",
        "centre": 19.0,
        "n_useful": 31,
        "longest_run": 15,
        "longest_run_max": 8,
        "crossings": 8,
        "crossings_min": 11,
        "signal": True,
    }


def test_i_anhoej_adds_limits_and_points_outside(api: TestClient) -> None:
    values = [20, 22, 19, 21, 20, 23, 18, 21, 22, 19, 60, 20, 21, 19, 22, 20, 21, 18, 22, 20]
    body = _post(api, {"method": "i_anhoej", "values": values}).json()
    assert body["outside"] == [10]
    assert body["lcl"] == pytest.approx(15.9857321652065)
    assert body["ucl"] == pytest.approx(28.8142678347935)
    assert body["signal"] is True


def test_run_ihi_reports_shifts_trends_and_the_runs_table(api: TestClient) -> None:
    values = [12, 15, 11, 14, 13, 16, 12, 15, 13, 14, 10, 9, 11, 8, 10, 9, 8, 10, 14, 12]
    body = _post(api, {"method": "run_ihi", "values": values, "baseline": 10}).json()
    assert body["centre"] == 13.5
    assert body["shifts"] == [[10, 17]]
    assert body["trends"] == []
    assert body["n_useful"] == 20
    assert body["runs_limits"] == [6, 16]  # Table 1's row for 20 useful observations
    assert body["signal"] is True


def test_xmr_mdc_returns_groups_points_variation_and_assurance(api: TestClient) -> None:
    values = [*STABLE[:12], 60, 63, 58, 61, 59, 64, 57, 62, 60, 58, 63, 59]
    body = _post(
        api,
        {
            "method": "xmr_mdc",
            "values": values,
            "rebase": [12],
            "target": 30,
            "improvement": "increase",
        },
    ).json()
    assert [(g["start"], g["end"]) for g in body["groups"]] == [(0, 11), (12, 23)]
    assert body["groups"][1]["mean"] == pytest.approx(60.3333333333333)
    assert body["points"][0] == {"index": 0, "value": 50.0, "type": "common_cause"}
    assert body["variation"] == "common_cause"
    assert body["assurance"] == "pass"


def test_xmr_mdc_defaults_screen_outliers_and_can_turn_it_off(api: TestClient) -> None:
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = _post(api, {"method": "xmr_mdc", "values": values}).json()
    unscreened = _post(
        api, {"method": "xmr_mdc", "values": values, "screen_outliers": False}
    ).json()
    assert screened["groups"][0]["upl"] == pytest.approx(4.60444444444444)
    assert unscreened["groups"][0]["upl"] == pytest.approx(6.95150326797386)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            '{"method": "run_anhoej", "values": [1, NaN, 3]}',
            "values.1: Input should be a finite number",
        ),
        (
            '{"method": "run_anhoej", "values": [1, Infinity]}',
            "values.1: Input should be a finite number",
        ),
        ({"method": "run_anhoej", "values": [1, "2"]}, "values.1: Input should be a valid number"),
        ({"method": "run_anhoej", "values": [1, True]}, "values.1: Input should be a valid number"),
        ({"method": "run_anhoej", "values": [1, None]}, "values.1"),
        ({"method": "run_ihi", "values": [4]}, "run_ihi needs at least 2 values; got 1"),
        ({"method": "run_ihi", "values": [1.0] * 10_001}, "at most 10000"),
        ({"method": "run_ihi", "values": [1, 2e300]}, "values.1: Input should be less than"),
        ({"method": "spc", "values": [1, 2]}, "method: choose one of"),
        ({"values": [1, 2]}, "method: Field required"),
        ({"method": "run_ihi", "values": [1, 2], "colour": "red"}, "colour: Extra inputs"),
        ({"method": "run_ihi", "values": [1, 2, 3], "baseline": 4}, "at most 3"),
        ({"method": "run_ihi", "values": [1, 2, 3], "baseline": 1}, "at least 2 points"),
        ({"method": "i_anhoej", "values": [1, 2, 3], "baseline": 2.5}, "baseline: Input should be"),
        ({"method": "xmr_mdc", "values": STABLE, "baseline": 6}, "at least 12 points for xmr_mdc"),
        ({"method": "xmr_mdc", "values": STABLE, "rebase": [0]}, "between 1 and 19"),
        ({"method": "xmr_mdc", "values": STABLE, "rebase": [25]}, "between 1 and 19"),
        ({"method": "xmr_mdc", "values": STABLE, "rebase": [19]}, "index 19 has 1 value"),
        ({"method": "xmr_mdc", "values": STABLE, "rebase": [5, 5]}, "same index more than once"),
        ({"method": "run_ihi", "values": STABLE, "rebase": [5]}, "only used by xmr_mdc"),
        ({"method": "run_anhoej", "values": STABLE, "target": 40}, "only used by xmr_mdc"),
        (
            {"method": "xmr_mdc", "values": STABLE, "improvement": "up"},
            "improvement: choose one of",
        ),
        ({"method": "xmr_mdc", "values": STABLE, "screen_outliers": "yes"}, "screen_outliers"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_bad_series_get_a_422_saying_what_to_fix(
    api: TestClient, body: dict[str, Any] | str, says: str
) -> None:
    assert says in _problem(api, body)


@pytest.mark.parametrize("method", ["run_anhoej", "run_ihi", "i_anhoej"])
def test_a_series_with_every_point_on_the_centre_line_cannot_be_analysed(
    api: TestClient, method: str
) -> None:
    assert "Every value equals" in _problem(api, {"method": method, "values": [7, 7, 7, 7]})


def test_the_largest_allowed_series_is_analysed(api: TestClient) -> None:
    values = [float((i * 37) % 101) for i in range(10_000)]
    for method in ("run_anhoej", "run_ihi", "i_anhoej", "xmr_mdc"):
        response = _post(api, {"method": method, "values": values})
        assert response.status_code == 200, method
        json.dumps(response.json(), allow_nan=False)  # every number is finite JSON
