"""The certificate and the CPD record are tagged PDFs (PDF/UA-1), read back with pikepdf.

What a screen reader relies on: a structure tree with headings, paragraphs, a table with header
cells and figures with alternative text; every text run on every page either in that tree (marked
content with an MCID the tree points to) or marked as an artifact (the running footer); the
document language; the title shown instead of the file name; XMP metadata that names the title
and claims PDF/UA-1.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pikepdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.orm import Session

from app.content.registry import ContentRegistry
from app.credentials.achievements import Achievement
from app.credentials.certificate import CpdActivity, certificate_pdf, cpd_record_pdf
from tests.credentials.factories import earn_bronze, path_of
from tests.factories import sign_in

LEARNER = "Siobhán O'Connor-Ødegård"
VERIFY_URL = "https://qi-academy.example.org/verify/0b6f3c1e-7a4d-4e59-9a51-2f8f0c7d9b3a"
MODULES = [
    CpdActivity(
        completed_on=date(2026, 10, 1 + i), title=f"Module {i}", tier="bronze", cpd_minutes=30
    )
    for i in range(4)
]
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


@dataclass
class Tree:
    """The structure tree, flattened: element types, alt texts, and the MCIDs each page uses."""

    types: Counter[str] = field(default_factory=Counter)
    figures: list[str] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)
    mcids: set[tuple[int, int]] = field(default_factory=set)  # (page object number, MCID)


def _tree(pdf: pikepdf.Pdf) -> Tree:
    tree = Tree()
    root = pdf.Root.StructTreeRoot

    def walk(node: pikepdf.Object, page: int | None) -> None:
        if isinstance(node, int):  # a bare MCID on the element's own page
            assert page is not None
            tree.mcids.add((page, int(node)))
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        if node.get("/Type") == "/MCR":
            mcr_page = node.get("/Pg")
            tree.mcids.add((mcr_page.objgen[0] if mcr_page else page, int(node.MCID)))  # type: ignore[arg-type]
            return
        if "/S" in node:
            kind = str(node.S)[1:]
            tree.types[kind] += 1
            if kind == "Figure":
                tree.figures.append(str(node.get("/Alt", "")))
            if kind in {"H", "H1", "H2", "H3"}:
                tree.headings.append((kind, str(node.get("/T", ""))))
        own_page = node.get("/Pg")
        page = own_page.objgen[0] if own_page is not None else page
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if kid is not None:
                walk(kid, page)

    walk(root, None)
    return tree


@dataclass
class Runs:
    tagged: int = 0
    artifacts: list[str] = field(default_factory=list)
    untagged: int = 0
    mcids: set[tuple[int, int]] = field(default_factory=set)


def _text_runs(pdf: pikepdf.Pdf) -> Runs:
    """Every text-showing operator of every page, by the marked content it sits in."""
    runs = Runs()
    for page in pdf.pages:
        number = page.obj.objgen[0]
        stack: list[tuple[str, int | None]] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                tag, props = str(operands[0]), operands[1]
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                stack.append((tag, int(mcid) if mcid is not None else None))
                if mcid is not None:
                    runs.mcids.add((number, int(mcid)))
            elif op == "BMC":
                stack.append((str(operands[0]), None))
            elif op == "EMC":
                stack.pop()
            elif op in TEXT_OPERATORS:
                if any(tag == "/Artifact" for tag, _ in stack):
                    runs.artifacts.append(_shown(operands))
                elif any(mcid is not None for _, mcid in stack):
                    runs.tagged += 1
                else:
                    runs.untagged += 1
        assert not stack, "marked content left open at the end of a page"
    return runs


def _shown(operands: list[pikepdf.Object]) -> str:
    # Glyph ids in subset fonts, not characters: only their count is compared.
    return repr(operands)


def _check_document(data: bytes, *, title: str) -> tuple[pikepdf.Pdf, Tree, Runs]:
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert str(root.Lang) == "en-GB"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == title
        assert xmp["pdfuaid:part"] == "1"
    tree = _tree(pdf)
    runs = _text_runs(pdf)
    assert runs.tagged > 0
    assert runs.untagged == 0  # every text run is in the tree or an artifact
    assert runs.mcids <= tree.mcids  # and every tagged run is one the tree points to
    return pdf, tree, runs


@pytest.fixture(scope="module")
def certificate(achievements: dict[str, Achievement]) -> bytes:
    return certificate_pdf(
        learner_name=LEARNER,
        achievement_name="QI Academy Bronze",
        tier="bronze",
        modules=MODULES,
        issued_on=date(2026, 11, 21),
        issuer_name="QI Academy",
        certificate_id="0b6f3c1e-7a4d-4e59-9a51-2f8f0c7d9b3a",
        verification_url=VERIFY_URL,
        badge_image=achievements["bronze"].image,
    )


def test_certificate_is_tagged_with_headings_paragraphs_table_and_figures(
    certificate: bytes,
) -> None:
    _, tree, _ = _check_document(certificate, title=f"QI Academy Bronze CPD certificate: {LEARNER}")

    assert tree.types["H1"] == 1
    assert tree.types["H2"] == 1
    assert tree.types["P"] >= 5  # issuer, the award sentences, the total, the footer block
    assert tree.types["Table"] == 1
    assert tree.types["TH"] == 3  # Module, Completed, CPD minutes
    assert tree.types["TD"] == 3 * len(MODULES)
    assert tree.types["Link"] == 1  # the verification URL
    assert sorted(tree.figures) == sorted(
        ["QI Academy Bronze badge", f"QR code that opens the verification page {VERIFY_URL}"]
    )


def test_cpd_record_is_tagged_and_its_running_footer_is_an_artifact() -> None:
    many = MODULES * 6  # more than a page: the footer repeats, the table headings too
    data = cpd_record_pdf(
        learner_name=LEARNER,
        activities=many,
        generated_on=date(2026, 11, 21),
        issuer_name="QI Academy",
    )

    pdf, tree, runs = _check_document(data, title=f"CPD record: {LEARNER}")

    assert len(pdf.pages) > 1
    assert tree.types["H1"] == 1
    assert tree.types["H2"] == 1
    assert tree.types["Table"] == 1
    assert tree.types["TH"] == 7  # one header row in the tree, though printed on every page
    assert tree.types["TD"] == 7 * len(many)
    assert tree.types["P"] >= 3
    assert len(runs.artifacts) >= len(pdf.pages)  # the footer, on every page, is not content


def test_the_certificate_and_record_the_app_serves_are_tagged(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    user, headers, listed = earn_bronze(client, db, registry)

    certificate = client.get(path_of(listed["links"]["pdf"]), headers=headers)
    sign_in(client, user.email)
    record = client.get("/me/cpd-record.pdf")

    assert certificate.status_code == 200
    assert record.status_code == 200
    _, tree, _ = _check_document(
        certificate.content, title=f"QI Academy Bronze CPD certificate: {user.full_name}"
    )
    assert "QI Academy Bronze badge" in tree.figures
    _, tree, _ = _check_document(record.content, title=f"CPD record: {user.full_name}")
    assert tree.types["Table"] == 1


def test_certificates_stored_before_tagging_are_made_again_tagged(
    client: TestClient, db: Session, registry: ContentRegistry
) -> None:
    from sqlalchemy import select, update

    from app.credentials import rendering
    from app.credentials.models import Credential

    user, headers, listed = earn_bronze(client, db, registry)
    old = b"%PDF-1.7\n% an untagged certificate from before\n%%EOF\n"
    db.execute(update(Credential).where(Credential.user_id == user.id).values(certificate_pdf=old))
    db.flush()
    assert client.get(path_of(listed["links"]["pdf"]), headers=headers).content == old

    made, after = [], None
    while ids := rendering.rerender_stored(db, after=after, limit=2):  # in batches, to the end
        made += ids
        after = ids[-1]
    assert made == sorted(made)
    assert len(made) == len(set(made)) == db.scalar(select(func.count()).select_from(Credential))
    certificate = client.get(path_of(listed["links"]["pdf"]), headers=headers)
    _, tree, _ = _check_document(
        certificate.content, title=f"QI Academy Bronze CPD certificate: {user.full_name}"
    )
    assert "QI Academy Bronze badge" in tree.figures
