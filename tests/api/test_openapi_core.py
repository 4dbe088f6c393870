"""openapi-core, an independent validator, checks real responses against our OpenAPI document:
at least one operation per domain, its success and each kind of error it returns."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from openapi_core import Config, OpenAPI
from openapi_core.deserializing.media_types.util import json_loads, plain_loads
from openapi_core.testing import MockRequest, MockResponse
from sqlalchemy.orm import Session

from app.accounts.constants import Role
from app.content.registry import ContentRegistry
from tests.cohorts.factories import make_cohort, make_learner, make_trainer
from tests.factories import answers, bearer, make_user

Check = Callable[[httpx.Response], None]
# openapi-core parses only plain application/json as JSON: the credential documents' own types too.
READERS = {
    "application/jwk-set+json": json_loads,
    "application/jwk+json": json_loads,
    "application/ld+json": json_loads,
    "application/vc+jwt": plain_loads,
    "application/did+ld+json": json_loads,
    "application/did+json": json_loads,
    "image/svg+xml": plain_loads,
}


@pytest.fixture
def check(client: TestClient) -> Check:
    config = Config(extra_media_type_deserializers=READERS)
    spec = OpenAPI.from_dict(client.get("/openapi.json").json(), config=config)

    def validate(response: httpx.Response) -> None:
        request = response.request
        url = request.url
        mock_request = MockRequest(
            host_url=f"{url.scheme}://{url.netloc.decode()}",
            method=request.method.lower(),
            path=url.path,
            args=dict(url.params),
            headers=dict(request.headers),
            data=request.content or None,
            content_type=request.headers.get("content-type", "application/json"),
        )
        kind = response.headers.get("content-type", "").split(";")[0]
        mock_response = MockResponse(
            response.content,
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=kind,
        )
        spec.validate_response(mock_request, mock_response)

    return validate


def _all(check: Check, *responses: httpx.Response) -> list[int]:
    for r in responses:
        check(r)
    return [r.status_code for r in responses]


def test_accounts(client: TestClient, db: Session, check: Check) -> None:
    user = make_user(db)
    headers = bearer(client, user.email)
    bad = {
        "email": "not-an-email",
        "password": "x",
        "full_name": "",
        "organisation": "",
        "staff_group": "?",
    }
    assert _all(
        check,
        client.get("/api/v1/me", headers=headers),
        client.get("/api/v1/me"),
        client.post("/api/v1/auth/token", data={"username": user.email, "password": "wrong wrong"}),
        client.post("/api/v1/auth/register", json=bad),
        client.get("/api/v1/staff-groups"),
    ) == [200, 401, 401, 422, 200]


def test_learning_and_quizzes(
    client: TestClient, db: Session, registry: ContentRegistry, check: Check
) -> None:
    headers = bearer(client, make_user(db).email)
    module = registry.tier("bronze")[0]
    silver = registry.tier("silver")[0]
    assert _all(
        check,
        client.get("/api/v1/modules", headers=headers),
        client.get(f"/api/v1/modules/{module.slug}", headers=headers),
        client.get("/api/v1/modules/no-such-module", headers=headers),
        client.get(f"/api/v1/modules/{silver.slug}", headers=headers),
        client.post(
            f"/api/v1/modules/{module.slug}/attempts",
            json={"answers": answers(module)},
            headers=headers,
        ),
        client.post(
            f"/api/v1/modules/{module.slug}/attempts", json={"answers": {}}, headers=headers
        ),
        client.get("/api/v1/me/progress", headers=headers),
    ) == [200, 200, 404, 403, 201, 422, 200]


def test_analysis(client: TestClient, check: Check) -> None:
    assert _all(
        check,
        client.post("/api/v1/analysis", json={"method": "run_anhoej", "values": list(range(20))}),
        client.post("/api/v1/analysis", json={"method": "run_anhoej", "values": [1]}),
    ) == [200, 422]


def test_cohorts_and_awards(client: TestClient, db: Session, check: Check) -> None:
    lead = make_trainer(db)
    cohort = make_cohort(db, lead=lead)
    learner = make_learner(db, cohort)
    mine = bearer(client, learner.email)
    assert _all(
        check,
        client.get(f"/api/v1/cohorts/{cohort.id}/me", headers=mine),
        client.get(f"/api/v1/cohorts/{cohort.id}/dashboard", headers=mine),
        client.get(f"/api/v1/cohorts/{cohort.id}/dashboard", headers=bearer(client, lead.email)),
        client.get("/api/v1/cohorts/987654", headers=mine),
        client.post("/api/v1/cohorts/join", json={"code": "NOSUCHCODE"}, headers=mine),
    ) == [200, 403, 200, 404, 404]


def test_projects(client: TestClient, db: Session, check: Check) -> None:
    cohort = make_cohort(db, lead=make_trainer(db))
    learner = make_learner(db, cohort)
    headers = bearer(client, learner.email)
    made = client.post(
        "/api/v1/projects", json={"cohort_id": cohort.id, "title": "Fewer falls"}, headers=headers
    )
    again = client.post(
        "/api/v1/projects", json={"cohort_id": cohort.id, "title": "Again"}, headers=headers
    )
    assert _all(
        check,
        made,
        again,
        client.get(f"/api/v1/projects/{made.json()['id']}", headers=headers),
        client.get("/api/v1/projects", headers=headers),
    ) == [201, 409, 200, 200]


def test_credentials_reports_gold_admin_privacy_and_feedback(
    client: TestClient, db: Session, registry: ContentRegistry, check: Check
) -> None:
    learner = bearer(client, make_user(db).email)
    leader = bearer(client, make_user(db, roles=[Role.LEADER]).email)
    admin = bearer(client, make_user(db, roles=[Role.ADMIN]).email)
    module = registry.tier("bronze")[0]
    unknown = "00000000-0000-4000-8000-000000000000"
    codes = _all(
        check,
        client.get("/api/v1/me/credentials", headers=learner),
        client.get(f"/api/v1/credentials/{unknown}/verify"),
        client.get("/api/v1/reports/summary", headers=leader),
        client.get("/api/v1/reports/summary", headers=learner),
        client.get("/api/v1/gold/certifications", headers=leader),
        client.get("/api/v1/admin/users", headers=admin),
        client.get("/api/v1/admin/users", headers=learner),
        client.get("/api/v1/me/export", headers=learner),
        client.get(f"/api/v1/modules/{module.slug}/feedback", headers=learner),
    )
    assert codes == [200, 404, 200, 403, 200, 200, 403, 200, 404]  # no rating yet: 404


def test_the_validator_catches_a_response_that_breaks_the_document(
    client: TestClient, check: Check
) -> None:
    """A check that cannot fail proves nothing: a body missing `detail` is refused."""
    good = client.get("/api/v1/me")
    forged = httpx.Response(
        401,
        json={"error": "Unauthorized"},
        request=good.request,
        headers={"www-authenticate": "Bearer"},
    )
    with pytest.raises(Exception, match="detail"):
        check(forged)


def test_credential_documents_are_the_media_types_the_document_names(
    client: TestClient, db: Session, registry: ContentRegistry, check: Check
) -> None:
    """Keys, issuer, achievement, status list and each form of a credential, as really served."""
    from tests.credentials.factories import earn_bronze, path_of

    _, holder, listed = earn_bronze(client, db, registry)
    links = listed["links"]
    kid = path_of(client.get("/.well-known/jwks.json").json()["keys"][0]["kid"])
    responses = [
        client.get("/.well-known/jwks.json"),
        client.get(kid),
        client.get("/issuer"),
        client.get("/achievements/bronze"),
        client.get("/achievements/bronze/image.png"),
        client.get("/achievements/bronze/image.svg"),
        client.get("/status/revocations"),
        client.get(path_of(links["json"])),
        client.get(path_of(links["jwt"])),
        client.get(path_of(links["png"])),
        client.get(path_of(links["svg"])),
        client.get(path_of(links["pdf"]), headers=holder),
        client.get(path_of(links["pdf"])),
        client.get("/achievements/no-such-badge"),
    ]
    assert _all(check, *responses) == [*[200] * 12, 401, 404]
    assert [r.headers["content-type"].split(";")[0] for r in responses[:12]] == [
        "application/jwk-set+json",
        "application/jwk+json",
        "application/ld+json",
        "application/ld+json",
        "image/png",
        "image/svg+xml",
        "application/json",
        "application/ld+json",
        "application/vc+jwt",
        "image/png",
        "image/svg+xml",
        "application/pdf",
    ]
