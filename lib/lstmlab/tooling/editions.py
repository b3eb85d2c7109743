"""The translated editions: solutions/<lang>/ and lessons/<lang>/ from solutions/ + translations/.

A translated solution is the English one with every segment (tooling/segments.py) replaced by its
catalog translation, one line in front of its first code cell that switches the lesson's messages to
the edition's language, and `metadata.lstmlab.edition`. Code, grade ids, tests and cell ids are the
English ones; `check_edition` proves it (the same AST but for docstrings).

Outputs: a translated solution is executed (its checks print in its language), but only when what its
outputs depend on changed: the English code and outputs, and the package's message catalogs of the
language. That fingerprint is stored as `metadata.lstmlab.outputs_of`; while it matches, a rebuild
(e.g. after a translation fix) keeps the stored outputs. nbval verifies them like the English ones.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import translations as tr
from .course import Course, _normalise, execute_notebook
from .segments import translate_cell

LANGUAGE_LINE = 'from lstmlab.i18n import use_language; use_language("{lang}")  # {note}\n'
LANGUAGE_NOTE = {"zh": "中文版：检查结果、诊断和图表都用中文"}
CODE_STUB = {"en": "# YOUR CODE HERE\nraise NotImplementedError()",
             "zh": "# 在这里写你的代码 (YOUR CODE HERE)\nraise NotImplementedError()"}


def language_line(lang: str) -> str:
    return LANGUAGE_LINE.format(lang=lang, note=LANGUAGE_NOTE[lang])


@dataclass
class Translated:
    nb: object
    untranslated: list[str] = field(default_factory=list)   # English texts shown in English for lack of a translation


def outputs_key(course: Course, lid: str, lang: str) -> str:
    """What a translated solution's outputs depend on: the English code and outputs, and the message catalogs
    (core and the lesson's room) of the language."""
    nb = nbformat.read(course.solutions / f"{lid}.ipynb", as_version=4)
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            outputs = [{k: v for k, v in o.items() if k != "execution_count"} for o in cell.outputs]
            h.update(json.dumps([cell.source, outputs], sort_keys=True).encode())
    for domain in ("core", lid[3:]):          # a lesson shows the checking messages and its room's
        po = tr.message_catalog_path(lang, domain)
        if po.is_file():
            h.update(po.name.encode() + po.read_bytes())
    return h.hexdigest()[:16]


def translate_solution(course: Course, lid: str, lang: str) -> Translated:
    """The English solution with its segments translated (outputs as in the English, not yet run)."""
    nb = nbformat.read(course.solutions / f"{lid}.ipynb", as_version=4)
    table = tr.translations_of(tr.read_catalog(tr.lesson_catalog_path(course.root, lang, lid), lang))
    result = Translated(nb)

    def lookup(context: str, text: str):
        found = table.get((text, context))
        if found is None:
            result.untranslated.append(text)
        return found

    first_code = True
    for cell in nb.cells:
        cell.source = translate_cell(cell, lookup)
        if cell.cell_type == "code" and first_code:
            cell.source = language_line(lang) + cell.source
            first_code = False
    nb.metadata["lstmlab"] = {"edition": lang, "outputs_of": outputs_key(course, lid, lang)}
    return result


def _sources(nb) -> list[tuple[str, str, str]]:
    return [(c.get("id"), c.cell_type, c.source) for c in nb.cells]


def build_solution(course: Course, lid: str, lang: str, *, check: bool, log=print) -> tuple[bool, list[str]]:
    """Write solutions/<lang>/<lid>.ipynb when stale. Returns (changed, untranslated English texts)."""
    fresh = translate_solution(course, lid, lang)
    target = course.solutions_in(lang) / f"{lid}.ipynb"
    old = nbformat.read(target, as_version=4) if target.is_file() else None
    outputs_fresh = old is not None and (old.metadata.get("lstmlab") or {}).get("outputs_of") == \
        fresh.nb.metadata["lstmlab"]["outputs_of"] and [c.get("id") for c in old.cells] == [c.get("id") for c in fresh.nb.cells]
    if old is not None and outputs_fresh and _sources(old) == _sources(fresh.nb):
        return False, fresh.untranslated
    if check:
        return True, fresh.untranslated
    target.parent.mkdir(parents=True, exist_ok=True)
    if outputs_fresh:
        # Only text changed: keep the outputs (and run metadata) of the last execution.
        for new, kept in zip(fresh.nb.cells, old.cells):
            if new.cell_type == "code":
                new.outputs, new.execution_count = kept.outputs, kept.execution_count
                new.metadata = kept.metadata
        fresh.nb.metadata = {**old.metadata, **fresh.nb.metadata}
        nbformat.write(fresh.nb, target)
    else:
        nbformat.write(fresh.nb, target)
        log(f"{lang}/{lid}: executing the {lang} solution (its outputs are older than the English or the messages)")
        took = execute_notebook(target)
        log(f"{lang}/{lid}: executed in {took:.1f} s")
    return True, fresh.untranslated


def check_edition(course: Course, lid: str, lang: str) -> list[str]:
    """Problems of a translated solution against the English: code, grade ids, cell ids and metadata must match."""
    en = nbformat.read(course.solutions / f"{lid}.ipynb", as_version=4)
    path = course.solutions_in(lang) / f"{lid}.ipynb"
    if not path.is_file():
        return [f"{path}: missing"]
    zh = nbformat.read(path, as_version=4)
    out = []
    if [(c.get("id"), c.cell_type) for c in en.cells] != [(c.get("id"), c.cell_type) for c in zh.cells]:
        return [f"{path}: its cells are not the English cells (ids or types differ)"]
    first = True
    line = language_line(lang)
    for a, b in zip(en.cells, zh.cells):
        if a.cell_type != "code":
            continue
        source = b.source
        if first:
            if not source.startswith(line):
                out.append(f"{path}: cell {b.get('id')} does not start with the language line {line.strip()!r}")
            source = source[len(line):]
            first = False
        if not tr.code_unchanged(a.source, source):
            out.append(f"{path}: cell {b.get('id')}: code differs from the English (only comments and docstrings may)")
        if (a.metadata.get("nbgrader") or {}) != (b.metadata.get("nbgrader") or {}):
            out.append(f"{path}: cell {b.get('id')}: nbgrader metadata differs from the English")
    return out


def student_versions(course: Course, lang: str, ids: list[str]) -> dict[str, str]:
    from .course import generate_student_versions

    return generate_student_versions(course, ids, lang=lang)


def build_lessons(course: Course, lang: str, ids: list[str], *, check: bool) -> list[str]:
    """lessons/<lang>/ from solutions/<lang>/ through nbgrader. Returns the stale ids."""
    fresh = student_versions(course, lang, ids)
    changed = []
    for lid, text in fresh.items():
        target = course.lessons_in(lang) / f"{lid}.ipynb"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            changed.append(lid)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return changed


def domains_of(ids: list[str], everything: bool) -> list[str]:
    """The message domains that go with lessons `ids` (their rooms), or all of them (`core` included)."""
    domains = list(tr.message_domains())
    return domains if everything else [d for d in domains if any(lid[3:] == d for lid in ids)]


def update_catalogs(course: Course, ids: list[str], domains: list[str], langs=tr.TRANSLATED) -> list[Path]:
    """Merge the English of the lessons `ids` and of the message `domains` into the catalogs. Returns changed files."""
    changed = []
    for lang in langs:
        for lid in ids:
            path = tr.lesson_catalog_path(course.root, lang, lid)
            if tr.update(path, tr.lesson_template(course.solutions / f"{lid}.ipynb"), lang):
                changed.append(path)
        for domain in domains:
            path = tr.message_catalog_path(lang, domain)
            if tr.update(path, tr.message_template(domain), lang):
                changed.append(path)
    return changed


def catalog_problems(course: Course, ids: list[str], domains: list[str], langs=tr.TRANSLATED) -> list[str]:
    """Every problem of the lessons' and the package's catalogs (what `lstmlab build --check` fails on)."""
    out = []
    chapter_file = tr.chapter_path(course.root)
    chapter = chapter_file.read_text(encoding="utf-8") if chapter_file else None
    for lang in langs:
        glossary = tr.read_glossary(tr.glossary_path(course.root, lang))
        for lid in ids:
            out += tr.catalog_problems(tr.lesson_catalog_path(course.root, lang, lid),
                                       tr.lesson_template(course.solutions / f"{lid}.ipynb"), lang,
                                       glossary=glossary, chapter=chapter, placeholders=False)
        for domain in domains:
            out += tr.catalog_problems(tr.message_catalog_path(lang, domain), tr.message_template(domain), lang,
                                       glossary=glossary, chapter=chapter, placeholders=True)
    return out


def build_editions(course: Course, ids: list[str], *, check: bool, everything: bool, log=print) -> tuple[list[str], list[str]]:
    """Every translated edition of lessons `ids`: (stale or rewritten notebooks, problems).

    Not check: merge the catalogs, write solutions/<lang>/ (executing where outputs are stale) and
    lessons/<lang>/. check: write nothing. Problems: the catalogs' (untranslated, fuzzy, rules broken) and
    the editions' (code that differs from the English). everything: ids is the whole course, so a
    translated notebook without an English one is stale (removed when not check)."""
    domains = domains_of(ids, everything)
    if not check:
        update_catalogs(course, ids, domains)
    changed, problems = [], []
    for lang in tr.TRANSLATED:
        for lid in ids:
            stale, untranslated = build_solution(course, lid, lang, check=check, log=log)
            if stale:
                changed.append(f"solutions/{lang}/{lid}.ipynb")
            if not check and untranslated:
                log(f"{lang}/{lid}: {len(untranslated)} segments shown in English (no translation yet)")
            if not (check and stale):
                problems += check_edition(course, lid, lang)
        if not (check and any(c.startswith(f"solutions/{lang}/") for c in changed)):
            present = [lid for lid in ids if (course.solutions_in(lang) / f"{lid}.ipynb").is_file()]
            changed += [f"lessons/{lang}/{lid}.ipynb" for lid in build_lessons(course, lang, present, check=check)]
        if everything:
            for folder in (course.solutions_in(lang), course.lessons_in(lang)):
                for orphan in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
                    if orphan.stem not in ids:
                        changed.append(str(orphan.relative_to(course.root)))
                        if not check:
                            orphan.unlink()
    problems += catalog_problems(course, ids, domains)
    return changed, problems


__all__ = ["build_editions", "update_catalogs", "catalog_problems", "LANGUAGE_LINE", "CODE_STUB", "language_line", "outputs_key", "translate_solution", "build_solution",
           "check_edition", "build_lessons", "_normalise"]
