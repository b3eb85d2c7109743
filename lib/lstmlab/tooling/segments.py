"""What a translator translates in a lesson notebook, and putting the translation back.

A segment is one piece of text a student reads, keyed by (cell id, English text):

- markdown cells: each block between blank lines (a paragraph, a list, a table, a heading); a fenced
  code block or a block of display math alone is kept as it is;
- code cells: each run of full-line comments (joined into one text), each trailing comment, and each
  docstring (dedented). nbgrader's markers (### BEGIN SOLUTION, # YOUR CODE HERE, ...) and pragmas stay.

`segments(nb)` lists them; `translate_cell(cell, lookup)` rebuilds a cell with lookup's translations
(lookup(context, text) -> translation or None), leaving every other character of the cell as it was.
Code outside comments and docstrings is never touched (tooling/translations.py checks the AST).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Iterator

Lookup = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class Segment:
    context: str      # the cell's id
    text: str         # the English text (msgid)
    kind: str         # "markdown", "comment" or "docstring"


# -- markdown -------------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_MATH_DISPLAY = re.compile(r"\$\$.*?\$\$", re.S)
_MATH_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\\n]|\n(?!\s*\n))+?\$")
_CODE_INLINE = re.compile(r"`(?:[^`\n]|\n(?!\s*\n))+`")
_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>]*>|https?://\S+")
_TAG = re.compile(r"<[^>\n]+>")


def _has_words(text: str) -> bool:
    """True when text has letters outside math, code, links and tags: something to translate."""
    for pattern in (_CODE_INLINE, _MATH_DISPLAY, _MATH_INLINE, _URL, _TAG):
        text = pattern.sub(" ", text)
    return bool(re.search(r"[A-Za-z]{2,}", text))


def markdown_blocks(source: str) -> list[tuple[str, bool]]:
    """source cut into [(piece, is_block)]: blocks and the blank-line runs between them, in order.

    "".join(piece for piece, _ in result) == source. A fenced code block never splits."""
    pieces: list[tuple[str, bool]] = []
    block: list[str] = []
    gap: list[str] = []
    in_fence = False
    for line in source.splitlines(keepends=True):
        blank = not line.strip()
        if blank and not in_fence:
            if block:
                pieces.append(("".join(block), True))
                block = []
            gap.append(line)
            continue
        if gap:
            pieces.append(("".join(gap), False))
            gap = []
        if _FENCE.match(line):
            in_fence = not in_fence
        block.append(line)
    if block:
        pieces.append(("".join(block), True))
    if gap:
        pieces.append(("".join(gap), False))
    return pieces


def _split_trailing_newline(block: str) -> tuple[str, str]:
    body = block.rstrip("\n")
    return body, block[len(body):]


def _translatable_block(body: str) -> bool:
    if _FENCE.match(body) and body.rstrip().endswith(("```", "~~~")) and body.count("\n") >= 1:
        return False          # a fenced code block alone: code, not prose
    return _has_words(body)


# -- code -----------------------------------------------------------------------------------------

_KEEP_COMMENT = re.compile(r"^#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b|YOUR CODE HERE|^#\s*(noqa|type:|pragma|fmt:)")


@dataclass(frozen=True)
class _Edit:
    start: tuple[int, int]    # (line, col) of the first character replaced, tokenize's coordinates
    end: tuple[int, int]
    text: str                 # the English text of the segment
    kind: str
    render: Callable[[str], str]   # translation -> replacement characters


def _comment_text(token: str) -> tuple[str, str]:
    """('# ', 'words') from '# words': the prefix kept and the text translated."""
    m = re.match(r"#+\s?", token)
    return token[:m.end()], token[m.end():]


def _docstring_positions(tree: ast.AST) -> set[tuple[int, int]]:
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                starts.add((first.value.lineno, first.value.col_offset))
    return starts


def _docstring_edit(tok: tokenize.TokenInfo) -> _Edit | None:
    m = re.match(r'^([rRuU]?)("""|\'\'\'|"|\')(.*)\2$', tok.string, re.S)
    if not m:
        return None
    prefix, quote, content = m.groups()
    lines = content.split("\n")
    indents = [len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()]
    indent = min(indents) if indents else 0
    tail = ""
    if len(lines) > 1 and not lines[-1].strip():
        tail = "\n" + lines[-1]          # the closing quotes' own line
        lines = lines[:-1]
    text = "\n".join([lines[0], *(ln[indent:] for ln in lines[1:])])
    if not _has_words(text):
        return None
    pad = " " * indent

    def render(translation: str) -> str:
        out = translation.split("\n")
        body = "\n".join([out[0], *((pad + ln) if ln.strip() else "" for ln in out[1:])])
        return f"{prefix}{quote}{body}{tail}{quote}"

    return _Edit(tok.start, tok.end, text, "docstring", render)


