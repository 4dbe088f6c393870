"""Each Making Data Count rule on its own: every span where it fired, whole, beside the
per-point labels that keep MDC's precedence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.analysis import spc

# 24 weeks of "% of residents offered a drink at the 3pm round", from 4 May 2026: low, then a
# step up at week 12 and a rise from 10 Aug (index 14) to 21 Sep (index 20).
DRINKS = [42, 45, 40, 44, 41, 43, 39, 42, 40, 44, 41, 62, 61, 63, 60, 63, 68, 74, 79, 83, 88]
DRINKS = [float(v) for v in [*DRINKS, 86, 87, 85]]
LABEL_RULE = {"UCL": "outside", "LCL": "outside", "Trend": "trend", "2 in 3": "close"}


def _rule_of(label: str) -> str | None:
    if label.startswith("7 Points"):
        return "side"
    return next((rule for words, rule in LABEL_RULE.items() if words in label), None)


def test_a_shift_under_the_limits_is_still_reported_with_the_whole_trend() -> None:
    chart = spc.xmr_mdc(DRINKS, baseline=12)
    # Every point from week 12 is above the upper limit, so each is labelled "Above UCL" ...
    assert {p.special_cause_type for p in chart.points[11:]} == {"Above UCL"}
    spans = spc.rule_spans(chart)
    # ... and yet 13 points in a row sit above the mean, and the rise runs 7 points to 21 Sep.
    assert spans["side"] == ((11, 23),)
    assert spans["trend"] == ((14, 20),)
    assert spans["outside"] == ((11, 23),)
    assert spans["close"] == ()


def test_without_a_baseline_the_trend_span_is_whole_although_limits_label_most_of_it() -> None:
    chart = spc.xmr_mdc(DRINKS)
    labels = [p.special_cause_type for p in chart.points]
    assert [i for i, label in enumerate(labels) if "Trend" in label] == [14, 15]
    assert spc.rule_spans(chart)["trend"] == ((14, 20),)
    assert spc.rule_spans(chart)["side"] == ((0, 10), (11, 23))


def test_a_rise_then_a_fall_are_two_trends_sharing_their_turning_point() -> None:
    values = [float(v) for v in [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, 2]]
    assert spc.rule_spans(spc.xmr_mdc(values))["trend"] == ((0, 6), (6, 12))


def test_rules_are_found_inside_each_rebase_group_only() -> None:
    values = [float(v) for v in [5, 6, 5, 6, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]
    whole = spc.rule_spans(spc.xmr_mdc(values))["trend"]
    split = spc.rule_spans(spc.xmr_mdc(values, rebase=[9]))["trend"]
    assert whole == ((4, 13),)
    assert split == ()  # 5 rising points in the first group, 5 in the second


@given(st.lists(st.integers(-20, 20), min_size=2, max_size=60))
def test_every_labelled_point_lies_in_a_span_of_its_rule(raw: list[int]) -> None:
    chart = spc.xmr_mdc([float(v) for v in raw])
    spans = spc.rule_spans(chart)
    for point in chart.points:
        rule = _rule_of(point.special_cause_type)
        if rule is not None:
            assert any(a <= point.index <= b for a, b in spans[rule]), (rule, point.index)
