"""Translation catalogs (gettext PO, read and merged with Babel) and the checks a build runs on them.

Two kinds of catalog, both keyed by the English text (msgid), so an edited English text is a new key:
`update` carries the old translation over to it marked fuzzy (with the old English as `#| msgid`),
for a translator to review, and drops entries whose English is gone.

- lessons:  translations/<lang>/<lesson id>.po, one entry per segment of solutions/<id>.ipynb
            (tooling/segments.py), msgctxt = the cell's id;
- messages: lib/lstmlab/locale/<lang>/<domain>.po, every `_("...")` / `N_("...")` of the package
            (domain `core`: the textbook, checking and tooling; one domain per lesson room).

`problems()` is what `lstmlab build --check` fails on: an entry missing, untranslated or fuzzy, an entry
whose English is gone, and translations that break the rules of translations/README.md: math, inline code,
links and placeholders unchanged; the glossary's terms (translations/glossary.<lang>.tsv) used; every
「quotation」 verbatim from the chapter.
"""
from __future__ import annotations

import ast
import csv
import io
import re
import string
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import normalize, read_po, write_po

from ..i18n import LOCALE_DIR, SOURCE_LANGUAGE
from .segments import segments

PACKAGE_DIR = Path(__file__).resolve().parents[1]           # lib/lstmlab
BABEL_LOCALE = {"zh": "zh_CN"}
TRANSLATED = ("zh",)                                          # the editions built besides English
FIXED_DATE = datetime(2026, 12, 1, tzinfo=timezone.utc)      # headers never change, so diffs show only text
KEYWORDS = {"_": None, "N_": None}


# -- where catalogs are ---------------------------------------------------------------------------

def lesson_catalog_path(root: Path, lang: str, lid: str) -> Path:
    return root / "translations" / lang / f"{lid}.po"


def glossary_path(root: Path, lang: str) -> Path:
    return root / "translations" / f"glossary.{lang}.tsv"


def message_domains() -> dict[str, list[Path]]:
    """{domain: the package's .py files whose messages it holds}: `core` (the textbook and checking/),
    `tooling` (the lstmlab command, Validate, grading) and one per lesson room."""
    def part(p: Path) -> str:
        return p.relative_to(PACKAGE_DIR).parts[0]

    files = sorted(PACKAGE_DIR.rglob("*.py"))
    domains = {"core": [p for p in files if part(p) not in ("lessons", "tooling")],
               "tooling": [p for p in files if part(p) == "tooling"]
               + sorted((PACKAGE_DIR / "tooling" / "grading" / "templates").glob("*.html"))}
    for room in sorted(p for p in (PACKAGE_DIR / "lessons").iterdir() if (p / "__init__.py").is_file()):
        domains[room.name] = sorted(room.rglob("*.py"))
    return domains


def message_catalog_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / f"{domain}.po"


# -- templates (what the English says now) --------------------------------------------------------

def _new_catalog(lang: str | None, project: str) -> Catalog:
    catalog = Catalog(locale=BABEL_LOCALE.get(lang) if lang else None, project=project, version="1",
                      creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                      copyright_holder="lstmlab authors", msgid_bugs_address="translations/README.md",
                      language_team=f"lstmlab {lang}" if lang else None, last_translator="lstmlab translators")
    catalog.header_comment = (f"# {project}: {lang or 'template'} translation catalog.\n"
                              "# Merged from the English by `lstmlab translate`; the rules are in translations/README.md.")
    return catalog


def lesson_template(solution: Path) -> Catalog:
    """One entry per segment of the English solution notebook; msgctxt = the cell's id."""
    nb = nbformat.read(solution, as_version=4)
    template = _new_catalog(None, f"lstmlab lesson {solution.stem}")
    for seg in segments(nb):
        if (seg.text, seg.context) not in template:
            template.add(seg.text, context=seg.context, auto_comments=[seg.kind])
    return template


