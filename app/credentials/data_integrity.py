"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C VC DI EdDSA), beside the VC-JWT.

The credential and the proof options are each canonicalised with RDF Dataset Canonicalization
(PyLD, URDNA2015, which RDFC-1.0 standardised), hashed with SHA-256, and the two hashes (options
first) are signed with Ed25519; the signature is multibase base58btc. Contexts come only from the
bundle (contexts.document_loader).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from app.credentials.contexts import document_loader
from app.credentials.openbadges import format_datetime

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"


def canonical(document: Mapping[str, Any]) -> str:
    """The document's RDF dataset as canonical N-Quads."""
    nquads: str = jsonld.normalize(
        dict(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    return nquads


def _hash_data(unsecured: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    config = {"@context": unsecured["@context"], **options}
    return (
        hashlib.sha256(canonical(config).encode("utf-8")).digest()
        + hashlib.sha256(canonical(unsecured).encode("utf-8")).digest()
    )


def add_proof(
    credential: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """The credential with one DataIntegrityProof (as an array: the OB 3.0 schema wants one)."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    signature = private_key.sign(_hash_data(unsecured, options))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**unsecured, "proof": [proof]}


def verify_proof(
    secured: Mapping[str, Any], *, resolve: Callable[[str], Ed25519PublicKey | None]
) -> tuple[bool, str]:
    """Whether the credential's eddsa-rdfc-2022 proof verifies with the key `resolve` names."""
    proofs = secured.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and len(proofs) == 1 else proofs
    if not isinstance(proof, Mapping):
        return False, "no Data Integrity proof"
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return False, f"not a {CRYPTOSUITE} {PROOF_TYPE}"
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return False, f"proofPurpose is not {PROOF_PURPOSE}"
    key = resolve(str(proof.get("verificationMethod")))
    if key is None:
        return False, f"{proof.get('verificationMethod')} is not a key the issuer publishes"
    value = str(proof.get("proofValue", ""))
    try:
        signature = base58.b58decode(value[1:]) if value.startswith("z") else b""
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        unsecured = {k: v for k, v in secured.items() if k != "proof"}
        key.verify(signature, _hash_data(unsecured, options))
    except (InvalidSignature, ValueError):
        return False, "the proof does not verify"
    return True, f"{CRYPTOSUITE} proof verified"
