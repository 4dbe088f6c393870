"""did:web for the issuer: the DID derived from QIA_BASE_URL and the DID document it resolves to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from app.credentials.contexts import DID_CONTEXT, MULTIKEY_CONTEXT


def did_web(*, base_url: str) -> str:
    """did:web method spec: the host (a port as %3A), then each path segment after a colon."""
    parts = urlsplit(base_url)
    host = quote(parts.netloc.lower(), safe="")  # "127.0.0.1:8000" -> "127.0.0.1%3A8000"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def document_path(*, base_url: str) -> str:
    """Where the DID document is served, relative to the app: did.json below a path, or .well-known."""
    return "/did.json" if urlsplit(base_url).path.strip("/") else "/.well-known/did.json"


def verification_method_id(*, did: str, multibase: str) -> str:
    return f"{did}#{multibase}"


def did_document(*, did: str, multibase_keys: Iterable[str]) -> dict[str, Any]:
    """Every Ed25519 proof key as a Multikey, retired ones included so old proofs still verify."""
    methods = [
        {
            "id": verification_method_id(did=did, multibase=key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in multibase_keys
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