def message_template(domain: str) -> Catalog:
    """Every literal passed to _() or N_() in the domain's files, with file:line locations."""
    template = _new_catalog(None, f"lstmlab messages {domain}")
    for path in message_domains()[domain]:
        rel = path.relative_to(PACKAGE_DIR.parent).as_posix()
        method = "jinja2.ext:babel_extract" if path.suffix == ".html" else "python"
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                    comment_tags=("TRANSLATORS:",)):
            if message in template:
                template[message].locations.append((rel, lineno))
            else:
                template.add(message, locations=[(rel, lineno)], auto_comments=comments,
                             flags=("python-brace-format",) if _fields(message) else ())
    return template


# -- reading, merging, writing --------------------------------------------------------------------

def read_catalog(path: Path, lang: str) -> Catalog:
    if not path.is_file():
        return _new_catalog(lang, "lstmlab")
    data = path.read_bytes()
    catalog = read_po(io.BytesIO(data), locale=BABEL_LOCALE.get(lang), abort_invalid=True)
    # Babel's reader drops the old English of a fuzzy entry (`#| msgid`), and takes its continuation lines
    # (`#| "..."`) for translator comments: keep the first, drop the second.
    for m in catalog:
        m.user_comments = [c for c in m.user_comments if not c.startswith("|")]
    for (msgid, context), previous in _previous_ids(data.decode("utf-8")).items():
        message = catalog.get(msgid, context=context)
        if message is not None:
            message.previous_id = [previous]
    return catalog


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _po_string(parts: list[str]) -> str:
    from babel.messages.pofile import unescape

    return "".join(unescape(f'"{p}"') for p in parts)


def _previous_ids(text: str) -> dict[tuple[str, str | None], str]:
    """{(msgid, msgctxt): previous msgid} of every entry with a `#| msgid` comment."""
    out = {}
    for entry in re.split(r"\n\s*\n", text):
        previous, msgid, context, field = [], [], None, None
        for line in entry.splitlines():
            if line.startswith("#| msgid "):
                field = previous
            elif line.startswith("msgctxt "):
                context, field = [], None
                context.extend(_QUOTED.findall(line))
                continue
            elif line.startswith("msgid "):
                field = msgid
            elif line.startswith(("msgstr", "#")) and not line.startswith('#| "'):
                field = None
                continue
            if field is not None:
                field.extend(_QUOTED.findall(line))
        if previous and msgid:
            out[(_po_string(msgid), _po_string(context) if context is not None else None)] = _po_string(previous)
    return out


def render_catalog(catalog: Catalog) -> bytes:
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    # Babel wraps the old msgid of a fuzzy entry (`#| msgid`) like a comment, splitting its quoted strings:
    # write those lines here instead, one per line of the old English, as gettext's msgmerge does.
    previous = {(m.id, m.context): m.previous_id[0] for m in catalog if m.id and m.previous_id}
    for m in catalog:
        m.previous_id = []
        if m.context:   # a lesson's segment: its braces and % are math and prose, not format fields
            m.flags -= {"python-brace-format", "python-format"}
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, ignore_obsolete=True, include_previous=False, sort_output=False)
    entries = buf.getvalue().decode("utf-8").split("\n\n")
    for k, entry in enumerate(entries):
        key = _entry_key(entry)
        if key in previous:
            lines = entry.split("\n")
            at = next(i for i, ln in enumerate(lines) if ln.startswith(("msgctxt ", "msgid ")))
            old = ["#| " + ln for ln in ("msgid " + normalize(previous[key], width=0)).split("\n")]
            entries[k] = "\n".join(lines[:at] + old + lines[at:])
    for m in catalog:
        if (m.id, m.context) in previous:
            m.previous_id = [previous[(m.id, m.context)]]
    return "\n\n".join(entries).encode("utf-8")