def _code_edits(source: str) -> list[_Edit]:
    """The translatable pieces of a code cell, in order (none when it does not parse)."""
    try:
        tree = ast.parse(source)
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return []
    docstrings = _docstring_positions(tree)
    lines = source.splitlines()
    edits: list[_Edit] = []
    run: list[tokenize.TokenInfo] = []     # consecutive full-line comments at one column

    def close_run():
        if run:
            prefixes = [_comment_text(t.string)[0] for t in run]
            texts = [_comment_text(t.string)[1] for t in run]
            text = "\n".join(texts)
            col = run[0].start[1]
            prefix = prefixes[0]

            def render(translation: str, col=col, prefix=prefix) -> str:
                out = translation.split("\n")
                return ("\n" + " " * col).join(prefix + ln for ln in out)

            if _has_words(text):
                edits.append(_Edit(run[0].start, run[-1].end, text, "comment", render))
            run.clear()

    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            prefix, text = _comment_text(tok.string)
            keep = _KEEP_COMMENT.search(tok.string) or not text.strip()
            full_line = not lines[tok.start[0] - 1][:tok.start[1]].strip()
            if keep:
                close_run()
                continue
            if full_line:
                if run and (tok.start[0] != run[-1].start[0] + 1 or tok.start[1] != run[0].start[1]
                            or _comment_text(tok.string)[0] != _comment_text(run[0].string)[0]):
                    close_run()
                run.append(tok)
                continue
            close_run()
            if _has_words(text):
                edits.append(_Edit(tok.start, tok.end, text, "comment",
                                   lambda translation, prefix=prefix: prefix + translation.replace("\n", " ")))
            continue
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        close_run()
        if tok.type == tokenize.STRING and tok.start in docstrings:
            edit = _docstring_edit(tok)
            if edit:
                edits.append(edit)
    close_run()
    return edits


# -- both -----------------------------------------------------------------------------------------

def cell_segments(cell) -> Iterator[Segment]:
    context = cell.get("id") or ""
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    if cell.cell_type == "markdown":
        for piece, is_block in markdown_blocks(source):
            body, _ = _split_trailing_newline(piece)
            if is_block and _translatable_block(body):
                yield Segment(context, body, "markdown")
    elif cell.cell_type == "code":
        for edit in _code_edits(source):
            yield Segment(context, edit.text, edit.kind)


def segments(nb) -> list[Segment]:
    """Every segment of a notebook, in reading order."""
    return [s for cell in nb.cells for s in cell_segments(cell)]


def _offset(lines: list[str], pos: tuple[int, int]) -> int:
    line, col = pos
    return sum(len(ln) for ln in lines[:line - 1]) + col


def translate_cell(cell, lookup: Lookup) -> str:
    """The cell's source with each segment replaced by lookup(context, text) (kept where it is None)."""
    context = cell.get("id") or ""
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    if cell.cell_type == "markdown":
        out = []
        for piece, is_block in markdown_blocks(source):
            body, newlines = _split_trailing_newline(piece)
            translation = lookup(context, body) if is_block and _translatable_block(body) else None
            out.append(piece if translation is None else translation + newlines)
        return "".join(out)
    if cell.cell_type == "code":
        lines = source.splitlines(keepends=True)
        result = source
        for edit in reversed(_code_edits(source)):
            translation = lookup(context, edit.text)
            if translation is None:
                continue
            a, b = _offset(lines, edit.start), _offset(lines, edit.end)
            result = result[:a] + edit.render(translation) + result[b:]
        return result
    return source
