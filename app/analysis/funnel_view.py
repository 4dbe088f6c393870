"""A funnel plot ready for a page: units compared at one point in time, the chart and a data table
alternative with each unit's value, its 95% and 99.8% limits and where it falls, in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.analysis import charts, funnel, funnel_charts
from app.analysis.funnel import Band, FunnelKind, Overdispersion

MIN_UNITS = 2
SPREAD_CHOICES: dict[str, str] = {  # the page's plain words for each adjustment
    "none": "Chance alone (no adjustment)",
    "multiplicative": "Wider if units vary more than chance (multiplicative)",
    "additive": "Wider if units vary more than chance (additive, random effects)",
}
BAND_WORDS: dict[Band, str] = {
    "within": "Within the 95% limits",
    "above_95": "Above the 95% limit",
    "below_95": "Below the 95% limit",
    "above_99_8": "Above the 99.8% limit",
    "below_99_8": "Below the 99.8% limit",
}


@dataclass(frozen=True)
class UnitRow:
    name: str
    observed: float
    denominator: float
    value: str
    limits_95: str
    limits_99_8: str
    band: str


@dataclass(frozen=True)
class FunnelView:
    chart: charts.Chart
    plot: funnel.Funnel
    rows: tuple[UnitRow, ...]
    target: str

    @property
    def svg(self) -> str:
        return charts.to_svg(self.chart)

    @property
    def description(self) -> str:
        return self.chart.description


def compare(
    names: Sequence[str],
    observed: Sequence[float],
    denominators: Sequence[float],
    *,
    title: str,
    chart_id: str,
    denominator_label: str,
    kind: FunnelKind = "proportion",
    multiply: float = 100.0,
    unit: str = "%",
    spread: Overdispersion = "none",
) -> FunnelView | None:
    """The funnel of the units with a denominator, or None when fewer than two have one.

    `spread` is the reader's choice of overdispersion adjustment (Spiegelhalter 2005): the limits
    widen only when the units really do vary more than chance would make them."""
    kept = [(n, o, d) for n, o, d in zip(names, observed, denominators, strict=True) if d > 0]
    if len(kept) < MIN_UNITS:
        return None
    plot = funnel.funnel(
        [o for _, o, _ in kept],
        [d for _, _, d in kept],
        kind=kind,
        overdispersion_adjustment=spread,
    )
    chart = funnel_charts.funnel_chart(
        plot,
        names=[n for n, _, _ in kept],
        multiply=multiply,
        unit=unit,
        denominator_label=denominator_label,
        title=title,
        chart_id=chart_id,
    )

    def text(value: float) -> str:
        return f"{charts.fmt(value * multiply)}{unit}"

    rows = tuple(
        UnitRow(
            name,
            u.observed,
            u.denominator,
            text(u.value),
            f"{text(u.limits.lower_95)} to {text(u.limits.upper_95)}",
            f"{text(u.limits.lower_998)} to {text(u.limits.upper_998)}",
            BAND_WORDS[u.band],
        )
        for (name, _, _), u in zip(kept, plot.units, strict=True)
    )
    return FunnelView(chart, plot, rows, text(plot.target))
