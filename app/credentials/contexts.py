"""The JSON-LD contexts our documents use, bundled in contexts/: none is ever fetched over the network.

Sources: the W3C VC 2.0, DID 1.0 and Multikey contexts as the Digital Bazaar context packages ship
them (tests/verifier/package.json pins the versions), and the Open Badges 3.0.3 and extensions
contexts from tests/data/conformance/openbadges (SOURCES.md there).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines 1EdTechRevocationList and 1EdTechJsonSchemaValidator2019, which the credentials use.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

DIRECTORY = Path(__file__).with_name("contexts")
FILES = {
    VC_CONTEXT_V2: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-v3p0-context-3.0.3.json",
    OB_EXTENSIONS_CONTEXT: "ob-v3p0-extensions.json",
    DID_CONTEXT: "did-v1.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
}


class UnknownContext(Exception):
    """A document names a context we do not bundle (and we never fetch one)."""


@lru_cache(maxsize=len(FILES))
def context(url: str) -> dict[str, Any]:
    name = FILES.get(url)
    if name is None:
        raise UnknownContext(f"no bundled JSON-LD context for {url}")
    document: dict[str, Any] = json.loads((DIRECTORY / name).read_text(encoding="utf-8"))
    return document


def document_loader(url: str, options: object = None) -> dict[str, Any]:  # noqa: ARG001
    """A PyLD document loader that answers from the bundle and refuses everything else."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": context(url),
    }
