"""The student's path through lesson 01 in a real browser: JupyterLab in student mode, headless Chromium.

Open the lesson, type a right answer (`lstm_gates`, which also writes a warning to stderr) and a
wrong one (`lstm_cell_update`, h_t from c_(t-1)) and leave the other three exercises unanswered;
Run All Cells, which must reach the last cell of the lesson (the answer, test and demo cells of the
student version are tagged `raises-exception`, see lstmlab.tooling.course.tag_for_run_all); save,
press nbgrader's Validate button and read the dialog, which the course's checker answers
(lstmlab.tooling.validate): the same per-exercise table as `lstmlab check`. Also checks that the
instructor's nbgrader tools are absent. Screenshots of each step go to $LSTMLAB_SCREENSHOTS when set
(the README's docs/screenshots/), else to pytest's tmp folder.

Needs Debian's Chromium at /usr/bin/chromium (tools/install-browser.sh; run here automatically when
root) and the `playwright` Python package; Playwright's own browser download is never used.
Skips only when Chromium is missing and cannot be installed (not root).

Takes about 1 to 2 minutes on a 2-core machine, most of it in Run All, which runs the whole lesson
(the Keras and latch-training demos included); Validate runs the answers and visible tests only.
Deselect with `-k "not test_browser"`.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from browser_support import (CHROMIUM_ARGS, HALF_LESSON, JS_KERNEL_IDLE, JS_NO_PENDING_CELLS, ROOT,
                             STDERR_NOTE, WRONG_DIAGNOSIS, LabServer, ensure_chromium, exercises, half_answered_answers)

LESSON = HALF_LESSON
RIGHT, WRONG = "lstm_gates", "lstm_cell_update"
SUCCESS_LINE = "✔ lstm_gates: all four gates match"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")

# Timeouts (ms). Generous because CI machines and this one are often loaded; each wait is explicit.
T_PAGE = 120_000       # JupyterLab loaded, notebook rendered, kernel started
T_RUN = 480_000        # Run All Cells: the whole lesson, demos included (Keras, torch, the latch training; 243 s seen at load 6)
T_SAVE = 30_000
T_VALIDATE = 180_000   # Validate: the course's checker on the answers and visible tests (8-30 s seen)

VIEWPORT = {"width": 1400, "height": 900}


# ---------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def chromium() -> str:
    path, why, skip = ensure_chromium()
    if path is None:
        if skip:
            pytest.skip(f"no browser for the JupyterLab test: {why}")
        pytest.fail(f"Chromium could not be installed: {why}")
    return path


@pytest.fixture(scope="module")
def sync_playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the `playwright` Python package is missing: install the test extras "
                    "(pip install -e '.[test]'); never run `playwright install`, the test uses /usr/bin/chromium")
    return sync_playwright


@pytest.fixture
def lab(tmp_path_factory):
    """A student-mode JupyterLab serving a throwaway copy of the lesson; always shut down."""
    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.prepare([ROOT / "lessons" / f"{LESSON}.ipynb"])
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ["LSTMLAB_SCREENSHOTS"]) if os.environ.get("LSTMLAB_SCREENSHOTS") else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---------------------------------------------------------------------------------------------------
# The test


class Student:
    """The page plus the lesson's structure, with waits that fail loudly (page errors, server log)."""

    def __init__(self, page, lab: LabServer, shots: Path, failures: Path):
        self.page, self.lab, self.shots, self.failures = page, lab, shots, failures
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.t0 = time.monotonic()
        self.timings: dict[str, float] = {}

    # -- locating -------------------------------------------------------------------------------------
    @property
    def cells(self):
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")

    def cell(self, index: int):
        return self.cells.nth(index)

    def prompt(self, index: int) -> str:
        return (self.cell(index).locator(".jp-InputPrompt").first.text_content() or "").strip()

    def output(self, index: int) -> str:
        area = self.cell(index).locator(".jp-OutputArea")
        return area.first.text_content() if area.count() else ""

    def editor_text(self, index: int) -> str:
        # One .cm-line per line of the CodeMirror 6 document (innerText would double blank lines).
        return "\n".join(self.cell(index).locator(".cm-content .cm-line").all_text_contents())

    # -- waiting --------------------------------------------------------------------------------------
    def diagnosis(self) -> str:
        return (f"\npage errors: {self.page_errors}\nconsole errors: {self.console_errors[-10:]}"
                f"\nserver log (tail):\n{self.lab.log_tail(3000)}")

    def wait(self, js: str, timeout: int, what: str, arg=None) -> None:
        try:
            self.page.wait_for_function(js, arg=arg, timeout=timeout, polling=250)
        except Exception as e:  # playwright TimeoutError
            pytest.fail(f"timed out after {timeout / 1000:.0f} s waiting for {what}: {e}{self.diagnosis()}")

    def wait_idle(self, what: str, timeout: int, first_numbered: int | None = None) -> None:
        """Kernel idle and no cell queued or running; with first_numbered, that cell has run (so the
        wait cannot pass before a run even starts)."""
        js = f"""(first) => ({JS_KERNEL_IDLE})() && ({JS_NO_PENDING_CELLS})() && (first === null ||
            /\\[\\d+\\]/.test(document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')[first]
                              .querySelector('.jp-InputPrompt').textContent))"""
        self.wait(js, timeout, what, arg=first_numbered)

    def lap(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self.t0, 1)

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def failure_screenshot(self) -> None:
        """On any failure: the page as it was, in pytest's tmp folder (never in $LSTMLAB_SCREENSHOTS)."""
        try:
            path = self.failures / "failure.png"
            self.page.screenshot(path=str(path), timeout=10_000)
            print(f"browser test failed; the page at that moment: {path}")
        except Exception as e:  # the page or browser may be gone
            print(f"browser test failed; no screenshot ({e})")

    def scroll_to_top_of(self, index: int) -> None:
        self.cell(index).evaluate("el => el.scrollIntoView({block: 'start'})")
        self.page.wait_for_timeout(300)  # let the scroll and any re-layout settle before a screenshot


