"""Credentials: what other domains, the routes and the CLI call (issue, read, verify, revoke).

The work is done in one module per responsibility; this module is the domain's one front door,
so callers keep `from app.credentials import service as credentials_service`.
"""

from __future__ import annotations

from app.credentials.catalogue import (
    achievement,
    achievement_document,
    achievement_for_tier,
    achievement_image,
    base_url,
    issuer,
    issuer_document,
    issuer_image,
)
from app.credentials.issuing import (
    create,
    earned_modules,
    history,
    issue,
    same_basis,
    subject_id_for,
)
from app.credentials.records import (
    active_for,
    check_published,
    get,
    holder_erased,
    links,
    list_for_user,
    status_of,
    to_public,
)
from app.credentials.rendering import (
    ISSUER_NAME,
    baked,
    certificate,
    cpd_activities,
    cpd_record,
    cpd_record_name,
    download_name,
    render_certificate,
)
from app.credentials.revocation import (
    bitstring_status_list,
    check_may_manage,
    may_manage,
    may_revoke,
    revocation_list,
    revoke,
)
from app.credentials.signing import did_document, jwks, keyring, public_key, rotate_keys
from app.credentials.verification import verify, verify_token
from app.credentials.wallet import exchange_response, qr_svg

__all__ = [
    "ISSUER_NAME",
    "achievement",
    "achievement_document",
    "achievement_for_tier",
    "achievement_image",
    "active_for",
    "baked",
    "base_url",
    "bitstring_status_list",
    "certificate",
    "check_may_manage",
    "check_published",
    "cpd_activities",
    "cpd_record",
    "cpd_record_name",
    "create",
    "did_document",
    "download_name",
    "earned_modules",
    "exchange_response",
    "get",
    "history",
    "holder_erased",
    "issue",
    "issuer",
    "issuer_document",
    "issuer_image",
    "jwks",
    "keyring",
    "links",
    "list_for_user",
    "may_manage",
    "may_revoke",
    "public_key",
    "qr_svg",
    "render_certificate",
    "revocation_list",
    "revoke",
    "rotate_keys",
    "same_basis",
    "status_of",
    "subject_id_for",
    "to_public",
    "verify",
    "verify_token",
]
