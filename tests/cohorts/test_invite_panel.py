"""The trainer's invite panel shows the link as text a person can read and copy, not markup."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import get_settings
from tests.cohorts.factories import make_cohort, make_trainer
from tests.factories import sign_in


def test_the_invite_link_is_shown_as_a_link_with_a_copy_button(
    client: TestClient, db: Session
) -> None:
    trainer = make_trainer(db)
    cohort = make_cohort(db, lead=trainer)
    sign_in(client, trainer.email)
    page = client.get(f"/trainer/cohorts/{cohort.id}/members")
    assert page.status_code == 200
    assert "&lt;p&gt;" not in page.text
    assert "&lt;strong&gt;" not in page.text
    link = f"{get_settings().base_url}/cohorts/join/{cohort.invite_code}"
    assert f'id="invite-link">{link}</strong>' in page.text
    assert 'data-copy="#invite-link"' in page.text