def test_student_path_in_jupyterlab(chromium, sync_playwright_api, lab, shots, tmp_path):
    lesson = nbformat.read(lab.notebook_dir / f"{LESSON}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / f"{LESSON}.ipynb", as_version=4)
    ex = {e["grade_id"]: e for e in exercises(lesson)}
    assert {RIGHT, WRONG} <= set(ex) and len(ex) >= 3, f"lesson {LESSON}: exercises {list(ex)}"
    answers = half_answered_answers(solution)
    unanswered = [e for gid, e in ex.items() if gid not in answers]
    code = [i for i, c in enumerate(lesson.cells) if c.cell_type == "code"]
    # Run All must be able to go past every exercise: the build tags them (and the demos) raises-exception.
    for e in ex.values():
        for k in (e["answer_index"], e["test_index"]):
            assert "raises-exception" in lesson.cells[k].metadata.get("tags", []), f"cell {k} is not tagged"

    # Server side of student mode: validate on (ours), formgrader off.
    assert lab.api("GET", "/nbgrader_version?version=0.9.6")["success"] is True
    assert lab.http_status("/formgrader") == 404, "formgrader's server extension answers in student mode"

    with sync_playwright_api() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            s = Student(page, lab, shots, tmp_path)
            try:
                _student_path(s, page, lab, lesson, answers, ex, unanswered, code)
            except BaseException:
                s.failure_screenshot()
                raise
            print(f"browser test timings (s since page open): {s.timings}; screenshots in {shots}")
        finally:
            browser.close()


def _student_path(s: Student, page, lab: LabServer, lesson, answers: dict, ex: dict, unanswered: list,
                  code: list[int]) -> None:
    # 1. Open the lesson. --------------------------------------------------------------------------
    page.goto(lab.url(f"/lab/tree/{LESSON}.ipynb"), timeout=T_PAGE)
    s.wait(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length === {len(lesson.cells)}"
           " && !!document.querySelector('.jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown h1')",
           T_PAGE, "the notebook to render")
    s.wait_idle("the kernel to start", T_PAGE)
    s.lap("lesson open, kernel idle")
    assert "Lesson 01" in s.cell(0).text_content()
    page.keyboard.press("Control+b")  # hide the file browser: the lesson gets the width
    page.wait_for_timeout(500)
    s.screenshot("01-lesson-open")

    # The instructor's extensions are absent: page config and the Nbgrader menu.
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    disabled = config.get("disabledExtensions", [])
    for plugin in INSTRUCTOR_PLUGINS:
        assert plugin in disabled, f"{plugin} not disabled in student mode: {disabled}"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    menu = page.locator("#jp-mainmenu-nbgrader")
    menu.wait_for(state="visible")
    visible_items = [t.strip() for t in menu.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
                     .all_text_contents()]
    html = page.content()
    page.keyboard.press("Escape")
    assert visible_items == ["Assignment List"], f"Nbgrader menu in student mode: {visible_items}"
    for word in ("Formgrader", "Create Assignment", "Course List"):
        assert word not in html, f"{word!r} shows in the student's JupyterLab"

    # 2. Type a right answer (it warns on stderr) and a wrong one; leave the rest unanswered. --------
    for gid in (RIGHT, WRONG):
        found = [i for i in range(s.cells.count())
                 if f"def {gid}(" in (t := s.editor_text(i)) and "raise NotImplementedError" in t]
        assert found == [ex[gid]["answer_index"]], f"{gid} exercise cell at {found}, expected {ex[gid]['answer_index']}"
        idx = found[0]
        s.cell(idx).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(answers[gid])
        assert s.editor_text(idx) == answers[gid], f"editor holds:\n{s.editor_text(idx)}"
        page.keyboard.press("Escape")  # command mode
    s.scroll_to_top_of(ex[RIGHT]["answer_index"] - 1)
    s.screenshot("02-answer-typed")
    s.lap("answers typed")

    # 3. Run All Cells (Run menu): it goes past the failing and unanswered exercises to the last cell. --
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('#jp-mainmenu-run [data-command="runmenu:run-all"]').click()
    s.wait_idle("Run All Cells to reach the last cell", T_RUN, first_numbered=code[-1])
    s.lap("run all done")
    not_run = [i for i in code if not re.fullmatch(r"\[\d+\]:", s.prompt(i))]
    assert not not_run, f"Run All did not run cells {not_run} (prompts {[s.prompt(i) for i in not_run]})"
    counts = [int(s.prompt(i)[1:-2]) for i in code]
    assert counts == sorted(counts) and len(set(counts)) == len(counts), f"execution counts {counts}"
    right_out, wrong_out = s.output(ex[RIGHT]["test_index"]), s.output(ex[WRONG]["test_index"])
    assert SUCCESS_LINE in right_out, f"{RIGHT} test cell shows: {right_out!r}{s.diagnosis()}"
    stderr = s.cell(ex[RIGHT]["test_index"]).locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert stderr.count() and STDERR_NOTE in stderr.first.text_content(), f"no stderr in the test cell: {right_out!r}"
    assert WRONG_DIAGNOSIS in wrong_out, f"{WRONG} test cell shows: {wrong_out!r}"
    for e in unanswered:
        out = s.output(e["test_index"])
        assert "NotImplementedError" in out or "not answered" in out, f"{e['test_id']} shows: {out!r}"
    s.scroll_to_top_of(ex[WRONG]["test_index"] - 1)
    s.screenshot("03-after-run-all")

    # 4. Save; the file on disk holds the answers. -------------------------------------------------
    page.keyboard.press("Control+s")
    s.wait("() => !document.querySelector('.jp-NotebookPanel.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty')",
           T_SAVE, "the notebook to save")
    saved = nbformat.read(lab.notebook_dir / f"{LESSON}.ipynb", as_version=4)
    for gid in (RIGHT, WRONG):
        assert saved.cells[ex[gid]["answer_index"]].source == answers[gid]

    # 5. Validate (nbgrader's toolbar button; it saves, then our server extension checks the lesson). -
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button")
    assert button.text_content().strip() == "Validate"
    button.click()
    # Any dialog ends the wait: nbgrader's error dialogs ("Validation failed", "Version Mismatch")
    # have no #validation-message and fail below with their text, not after the timeout.
    s.wait("() => !!document.querySelector('.jp-Dialog')", T_VALIDATE, "the validation dialog")
    s.lap("validated")
    dialog = page.locator(".jp-Dialog")
    header = dialog.locator(".jp-Dialog-header").text_content()
    if "Validation Results" not in header or not page.locator("#validation-message").count():
        pytest.fail(f"unexpected dialog after Validate: {header!r}\n{dialog.inner_text()}{s.diagnosis()}")
    message = page.locator("#validation-message")
    classes = message.get_attribute("class").split()
    text = message.inner_text()
    # nbgrader's dialog: "The following cell failed:", then our header line, then our table (as HTML).
    pres = message.evaluate("m => [...m.querySelectorAll(':scope > .jp-RenderedText pre')].map(p => p.innerText)")
    s.screenshot("04-validate-dialog")
    assert "validation-failed" in classes, f"dialog classes {classes}; it says:\n{text}"
    assert len(pres) == 2, text
    title, table = pres
    assert title.startswith(f"{LESSON}.ipynb — lesson {LESSON} (visible tests"), title
    rows = table.splitlines()
    assert any(re.fullmatch(r"\s*✔ test_lstm_gates\s+2/2", r) for r in rows), table   # the warning costs nothing
    assert any(re.fullmatch(r"\s*✘ test_lstm_cell_update\s+0/2\s+failed", r) for r in rows), table
    assert WRONG_DIAGNOSIS in table, table
    for e in unanswered:
        at = next(k for k, r in enumerate(rows) if re.match(rf"\s*✘ {e['test_id']}\s+0/", r))
        assert "not answered" in rows[at + 1].lower(), table
    assert rows[-1] == "total 2/10: 1 of 5 exercises pass", table
    assert "Traceback" not in table and "has changed" not in text, text
    assert message.locator(".lstmlab-pass").count() == 1 and message.locator(".lstmlab-fail").count() == 1 + len(unanswered)
    dialog.get_by_role("button", name="Ok").click()
    dialog.wait_for(state="detached")

    assert not s.page_errors, f"errors in the page: {s.page_errors}"


# ---------------------------------------------------------------------------------------------------
# The same student in the Chinese edition: lessons/zh/, JupyterLab's interface in Chinese


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def lab_zh(tmp_path_factory):
    """`lstmlab lab --lang zh`'s server: the Chinese lesson, JupyterLab's zh_CN language pack."""
    server = LabServer(tmp_path_factory.mktemp("lab-zh"), lang="zh")
    server.prepare([ROOT / "lessons" / "zh" / f"{LESSON}.ipynb"])
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_student_path_in_the_chinese_edition(chromium, sync_playwright_api, lab_zh, shots, tmp_path):
    """Open the Chinese lesson in the Chinese interface, answer two exercises, run up to them, Validate:
    lesson text, test output and the verdict are Chinese. (Run All of the whole lesson is the English
    test's; here the cells up to the second exercise's test run, which is what shows the messages.)"""
    lesson = nbformat.read(lab_zh.notebook_dir / f"{LESSON}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / "zh" / f"{LESSON}.ipynb", as_version=4)
    ex = {e["grade_id"]: e for e in exercises(lesson)}
    answers = half_answered_answers(solution)
    assert lab_zh.api("GET", "/lab/api/settings/@jupyterlab/translation-extension:plugin")[
        "schema"]["properties"]["locale"]["default"] == "zh_CN"
    zh_shots = shots / "zh"
    zh_shots.mkdir(exist_ok=True)
    with sync_playwright_api() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
            page.set_default_timeout(30_000)
            s = Student(page, lab_zh, zh_shots, tmp_path)
            try:
                _chinese_path(s, page, lab_zh, lesson, answers, ex)
            except BaseException:
                s.failure_screenshot()
                raise
            print(f"browser test (zh) timings: {s.timings}; screenshots in {zh_shots}")
        finally:
            browser.close()


def _chinese_path(s: Student, page, lab: LabServer, lesson, answers: dict, ex: dict) -> None:
    page.goto(lab.url(f"/lab/tree/{LESSON}.ipynb"), timeout=T_PAGE)
    s.wait(f"() => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length === {len(lesson.cells)}"
           " && !!document.querySelector('.jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown h1')",
           T_PAGE, "the notebook to render")
    s.wait_idle("the kernel to start", T_PAGE)
    menus = page.locator(".lm-MenuBar-item").all_text_contents()
    assert "文件" in menus and "运行" in menus, f"JupyterLab's menus are not in Chinese: {menus}"
    heading = s.cell(0).text_content()
    assert CJK.search(heading) and "Lesson 01" not in heading, heading
    page.keyboard.press("Control+b")
    page.wait_for_timeout(500)
    s.screenshot("01-lesson-open")

    for gid in (RIGHT, WRONG):
        idx = ex[gid]["answer_index"]
        assert "在这里写你的代码" in s.editor_text(idx), s.editor_text(idx)
        s.cell(idx).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(answers[gid])
        page.keyboard.press("Escape")
    # Run every cell above the cell after the wrong answer's test (Run > Run All Above Selected Cell).
    after = ex[WRONG]["test_index"] + 1
    s.cell(after).click()
    page.locator(".lm-MenuBar-item", has_text="运行").first.click()
    page.locator('#jp-mainmenu-run [data-command="notebook:run-all-above"]').click()
    s.wait_idle("the cells above to run", T_RUN, first_numbered=ex[WRONG]["test_index"])
    right_out, wrong_out = s.output(ex[RIGHT]["test_index"]), s.output(ex[WRONG]["test_index"])
    assert "✔ lstm_gates" in right_out and CJK.search(right_out), right_out
    assert CJK.search(wrong_out) and "c_(t-1)" in wrong_out and WRONG_DIAGNOSIS not in wrong_out, wrong_out
    s.scroll_to_top_of(ex[WRONG]["test_index"] - 1)
    s.screenshot("02-after-run")

    page.keyboard.press("Control+s")
    s.wait("() => !document.querySelector('.jp-NotebookPanel.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty')",
           T_SAVE, "the notebook to save")
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    s.wait("() => !!document.querySelector('#validation-message')", T_VALIDATE, "the validation dialog")
    message = page.locator("#validation-message")
    pres = message.evaluate("m => [...m.querySelectorAll(':scope > .jp-RenderedText pre')].map(p => p.innerText)")
    s.screenshot("03-validate-dialog")
    assert len(pres) == 2, message.inner_text()
    title, table = pres
    assert title.startswith(f"{LESSON}.ipynb — 第 {LESSON} 课（可见测试"), title
    rows = table.splitlines()
    assert any(re.fullmatch(r"\s*✔ test_lstm_gates\s+2/2", r) for r in rows), table
    assert any(re.fullmatch(r"\s*✘ test_lstm_cell_update\s+0/2\s+未通过", r) for r in rows), table
    assert "尚未作答" in table and rows[-1] == "总分 2/10：5 道练习中通过 1 道", table
    page.locator(".jp-Dialog").get_by_role("button").last.click()
    assert not s.page_errors, f"errors in the page: {s.page_errors}"
