"""Handing a credential to a digital wallet: the Learner Credential Wallet's request link and QR
code, and the VC-API exchange it opens.

The Learner Credential Wallet (Digital Credentials Consortium) opens a "wallet API request": its
universal link `https://lcw.app/request?request=` (or the `dccrequest://request?request=` deep
link) carrying `{"credentialRequestOrigin": ..., "protocols": {"vcapi": <exchange URL>}}`. The
wallet POSTs to the exchange URL and, when the answer asks nothing more (no
`verifiablePresentationRequest`), takes the credentials in the `verifiablePresentation` it gets.
The credential is public at its own URL already, so the exchange asks for no DID authentication.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote, urlsplit
from uuid import UUID

import segno

from app.credentials.contexts import VC_CONTEXT_V2

LCW_UNIVERSAL_LINK = "https://lcw.app/request"
LCW_DEEP_LINK = "dccrequest://request"


def exchange_url(*, base_url: str, credential_id: UUID) -> str:
    """Under /api/v1: a JSON endpoint a wallet app posts to (no cookie, so no CSRF token)."""
    return f"{base_url.rstrip('/')}/api/v1/credentials/{credential_id}/exchange"


def wallet_request(*, base_url: str, credential_id: UUID) -> dict[str, Any]:
    parts = urlsplit(base_url)
    return {
        "credentialRequestOrigin": f"{parts.scheme}://{parts.netloc}",
        "protocols": {"vcapi": exchange_url(base_url=base_url, credential_id=credential_id)},
    }


def _encoded(base_url: str, credential_id: UUID) -> str:
    request = wallet_request(base_url=base_url, credential_id=credential_id)
    return quote(json.dumps(request, separators=(",", ":")), safe="")


def universal_link(*, base_url: str, credential_id: UUID) -> str:
    """Opens the Learner Credential Wallet on a phone that has it (its site otherwise)."""
    return f"{LCW_UNIVERSAL_LINK}?request={_encoded(base_url, credential_id)}"


def deep_link(*, base_url: str, credential_id: UUID) -> str:
    return f"{LCW_DEEP_LINK}?request={_encoded(base_url, credential_id)}"


def qr_svg(*, base_url: str, credential_id: UUID) -> bytes:
    """The universal link as a QR code (SVG), for a phone's camera or the wallet's scanner."""
    out = io.BytesIO()
    link = universal_link(base_url=base_url, credential_id=credential_id)
    segno.make(link, error="m", micro=False).save(
        out, kind="svg", scale=4, border=4, title="QR code to add this credential to a wallet"
    )
    return out.getvalue()


def exchange_response(document: dict[str, Any]) -> dict[str, Any]:
    """What the exchange answers: the credential in an (unsigned) Verifiable Presentation."""
    return {
        "verifiablePresentation": {
            "@context": [VC_CONTEXT_V2],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [document],
        }
    }
