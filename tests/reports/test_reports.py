"""Leaders' reports against a hand-computed fixture, on both databases, plus CSV exports and filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.accounts.models import User
from app.analysis import funnel
from app.analysis.charts import fmt
from app.cohorts.models import Cohort, Enrolment
from app.content.registry import ContentRegistry
from app.core.db import utcnow
from app.credentials.models import Credential
from app.projects.models import DataPoint, Measure, Project
from app.quizzes.models import QuizAttempt
from app.reports import service
from app.reports.models import ReportRefresh
from tests.factories import sign_in
from tests.gold.factories import cohort, person, quick_credential

RANGE = {"date_from": "2025-01-01", "date_to": "2025-03-31"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _learner(db: Session, *, org: str, staff: str, created: str, name: str) -> User:
    user = person(db, organisation=org, staff_group=staff, name=name)
    user.created_at = at(created)
    db.flush()
    return user


@pytest.fixture
def world(db: Session, registry: ContentRegistry) -> dict[str, User]:
    a1 = _learner(
        db, org="Alpha Trust", staff="nursing_midwifery", created="2025-01-10 09:00", name="A One"
    )
    a2 = _learner(
        db, org="Alpha Trust", staff="nursing_midwifery", created="2025-01-20 09:00", name="A Two"
    )
    a3 = _learner(
        db, org="Alpha Trust", staff="medical_dental", created="2025-02-05 09:00", name="A Three"
    )
    b1 = _learner(
        db, org="Beta Trust", staff="nursing_midwifery", created="2025-03-15 09:00", name="B One"
    )
    b2 = _learner(
        db, org="Beta Trust", staff="nursing_midwifery", created="2024-12-31 23:00", name="B Two"
    )
    quick_credential(db, user=a1, achievement="bronze", awarded_at=at("2025-01-25 10:00"))
    quick_credential(db, user=a1, achievement="silver", awarded_at=at("2025-03-01 10:00"))
    quick_credential(db, user=a2, achievement="bronze", awarded_at=at("2025-02-10 10:00"))
    revoked = quick_credential(db, user=a3, achievement="bronze", awarded_at=at("2025-02-11 10:00"))
    revoked.status, revoked.revoked_at, revoked.revocation_reason = (
        "revoked",
        at("2025-02-12"),
        "error",
    )
    quick_credential(db, user=b1, achievement="bronze", awarded_at=at("2025-03-20 10:00"))
    quick_credential(db, user=b1, achievement="gold", awarded_at=at("2025-03-30 10:00"))
    quick_credential(db, user=b2, achievement="bronze", awarded_at=at("2025-01-05 10:00"))
    m1, m2 = registry.tier("bronze")[0], registry.tier("bronze")[1]
    for user, module, score, when in (
        (a1, m1, 60, "2025-01-11 08:00"),
        (a1, m1, 100, "2025-01-12 08:00"),
        (a2, m1, 100, "2025-02-01 08:00"),
        (b1, m2, 40, "2025-03-16 08:00"),
        (b2, m1, 100, "2024-12-31 08:00"),
    ):
        db.add(
            QuizAttempt(
                user_id=user.id,
                module_id=module.module_id,
                module_version_id=module.version_id,
                score=score,
                passed=score >= 80,
                answers={},
                created_at=at(when),
            )
        )
    trainer = person(db, roles=[Role.TRAINER], name="Tess Trainer")
    cohort(
        db,
        lead=trainer,
        learners=[a1, a2],
        removed=[a3],
        starts_on=date(2025, 2, 1),
        name="Spring cohort",
    )
    cohort(db, lead=trainer, starts_on=date(2024, 6, 1), name="Old cohort")  # ended 2024-09-29
    cohort(db, lead=trainer, starts_on=date(2025, 4, 1), name="Later cohort")
    db.flush()
    service.refresh(db, full=True)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2}


def _f(**kw: object) -> object:
    return service.filters(
        organisation_id=kw.get("organisation_id"),  # type: ignore[arg-type]
        staff_group=kw.get("staff_group"),  # type: ignore[arg-type]
        date_from=date(2025, 1, 1),
        date_to=date(2025, 3, 31),
    )


def test_registrations_per_month_and_summary(db: Session, world: dict[str, User]) -> None:
    f = _f()
    assert [(r.month, r.count) for r in service.registrations(db, f)] == [  # type: ignore[arg-type]
        ("2025-01", 2),
        ("2025-02", 1),
        ("2025-03", 1),
    ]
    assert service.summary(db, f).registered_in_range == 4  # type: ignore[arg-type]
    alpha = _f(organisation_id=world["a1"].organisation_id)
    assert [r.count for r in service.registrations(db, alpha)] == [2, 1, 0]  # type: ignore[arg-type]
    nursing = _f(staff_group="nursing_midwifery")
    assert [r.count for r in service.registrations(db, nursing)] == [2, 0, 1]  # type: ignore[arg-type]


def test_completions_per_month_leave_out_revoked_credentials(
    db: Session, world: dict[str, User]
) -> None:
    rows = [(r.month, r.bronze, r.silver, r.gold) for r in service.completions(db, _f())]  # type: ignore[arg-type]
    assert rows == [("2025-01", 2, 0, 0), ("2025-02", 1, 0, 0), ("2025-03", 1, 1, 1)]
    alpha = _f(organisation_id=world["a1"].organisation_id)
    rows = [(r.bronze, r.silver, r.gold) for r in service.completions(db, alpha)]  # type: ignore[arg-type]
    assert rows == [(1, 0, 0), (1, 0, 0), (0, 1, 0)]


@pytest.mark.usefixtures("world")
def test_funnel_by_organisation_and_staff_group(db: Session) -> None:
    rows = [
        (r.organisation, r.staff_group, r.registered, r.bronze, r.silver, r.gold)
        for r in service.funnel(db, _f())  # type: ignore[arg-type]
    ]
    assert rows == [
        ("Alpha Trust", "Medical and dental", 1, 0, 0, 0),
        ("Alpha Trust", "Nursing and midwifery registered", 2, 2, 1, 0),
        # b2 registered in December 2024 but completed Bronze in January: in the range.
        ("Beta Trust", "Nursing and midwifery registered", 1, 2, 0, 1),
    ]


@pytest.mark.usefixtures("world")
def test_cohorts_running_in_the_range(db: Session) -> None:
    rows = [(c.name, c.learners, c.lead_trainer) for c in service.cohorts_running(db, _f())]  # type: ignore[arg-type]
    assert rows == [("Spring cohort", 2, "Tess Trainer")]


def test_cohort_counts_follow_enrolments_and_silver_at_each_refresh(
    db: Session, world: dict[str, User]
) -> None:
    spring = db.scalars(select(Cohort).where(Cohort.name == "Spring cohort")).one()
    [reach] = [r for r in db.execute(select(service.cohort_reach())) if r.cohort_id == spring.id]
    assert (reach.learners, reach.to_silver) == (2, 1)  # a1 holds Silver, a2 does not
    db.add(
        Enrolment(
            cohort_id=spring.id, user_id=world["b1"].id, status="active", enrolled_at=utcnow()
        )
    )
    quick_credential(db, user=world["a2"], achievement="silver", awarded_at=at("2025-03-05 10:00"))
    db.flush()
    assert service.cohorts_running(db, _f())[0].learners == 2  # type: ignore[arg-type]  # as of the last refresh
    service.refresh(db)  # incremental: cohorts are recounted every time
    assert service.cohorts_running(db, _f())[0].learners == 3  # type: ignore[arg-type]
    [reach] = [r for r in db.execute(select(service.cohort_reach())) if r.cohort_id == spring.id]
    assert (reach.learners, reach.to_silver) == (3, 2)


def test_quiz_pass_rates_per_module(
    db: Session, registry: ContentRegistry, world: dict[str, User]
) -> None:
    rows = {r.slug: r for r in service.quiz_pass_rates(db, _f())}  # type: ignore[arg-type]
    m1, m2 = registry.tier("bronze")[0].slug, registry.tier("bronze")[1].slug
    assert (rows[m1].attempts, rows[m1].passed, rows[m1].pass_rate) == (3, 2, 67)
    assert (rows[m2].attempts, rows[m2].passed, rows[m2].pass_rate) == (1, 0, 0)
    assert len(rows) == len(registry.all())
    beta = _f(organisation_id=world["b1"].organisation_id)
    rows = {r.slug: r for r in service.quiz_pass_rates(db, beta)}  # type: ignore[arg-type]
    assert (rows[m1].attempts, rows[m2].attempts) == (0, 1)


@pytest.mark.usefixtures("world")
def test_dashboard_shows_charts_tables_and_csv_links(client: TestClient, db: Session) -> None:
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    page = client.get("/leader/reports", params=RANGE)
    assert page.status_code == 200
    text = page.text
    assert text.count('role="img" aria-labelledby="chart-') == 4  # and the two funnels
    assert '<title id="chart-registrations-title">Learners registered per month</title>' in text
    assert "4 learners registered from January 2025 to March 2025" in text
    assert "Spring cohort" in text
    for name in ("registrations", "completions", "funnel", "cohorts", "quizzes"):
        assert f"/leader/reports/{name}.csv?date_from=2025-01&amp;date_to=2025-03" in text
    assert 'href="/leader/feedback"' in text


def _csv(client: TestClient, name: str, **params: str) -> list[dict[str, str]]:
    r = client.get(f"/leader/reports/{name}.csv", params={**RANGE, **params})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(r.text)))


def test_every_table_exports_to_csv_with_the_same_filters(
    client: TestClient, db: Session, registry: ContentRegistry, world: dict[str, User]
) -> None:
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    assert _csv(client, "registrations") == [
        {"month": "2025-01", "learners_registered": "2"},
        {"month": "2025-02", "learners_registered": "1"},
        {"month": "2025-03", "learners_registered": "1"},
    ]
    alpha = str(world["a1"].organisation_id)
    assert [
        r["learners_registered"] for r in _csv(client, "registrations", organisation=alpha)
    ] == ["2", "1", "0"]
    assert _csv(client, "completions")[2] == {
        "month": "2025-03",
        "bronze": "1",
        "silver": "1",
        "gold": "1",
    }
    assert _csv(client, "funnel", staff_group="medical_dental") == [
        {
            "organisation": "Alpha Trust",
            "staff_group": "Medical and dental",
            "registered": "1",
            "bronze": "0",
            "silver": "0",
            "gold": "0",
        }
    ]
    assert _csv(client, "cohorts") == [
        {
            "cohort": "Spring cohort",
            "organisation": "",
            "starts_on": "2025-02-01",
            "ends_on": "2025-06-01",
            "learners": "2",
            "lead_trainer": "Tess Trainer",
        }
    ]
    quizzes = {r["module"]: r for r in _csv(client, "quizzes")}
    first = registry.tier("bronze")[0].meta.title
    assert quizzes[first] == {
        "tier": "bronze",
        "module": first,
        "attempts": "3",
        "passed": "2",
        "pass_rate_percent": "67",
    }
    assert client.get("/leader/reports/nonsense.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_quoted(client: TestClient, db: Session) -> None:
    _learner(db, org='=HYPERLINK("x")', staff="other", created="2025-02-02 10:00", name="X")
    leader = person(db, roles=[Role.LEADER])
    service.refresh(db)
    sign_in(client, leader.email)
    rows = _csv(client, "funnel")
    assert rows[0]["organisation"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-13-01"}, "Enter the from month as year-month"),
        ({"date_from": "2025-03-01", "date_to": "2025-01-01"}, "on or before the"),
        ({"staff_group": "wizards"}, "Choose a staff group from the list"),
        ({"organisation": "abc"}, "Choose an organisation from the list"),
    ],
)
def test_bad_filters_say_what_to_fix(
    client: TestClient, db: Session, params: dict[str, str], message: str
) -> None:
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    r = client.get("/leader/reports", params=params)
    assert r.status_code == 422
    assert message in r.text


def test_reports_default_to_the_last_twelve_months(client: TestClient, db: Session) -> None:
    leader = person(db, roles=[Role.LEADER])
    service.refresh(db)
    sign_in(client, leader.email)
    rows = _csv(client, "registrations", date_from="", date_to="")
    assert len(rows) == 12
    assert sum(int(r["learners_registered"]) for r in rows) >= 1  # the leader registered today


@pytest.mark.usefixtures("world")
def test_report_pages_use_a_fixed_number_of_queries(
    client: TestClient, db: Session, count_queries
) -> None:
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    client.get("/leader/reports", params=RANGE)
    with count_queries() as small:
        client.get("/leader/reports", params=RANGE)
    for i in range(5):
        _learner(db, org=f"Gamma {i}", staff="other", created="2025-02-03 10:00", name=f"G{i}")
    with count_queries() as large:
        client.get("/leader/reports", params=RANGE)
    assert small.count == large.count


def test_refresh_is_incremental_and_a_revocation_reopens_its_month(
    db: Session, world: dict[str, User]
) -> None:
    f = _f()
    state = db.get(ReportRefresh, 1)
    assert state is not None
    assert service.refresh_if_stale(db) is False  # fresh: nothing to do
    revoked = db.scalars(
        select(Credential).where(Credential.user_id == world["a2"].id)
    ).one()  # a2's Bronze, awarded in February 2025
    revoked.status, revoked.revoked_at, revoked.revocation_reason = "revoked", utcnow(), "error"
    newcomer = person(db, organisation="Alpha Trust")
    db.flush()
    result = service.refresh(db)
    assert result.from_month == "2025-02"  # reopened by the revocation, not a full rebuild
    assert [r.bronze for r in service.completions(db, f)] == [2, 0, 1]  # type: ignore[arg-type]
    this_month = service.filters(
        organisation_id=newcomer.organisation_id, staff_group=None, date_from=None, date_to=None
    )
    assert service.registrations(db, this_month)[-1].count == 1
    # A new learner in an old month (an import) is counted by id, whatever its date...
    late = person(db, organisation="Alpha Trust", staff_group="nursing_midwifery")
    late.created_at = at("2025-01-15 10:00")
    db.flush()
    service.refresh(db)
    assert service.registrations(db, f)[0].count == 3  # type: ignore[arg-type]
    # ...but an erasure needs the full rebuild.
    db.delete(late)
    db.flush()
    service.refresh(db)
    assert service.registrations(db, f)[0].count == 3  # type: ignore[arg-type]
    assert service.refresh(db, full=True).from_month is None
    assert service.registrations(db, f)[0].count == 2  # type: ignore[arg-type]


def _project(
    db: Session,
    *,
    cohort_id: int,
    owner: User,
    signed: str | None,
    values: list[int],
    direction: str,
) -> Project:
    now = utcnow()
    project = Project(
        cohort_id=cohort_id,
        user_id=owner.id,
        title="Falls on ward 7",
        status="signed_off" if signed else "submitted",
        created_at=now,
        updated_at=now,
        signed_off_at=at(signed) if signed else None,
    )
    db.add(project)
    db.flush()
    measure = Measure(
        project_id=project.id,
        kind="outcome",
        name="Falls per 1,000 bed days",
        definition="Falls / occupied bed days x 1,000",
        unit="per 1,000",
        direction=direction,
        method="xmr_mdc",
        baseline_points=12,  # limits from the first twelve weeks, before the change
        is_main=True,
        created_at=now,
    )
    db.add(measure)
    db.flush()
    for i, value in enumerate(values):
        db.add(
            DataPoint(
                measure_id=measure.id, period=date(2024, 1, 1) + timedelta(days=7 * i), value=value
            )
        )
    db.flush()
    return project


# Twelve stable weeks then eight well below: a shift (special cause) downwards.
FALLS_DOWN = [8, 9, 7, 8, 9, 8, 7, 9, 8, 8, 9, 7, 4, 3, 4, 3, 4, 3, 4, 3]
FLAT = [8, 9, 7, 8, 9, 8, 7, 9, 8, 8, 9, 7, 8, 9, 8, 7]


def test_projects_signed_off_and_showing_improvement_on_the_main_outcome_measure(
    db: Session,
) -> None:
    trainer = person(db, roles=[Role.TRAINER])
    learners = [person(db, organisation="Alpha Trust") for _ in range(4)]
    c = cohort(db, lead=trainer, learners=learners)
    c.organisation_id = learners[0].organisation_id
    for owner, signed, values, direction in (
        (learners[0], "2025-02-10 10:00", FALLS_DOWN, "decrease"),
        (learners[1], "2025-03-10 10:00", FALLS_DOWN, "increase"),
        (learners[2], "2025-03-11 10:00", FLAT, "decrease"),
        (learners[3], None, FALLS_DOWN, "decrease"),
    ):
        _project(db, cohort_id=c.id, owner=owner, signed=signed, values=values, direction=direction)
    service.refresh(db, full=True)
    rows = [
        (r.organisation, r.signed_off, r.showing_improvement)
        for r in service.projects(db, _f())  # type: ignore[arg-type]
    ]
    # Falls going down is improvement when lower is better, concern when higher is better.
    assert rows == [("Alpha Trust", 3, 1)]
    assert service.shows_improvement(
        [float(v) for v in FALLS_DOWN], direction="decrease", baseline=12, rebase=[]
    )
    assert not service.shows_improvement(
        [float(v) for v in FALLS_DOWN], direction="neutral", baseline=None, rebase=[]
    )


@pytest.mark.usefixtures("world")
def test_organisations_quiz_pass_rates_on_a_funnel_plot_with_a_data_table(
    client: TestClient, db: Session
) -> None:
    # Alpha Trust: 2 of 3 attempts passed; Beta: 0 of 1. Overall 2 of 4, so the centre is 50%.
    rows = service.quiz_passes_by_organisation(db, _f())  # type: ignore[arg-type]
    assert [(r.count, r.out_of) for r in rows] == [(2, 3), (0, 1)]
    plot = funnel.funnel([2, 0], [3, 1], kind="proportion", method="exact")
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    text = client.get("/leader/reports", params=RANGE).text
    assert '<title id="chart-quiz-funnel-title">' in text
    table = text[text.index("Quiz pass rate by organisation: the data table") :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", table)]
    pct = lambda v: f"{fmt(v * 100)}%"  # noqa: E731
    expected = []
    for name, unit in zip((rows[0].organisation, rows[1].organisation), plot.units, strict=True):
        lim = unit.limits
        expected += [
            name,
            f"{unit.observed:g}",
            f"{unit.denominator:g}",
            pct(unit.value),
            f"{pct(lim.lower_95)} to {pct(lim.upper_95)}",
            f"{pct(lim.lower_998)} to {pct(lim.upper_998)}",
            "Within the 95% limits",
        ]
    assert cells == expected
    assert cells[3] == "66.7%"
    assert "overall rate (50%)" in text


@pytest.mark.usefixtures("world")
def test_organisations_bronze_completions_per_100_registered_on_a_funnel(
    client: TestClient, db: Session
) -> None:
    totals: dict[str, list[int]] = {}
    for r in service.funnel(db, _f()):  # type: ignore[arg-type]
        pair = totals.setdefault(r.organisation, [0, 0])
        pair[0] += r.bronze
        pair[1] += r.registered
    kept = {org: pair for org, pair in totals.items() if pair[1]}
    assert len(kept) >= 2
    plot = funnel.funnel([b for b, _ in kept.values()], [n for _, n in kept.values()], kind="rate")
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    text = client.get("/leader/reports", params=RANGE).text
    table = text[text.index("Bronze completions per 100 learners registered: the data table") :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", table)]
    rows = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    assert [r[0] for r in rows] == list(kept)
    for row, unit in zip(rows, plot.units, strict=True):
        lim = unit.limits
        assert row[3] == f"{fmt(unit.value * 100)} per 100"
        assert row[4] == f"{fmt(lim.lower_95 * 100)} per 100 to {fmt(lim.upper_95 * 100)} per 100"
        assert row[5] == (
            f"{fmt(lim.lower_998 * 100)} per 100 to {fmt(lim.upper_998 * 100)} per 100"
        )
    assert "exact Poisson limits" in text


def test_a_proportion_main_measure_is_judged_on_its_percentages_not_its_numerators(
    db: Session,
) -> None:
    trainer = person(db, roles=[Role.TRAINER])
    learner = person(db, organisation="Alpha Trust")
    c = cohort(db, lead=trainer, learners=[learner])
    c.organisation_id = learner.organisation_id
    # The same 10 residents offered a drink every week, out of fewer residents after the change:
    # flat numerators, percentages up from about 45% to about 90%.
    denominators = [22, 21, 23, 22, 21, 22, 23, 22, 21, 22, 23, 22, 11, 11, 12, 11, 11, 11]
    project = _project(
        db,
        cohort_id=c.id,
        owner=learner,
        signed="2025-02-10 10:00",
        values=[],
        direction="increase",
    )
    measure = db.scalars(select(Measure).where(Measure.project_id == project.id)).one()
    measure.data_type, measure.method = "proportion", "p_anhoej"
    for i, n in enumerate(denominators):
        db.add(
            DataPoint(
                measure_id=measure.id,
                period=date(2024, 1, 1) + timedelta(days=7 * i),
                value=10,
                denominator=n,
            )
        )
    db.flush()
    service.refresh(db, full=True)
    rows = [(r.signed_off, r.showing_improvement) for r in service.projects(db, _f())]  # type: ignore[arg-type]
    assert rows == [(1, 1)]
    assert not service.shows_improvement([10.0] * 18, direction="increase", baseline=12, rebase=[])


@pytest.mark.usefixtures("world")
def test_the_leader_chooses_the_funnel_limits_and_the_page_says_which(
    client: TestClient, db: Session
) -> None:
    rows = service.quiz_passes_by_organisation(db, _f())  # type: ignore[arg-type]
    leader = person(db, roles=[Role.LEADER])
    sign_in(client, leader.email)
    for spread in ("multiplicative", "additive"):
        text = client.get("/leader/reports", params={**RANGE, "limits": spread}).text
        plot = funnel.funnel(
            [r.count for r in rows], [r.out_of for r in rows], overdispersion_adjustment=spread
        )
        assert f'<option value="{spread}" selected>' in text
        said = (
            "so the 95% and 99.8% limits are widened"
            if plot.adjusted
            else "vary no more than chance would make them"
        )
        assert said in text
        assert f"phi = {plot.phi:.2f}" in text
    bad = client.get("/leader/reports", params={**RANGE, "limits": "wide"})
    assert bad.status_code == 422
    assert "limits" in bad.text