def _entry_key(entry: str) -> tuple[str, str | None] | None:
    msgid, context, field = [], None, None
    for line in entry.split("\n"):
        if line.startswith("msgctxt "):
            context, field = [], "ctx"
        elif line.startswith("msgid "):
            field = "id"
        elif not line.startswith('"'):
            field = None
            continue
        parts = _QUOTED.findall(line)
        if field == "ctx":
            context.extend(parts)
        elif field == "id":
            msgid.extend(parts)
    if not msgid:
        return None
    return _po_string(msgid), (_po_string(context) if context is not None else None)


def merged(path: Path, template: Catalog, lang: str) -> Catalog:
    """The catalog at path updated to template: new English empty, edited English fuzzy, gone English dropped."""
    catalog = read_catalog(path, lang)
    kept = {(m.id, m.context): m.previous_id for m in catalog if m.id and m.previous_id}
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False, keep_user_comments=True,
                   update_creation_date=False)
    # An entry still fuzzy from an earlier merge keeps the old English it was matched from (Babel's update
    # copies an entry whose English is unchanged from the template, which has none).
    for m in catalog:
        if m.id and m.fuzzy and not m.previous_id and (m.id, m.context) in kept:
            m.previous_id = kept[(m.id, m.context)]
    return catalog


def update(path: Path, template: Catalog, lang: str) -> bool:
    """Write the merged catalog; True when the file changed."""
    text = render_catalog(merged(path, template, lang))
    if path.is_file() and path.read_bytes() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    return True


def translations_of(catalog: Catalog) -> dict[tuple[str, str | None], str]:
    """{(msgid, msgctxt): translation} of the entries that are translated and not fuzzy."""
    return {(m.id, m.context): m.string for m in catalog if m.id and m.string and not m.fuzzy}


# -- rules a translation must keep ----------------------------------------------------------------

# Inline math may wrap onto the next line of its paragraph (one newline, never a blank line).
_MATH = re.compile(r"\$\$.*?\$\$|(?<![\\$])\$(?!\$)(?:\\.|[^$\\\n]|\n(?!\s*\n))+?\$", re.S)
_CODE = re.compile(r"`(?:[^`\n]|\n(?!\s*\n))+`")     # may wrap a line, as Markdown allows
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)\)|(https?://[^\s)>]+)")
_QUOTE = re.compile(r"「([^」]+)」")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")


def _fields(message: str) -> list[str]:
    """The str.format placeholders of a message (names with their format spec), sorted."""
    try:
        return sorted(f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(message) if name is not None)
    except ValueError:
        return []


def invariants(text: str) -> dict[str, list[str]]:
    """What must survive translation unchanged: math, inline code, link targets (each as a sorted list)."""
    # Inline code first: a `$` inside code (the `a$` of an end-of-sequence token) is not math.
    # Compared with runs of whitespace as one space: a translation may rewrap a span onto one line.
    prose = _CODE.sub(" ", text)
    one = lambda items: sorted(re.sub(r"\s+", " ", x) for x in items)  # noqa: E731
    return {"math": one(m.group(0) for m in _MATH.finditer(prose)),
            "inline code": one(m.group(0) for m in _CODE.finditer(text)),
            "links": one(a or b for a, b in _LINK_TARGET.findall(text)),
            "HTML tags": one(_HTML_TAG.findall(_MATH.sub(" ", prose)))}


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    avoid: tuple[str, ...]
    pattern: re.Pattern


def read_glossary(path: Path) -> list[Term]:
    """translations/glossary.<lang>.tsv: columns en, zh, avoid (variants separated by |), note."""
    terms = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
            en = row["en"].strip()
            words = r"\s+".join(re.escape(w) for w in en.split())
            terms.append(Term(en, row["zh"].strip(), tuple(a for a in (row.get("avoid") or "").split("|") if a.strip()),
                              re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.I)))
    return terms


def _prose(text: str) -> str:
    """text without math, inline code, links and HTML tags: where glossary terms are looked for."""
    text = _CODE.sub(" ", text)
    text = _MATH.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)|https?://\S+|<[^>\n]+>", " ", text)
    return text


def _squash(text: str) -> str:
    return re.sub(r"[\s*_>]+", "", text)


