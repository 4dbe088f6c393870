"""Baked badges: put a signed credential inside the badge image (PNG iTXt, SVG element) and back out.

Per OB 3.0 docformat.md. PNG chunks are written by hand (length, type, data, CRC-32) because
re-saving through Pillow would re-encode the artwork and could drop or reorder chunks.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from xml.dom.minidom import Document, Element, Text
from xml.parsers.expat import ExpatError

import defusedxml.minidom as SafeMinidom
from defusedxml import DefusedXmlException

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NS = "http://www.w3.org/2000/svg"
OB_NS = "https://purl.imsglobal.org/ob/v3p0"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
_MAX_CHUNK = 2**31 - 1  # PNG spec limit on a chunk's length


class BakingError(ValueError):
    """The image is not one we can bake into or read a credential from."""


# --- PNG ------------------------------------------------------------------------------------


def bake_png(png: bytes, *, credential: str) -> bytes:
    """Return the PNG with exactly one uncompressed `openbadgecredential` iTXt chunk before IEND."""
    chunks = [c for c in _chunks(png) if not _is_credential_chunk(c[0], c[1])]
    out = [PNG_SIGNATURE]
    for chunk_type, data in chunks:
        if chunk_type == b"IEND":
            # Any existing credential was dropped above: the spec allows only one.
            out.append(_chunk(b"iTXt", _itxt(credential)))
        out.append(_chunk(chunk_type, data))
    return b"".join(out)


def unbake_png(png: bytes) -> str:
    """The text of the first `openbadgecredential` iTXt chunk (a compact JWS for our badges)."""
    for chunk_type, data in _chunks(png):
        if _is_credential_chunk(chunk_type, data):
            return _itxt_text(data)
    raise BakingError("the PNG holds no openbadgecredential iTXt chunk")


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, data) for each chunk, checking structure and CRCs; stops after IEND."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file")
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(png):
        length, chunk_type = struct.unpack(">I4s", png[offset : offset + 8])
        end = offset + 12 + length
        if length > _MAX_CHUNK or end > len(png):
            raise BakingError(f"PNG chunk {chunk_type!r} is truncated")
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : end])
        if zlib.crc32(chunk_type + data) != crc:
            raise BakingError(f"PNG chunk {chunk_type!r} has a bad CRC")
        yield chunk_type, data
        if chunk_type == b"IEND":
            return
        offset = end
    raise BakingError("PNG has no IEND chunk")


def _chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def _itxt(text: str) -> bytes:
    # keyword NUL, compression flag 0 + method 0, empty language tag NUL, empty translation NUL.
    return PNG_KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def _is_credential_chunk(chunk_type: bytes, data: bytes) -> bool:
    return chunk_type == b"iTXt" and data.split(b"\x00", 1)[0] == PNG_KEYWORD


def _itxt_text(data: bytes) -> str:
    try:
        _keyword, rest = data.split(b"\x00", 1)
        flag, method, rest = rest[0], rest[1], rest[2:]
        _language, _translated, text = rest.split(b"\x00", 2)
        if flag:
            # Our badges are never compressed (the spec forbids it); be lenient reading others'.
            if method != 0:
                raise BakingError("unknown iTXt compression method")
            text = zlib.decompress(text)
        return text.decode("utf-8")
    except (IndexError, ValueError, zlib.error) as exc:
        raise BakingError(f"malformed openbadgecredential iTXt chunk: {exc}") from exc


# --- SVG ------------------------------------------------------------------------------------


def bake_svg(svg: bytes | str, *, credential: str) -> bytes:
    """Return the SVG with one <openbadges:credential verify="JWS"> as the root's first child.

    Edited as a DOM (not re-serialised through ElementTree) so the artwork's own prefixes,
    comments and DOCTYPE come through unchanged.
    """
    document, root = _parse_svg(svg)
    for old in list(document.getElementsByTagNameNS(OB_NS, "credential")):
        if old.parentNode is not None:
            old.parentNode.removeChild(old)
    declared = root.getAttribute("xmlns:openbadges")
    if declared and declared != OB_NS:
        raise BakingError(f"the SVG binds the openbadges prefix to {declared!r}")
    root.setAttributeNS(XMLNS_NS, "xmlns:openbadges", OB_NS)
    element = document.createElementNS(OB_NS, "openbadges:credential")
    element.setAttribute("verify", credential)
    root.insertBefore(element, root.firstChild)
    return document.toxml(encoding="UTF-8")


def unbake_svg(svg: bytes | str) -> str:
    """The credential in the first <openbadges:credential>: its verify attribute or its text."""
    document, _root = _parse_svg(svg)
    elements = document.getElementsByTagNameNS(OB_NS, "credential")
    if not elements:
        raise BakingError("the SVG holds no openbadges:credential element")
    element = elements[0]
    text = "".join(node.data for node in element.childNodes if isinstance(node, Text)).strip()
    value = element.getAttribute("verify") or text
    if not value:
        raise BakingError("the openbadges:credential element is empty")
    return value


def _parse_svg(svg: bytes | str) -> tuple[Document, Element]:
    try:
        # defusedxml: uploaded badges are untrusted, so no entities and no external references
        # (a plain DOCTYPE, as drawing programs write, is harmless and allowed).
        document = SafeMinidom.parseString(svg)
    except (ExpatError, DefusedXmlException) as exc:
        raise BakingError(f"not well-formed XML: {exc}") from exc
    root = document.documentElement
    if root is None or root.namespaceURI != SVG_NS or root.localName != "svg":
        raise BakingError("the root element is not an SVG <svg>")
    return document, root
