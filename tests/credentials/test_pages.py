"""The learner's pages: My achievements (downloads, progress, claiming), the dashboard link, and a
fixed number of queries however many credentials a learner holds."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from app.credentials import service
from tests.credentials.factories import complete_modules, credential_count, earn_bronze
from tests.factories import csrf_token, make_user, sign_in


def test_achievements_page_lists_the_badge_with_every_download(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry)
    sign_in(client, user.email)

    page = client.get("/achievements")

    assert page.status_code == 200
    assert "<h1>My achievements</h1>" in page.text
    assert "QI Academy Bronze" in page.text
    assert "Valid" in page.text
    for suffix in (".pdf", ".png", ".svg", ".jsonld", ".jwt"):
        assert f'href="/credentials/{listed["id"]}{suffix}"' in page.text
    assert listed["links"]["verify"] in page.text
    # Add to a digital wallet: the wallet link and its QR code.
    assert "Add to a digital wallet" in page.text
    assert f'href="{listed["links"]["wallet"]}"' in page.text
    assert f'src="/credentials/{listed["id"]}/wallet-qr.svg"' in page.text
    assert 'href="/me/cpd-record.pdf"' in page.text
    assert 'href="/me/cpd-record.csv"' in page.text


def test_achievements_page_shows_progress_towards_bronze(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    sign_in(client, user.email)

    page = client.get("/achievements")

    total = len(registry.tier("bronze"))
    assert f"You have completed 0 of {total}." in page.text
    assert "Get my QI Academy Bronze badge" not in page.text


def test_a_learner_who_finished_bronze_before_badges_existed_can_claim_it(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry)
    sign_in(client, user.email)
    page = client.get("/achievements")
    assert "Get my QI Academy Bronze badge" in page.text

    claimed = client.post(
        "/achievements/claim",
        data={"tier": "bronze", "csrf_token": csrf_token(client, "/achievements")},
        follow_redirects=False,
    )
    again = client.post(
        "/achievements/claim",
        data={"tier": "bronze", "csrf_token": csrf_token(client, "/achievements")},
        follow_redirects=False,
    )

    assert claimed.status_code == 303
    assert again.status_code == 303
    assert credential_count(db, user_id=user.id) == 1
    assert "Get my QI Academy Bronze badge" not in client.get("/achievements").text


def test_claiming_before_finishing_bronze_says_what_to_do(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user = make_user(db)
    complete_modules(db, user_id=user.id, registry=registry, skip_last=True)
    sign_in(client, user.email)

    r = client.post(
        "/achievements/claim",
        data={"tier": "bronze", "csrf_token": csrf_token(client, "/achievements")},
    )

    assert r.status_code == 422
    assert "Error: My achievements" in r.text
    assert "once you have completed every Bronze module" in r.text
    assert credential_count(db, user_id=user.id) == 0


def test_a_revoked_badge_shows_its_reason_and_cannot_be_claimed_again(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry)
    admin = make_user(db, roles=[Role.ADMIN])
    credential = service.get(db, credential_id=uuid.UUID(listed["id"]))
    service.revoke(db, credential=credential, actor=admin, reason="Issued in error")
    sign_in(client, user.email)

    page = client.get("/achievements")

    assert "Revoked" in page.text
    assert "Issued in error" in page.text
    assert "was revoked. If you think this is wrong" in page.text
    assert "Get my QI Academy Bronze badge" not in page.text


def test_dashboard_links_to_my_achievements(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db).email)

    page = client.get("/dashboard")

    assert 'href="/achievements"' in page.text


def test_achievements_page_query_count_does_not_grow_with_credentials(
    client: TestClient,
    db: Session,
    registry: ContentRegistry,
    count_queries,  # type: ignore[no-untyped-def]
) -> None:
    user, _, _ = earn_bronze(client, db, registry)
    sign_in(client, user.email)
    with count_queries() as one:
        client.get("/achievements")
    complete_modules(db, user_id=user.id, registry=registry, tier="gold")
    service.issue(db, user_id=user.id, achievement_slug="gold", registry=registry)
    service.issue(db, user_id=user.id, achievement_slug="gold", registry=registry, reissue=True)
    db.flush()

    with count_queries() as three:
        page = client.get("/achievements")

    assert page.text.count("qia-badge") == 2
    assert "Replaced credentials" in page.text
    assert three.count == one.count


def test_a_name_the_certificate_cannot_draw_is_pointed_out(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db, name="王小明 (Wang)").email)

    page = client.get("/achievements")

    assert "Your name may not print in full" in page.text
    assert "小明王" in page.text
