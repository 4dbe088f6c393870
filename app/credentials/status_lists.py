"""Status lists: the W3C Bitstring Status List new credentials name, and the 1EdTech Revocation
List that credentials issued before it name (still published, so they keep their status)."""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.credentials.openbadges import (
    BITSTRING_ENTRY_TYPE,
    REVOCATION_LIST_TYPE,
    VC_CONTEXT_V2,
    bitstring_status_list_url,
    format_datetime,
    revocation_list_url,
)

# The spec's minimum (16 KB of bits): with positions drawn at random, a position says nothing
# about when a credential was issued or to whom.
LIST_SIZE = 131_072


def random_index(taken: Collection[int]) -> int:
    """A free position, drawn uniformly (the database's unique constraint is the final guard)."""
    if len(taken) >= LIST_SIZE:
        raise RuntimeError("the Bitstring Status List is full")
    while (index := secrets.randbelow(LIST_SIZE)) in taken:
        pass
    return index


def encode_bits(set_positions: Iterable[int], *, size: int = LIST_SIZE) -> str:
    """The spec's encodedList: bit 0 is the first byte's most significant bit; GZIP, then
    multibase base64url without padding ("u")."""
    bits = bytearray(size // 8)
    for index in set_positions:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (start with u)")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bitstring_status_list_credential(
    *, base_url: str, issuer_id: str, revoked_positions: Iterable[int], valid_from: datetime
) -> dict[str, Any]:
    """The BitstringStatusListCredential (unsigned: the caller adds the Data Integrity proof)."""
    url = bitstring_status_list_url(base_url=base_url)
    return {
        "@context": [VC_CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked_positions),
        },
    }


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
    payload: Mapping[str, Any],
    revocation_list: Mapping[str, Any],
    revoked_positions: Collection[int] = frozenset(),
) -> tuple[bool, str]:
    """Whether the credential `payload` is not revoked, by whichever status method it names."""
    status = payload.get("credentialStatus")
    if isinstance(status, Mapping) and status.get("type") == BITSTRING_ENTRY_TYPE:
        try:
            index = int(status.get("statusListIndex", ""))
        except ValueError:
            return (False, "the status list position is not a number")
        if index in revoked_positions:
            return (False, "revoked (set in the Bitstring Status List)")
        return (True, "not set in the Bitstring Status List")
    if not isinstance(status, Mapping) or status.get("type") != REVOCATION_LIST_TYPE:
        return (True, "no revocation list named")
    for entry in revocation_list.get("revokedCredentials", []):
        # Same rule as the 1EdTech validator: listed, and revoked true or omitted.
        if entry.get("id") == payload.get("id") and entry.get("revoked", True):
            reason = entry.get("revocationReason")
            return (False, f"revoked: {reason}" if reason else "revoked")
    return (True, "not on the revocation list")
