"""POST /api/v1/analysis with the attribute charts, and POST /api/v1/analysis/funnel."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

URL = "/api/v1/analysis"
FUNNEL = "/api/v1/analysis/funnel"
# Ward 7: residents offered a drink at the 3pm round, out of those on the ward, 20 weeks.
OFFERED = [12, 15, 11, 16, 13, 19, 10, 14, 18, 9, 17, 20, 8, 15, 21, 11, 19, 12, 20, 22]
RESIDENTS = [24, 22, 25, 21, 27, 23, 26, 24, 22, 25, 23, 27, 21, 24, 26, 22, 25, 23, 24, 26]
SHAPE = {
    "method",
    "cl",
    "lcl",
    "ucl",
    "outside",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
    "runs_signal",
    "signal",
}


@pytest.fixture(scope="module")
def api() -> TestClient:
    return TestClient(create_app())


def _problem(api: TestClient, url: str, body: dict[str, Any]) -> str:
    response = api.post(url, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidInput"
    return str(response.json()["detail"])


def test_p_chart_limits_vary_with_each_weeks_residents(api: TestClient) -> None:
    body = api.post(URL, json={"method": "p_anhoej", "values": OFFERED, "denominators": RESIDENTS})
    assert body.status_code == 200
    chart = body.json()
    assert set(chart) == SHAPE
    assert chart["cl"] == [sum(OFFERED) / sum(RESIDENTS)] * 20
    assert len(set(chart["ucl"])) == len(set(RESIDENTS))  # one width per ward size
    widest = RESIDENTS.index(min(RESIDENTS))
    assert chart["ucl"][widest] == max(chart["ucl"])


@pytest.mark.parametrize(
    ("method", "values", "denominators"),
    [
        ("pp_anhoej", OFFERED, RESIDENTS),
        ("u_anhoej", [6, 4, 9, 3, 7, 12, 2, 8], [812, 790, 845, 770, 880, 905, 760, 830]),
        ("up_anhoej", [6, 4, 9, 3, 7, 12, 2, 8], [812, 790, 845, 770, 880, 905, 760, 830]),
        ("c_anhoej", [3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 3, 8, 9, 7, 10], None),
        ("g_anhoej", [12, 30, 5, 44, 18, 27, 9, 61, 33, 15], None),
        ("t_anhoej", [286, 948, 536, 124, 816, 729, 4, 143, 431, 8], None),
    ],
)
def test_every_attribute_method_answers_in_the_documented_shape(
    api: TestClient, method: str, values: list[int], denominators: list[int] | None
) -> None:
    payload: dict[str, Any] = {"method": method, "values": values, "baseline": 6}
    if denominators:
        payload["denominators"] = denominators
    response = api.post(URL, json=payload)
    assert response.status_code == 200, response.text
    chart = response.json()
    assert set(chart) == SHAPE
    assert chart["method"] == method
    assert len(chart["cl"]) == len(chart["lcl"]) == len(chart["ucl"]) == len(values)
    assert chart["signal"] == (chart["runs_signal"] or bool(chart["outside"]))


def test_a_flat_proportion_has_null_runs_fields_and_no_signal(api: TestClient) -> None:
    chart = api.post(URL, json={"method": "p_anhoej", "values": [5] * 8, "denominators": [20] * 8})
    assert chart.json()["longest_run"] is None
    assert chart.json()["runs_signal"] is False


def test_laney_limits_are_null_where_no_z_score_exists(api: TestClient) -> None:
    chart = api.post(URL, json={"method": "pp_anhoej", "values": [0] * 5, "denominators": [9] * 5})
    assert chart.json()["lcl"] == [None] * 5


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"method": "p_anhoej", "values": [3, 4, 5], "denominators": [21, 22, 0]},
            "denominator 3 is 0: a proportion needs at least one case in the period",
        ),
        (
            {"method": "u_anhoej", "values": [3, 4, 5], "denominators": [21, -2, 9]},
            "denominator 2 is -2: a rate needs some exposure",
        ),
        ({"method": "p_anhoej", "values": [3, 4, 5]}, "are required by p_anhoej"),
        (
            {"method": "pp_anhoej", "values": [3, 30, 5], "denominators": [21, 27, 25]},
            "value 2 is 30 but its denominator is 27",
        ),
        (
            {"method": "u_anhoej", "values": [3, 4, 5], "denominators": [21, 22]},
            "has 2 entries for 3 values",
        ),
        (
            {"method": "c_anhoej", "values": [3, 4, 5], "denominators": [21, 22, 23]},
            "are only used by p_anhoej, pp_anhoej, u_anhoej and up_anhoej",
        ),
        ({"method": "c_anhoej", "values": [3, -1, 5]}, "value 2 is -1"),
        ({"method": "t_anhoej", "values": [3, 0, 5]}, "value 2 is 0: the time between events"),
        ({"method": "g_anhoej", "values": [3, 4, 5], "baseline": 9}, "only 3 values"),
        ({"method": "c_anhoej", "values": [3, 4], "rebase": [1]}, "only used by xmr_mdc"),
    ],
)
def test_each_bad_series_gets_a_422_saying_what_to_change(
    api: TestClient, body: dict[str, Any], words: str
) -> None:
    assert words in _problem(api, URL, body)


def test_the_openapi_document_describes_the_attribute_response_and_the_funnel(
    api: TestClient,
) -> None:
    doc = api.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert SHAPE <= set(schemas["AttributePublic"]["properties"])
    assert "denominators" in schemas["AnalysisRequest"]["properties"]
    assert "post" in doc["paths"][FUNNEL]
    assert "422" in doc["paths"][FUNNEL]["post"]["responses"]


TEAMS_OBS = [18, 25, 9, 40, 14, 31, 6, 22, 12, 35, 20, 16]
TEAMS_DEN = [40, 50, 30, 60, 45, 52, 28, 41, 33, 58, 47, 39]


def test_funnel_flags_the_teams_outside_their_limits(api: TestClient) -> None:
    body = {"kind": "proportion", "observed": TEAMS_OBS, "denominators": TEAMS_DEN}
    plot = api.post(FUNNEL, json=body).json()
    assert plot["method"] == "exact"
    assert plot["target"] == sum(TEAMS_OBS) / sum(TEAMS_DEN)
    bands = [u["band"] for u in plot["units"]]
    assert bands[3] == "above_99_8"  # 40 of 60 against a target of 0.47
    assert bands.count("within") == 8
    # The curve steps through whole numbers of learners, 28 to 60 (exact limits need them).
    curve = [c["denominator"] for c in plot["curve"]]
    assert curve == [float(n) for n in range(28, 61)]


def test_overdispersion_widens_the_funnel_and_says_so(api: TestClient) -> None:
    body = {"kind": "proportion", "observed": TEAMS_OBS, "denominators": TEAMS_DEN}
    plain = api.post(FUNNEL, json=body).json()
    wide = api.post(FUNNEL, json={**body, "overdispersion": "multiplicative"}).json()
    assert wide["adjusted"] is True
    assert wide["method"] == "normal"
    assert wide["phi"] > 1
    assert [u["band"] for u in wide["units"]].count("within") > [
        u["band"] for u in plain["units"]
    ].count("within")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"kind": "proportion", "observed": [5, 30], "denominators": [10, 20]},
            "unit 2 has 30 observed out of 20",
        ),
        (
            {"kind": "rate", "observed": [5, 3], "denominators": [10, 0]},
            "unit 2 has denominator 0",
        ),
        (
            {"kind": "proportion", "observed": [5, 3.5], "denominators": [10, 20]},
            "exact binomial limits need whole numbers",
        ),
        (
            {
                "kind": "rate",
                "observed": [5, 3],
                "denominators": [10, 9],
                "overdispersion": "additive",
            },
            "needs at least 3 units",
        ),
        (
            {"kind": "proportion", "observed": [5], "denominators": [10], "target": 1},
            "between 0 and 1",
        ),
        ({"kind": "rate", "observed": [5, 3], "denominators": [10]}, "has 1 entries for 2 units"),
        ({"kind": "rate", "observed": [2e7], "denominators": [1]}, "use method normal"),
    ],
)
def test_each_bad_funnel_gets_a_422_saying_what_to_change(
    api: TestClient, body: dict[str, Any], words: str
) -> None:
    assert words in _problem(api, FUNNEL, body)
