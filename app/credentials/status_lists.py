"""Status lists: the 1EdTech Revocation List every credential's credentialStatus names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.credentials.openbadges import REVOCATION_LIST_TYPE, revocation_list_url


@dataclass(frozen=True, kw_only=True)
class RevocationEntry:
    credential_id: str
    revoked: bool
    reason: str | None = None


def build_revocation_list(
    *, base_url: str, issuer_id: str, entries: Iterable[RevocationEntry]
) -> dict[str, Any]:
    """The document published at revocation_list_url (1EdTech Revocation List Status Method).

    Only revoked credentials are listed: verifiers look a credential's id up in
    `revokedCredentials`, and listing every issued credential would publish the whole roster.
    """
    revoked = [_revoked_item(entry) for entry in entries if entry.revoked]
    return {
        "id": revocation_list_url(base_url=base_url),
        "issuer": issuer_id,
        "revokedCredentials": sorted(revoked, key=lambda item: item["id"]),
    }


def _revoked_item(entry: RevocationEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.credential_id, "revoked": True}
    if entry.reason:
        item["revocationReason"] = entry.reason
    return item


def revocation_check(
    payload: Mapping[str, Any], revocation_list: Mapping[str, Any]
) -> tuple[bool, str]:
    """Whether the credential `payload` is not revoked by `revocation_list`, and why."""
    status = payload.get("credentialStatus")
    if not isinstance(status, Mapping) or status.get("type") != REVOCATION_LIST_TYPE:
        return (True, "no revocation list named")
    for entry in revocation_list.get("revokedCredentials", []):
        # Same rule as the 1EdTech validator: listed, and revoked true or omitted.
        if entry.get("id") == payload.get("id") and entry.get("revoked", True):
            reason = entry.get("revocationReason")
            return (False, f"revoked: {reason}" if reason else "revoked")
    return (True, "not on the revocation list")
