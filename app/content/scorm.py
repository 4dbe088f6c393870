"""SCORM 1.2 export: one module as a zip (manifest, static HTML sections, a quiz SCO) for any LMS or ESR."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.content import glossary
from app.content.glossary import Glossary
from app.content.loader import LoadedModule
from app.content.schemas import TIER_NAMES
from app.core.timefmt import duration

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "scorm"
LAUNCH = "index.html"
# Copied into the package as they are: what the page needs, so it makes no request outside the zip.
ASSETS = ("scorm.css", "scorm.js")
# A fixed time stamp keeps the zip byte-for-byte the same for the same content version.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_GLOSSARY_HREF = re.compile(r'href="' + re.escape(glossary.href("")) + r'([a-z0-9-]+)"')


@dataclass(frozen=True)
class Package:
    filename: str
    data: bytes
    files: tuple[str, ...]  # every file in the zip but the manifest, as the manifest lists them


def _identifier(kind: str, slug: str) -> str:
    # xs:ID values must be NCNames: a slug may begin with a digit, so every id starts with a letter.
    return f"QIA-{kind}-{slug}"


def _in_package(html: str) -> str:
    """Glossary links point at the glossary in the page (the site's /glossary is not in the zip);
    links out open a new window, so following one does not unload the SCO and end the session."""
    html = _GLOSSARY_HREF.sub(r'href="#glossary-\1"', html)
    return html.replace('<a href="https://', '<a target="_blank" href="https://')


def _terms(module: LoadedModule, terms: Glossary) -> list[glossary.TermSource]:
    used = {m.group(1) for s in module.sections for m in _GLOSSARY_HREF.finditer(s.html)}
    return [t for t in terms.terms if t.id in used]


def _quiz(module: LoadedModule) -> dict[str, Any]:
    return {
        "pass_mark": module.meta.quiz.pass_mark,
        "questions": [
            {
                "id": q.id,
                "correct": sorted(q.correct_ids),
                "explanation": q.explanation,
            }
            for q in module.questions
        ],
    }


def _index_html(module: LoadedModule, terms: Glossary) -> str:
    meta = module.meta
    return _env.get_template("index.html").render(
        module=meta,
        tier_name=TIER_NAMES[meta.tier],
        cpd_time=duration(meta.cpd_minutes),
        pass_mark=meta.quiz.pass_mark,
        sections=[{"title": s.title, "html": _in_package(s.html)} for s in module.sections],
        references=[{"title": r.title, "url": str(r.url)} for r in meta.references],
        terms=_terms(module, terms),
        questions=module.questions,
        quiz=_quiz(module),
    )


def manifest_xml(module: LoadedModule, files: tuple[str, ...]) -> str:
    """imsmanifest.xml: SCORM 1.2 (IMS CP 1.1.2 + ADL CP): one organisation, one item, one SCO."""
    slug = module.slug
    return _env.get_template("imsmanifest.xml").render(
        ids={
            "manifest": _identifier("MANIFEST", slug),
            "organization": _identifier("ORG", slug),
            "item": _identifier("ITEM", slug),
            "resource": _identifier("SCO", slug),
        },
        version=module.content_hash[:12],
        title=f"QI Academy: {module.meta.title}",
        mastery_score=module.meta.quiz.pass_mark,
        launch=LAUNCH,
        files=files,
    )


def build_package(module: LoadedModule, terms: Glossary | None = None) -> Package:
    """The whole package in memory: the CLI writes it to a file, the admin route sends it."""
    contents: dict[str, bytes] = {LAUNCH: _index_html(module, terms or Glossary()).encode()}
    for name in ASSETS:
        contents[name] = (TEMPLATES / name).read_bytes()
    files = tuple(contents)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The manifest at the root of the zip, first: what the content packaging spec requires.
        for name, data in [
            ("imsmanifest.xml", manifest_xml(module, files).encode()),
            *contents.items(),
        ]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (
                0o644 << 16
            )  # readable once unzipped (the default is no permissions)
            archive.writestr(info, data)
    version = module.content_hash[:8]
    return Package(
        filename=f"qi-academy-{module.slug}-scorm12-{version}.zip",
        data=buffer.getvalue(),
        files=files,
    )


def write_package(module: LoadedModule, out_dir: Path, terms: Glossary | None = None) -> Path:
    package = build_package(module, terms)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / package.filename
    path.write_bytes(package.data)
    return path
