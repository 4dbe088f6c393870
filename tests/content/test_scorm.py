"""SCORM 1.2 export: the manifest against the structure IMS CP 1.1.2 + ADL SCORM 1.2 documents, the CLI."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.orm import Session

from app.cli import main
from app.content import scorm
from app.content.loader import LoadedModule, LoadResult, load_content
from app.core.config import get_settings
from tests.admin.factories import admin_signed_in
from tests.scorm_tools import manifest_schema

CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")  # xs:ID / xs:IDREF values (ASCII is all we make)


@pytest.fixture(scope="module")
def content() -> LoadResult:
    result = load_content(get_settings().content_dir)
    assert result.errors == []
    return result


def manifest_problems(archive: zipfile.ZipFile) -> list[str]:
    """What the SCORM 1.2 Content Aggregation Model (CAM 1.2, ch. 2-3) requires of a one-SCO package."""
    problems: list[str] = []
    names = archive.namelist()
    if "imsmanifest.xml" not in names:
        return ["imsmanifest.xml is not at the root of the zip"]
    root = ET.fromstring(archive.read("imsmanifest.xml"))
    if root.tag != f"{CP}manifest":
        problems.append(f"root element is {root.tag}, not IMS CP 1.1.2's manifest")
    locations = (root.get(f"{XSI}schemaLocation") or "").split()
    for ns in (
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    ):
        if ns not in locations[::2]:
            problems.append(f"xsi:schemaLocation does not name {ns}")
    ids = [e.get("identifier") for e in root.iter() if e.get("identifier") is not None]
    for i in ids:
        if not NCNAME.match(str(i)):
            problems.append(f"identifier {i!r} is not an xs:ID")
    if len(ids) != len(set(ids)):
        problems.append(f"identifiers repeat: {ids}")
    metadata = root.find(f"{CP}metadata")
    if metadata is None or metadata.findtext(f"{CP}schema") != "ADL SCORM":
        problems.append("metadata/schema is not 'ADL SCORM'")
    if metadata is None or metadata.findtext(f"{CP}schemaversion") != "1.2":
        problems.append("metadata/schemaversion is not 1.2")
    orgs = root.find(f"{CP}organizations")
    resources = root.find(f"{CP}resources")
    if orgs is None or resources is None:
        return [*problems, "organizations and resources are both required"]
    children = [c.tag for c in root]
    if children.index(f"{CP}organizations") > children.index(f"{CP}resources"):
        problems.append("organizations must come before resources")
    by_id = {r.get("identifier"): r for r in resources.findall(f"{CP}resource")}
    organizations = orgs.findall(f"{CP}organization")
    if orgs.get("default") not in {o.get("identifier") for o in organizations}:
        problems.append(f"organizations/@default {orgs.get('default')!r} names no organization")
    items = [i for o in organizations for i in o.iter(f"{CP}item")]
    if not items:
        problems.append("no item to launch")
    for org in organizations:
        if not org.findtext(f"{CP}title"):
            problems.append("an organization has no title")
    for item in items:
        if not item.findtext(f"{CP}title"):
            problems.append(f"item {item.get('identifier')} has no title")
        resource = by_id.get(item.get("identifierref"))
        if resource is None:
            problems.append(f"item {item.get('identifier')} points at no resource")
            continue
        if resource.get(f"{ADLCP}scormtype") != "sco":
            problems.append("the launched resource is not adlcp:scormtype='sco'")
        mastery = item.findtext(f"{ADLCP}masteryscore")
        if mastery is not None and not (mastery.isdigit() and 0 <= int(mastery) <= 100):
            problems.append(f"adlcp:masteryscore {mastery!r} is not 0-100")
    for resource in by_id.values():
        if resource.get("type") != "webcontent":
            problems.append(f"resource type {resource.get('type')!r} is not 'webcontent'")
        listed = [f.get("href") for f in resource.findall(f"{CP}file")]
        if resource.get("href") not in listed:
            problems.append(f"the launch file {resource.get('href')} is not listed as a file")
        missing = [h for h in listed if h not in names]
        if missing:
            problems.append(f"listed but not in the zip: {missing}")
        unlisted = [n for n in names if n != "imsmanifest.xml" and n not in listed]
        if unlisted:
            problems.append(f"in the zip but not listed: {unlisted}")
    return problems


def _zip(module: LoadedModule, content: LoadResult) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(scorm.build_package(module, content.glossary).data))


def test_every_modules_manifest_has_the_structure_scorm_1_2_documents(content: LoadResult) -> None:
    for module in content.modules:
        assert manifest_problems(_zip(module, content)) == [], module.slug


def test_every_modules_manifest_validates_against_the_scorm_1_2_xsds(content: LoadResult) -> None:
    schema = manifest_schema()
    for module in content.modules:
        errors = [
            e.reason
            for e in schema.iter_errors(_zip(module, content).read("imsmanifest.xml").decode())
        ]
        assert errors == [], module.slug


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ('<file href="scorm.js"/>', '<files href="scorm.js"/>'),
        ('adlcp:scormtype="sco"', 'adlcp:scormtype="scorm"'),
        ('identifier="QIA-ITEM-', 'identifier="1-ITEM-'),
        ("<organizations ", "<organisations "),
    ],
)
def test_the_xsds_refuse_a_broken_manifest(content: LoadResult, good: str, bad: str) -> None:
    xml = _zip(content.modules[0], content).read("imsmanifest.xml").decode()
    assert good in xml
    broken = xml.replace(good, bad).replace(
        "</organizations>", "</organisations>" if "organisations" in bad else "</organizations>"
    )
    assert not manifest_schema().is_valid(broken)


def test_the_checker_catches_a_broken_manifest(content: LoadResult) -> None:
    """The structural check can fail: a resource missing a listed file and a dangling idref."""
    good = _zip(content.modules[0], content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        xml = good.read("imsmanifest.xml").decode()
        xml = xml.replace('identifierref="QIA-SCO-', 'identifierref="QIA-NOPE-')
        broken.writestr("imsmanifest.xml", xml)
        broken.writestr("index.html", good.read("index.html"))
        broken.writestr("extra.js", "")
    problems = manifest_problems(zipfile.ZipFile(buffer))
    assert any("points at no resource" in p for p in problems)
    assert any("listed but not in the zip" in p for p in problems)
    assert any("in the zip but not listed" in p for p in problems)


def test_the_package_carries_the_rendered_sections_quiz_and_pass_mark(content: LoadResult) -> None:
    module = next(m for m in content.modules if m.slug == "pdsa-cycles")
    archive = _zip(module, content)
    html = archive.read("index.html").decode()
    for section in module.sections:
        assert f">{escape(section.title)}</h2>" in html
        assert scorm._in_package(section.html) in html  # the app's own rendering, unchanged
    for question in module.questions:
        assert f'id="q-{question.id}"' in html
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.findtext(f".//{ADLCP}masteryscore") == str(module.meta.quiz.pass_mark)
    # Glossary links stay inside the page: the site's /glossary is not in the zip.
    assert 'href="/glossary' not in html
    for target in re.findall(r'href="#glossary-([a-z0-9-]+)"', html):
        assert f'id="glossary-{target}"' in html


def test_the_package_loads_nothing_from_outside_the_zip(content: LoadResult) -> None:
    for module in content.modules:
        archive = _zip(module, content)
        for name in archive.namelist():
            text = archive.read(name).decode()
            # Only a learner's click on a link may leave the package: no src, stylesheet, import or
            # url() may point anywhere else.
            assert not re.search(r'\bsrc="(?!scorm\.js")', text), (module.slug, name)
            assert not re.search(r'<link[^>]+href="(?!scorm\.css")', text), (module.slug, name)
            assert not re.search(r"url\(|@import|fetch\(|XMLHttpRequest", text), (module.slug, name)


def test_the_zip_is_the_same_for_the_same_content(content: LoadResult) -> None:
    module = content.modules[0]
    first = scorm.build_package(module, content.glossary)
    assert first.data == scorm.build_package(module, content.glossary).data
    assert first.filename == f"qi-academy-{module.slug}-scorm12-{module.content_hash[:8]}.zip"


def test_cli_writes_the_zip_to_the_folder_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "export-scorm", "pdsa-cycles", "--out", str(tmp_path / "out")]) == 0
    [written] = (tmp_path / "out").glob("*.zip")
    assert str(written) in capsys.readouterr().out
    assert manifest_problems(zipfile.ZipFile(written)) == []


def test_cli_names_the_slugs_when_the_slug_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "export-scorm", "no-such-module", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no module has the slug 'no-such-module'" in err
    assert "pdsa-cycles" in err
    assert list(tmp_path.iterdir()) == []


def test_the_sco_rounds_scores_as_the_site_does() -> None:
    """The SCO's percent() against Python's round(), which the site's marking uses, for 1-30 questions."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    source = (scorm.TEMPLATES / "scorm.js").read_text()
    function = re.search(r"  function percent\(.*?\n  }\n", source, re.S)
    assert function is not None
    script = function.group(0) + (
        "var out = {}; for (var n = 1; n <= 30; n++) for (var r = 0; r <= n; r++)"
        " out[r + '/' + n] = percent(r, n); console.log(JSON.stringify(out));"
    )
    got = json.loads(subprocess.run([node, "-e", script], capture_output=True, check=True).stdout)
    want = {f"{r}/{n}": round(100 * r / n) for n in range(1, 31) for r in range(n + 1)}
    assert got == want


def test_an_admin_downloads_the_same_package_the_cli_writes(
    client: TestClient, db: Session, content: LoadResult
) -> None:
    admin_signed_in(client, db)
    listing = client.get("/admin/scorm")
    assert listing.status_code == 200
    assert 'href="/admin/scorm/pdsa-cycles.zip"' in listing.text
    r = client.get("/admin/scorm/pdsa-cycles.zip")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    module = next(m for m in content.modules if m.slug == "pdsa-cycles")
    package = scorm.build_package(module, content.glossary)
    assert f'filename="{package.filename}"' in r.headers["content-disposition"]
    assert r.content == package.data
    assert manifest_problems(zipfile.ZipFile(io.BytesIO(r.content))) == []


def test_an_unknown_module_is_a_404_that_says_so(client: TestClient, db: Session) -> None:
    admin_signed_in(client, db)
    r = client.get("/admin/scorm/no-such-module.zip")
    assert r.status_code == 404
    assert "There is no module called" in r.text


def test_cli_says_so_when_out_is_not_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["content", "export-scorm", "pdsa-cycles", "--out", str(blocker)]) == 1
    assert f"cannot write to {blocker}" in capsys.readouterr().err
