"""Earning a credential emails the holder where to download it and how anyone can verify it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from tests.admin.factories import emails_to
from tests.credentials.factories import earn_bronze


def test_earning_bronze_emails_the_holder_the_achievements_and_verification_links(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, _, listed = earn_bronze(client, db, registry, name="Grace Mensah")
    [mail] = emails_to(db, user.email)
    assert mail.subject == "You have earned QI Academy Bronze"
    assert "Hello Grace Mensah" in mail.body
    assert "CPD hours" in mail.body
    assert "http://testserver/achievements" in mail.body
    assert f"http://testserver/verify/{listed['id']}" in mail.body
    assert "valid until" not in mail.body  # Bronze does not expire
