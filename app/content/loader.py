"""Reads content/<tier>/NN-slug.md files into validated, rendered modules, reporting file:line errors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.content import check
from app.content.glossary import Glossary, load_glossary
from app.content.render import Section, render_sections, split_sections
from app.content.schemas import TIERS, FrontMatter, QuestionSource

_FILE_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    explanation: str
    options: tuple[Option, ...]

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)


@dataclass(frozen=True)
class LoadedModule:
    meta: FrontMatter
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    content_hash: str
    path: Path
    body: str
    body_line: int = 1  # the file's line number of the body's first line, for file:line errors

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def tier(self) -> str:
        return self.meta.tier


@dataclass
class LoadResult:
    modules: list[LoadedModule] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # printed by `content check`, never fatal
    glossary: Glossary = field(default_factory=Glossary)


def option_id(question_id: str, text: str) -> str:
    """Stable, opaque option ids: they survive reordering and reveal nothing about correctness."""
    return hashlib.sha256(f"{question_id}\x00{text}".encode()).hexdigest()[:10]


def _questions(sources: list[QuestionSource]) -> tuple[Question, ...]:
    return tuple(
        Question(
            id=q.id,
            type=q.type,
            prompt=q.prompt,
            explanation=q.explanation,
            options=tuple(
                Option(
                    id=option_id(q.id, o.text), text=o.text, correct=o.correct, feedback=o.feedback
                )
                for o in q.options
            ),
        )
        for q in sources
    )


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """Follow a pydantic error location through the YAML node tree to the line it points at."""
    line = node.start_mark.line if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line
    return line


def _loc_text(loc: tuple[Any, ...]) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc)
    )


def load_file(path: Path, *, display: str) -> tuple[LoadedModule | None, list[str]]:
    raw = path.read_bytes()
    errors: list[str] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"{display}:1: file is not UTF-8 ({exc.reason})"]
    if not text.startswith("---\n"):
        return None, [f"{display}:1: file must start with '---' and YAML front matter"]
    end = text.find("\n---\n", 3)
    if end == -1:
        return None, [f"{display}:1: front matter is not closed with a '---' line"]
    fm_text, body = text[4 : end + 1], text[end + 5 :]
    body_line = fm_text.count("\n") + 3  # 1-based line of the first body line
    try:
        node = yaml.compose(fm_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(fm_text)
    except yaml.YAMLError as exc:
        # Where the broken construct began (an unclosed bracket) is more useful than where parsing gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 2
        return None, [
            f"{display}:{line}: YAML front matter does not parse: {getattr(exc, 'problem', exc)}"
        ]
    if not isinstance(data, dict):
        return None, [f"{display}:2: front matter must be a mapping of keys to values"]
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = _line_of(node, loc) + 2
            msg = err["msg"].removeprefix("Value error, ")
            errors.append(f"{display}:{where}: {_loc_text(loc) or 'front matter'}: {msg}")
        return None, errors

    m = _FILE_RE.match(path.name)
    if not m:
        errors.append(
            f"{display}:1: file name must look like NN-slug.md (two-digit order, then the slug)"
        )
    else:
        if int(m.group(1)) != meta.order:
            errors.append(
                f"{display}:{_line_of(node, ('order',)) + 2}: order is {meta.order} but the file name says {m.group(1)}"
            )
        if m.group(2) != meta.slug:
            errors.append(
                f"{display}:{_line_of(node, ('slug',)) + 2}: slug is '{meta.slug}' but the file name says '{m.group(2)}'"
            )
    if path.parent.name != meta.tier:
        errors.append(
            f"{display}:{_line_of(node, ('tier',)) + 2}: tier is '{meta.tier}' but the file is in {path.parent.name}/"
        )

    parts = split_sections(body)
    if not parts:
        errors.append(
            f"{display}:{body_line}: the body is empty; write sections that start with '## '"
        )
    for title, md, offset in parts:
        if not title:
            errors.append(
                f"{display}:{body_line + offset}: text before the first '## ' heading; start the body with a section heading"
            )
        elif not md.strip():
            errors.append(f"{display}:{body_line + offset}: section '{title}' has no text")
    if errors:
        return None, errors
    content_hash = hashlib.sha256(raw).hexdigest()
    sections = render_sections(content_hash, [(t, md) for t, md, _ in parts])
    return (
        LoadedModule(
            meta=meta,
            sections=sections,
            questions=_questions(meta.quiz.questions),
            content_hash=content_hash,
            path=path,
            body=body,
            body_line=body_line,
        ),
        [],
    )


def load_content(content_dir: Path) -> LoadResult:
    """Load every module and check what no single file can: unique slugs and orders, prerequisites."""
    result = LoadResult()
    base = content_dir.parent
    for tier in TIERS:
        for path in sorted((content_dir / tier).glob("*.md")):
            display = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
            module, errors = load_file(path, display=display)
            result.errors.extend(errors)
            if module:
                result.modules.append(module)
    _cross_check(result, base)
    result.glossary, glossary_problems = load_glossary(content_dir)
    result.errors.extend(glossary_problems)
    result.errors.extend(check.glossary_errors(result.modules, result.glossary, base))
    result.warnings.extend(check.reference_warnings(result.modules, base))
    return result


def _cross_check(result: LoadResult, base: Path) -> None:
    by_slug: dict[str, LoadedModule] = {}
    orders: dict[tuple[str, int], str] = {}
    rank: dict[str, int] = {t: i for i, t in enumerate(TIERS)}

    def where(m: LoadedModule) -> str:
        return str(m.path.relative_to(base)) if m.path.is_relative_to(base) else str(m.path)

    for m in result.modules:
        if m.slug in by_slug:
            result.errors.append(
                f"{where(m)}:2: slug '{m.slug}' is already used by {where(by_slug[m.slug])}"
            )
        by_slug[m.slug] = m
        key = (m.tier, m.meta.order)
        if key in orders:
            result.errors.append(
                f"{where(m)}:2: order {m.meta.order} is already used in {m.tier} by '{orders[key]}'"
            )
        orders[key] = m.slug
    for m in result.modules:
        for pre in m.meta.prerequisites:
            other = by_slug.get(pre)
            if other is None:
                result.errors.append(f"{where(m)}:2: prerequisite '{pre}' is not a module slug")
            elif rank[other.tier] > rank[m.tier]:
                result.errors.append(
                    f"{where(m)}:2: prerequisite '{pre}' is in a higher tier ({other.tier})"
                )
    for m in result.modules:  # a cycle would lock every module in it for ever
        seen: set[str] = set()
        stack = list(m.meta.prerequisites)
        while stack:
            s = stack.pop()
            if s == m.slug:
                result.errors.append(f"{where(m)}:2: prerequisites form a cycle back to '{m.slug}'")
                break
            if s in seen or s not in by_slug:
                continue
            seen.add(s)
            stack.extend(by_slug[s].meta.prerequisites)
