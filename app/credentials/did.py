"""did:web for the issuer: the DID derived from QIA_BASE_URL and the DID document it resolves to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


# JsonWebKey as the W3C Controlled Identifiers context defines it (the same IRIs), inline because
# no context we bundle defines it and none is ever fetched.
JSON_WEB_KEY_CONTEXT: dict[str, Any] = {
    "JsonWebKey": {
        "@id": "https://w3id.org/security#JsonWebKey",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
            "publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"},
        },
    }
}


def verification_method_id(*, did: str, multibase: str) -> str:
    return f"{did}#{multibase}"


def did_document(
    *, did: str, multibase_keys: Iterable[str], rsa_keys: Mapping[str, Mapping[str, str]] = {}
) -> dict[str, Any]:
    """Every Ed25519 proof key as a Multikey and every RSA key that signs the VC-JWT as a
    JsonWebKey (`rsa_keys`: thumbprint -> public JWK), retired ones included so old credentials
    still verify."""
    methods: list[dict[str, Any]] = [
        {
            "id": verification_method_id(did=did, multibase=key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in multibase_keys
    ]
    methods += [
        {
            "id": f"{did}#{thumbprint}",
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": dict(jwk),
        }
        for thumbprint, jwk in rsa_keys.items()
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT, *([JSON_WEB_KEY_CONTEXT] if rsa_keys else [])],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
