"""Reading, resuming and the dashboard, with fixed, small numbers of SQL statements per page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.core.timefmt import duration
from app.progress.service import percent
from tests.factories import answers, bearer, make_user, sign_in

FIRST = "why-quality-improvement"


def test_reading_sections_and_resuming(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    user = make_user(db)
    sign_in(client, user.email)
    first = client.get(f"/modules/{FIRST}", follow_redirects=False)
    assert first.headers["location"] == f"/modules/{FIRST}/sections/1"
    page = client.get(f"/modules/{FIRST}/sections/2")
    assert page.status_code == 200
    assert module.source.sections[1].title in page.text
    assert 'rel="next"' in page.text
    assert 'rel="prev"' in page.text
    assert "<progress" in page.text
    # Sign out and back in: resume lands on section 2.
    client.cookies.clear()
    sign_in(client, user.email)
    assert (
        client.get(f"/modules/{FIRST}", follow_redirects=False)
        .headers["location"]
        .endswith("/sections/2")
    )
    dash = client.get("/dashboard").text
    assert f"Resume {module.meta.title}" in dash


def test_section_out_of_range_is_404(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db).email)
    r = client.get(f"/modules/{FIRST}/sections/99")
    assert r.status_code == 404
    assert "has sections 1 to" in r.text


def test_dashboard_changes_when_a_module_is_passed(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    user = make_user(db)
    sign_in(client, user.email)
    before = client.get("/dashboard").text
    total = len(registry.tier("bronze"))
    assert f"0 of {total} modules completed (0%)" in before
    client.post(
        f"/api/v1/modules/{FIRST}/attempts",
        json={"answers": answers(module)},
        headers=bearer(client, user.email),
    )
    after = client.get("/dashboard").text
    assert f"1 of {total} modules completed ({percent(1, total)}%)" in after
    assert f"{duration(module.meta.cpd_minutes)}</strong> of CPD" in after


def test_module_page_and_dashboard_use_a_fixed_small_number_of_queries(
    client: TestClient, db: Session, registry: ContentRegistry, count_queries
) -> None:
    module = registry.get(FIRST)
    assert module is not None
    user = make_user(db)
    h = bearer(client, user.email)
    sign_in(client, user.email)
    client.get(f"/modules/{FIRST}/sections/1")

    def measure() -> tuple[int, int]:
        with count_queries() as page:
            assert client.get(f"/modules/{FIRST}/sections/1").status_code == 200
        with count_queries() as dash:
            assert client.get("/dashboard").status_code == 200
        return page.count, dash.count

    small = measure()
    for m in registry.tier("bronze")[:4]:  # more completed modules and attempts...
        for _ in range(2):
            client.post(
                f"/api/v1/modules/{m.slug}/attempts", json={"answers": answers(m)}, headers=h
            )
    large = measure()
    assert small == large  # ...the same number of statements
    assert large[0] <= 4, large
    assert large[1] <= 4, large
