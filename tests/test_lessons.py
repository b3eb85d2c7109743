"""Every lesson in solutions/: well-formed nbgrader source, a faithful student version, and grading that works."""
from __future__ import annotations


import nbformat
import pytest

from conftest import COURSE, LESSONS
from harness import exercises, is_demo, nbgrader_meta
from lstmlab.tooling.course import autograde, build, notebooks_without_outputs


EDITIONS = ("en", "zh")


def _solution(lid, lang="en"):
    return nbformat.read(COURSE.solutions_in(lang) / f"{lid}.ipynb", as_version=4)


def _lesson(lid, lang="en"):
    return nbformat.read(COURSE.lessons_in(lang) / f"{lid}.ipynb", as_version=4)


def test_there_are_lessons():
    assert "01_lstm_cell" in LESSONS


def test_lessons_equal_a_fresh_build():
    stale = build(COURSE, check=True)
    assert not stale, f"lessons/ is stale for {stale}: run `lstmlab build` and commit both"


@pytest.mark.parametrize("lid", LESSONS)
def test_solution_notebook_is_well_formed(lid):
    nb = _solution(lid)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    exs = exercises(nb)
    assert len(exs) >= 1, "a lesson needs graded exercises"
    solution_ids = [ex.solution_id for ex in exs]
    assert len(solution_ids) == len(set(solution_ids)), "each solution cell has exactly one test cell after it"
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    for ex in exs:
        assert "### BEGIN SOLUTION" in ex.solution_source, f"{ex.solution_id} has no solution region"
        assert "### BEGIN HIDDEN TESTS" in ex.test_source, f"{ex.test_id} has no hidden tests"
        visible = ex.test_source.split("### BEGIN HIDDEN TESTS")[0]
        assert visible.strip(), f"{ex.test_id} has no visible tests"
        assert ex.points > 0
    # A graded cell never depends on a demo cell: demo cells come after, or define nothing used later.
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade") or nbgrader_meta(cell).get("solution"):
            assert not is_demo(cell), "a graded or solution cell cannot be a demo cell"


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("lid", LESSONS)
def test_solution_has_stored_outputs_without_errors(lid, lang):
    assert not notebooks_without_outputs([COURSE.solutions_in(lang) / f"{lid}.ipynb"])
    for cell in _solution(lid, lang).cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"stored error output in {lid}: {out.get('ename')}"
            # Nothing on stderr anywhere: test cells must not (nbgrader zeroes them), and progress bars are
            # notebook widgets that leave no text behind, so stored outputs stay tidy.
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{lid}: stderr in a stored output: {out.get('text', '')[:200]!r}"


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("lid", LESSONS)
def test_student_version_holds_no_solutions_hidden_tests_or_outputs(lid, lang):
    nb = _lesson(lid, lang)
    text = nbformat.writes(nb)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "hidden=True"):
        assert marker not in text, f"{lang} lessons/{lid}.ipynb contains {marker!r}"
    for cell in nb.cells:
        assert "execution" not in cell.metadata, "the author's run timestamps stay in solutions/"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if nbgrader_meta(cell).get("solution"):
            assert "raise NotImplementedError()" in cell.source
    sol_ids = [nbgrader_meta(c).get("grade_id") for c in _solution(lid).cells]
    assert [nbgrader_meta(c).get("grade_id") for c in nb.cells] == sol_ids, "same cells as the (English) solution"


def test_verify_refuses_a_notebook_without_outputs(tmp_path):
    nb = _solution("01_lstm_cell")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, tmp_path / "x.ipynb")
    assert notebooks_without_outputs([tmp_path / "x.ipynb"]) == ["x.ipynb"]


# Stock nbgrader also grades a blank lesson here, in one lesson: that its zero holds is a property of the
# checks' machinery (an unanswered exercise raises NotAnswered, a NotImplementedError), the same in every
# lesson. Every lesson's blank scores 0 in both editions through `lstmlab grade` (test_grading.py), whose
# test cells are these; a blank autograde per lesson cost another 20 s of CPU each (benchmarks/README.md).
BLANK_THROUGH_STOCK_NBGRADER = ("01_lstm_cell",)


@pytest.mark.parametrize("lid", LESSONS)
def test_nbgrader_gives_solution_full_marks_and_blank_zero(lid, tmp_path):
    """One full nbgrader round trip per lesson: generate, submit, autograde, read the gradebook."""
    submissions = {"reference": COURSE.solutions / f"{lid}.ipynb"}
    if lid in BLANK_THROUGH_STOCK_NBGRADER:
        submissions["blank"] = COURSE.lessons / f"{lid}.ipynb"
    grades = autograde(COURSE, lid, submissions, tmp_path)
    tests = {e.test_id: e.points for e in exercises(_solution(lid))}
    assert set(grades["reference"]) == set(tests)
    for test_id, points in tests.items():
        assert grades["reference"][test_id] == (points, points), f"reference lost points on {test_id}"
        if "blank" in grades:
            assert grades["blank"][test_id] == (0.0, points), f"untouched lesson scored on {test_id}"


def test_build_seeds_nbgrader_source_and_check_writes_nothing(tmp_path):
    import shutil

    from lstmlab.tooling.course import Course

    root = tmp_path / "course_copy"
    for part in ("solutions", "lessons", "course"):
        shutil.copytree(COURSE.root / part, root / part, ignore=shutil.ignore_patterns("source", "release", "*.db"))
    copy = Course(root)
    assert build(copy, check=True) == [] and not (root / "course" / "source").exists()
    (root / "lessons" / "01_lstm_cell.ipynb").write_text("{}", encoding="utf-8")
    assert build(copy, check=True) == ["01_lstm_cell"], "--check reports a stale lesson"
    assert (root / "lessons" / "01_lstm_cell.ipynb").read_text(encoding="utf-8") == "{}", "--check wrote nothing"
    assert build(copy) == ["01_lstm_cell"]
    for lid in copy.lesson_ids():
        assert (root / "course" / "source" / lid / f"{lid}.ipynb").read_bytes() == (root / "solutions" / f"{lid}.ipynb").read_bytes()


def test_build_of_named_lessons_touches_no_other(tmp_path):
    """`lstmlab build 01_lstm_cell` rebuilds that lesson only: another stale lesson and a lesson without a
    solution stay as they are (a whole build would rewrite the first and delete the second)."""
    import shutil

    import pytest

    from lstmlab.tooling.course import Course

    root = tmp_path / "course_copy"
    shutil.copytree(COURSE.root / "course", root / "course", ignore=shutil.ignore_patterns("source", "release", "*.db"))
    for part in ("solutions", "lessons"):
        (root / part).mkdir()
        for lid in ("01_lstm_cell", "02_bptt"):
            shutil.copy(COURSE.root / part / f"{lid}.ipynb", root / part)
    copy = Course(root)
    for lid in ("01_lstm_cell", "02_bptt", "99_orphan"):
        (root / "lessons" / f"{lid}.ipynb").write_text("{}", encoding="utf-8")
    assert build(copy, check=True, ids=["01_lstm_cell"]) == ["01_lstm_cell"]
    assert build(copy, ids=["01_lstm_cell"]) == ["01_lstm_cell"]
    assert build(copy, check=True, ids=["01_lstm_cell"]) == []
    assert (root / "lessons" / "02_bptt.ipynb").read_text(encoding="utf-8") == "{}", "another lesson was rebuilt"
    assert (root / "lessons" / "99_orphan.ipynb").exists(), "a named build deleted a lesson it was not asked about"
    with pytest.raises(SystemExit, match="no solution notebook for 03_nope"):
        build(copy, ids=["03_nope"])
