"""The Chinese edition's machinery: the message runtime, the rules of `_()`, notebook segments, the
catalog rules the build enforces, and an English edit turning its translation fuzzy and the edition stale.

The content is checked elsewhere: `lstmlab build --check` (every catalog complete, every edition fresh),
nbval on solutions/zh/, test_banks.py (every wrong answer diagnosed in Chinese), test_grading.py (both
editions graded), test_editions.py (a wrong answer in the Chinese lesson, end to end).
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, LESSONS
from lstmlab import i18n
from lstmlab.i18n import _, edition_of, language, use_language
from lstmlab.tooling import editions
from lstmlab.tooling import translations as tr
from lstmlab.tooling.course import Course
from lstmlab.tooling.segments import markdown_blocks, segments, translate_cell

PACKAGE = Path(i18n.__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- the runtime ------------------------------------------------------------------------------------

def test_english_by_default_and_chinese_in_a_block(monkeypatch):
    monkeypatch.delenv("LSTMLAB_LANG", raising=False)
    monkeypatch.setattr(i18n, "_chosen", None)
    assert _("not answered") == "not answered"
    with language("zh"):
        assert _("not answered") == "未作答"
        assert _("a message nobody translated") == "a message nobody translated"
    assert _("not answered") == "not answered"


def test_use_language_accepts_locale_spellings_and_refuses_unknown(monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setattr(i18n, "plot_fonts", lambda: [])
    use_language("zh_CN")
    assert i18n.current_language() == "zh"
    use_language("en")
    assert i18n.current_language() == "en"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        use_language("fr")


def test_environment_variable_chooses_the_language_when_nothing_else_does(monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setenv("LSTMLAB_LANG", "zh")
    assert _("passed") == "通过"
    monkeypatch.setenv("LSTMLAB_LANG", "klingon")      # a wrong value is not an error for a student
    assert _("passed") == "passed"


def test_edition_of_reads_the_metadata_and_defaults_to_english():
    assert edition_of({"metadata": {"lstmlab": {"edition": "zh"}}}) == "zh"
    assert edition_of({"metadata": {}}) == "en"
    assert edition_of({"metadata": {"lstmlab": {"edition": "<script>"}}}) == "en"


def test_chinese_plots_get_a_font_with_chinese_glyphs():
    import matplotlib

    before = list(matplotlib.rcParams["font.family"])
    try:
        fonts = i18n.plot_fonts()
        assert fonts, "no CJK font found: install fonts-wqy-microhei or fonts-noto-cjk (tools/install-browser.sh does)"
        assert matplotlib.rcParams["font.family"][-1] == fonts[0]
    finally:
        matplotlib.rcParams["font.family"] = before


# -- the rules of _() -------------------------------------------------------------------------------

def _python_files():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_message_is_one_plain_literal():
    """_() looks a message up by its text: an f-string, a concatenation or a variable cannot be found."""
    bad = []
    for path in _python_files():
        if path.name == "i18n.py":      # the runtime itself translates what it is given
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                ok = (len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Constant)
                      and isinstance(node.args[0].value, str))
                if not ok and not (node.func.id == "_" and len(node.args) == 1 and _is_name_lookup(node.args[0])):
                    bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bad, f"_()/N_() must take one string literal (or a constant marked with N_): {bad}"


def test_no_function_hides_the_translation_function():
    """`x, _ = ...` or `for _ in ...` in a function that also calls _() makes `_` local there: the call then
    fails with UnboundLocalError (or calls a number), a bug that only the Chinese path would meet."""
    bad = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            stores = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in ast.walk(fn))
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in ast.walk(fn))
            if stores and calls:
                bad.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {fn.name}")
    assert not bad, f"functions that assign to `_` and call _(): {bad}"


def _is_name_lookup(arg) -> bool:
    """_(CONSTANT), _(NAMES[k]), _(obj.attr): translating a message marked with N_() where it was defined."""
    return isinstance(arg, (ast.Name, ast.Subscript, ast.Attribute))


def test_messages_use_named_placeholders():
    bad = []
    for domain in tr.message_domains():
        for m in tr.message_template(domain):
            if m.id and re.search(r"\{\}|\{\d+\}", m.id):
                bad.append((domain, m.id))
    assert not bad, f"positional placeholders cannot be reordered by a translator: {bad}"


def test_check_failures_are_translated_where_they_are_raised():
    """A CheckFailed or passed() line built from a bare English string or f-string would reach a Chinese
    student in English."""
    bad = []
    for path in sorted((PACKAGE / "lessons").rglob("*.py")) + sorted((PACKAGE / "checking").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("CheckFailed", "passed"):
                if node.args and isinstance(node.args[0], (ast.JoinedStr, ast.Constant)) and \
                        re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", ast.unparse(node.args[0])):
                    bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bad, f"untranslated student-facing messages: {bad}"


# -- segments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lid", LESSONS)
def test_segments_rebuild_every_cell_exactly(lid):
    nb = nbformat.read(COURSE.solutions / f"{lid}.ipynb", as_version=4)
    for cell in nb.cells:
        assert translate_cell(cell, lambda ctx, text: text) == cell.source


@pytest.mark.parametrize("lid", LESSONS)
def test_translating_comments_and_docstrings_never_changes_code(lid):
    nb = nbformat.read(COURSE.solutions / f"{lid}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            changed = translate_cell(cell, lambda ctx, text: "译文\n第二行 " + text.replace("\n", " "))
            assert tr.code_unchanged(cell.source, changed), f"{lid} cell {cell.get('id')}: code changed:\n{changed}"


def test_markdown_blocks_keep_fenced_code_whole():
    source = "Intro text here.\n\n```python\nx = 1\n\ny = 2\n```\n\nAfter it.\n"
    pieces = markdown_blocks(source)
    assert "".join(p for p, _ in pieces) == source
    assert [p for p, block in pieces if block] == ["Intro text here.\n", "```python\nx = 1\n\ny = 2\n```\n", "After it.\n"]


def test_nbgrader_markers_are_not_for_translation():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    # YOUR CODE HERE\n    return x  # the identity\n    ### END SOLUTION\n")
    cell["id"] = "abc"
    nb.cells = [cell]
    assert [s.text for s in segments(nb)] == ["the identity"]


# -- rules a translation must keep ------------------------------------------------------------------

GLOSSARY = tr.read_glossary(tr.glossary_path(COURSE.root, "zh"))
CHAPTER_FILE = tr.chapter_path(COURSE.root)


def _problems(en, zh, placeholders=False):
    chapter = CHAPTER_FILE.read_text(encoding="utf-8") if CHAPTER_FILE else None
    return tr.translation_problems(en, zh, glossary=GLOSSARY, chapter=chapter, placeholders=placeholders)


def test_a_faithful_translation_has_no_problems():
    assert _problems("The forget gate $f_t$ scales `c_prev` ([paper](https://x.org/a)).",
                     "遗忘门 $f_t$ 缩放 `c_prev`（[论文](https://x.org/a)）。") == []


@pytest.mark.parametrize("zh, problem", [
    ("遗忘门 $f$ 缩放 `c_prev`。", "math changed"),
    ("遗忘门 $f_t$ 缩放 c_prev。", "inline code changed"),
    ("忘记门 $f_t$ 缩放 `c_prev`。", "write 遗忘门, not 忘记门"),
    ("门 $f_t$ 缩放 `c_prev`。", "'forget gate' is 遗忘门"),
])
def test_a_broken_translation_is_named(zh, problem):
    assert any(problem in p for p in _problems("The forget gate $f_t$ scales `c_prev`.", zh))


def test_placeholders_must_survive():
    assert _problems("{name} is None", "{名字} 是 None", placeholders=True)
    assert not _problems("{name} is None", "{name} 是 None", placeholders=True)


def test_html_tags_must_survive():
    assert any("HTML tags" in p for p in _problems("<i>similarity</i> is high", "相似度很高"))


def test_chapter_quotes_must_be_verbatim():
    assert CHAPTER_FILE is not None, "the chapter (../shared/chapter/lstm-variants.zh.md) is needed to check quotes"
    assert not _problems("The chapter says: \"LSTM\"", "本章说：「难以并行化」")
    assert any("not the chapter's wording" in p for p in _problems("The chapter says x.", "本章说：「LSTM 很难并行」"))


# -- an English edit after translation --------------------------------------------------------------

@pytest.fixture
def small_course(tmp_path) -> Course:
    """A course of lesson 01 only, with its translation catalog, in tmp_path."""
    lid = "01_lstm_cell"
    for rel in (f"solutions/{lid}.ipynb", f"solutions/zh/{lid}.ipynb", f"lessons/{lid}.ipynb",
                f"lessons/zh/{lid}.ipynb", f"translations/zh/{lid}.po", "translations/glossary.zh.tsv",
                "course/nbgrader_config.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE.root / rel, tmp_path / rel)
    return Course(tmp_path)


def _edit_first_paragraph(course: Course, lid: str) -> tuple[str, str]:
    path = course.solutions / f"{lid}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = nb.cells[0]
    old = segments(nb)[1].text
    new = old.replace("In this lesson", "In this short lesson")
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)
    return old, new


def test_an_edited_english_paragraph_turns_fuzzy_and_fails_the_check(small_course):
    lid = "01_lstm_cell"
    assert editions.build_solution(small_course, lid, "zh", check=True)[0] is False   # fresh to start with
    old, new = _edit_first_paragraph(small_course, lid)
    po = tr.lesson_catalog_path(small_course.root, "zh", lid)
    template = tr.lesson_template(small_course.solutions / f"{lid}.ipynb")
    # Before `lstmlab translate`: the catalog lacks the new English.
    before = tr.catalog_problems(po, template, "zh", glossary=GLOSSARY, chapter=None, placeholders=False)
    assert any("out of date with the English (1 new, 1 gone)" in p for p in before)
    # `lstmlab translate` merges: the old translation is kept, marked fuzzy, with the old English beside it.
    old_translation = {m.id: m.string for m in tr.read_catalog(po, "zh")}[old]
    tr.update(po, template, "zh")
    entry = next(m for m in tr.read_catalog(po, "zh") if m.id == new)
    assert entry.fuzzy and entry.string == old_translation and entry.previous_id == [old]
    after = tr.catalog_problems(po, template, "zh", glossary=GLOSSARY, chapter=None, placeholders=False)
    assert len(after) == 1 and "fuzzy" in after[0]
    # A later merge (another edit elsewhere) keeps the entry, its old English and the file as they are.
    text = po.read_bytes()
    assert tr.update(po, template, "zh") is False and po.read_bytes() == text
    assert next(m for m in tr.read_catalog(po, "zh") if m.id == new).previous_id == [old]
    # The Chinese solution is stale (its text) until rebuilt; a fuzzy entry shows the English meanwhile.
    stale, untranslated = editions.build_solution(small_course, lid, "zh", check=True)
    assert stale and untranslated == [new]


def test_the_chinese_edition_keeps_the_english_code(small_course):
    assert editions.check_edition(small_course, "01_lstm_cell", "zh") == []
    path = small_course.solutions_in("zh") / "01_lstm_cell.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade_id") == "test_lstm_gates")
    cell.source = cell.source.replace("hidden=True", "hidden=False")
    nbformat.write(nb, path)
    assert any("code differs from the English" in p for p in editions.check_edition(small_course, "01_lstm_cell", "zh"))
