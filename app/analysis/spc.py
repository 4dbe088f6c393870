"""Pure run chart and SPC rules, each rule set pinned to one published reference.

Three rule sets live here, and they disagree with each other on purpose (see
/work/shared/conformance/spc/SOURCES.md, "Cross-implementation differences"):

* ``anhoej``: qicharts2 0.8.1 (run chart and I chart, Anhøj runs rules, 3-sigma limits).
* ``ihi``: Perla, Provost & Murray, BMJ Qual Saf 2011;20:46-51 (shift, trend, number of runs).
* ``mdc``: NHS "Making Data Count" as coded in NHSRplotthedots 0.2.2 (XmR, 2.66 x mean MR).

The rules live in :mod:`app.analysis.anhoej`, :mod:`app.analysis.ihi` and
:mod:`app.analysis.mdc` (with what they share in :mod:`app.analysis.series`); this module is the
one name callers import them by.
"""

from __future__ import annotations

from app.analysis.anhoej import (
    IChartAnhoej,
    RunsAnalysis,
    anhoej_runs,
    crossings_min,
    i_anhoej,
    longest_run_max,
    run_anhoej,
)
from app.analysis.ihi import (
    IhiRunChart,
    _runs_distribution,
    ihi_runs_limits,
    ihi_shifts,
    ihi_trends,
    run_ihi,
)
from app.analysis.mdc import (
    RULE_NAMES,
    MdcGroup,
    MdcPoint,
    RuleName,
    XmrMdc,
    group_bounds,
    mdc_assurance,
    mdc_group_limits,
    part_of_seven,
    part_of_two_in_three,
    point_type,
    rule_spans,
    seven_point_one_side_mean,
    seven_point_trend,
    special_cause_types,
    two_in_three,
    xmr_mdc,
)
from app.analysis.series import (
    D2,
    IHI_RUNS_TABLE_MIN,
    IHI_SHIFT,
    IHI_TREND,
    MDC_CLOSE,
    MDC_LIMIT,
    MDC_RUN,
    MR_SCREEN_FACTOR,
    Assurance,
    Improvement,
    PointType,
    Run,
    SeriesError,
    Span,
    baseline_of,
    mean,
    median,
    moving_ranges,
    runs_about_centre,
    screened_mean_mr,
    sign,
    signs_about,
)

__all__ = [
    "D2",
    "IHI_RUNS_TABLE_MIN",
    "IHI_SHIFT",
    "IHI_TREND",
    "MDC_CLOSE",
    "MDC_LIMIT",
    "MDC_RUN",
    "MR_SCREEN_FACTOR",
    "RULE_NAMES",
    "Assurance",
    "IChartAnhoej",
    "IhiRunChart",
    "Improvement",
    "MdcGroup",
    "MdcPoint",
    "PointType",
    "RuleName",
    "Run",
    "RunsAnalysis",
    "SeriesError",
    "Span",
    "XmrMdc",
    "_runs_distribution",
    "anhoej_runs",
    "baseline_of",
    "crossings_min",
    "group_bounds",
    "i_anhoej",
    "ihi_runs_limits",
    "ihi_shifts",
    "ihi_trends",
    "longest_run_max",
    "mdc_assurance",
    "mdc_group_limits",
    "mean",
    "median",
    "moving_ranges",
    "part_of_seven",
    "part_of_two_in_three",
    "point_type",
    "rule_spans",
    "run_anhoej",
    "run_ihi",
    "runs_about_centre",
    "screened_mean_mr",
    "seven_point_one_side_mean",
    "seven_point_trend",
    "sign",
    "signs_about",
    "special_cause_types",
    "two_in_three",
    "xmr_mdc",
]
