"""Run a validated series through the chosen rule set and shape the public result."""

from __future__ import annotations

from collections.abc import Callable

from app.analysis import attribute, funnel, spc
from app.analysis.funnel_schemas import (
    FunnelLimitsPublic,
    FunnelPublic,
    FunnelRequest,
    FunnelUnitPublic,
)
from app.analysis.schemas import (
    AnalysisPublic,
    AnalysisRequest,
    AttributePublic,
    IAnhoejPublic,
    RunAnhoejPublic,
    RunIhiPublic,
    XmrGroupPublic,
    XmrMdcPublic,
    XmrPointPublic,
)
from app.core.errors import InvalidInput


def analyse(*, request: AnalysisRequest) -> AnalysisPublic:
    """Analyse ``request.values`` with ``request.method``; InvalidInput if the rules cannot."""
    try:
        return _ANALYSERS[request.method](request)
    except (spc.SeriesError, ZeroDivisionError, OverflowError) as exc:
        raise InvalidInput(str(exc), field="values") from exc


def _run_anhoej(request: AnalysisRequest) -> RunAnhoejPublic:
    runs = spc.run_anhoej(request.values, baseline=request.baseline)
    return RunAnhoejPublic(**_runs_fields(runs))


def _i_anhoej(request: AnalysisRequest) -> IAnhoejPublic:
    chart = spc.i_anhoej(
        request.values, baseline=request.baseline, screen_outliers=request.screen_outliers
    )
    return IAnhoejPublic(
        **_runs_fields(chart.runs), lcl=chart.lcl, ucl=chart.ucl, outside=list(chart.outside)
    )


def _run_ihi(request: AnalysisRequest) -> RunIhiPublic:
    chart = spc.run_ihi(request.values, baseline=request.baseline)
    if chart.n_useful == 0:
        # Every value equals the median: no runs exist, so the runs rule has nothing to count.
        raise spc.SeriesError(
            "Every value equals the median, so there are no runs to analyse: "
            "at least one value must differ from it."
        )
    return RunIhiPublic(
        centre=chart.centre,
        n_useful=chart.n_useful,
        runs=chart.runs,
        runs_limits=chart.runs_limits,
        shifts=list(chart.shifts),
        trends=list(chart.trends),
        signal=chart.signal,
    )


def _xmr_mdc(request: AnalysisRequest) -> XmrMdcPublic:
    chart = spc.xmr_mdc(
        request.values,
        baseline=request.baseline,
        screen_outliers=request.screen_outliers,
        improvement=request.improvement,
        target=request.target,
        rebase=request.rebase,
    )
    return XmrMdcPublic(
        groups=[
            XmrGroupPublic(start=g.start, end=g.end, mean=g.mean, lpl=g.lpl, upl=g.upl)
            for g in chart.groups
        ],
        points=[
            XmrPointPublic(index=p.index, value=p.value, type=p.point_type) for p in chart.points
        ],
        variation=chart.variation,
        assurance=chart.assurance,
    )


def _runs_fields(runs: spc.RunsAnalysis) -> dict[str, float | int | bool]:
    return {
        "centre": runs.centre,
        "n_useful": runs.n_useful,
        "longest_run": runs.longest_run,
        "longest_run_max": runs.longest_run_max,
        "crossings": runs.crossings,
        "crossings_min": runs.crossings_min,
        "signal": runs.signal,
    }


def _attribute(request: AnalysisRequest) -> AttributePublic:
    chart = attribute.attribute_chart(
        request.method,
        request.values,
        request.denominators,
        baseline=request.baseline,
        screen_outliers=request.screen_outliers,
    )
    return attribute_public(chart)


def attribute_public(chart: attribute.AttributeChart) -> AttributePublic:
    """The documented response shape of an attribute chart."""
    runs = chart.runs
    return AttributePublic(
        method=chart.method,
        cl=list(chart.cl),
        lcl=list(chart.lcl),
        ucl=list(chart.ucl),
        outside=list(chart.outside),
        n_useful=runs.n_useful,
        longest_run=runs.longest_run,
        longest_run_max=runs.longest_run_max,
        crossings=runs.crossings,
        crossings_min=runs.crossings_min,
        runs_signal=runs.signal,
        signal=chart.signal,
    )


_ANALYSERS: dict[str, Callable[[AnalysisRequest], AnalysisPublic]] = {
    **dict.fromkeys(attribute.RATIO_CHARTS, _attribute),
    **dict.fromkeys(attribute.SINGLE_CHARTS, _attribute),
    "run_anhoej": _run_anhoej,
    "run_ihi": _run_ihi,
    "i_anhoej": _i_anhoej,
    "xmr_mdc": _xmr_mdc,
}


def funnel_plot(*, request: FunnelRequest) -> FunnelPublic:
    """Funnel limits for ``request``'s units; InvalidInput if the limits cannot be drawn."""
    try:
        plot = funnel.funnel(
            request.observed,
            request.denominators,
            kind=request.kind,
            method=request.method,
            overdispersion_adjustment=request.overdispersion,
            target=request.target,
        )
    except spc.SeriesError as exc:
        raise InvalidInput(str(exc), field="denominators") from exc
    return FunnelPublic(
        kind=plot.kind,
        method=plot.method,
        overdispersion=plot.overdispersion,
        target=plot.target,
        phi=plot.phi,
        tau2=plot.tau2,
        adjusted=plot.adjusted,
        units=[
            FunnelUnitPublic(
                index=u.index,
                observed=u.observed,
                denominator=u.denominator,
                value=u.value,
                z=u.z,
                limits=_limits(u.limits),
                band=u.band,
            )
            for u in plot.units
        ],
        curve=[_limits(c) for c in plot.curve],
    )


def _limits(limits: funnel.Limits) -> FunnelLimitsPublic:
    return FunnelLimitsPublic(
        denominator=limits.denominator,
        lower_95=limits.lower_95,
        upper_95=limits.upper_95,
        lower_99_8=limits.lower_998,
        upper_99_8=limits.upper_998,
    )