def chapter_path(root: Path) -> Path | None:
    """The chapter the course teaches (../shared/chapter/lstm-variants.zh.md beside the checkout), if present."""
    import os

    for candidate in (os.environ.get("LSTMLAB_CHAPTER"), root.parent / "shared" / "chapter" / "lstm-variants.zh.md"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def translation_problems(msgid: str, msgstr: str, *, glossary: list[Term], chapter: str | None,
                         placeholders: bool) -> list[str]:
    """What is wrong with one translation (empty when nothing)."""
    out = []
    want, got = invariants(msgid), invariants(msgstr)
    for kind in want:
        if want[kind] != got[kind]:
            lost = sorted(set(want[kind]) - set(got[kind]))
            added = sorted(set(got[kind]) - set(want[kind]))
            out.append(f"{kind} changed" + (f"; missing {lost[:3]}" if lost else "") + (f"; not in the English {added[:3]}" if added else ""))
    if placeholders and _fields(msgid) != _fields(msgstr):
        out.append(f"placeholders differ: English {_fields(msgid)}, translation {_fields(msgstr)}")
    prose_en, prose_zh = _prose(msgid), _prose(msgstr)
    for term in glossary:
        if term.pattern.search(prose_en) and term.zh not in prose_zh:
            out.append(f"glossary: '{term.en}' is {term.zh} here")
        for variant in term.avoid:
            if variant in prose_zh:
                out.append(f"glossary: write {term.zh}, not {variant}")
    if chapter is not None:
        squashed = _squash(chapter)
        for quote in _QUOTE.findall(msgstr):
            if _squash(quote) not in squashed:
                out.append(f"「{quote[:40]}」 is not the chapter's wording (quote it verbatim, or use “…” for other quotations)")
    return out


def catalog_problems(path: Path, template: Catalog, lang: str, *, glossary: list[Term], chapter: str | None,
                     placeholders: bool) -> list[str]:
    """Everything `lstmlab build --check` reports for one catalog, as lines naming the entry."""
    rel = path
    if not path.is_file():
        return [f"{rel}: missing (run `lstmlab translate`)"]
    catalog = read_catalog(path, lang)
    out = []
    order = [(m.id, m.context) for m in template if m.id]     # reading order of the lesson or the code
    keys = set(order)
    have = {(m.id, m.context): m for m in catalog if m.id}

    def name(msgid: str, ctx: str | None) -> str:
        first = msgid.splitlines()[0] if msgid else ""
        return (f"[{ctx}] " if ctx else "") + (first[:70] + ("…" if len(first) > 70 or "\n" in msgid else ""))

    stale = [k for k in keys if k not in have]
    gone = [k for k in have if k not in keys]
    if stale or gone:
        out.append(f"{rel}: out of date with the English ({len(stale)} new, {len(gone)} gone): run `lstmlab translate`")
    for key in (k for k in order if k in have):
        m = have[key]
        if not m.string:
            out.append(f"{rel}: untranslated: {name(*key)}")
        elif m.fuzzy:
            out.append(f"{rel}: fuzzy (the English changed; review, then remove the fuzzy flag): {name(*key)}")
        else:
            for problem in translation_problems(m.id, m.string, glossary=glossary, chapter=chapter,
                                                placeholders=placeholders):
                out.append(f"{rel}: {problem}: {name(*key)}")
    return out


def code_unchanged(english: str, translated: str) -> bool:
    """True when two code cells differ only in comments and docstrings (the same AST without docstrings)."""
    def shape(src: str) -> str | None:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            return None
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body \
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body[0].value.value = ""
        return ast.dump(tree)

    a = shape(english)
    return a is not None and a == shape(translated) or (a is None and english == translated)


__all__ = ["TRANSLATED", "SOURCE_LANGUAGE", "lesson_catalog_path", "message_catalog_path", "message_domains",
           "lesson_template", "message_template", "merged", "update", "read_catalog", "translations_of",
           "catalog_problems", "read_glossary", "glossary_path", "chapter_path", "code_unchanged"]
