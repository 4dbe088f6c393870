"""The media types credential documents are served as, and their 200 responses in the OpenAPI
document, so a client (Schemathesis, a wallet) is told the type and shape it really receives."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
JSON_LD = "application/ld+json"
JWK = "application/jwk+json"
JWK_SET = "application/jwk-set+json"
# W3C VC-JOSE-COSE (IANA, 2024): a credential secured as a JWT whose payload is the credential.
# The JOSE header keeps typ JWT, which Open Badges 3.0 verifiers check.
VC_JWT = "application/vc+jwt"
HTML = "text/html"
PNG = "image/png"
SVG = "image/svg+xml"
PDF = "application/pdf"
DID_LD = "application/did+ld+json"  # DID Core: a DID document with an @context
DID_JSON = "application/did+json"  # DID Core: the plain JSON representation
# What each negotiated URL offers, in the order it prefers when the client does not care.
CREDENTIAL_FORMS = (JSON_LD, JSON, VC_JWT, HTML)
DID_FORMS = (DID_LD, DID_JSON, JSON_LD, JSON)

_STRING = {"type": "string"}
_PUBLIC_JWK: dict[str, Any] = {
    "type": "object",
    "required": ["kty", "kid"],
    "properties": {
        "kty": {"type": "string", "enum": ["RSA"]},
        "kid": _STRING,
        "n": _STRING,
        "e": _STRING,
        "alg": _STRING,
        "use": _STRING,
    },
}
_CONTEXT = {"type": "array", "items": {"type": ["string", "object"]}, "minItems": 1}
_TYPES = {"type": ["string", "array"], "items": _STRING}


def _linked_data(*required: str) -> dict[str, Any]:
    """A JSON-LD document: a @context, an id, a type, and the other members it must have."""
    return {
        "type": "object",
        "required": ["@context", "id", "type", *required],
        "properties": {"@context": _CONTEXT, "id": _STRING, "type": _TYPES},
    }


def ok(media_type: str, schema: dict[str, Any] | None, description: str) -> dict[int | str, Any]:
    """`responses=` for a route whose 200 is `media_type` (FastAPI's default says JSON).

    No schema for raw bytes (PNG, PDF): OpenAPI 3.1 describes binary content by its media type.
    """
    content = {"schema": schema} if schema is not None else {}
    return {200: {"description": description, "content": {media_type: content}}}


JWKS_RESPONSE = ok(
    JWK_SET,
    {
        "type": "object",
        "required": ["keys"],
        "properties": {"keys": {"type": "array", "items": _PUBLIC_JWK}},
    },
    "The public keys, retired ones included (RFC 7517 JWK Set)",
)
KEY_RESPONSE = ok(JWK, _PUBLIC_JWK, "One public key (RFC 7517 JWK)")
ISSUER_RESPONSE = ok(JSON_LD, _linked_data("name", "url"), "The issuer's Open Badges Profile")
ACHIEVEMENT_RESPONSE = ok(
    JSON_LD, _linked_data("name", "criteria"), "The Open Badges 3.0 Achievement"
)
CREDENTIAL_RESPONSE = ok(
    JSON_LD,
    _linked_data("issuer", "validFrom", "credentialSubject"),
    "The OpenBadgeCredential (VC Data Model 2.0); by Accept also the VC-JWT, or (browsers) a "
    "redirect to its verification page",
)
CREDENTIAL_RESPONSE[200]["content"][VC_JWT] = {"schema": _STRING}
CREDENTIAL_RESPONSE[303] = {"description": "Accept: text/html: the verification page"}
CREDENTIAL_RESPONSE[406] = {"description": "None of the Accept types is offered"}
REVOCATIONS_RESPONSE = ok(
    JSON,
    {
        "type": "object",
        "required": ["id", "issuer", "revokedCredentials"],
        "properties": {
            "id": _STRING,
            "issuer": _STRING,
            "revokedCredentials": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": _STRING,
                        "revoked": {"type": "boolean"},
                        "revocationReason": _STRING,
                    },
                },
            },
        },
    },
    "The 1EdTech Revocation List: only revoked credentials are listed",
)
DID_RESPONSE = ok(
    DID_LD,
    {
        "type": "object",
        "required": ["@context", "id", "verificationMethod", "assertionMethod"],
        "properties": {
            "@context": _CONTEXT,
            "id": _STRING,
            "verificationMethod": {"type": "array", "items": {"type": "object"}},
            "assertionMethod": {"type": "array", "items": _STRING},
        },
    },
    "The issuer's did:web DID document: Ed25519 proof keys as Multikeys, RSA keys as JsonWebKeys",
)
DID_RESPONSE[200]["content"][DID_JSON] = DID_RESPONSE[200]["content"][DID_LD]
STATUS_LIST_RESPONSE = ok(
    JSON_LD,
    _linked_data("issuer", "validFrom", "credentialSubject", "proof"),
    "The W3C BitstringStatusListCredential (revocation), with a Data Integrity proof",
)
JWT_RESPONSE = ok(VC_JWT, _STRING, "The signed credential, a VC-JWT (compact JWS)")


def _ranges(accept: str) -> list[tuple[str, float]]:
    """Accept's media ranges with their q values (RFC 9110 12.5.1); a bad q counts as 0."""
    ranges = []
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if kind:
            ranges.append((kind.lower(), q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range that matches `offer` (type/subtype over type/* over */*)."""
    major = offer.split("/")[0]
    for pattern in (offer, f"{major}/*", "*/*"):
        for kind, q in ranges:
            if kind == pattern:
                return q
    return 0.0


def negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """The offer the client wants most (ties go to the earlier offer); None if none is acceptable.

    No Accept header means anything: the first offer.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best = max(offers, key=lambda offer: _quality(offer, ranges))  # max keeps the first of ties
    return best if _quality(best, ranges) > 0 else None


PNG_RESPONSE = ok(PNG, None, "A PNG image")
SVG_RESPONSE = ok(SVG, _STRING, "An SVG image")
PDF_RESPONSE = ok(PDF, None, "A PDF document")
