"""Baked badges: one uncompressed iTXt chunk in the PNG, one openbadges:credential in the SVG."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

from app.credentials.achievements import Achievement
from app.credentials.baking import (
    OB_NS,
    SVG_NS,
    BakingError,
    bake_png,
    bake_svg,
    unbake_png,
    unbake_svg,
)
from tests.credentials.conftest import OB3

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3FpLmV4YW1wbGUifQ.c2lnbmF0dXJl"
OTHER_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL290aGVyIn0.b3RoZXI"


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        chunks.append((kind, png[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def _credential_chunks(png: bytes) -> list[bytes]:
    return [
        data
        for kind, data in _chunks(png)
        if kind == b"iTXt" and data.split(b"\0", 1)[0] == b"openbadgecredential"
    ]


@pytest.fixture
def badge_png(achievements: dict[str, Achievement]) -> bytes:
    return achievements["bronze"].png.read_bytes()


@pytest.fixture
def badge_svg(achievements: dict[str, Achievement]) -> bytes:
    return achievements["gold"].image.read_bytes()


# --- PNG ------------------------------------------------------------------------------------


def test_png_round_trip_with_exactly_one_uncompressed_itxt_chunk(badge_png: bytes) -> None:
    baked = bake_png(badge_png, credential=JWT)

    [chunk] = _credential_chunks(baked)
    _keyword, rest = chunk.split(b"\0", 1)
    assert rest[0] == 0  # compression flag: uncompressed
    assert rest[1] == 0  # compression method
    assert rest[2:] == b"\0\0" + JWT.encode()  # empty language tag and translated keyword
    assert unbake_png(baked) == JWT
    assert _chunks(baked)[-2][0] == b"iTXt"  # just before IEND
    assert _chunks(baked)[-1][0] == b"IEND"


def test_baked_png_still_decodes_to_the_same_pixels(badge_png: bytes) -> None:
    baked = bake_png(badge_png, credential=JWT)

    with Image.open(io.BytesIO(baked)) as image, Image.open(io.BytesIO(badge_png)) as original:
        image.load()
        assert image.size == (512, 512)
        assert image.tobytes() == original.tobytes()
        assert image.text.get("openbadgecredential") == JWT  # Pillow reads the chunk too


def test_rebaking_replaces_the_credential(badge_png: bytes) -> None:
    baked = bake_png(bake_png(badge_png, credential=JWT), credential=OTHER_JWT)

    assert len(_credential_chunks(baked)) == 1
    assert unbake_png(baked) == OTHER_JWT


def test_png_without_a_credential_or_with_damage_is_refused(badge_png: bytes) -> None:
    with pytest.raises(BakingError, match="no openbadgecredential"):
        unbake_png(badge_png)
    with pytest.raises(BakingError, match="not a PNG"):
        unbake_png(b"GIF89a...")
    damaged = bytearray(bake_png(badge_png, credential=JWT))
    damaged[40] ^= 0xFF  # inside IHDR: its CRC no longer matches
    with pytest.raises(BakingError, match="bad CRC"):
        unbake_png(bytes(damaged))


def test_a_compressed_chunk_from_another_issuer_is_still_read(badge_png: bytes) -> None:
    data = b"openbadgecredential\0\x01\x00\0\0" + zlib.compress(JWT.encode())
    chunk = (
        struct.pack(">I", len(data))
        + b"iTXt"
        + data
        + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    )
    png = badge_png[:-12] + chunk + badge_png[-12:]

    assert unbake_png(png) == JWT


def test_the_1edtech_validator_fixture_unbakes_to_its_jwt() -> None:
    fixture = (OB3 / "validator-fixtures" / "simple-jwt.png").read_bytes()
    expected = (
        (OB3 / "jwt-vectors" / "ob3_vcdm2_simple_from-simple-jwt-png.jwt").read_text().strip()
    )

    assert unbake_png(fixture) == expected


# --- SVG ------------------------------------------------------------------------------------


def test_svg_round_trip_puts_one_credential_first_in_the_svg(badge_svg: bytes) -> None:
    baked = bake_svg(badge_svg, credential=JWT)

    root = ET.fromstring(baked)  # well-formed XML
    credentials = list(root.iter(f"{{{OB_NS}}}credential"))
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert len(credentials) == 1
    assert root[0] is credentials[0]
    assert credentials[0].get("verify") == JWT
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert unbake_svg(baked) == JWT


def test_baked_svg_keeps_its_accessible_name(badge_svg: bytes) -> None:
    root = ET.fromstring(bake_svg(badge_svg, credential=JWT))

    assert root.get("role") == "img"
    assert root.find(f"{{{SVG_NS}}}title").text == "QI Academy Gold badge"


def test_rebaking_an_svg_replaces_the_credential(badge_svg: bytes) -> None:
    baked = bake_svg(bake_svg(badge_svg, credential=JWT), credential=OTHER_JWT)

    assert baked.count(b"openbadges:credential") == 1
    assert unbake_svg(baked) == OTHER_JWT


def test_svg_with_entities_or_without_a_credential_is_refused(badge_svg: bytes) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'

    with pytest.raises(BakingError):
        unbake_svg(bomb)
    with pytest.raises(BakingError, match="no openbadges:credential"):
        unbake_svg(badge_svg)
    with pytest.raises(BakingError, match="not an SVG"):
        bake_svg(b"<html/>", credential=JWT)


def test_the_1edtech_validator_svg_fixture_unbakes() -> None:
    fixture = Path(OB3 / "validator-fixtures" / "simple-jwt.svg").read_bytes()

    assert unbake_svg(fixture).count(".") == 2
