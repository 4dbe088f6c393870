"""Properties the attribute charts and funnel plots keep, whatever the data (hypothesis).

Counts and denominators are whole numbers, as they are in practice, so a constant proportion
or rate is the same double at every point and on the centre line.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis import attribute, spc
from app.analysis.funnel import funnel

denominators = st.lists(st.integers(1, 400), min_size=2, max_size=50)


@st.composite
def proportions(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    dens = draw(denominators)
    nums = [draw(st.integers(0, n)) for n in dens]
    return nums, dens


@st.composite
def rates(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    dens = draw(denominators)
    nums = [draw(st.integers(0, 60)) for _ in dens]
    return nums, dens


@given(proportions(), st.integers(2, 50))
def test_scaling_numerators_and_denominators_keeps_the_runs_analysis_of_a_p_chart(
    pair: tuple[list[int], list[int]], k: int
) -> None:
    """The proportions and the centre do not change, so neither do the runs; the limits close
    in by sqrt(k), so every point outside stays outside (more may join: more data, more power).
    This is why the issue's 'signals unchanged' holds for the runs signal, not the 3-sigma one."""
    nums, dens = pair
    before = attribute.p_anhoej(nums, dens)
    after = attribute.p_anhoej([k * a for a in nums], [k * n for n in dens])
    assert after.y == before.y
    assert after.cl == before.cl
    assert after.runs == before.runs
    assert set(before.outside) <= set(after.outside)


def test_scaling_can_add_points_outside_a_p_chart() -> None:
    """The counterexample to the literal property: 7 of 20 is common cause, 700 of 2,000 is not."""
    nums, dens = [4, 7, 3, 4, 2], [20, 20, 20, 20, 20]
    assert attribute.p_anhoej(nums, dens).outside == ()
    assert attribute.p_anhoej([100 * a for a in nums], [100 * n for n in dens]).outside != ()


@given(
    st.sampled_from(list(attribute.RATIO_CHARTS)),
    st.integers(0, 30),
    st.integers(30, 400),
    st.integers(2, 40),
)
def test_a_constant_ratio_series_has_no_signal(method: str, a: int, n: int, length: int) -> None:
    chart = attribute.attribute_chart(method, [a] * length, [n] * length)
    assert not chart.signal
    assert chart.runs.n_useful == 0


@given(
    st.sampled_from(["c_anhoej", "g_anhoej", "t_anhoej"]),
    st.one_of(st.integers(1, 10_000).map(float), st.floats(0.01, 1e6)),
    st.integers(2, 40),
)
def test_a_constant_count_or_interval_series_has_no_signal(
    method: str, value: float, length: int
) -> None:
    chart = attribute.attribute_chart(method, [value] * length)
    assert not chart.signal


@given(proportions())
@settings(max_examples=200)
def test_laney_limits_are_never_narrower_than_p_limits_when_sigma_z_exceeds_1(
    pair: tuple[list[int], list[int]],
) -> None:
    nums, dens = pair
    p = attribute.p_anhoej(nums, dens)
    pp = attribute.pp_anhoej(nums, dens)
    if pp.sigma_z is None or pp.sigma_z <= 1:
        return
    for lo, hi, lo_p, hi_p in zip(pp.lcl, pp.ucl, p.lcl, p.ucl, strict=True):
        assert lo is not None
        assert hi is not None
        assert lo_p is not None
        assert hi_p is not None
        assert lo <= lo_p
        assert hi >= hi_p


@given(rates())
def test_u_prime_limits_follow_sigma_z(pair: tuple[list[int], list[int]]) -> None:
    nums, dens = pair
    u, up = attribute.u_anhoej(nums, dens), attribute.up_anhoej(nums, dens)
    if up.sigma_z is None:
        return
    for hi, hi_u in zip(up.ucl, u.ucl, strict=True):
        assert hi is not None
        assert hi_u is not None
        assert (hi >= hi_u) if up.sigma_z > 1 else (hi <= hi_u)


@given(proportions())
def test_p_limits_stay_inside_0_and_1_and_around_the_centre(
    pair: tuple[list[int], list[int]],
) -> None:
    chart = attribute.p_anhoej(*pair)
    for lo, cl, hi in zip(chart.lcl, chart.cl, chart.ucl, strict=True):
        assert lo is not None
        assert hi is not None
        assert 0 <= lo <= cl <= hi <= 1


@given(proportions(), st.sampled_from(["exact", "normal"]))
@settings(max_examples=60)
def test_funnel_limits_nest_and_narrow_as_the_denominator_grows(
    pair: tuple[list[int], list[int]], method: str
) -> None:
    nums, dens = pair
    plot = funnel(nums, dens, kind="proportion", method=method)  # type: ignore[arg-type]
    for lim in plot.curve:
        assert lim.lower_998 <= lim.lower_95 <= lim.upper_95 <= lim.upper_998
    widths = [lim.upper_998 - lim.lower_998 for lim in plot.curve]
    # Exact limits step with the integer quantiles; allow that step, never a real widening.
    assert all(
        b <= a + 2 / lim.denominator
        for a, b, lim in zip(widths, widths[1:], plot.curve, strict=False)
    )
    assert math.isclose(plot.target, sum(nums) / sum(dens))


@given(proportions())
def test_the_runs_analysis_is_the_one_the_run_chart_uses(pair: tuple[list[int], list[int]]) -> None:
    """Attribute charts count runs exactly as spc.anhoej_runs does about the same centre."""
    chart = attribute.p_anhoej(*pair)
    if chart.runs.n_useful == 0:
        return
    same = spc.anhoej_runs(chart.y, chart.cl[0])
    assert (chart.runs.n_useful, chart.runs.longest_run, chart.runs.longest_run_max) == (
        same.n_useful,
        same.longest_run,
        same.longest_run_max,
    )
    assert (chart.runs.crossings, chart.runs.crossings_min, chart.runs.signal) == (
        same.crossings,
        same.crossings_min,
        same.signal,
    )
    assert chart.runs.longest_run_span == same.longest_run_span
