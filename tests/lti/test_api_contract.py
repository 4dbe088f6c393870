"""openapi-core holds the learning-platform API and the tool's JWKS to the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.lti.models import LtiPlatform
from tests.api.test_openapi_core import Check, _all
from tests.api.test_openapi_core import check as check  # the validating fixture
from tests.factories import bearer, make_user


def test_platform_api_matches_the_document(
    client: TestClient, db: Session, registered: LtiPlatform, check: Check
) -> None:
    admin = bearer(client, make_user(db, roles=[Role.ADMIN]).email)
    learner = bearer(client, make_user(db).email)
    base = "/api/v1/admin/lti-platforms"
    codes = _all(
        check,
        client.get(base, headers=admin),
        client.get(f"{base}/{registered.id}", headers=admin),
        client.get(f"{base}/999999", headers=admin),
        client.get(base, headers=learner),
        client.get(base),
        client.get("/lti/jwks"),
    )
    assert codes == [200, 200, 404, 403, 401, 200]
