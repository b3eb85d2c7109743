"""lstmlab.tooling.grading.similarity on answers alone (no grading): the generated class of
tests/instructor_class.py, renamed copies, given code, code the whole class shares, zips, hash seeds."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile

import pytest

import instructor_class as ic
from conftest import COURSE
from lstmlab.tooling.grading import batch, similarity
from lstmlab.tooling.grading.notebook import load_lesson

SPEC = load_lesson(COURSE.solutions / f"{ic.LESSON}.ipynb")
REFERENCE = {s.solution_id: s.source for s in SPEC.steps if s.kind == "answer"}
GIVEN = similarity.given_cells(COURSE.lessons, [ic.LESSON])


def compare(students: dict[str, dict[str, str]], **kw) -> similarity.LessonSimilarity:
    answers = {(s, ic.LESSON): a for s, a in students.items()}
    return similarity.class_similarity(answers, {ic.LESSON: SPEC}, GIVEN, **kw)[ic.LESSON]


@pytest.fixture(scope="module")
def generated():
    return compare(ic.class_answers(ic.reference_answers()))


def test_the_generated_class_lists_the_planted_copies_and_no_independent_pair(generated):
    assert {(p.a, p.b) for p in generated.pairs} == ic.COPIED_PAIRS
    assert {p.a for p in generated.reference} == ic.REFERENCE_COPIES
    for p in generated.pairs + generated.reference:
        assert p.similarity >= 0.95 and p.shared >= 3 * similarity.MIN_SHARED, (p.a, p.b, p.shared)
    assert generated.closest_unlisted < similarity.MIN_SHARED, "independent answers stay clear of the bar"
    assert generated.compared == 31 * 30 // 2


def test_pairs_show_both_answers_with_the_unusual_shared_code_marked(generated):
    pair = next(p for p in generated.pairs if p.a == "pair1_a")
    gates = next(e for e in pair.exercises if e.exercise == "test_lstm_gates")
    left, right = ("".join(t for t, _ in side) for side in gates.code)
    assert left == ic.class_answers({})["pair1_a"]["lstm_gates"] and "n_hidden" in right, "the answers as written"
    marked = "".join(t for t, m in gates.code[1] if m)
    assert "enumerate" in marked and "wx_part" in marked, "the renamed copy's shared code is highlighted"


def test_renamed_variables_comments_and_layout_do_not_change_the_fingerprints():
    source = ic.right("lstm_forward", "preallocated output")
    assert similarity.fingerprint(source).positions
    assert similarity.fingerprint(source).hashes == similarity.fingerprint(ic.disguise(source, ic.RENAMES)).hashes
    assert similarity.fingerprint(source).hashes != similarity.fingerprint(ic.right("lstm_forward", "recursion over time")).hashes


def test_the_given_code_and_docstrings_count_for_nothing():
    given = GIVEN[ic.LESSON]["lstm_forward"]
    assert similarity.fingerprint(given, similarity.all_kgrams(given)).positions == {}
    assert similarity.given_code(REFERENCE["lstm_forward"]).split() == given.split(), \
        "without lessons/ the given code is derived from the solution as nbgrader derives it"
    # Ten students who hand in the skeleton with one long identical docstring-only change are not listed.
    blank = {s: {"lstm_forward": given.replace('"""LSTM', '"""' + "My notes on the LSTM. " * 20)} for s in "abcdefghij"}
    assert compare(blank).pairs == []


def test_code_most_of_the_class_shares_counts_almost_nothing():
    long_common = ic.right("lstm_forward", "float32 throughout, projections of all steps at once, preallocated")
    others = [src for _, src, _ in ic.bank.WRONG["lstm_forward"]][:10]
    students = {f"same{k}": {"lstm_forward": long_common} for k in range(20)}
    students.update({f"own{k}": {"lstm_forward": src} for k, src in enumerate(others)})
    assert compare(students).pairs == []
    everything = compare(students, threshold=0.0, min_shared=0.0, max_pairs=None).pairs
    same = [p for p in everything if p.a.startswith("same") and p.b.startswith("same")]
    assert same and max(p.shared for p in same) < 1.0, "20 of 30 alike: under one fingerprint for the whole answer"
    assert min(p.exercises[0].overlap[0] for p in same) > 0.9, "(while, unweighted, they are identical)"
    assert similarity.rarity(2, 30) == 1.0 and similarity.rarity(30, 30) == 0.0
    assert similarity.rarity(16, 31) < 0.05 < similarity.rarity(5, 31) < similarity.rarity(3, 31) < 1.0


def test_a_stricter_threshold_lists_fewer_pairs(generated):
    students = ic.class_answers(ic.reference_answers())
    assert compare(students, min_shared=10_000).pairs == []
    assert len(compare(students, threshold=0.0, min_shared=0.0).pairs) > len(generated.pairs)


def test_fingerprints_do_not_depend_on_pythons_hash_seed():
    code = ("import sys; sys.path.insert(0, 'tests'); import instructor_class as ic; "
            "from lstmlab.tooling.grading import similarity as s; "
            "print(sorted(s.fingerprint(ic.PAIR1['lstm_gates']).hashes))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=COURSE.root,
                           env=dict(os.environ, PYTHONHASHSEED=seed), check=True).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and len(runs[0]) > 10


def test_answers_are_read_again_from_a_zip_and_a_changed_file_is_not_compared(tmp_path):
    zpath = tmp_path / "class.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for student in ("ada", "bob"):
            z.writestr(f"download/{student}/{ic.LESSON}.ipynb", ic.notebook_with({"lstm_gates": ic.PAIR1["lstm_gates"]}))
    extracted = tmp_path / "gone" / "extracted"
    extracted.mkdir(parents=True)
    batch.extract_zip(zpath, extracted)
    intake = batch.collect(extracted, {ic.LESSON: SPEC})
    for sub in intake.submissions:   # as after grading: the unpacked copy is deleted
        sub.path.unlink()
    answers, problems = similarity.read_answers(intake, {ic.LESSON: SPEC}, zpath)
    assert problems == [] and set(answers) == {("ada", ic.LESSON), ("bob", ic.LESSON)}
    assert answers[("ada", ic.LESSON)]["lstm_gates"] == ic.PAIR1["lstm_gates"]
    folder = tmp_path / "subs"
    ic.write_class(folder, {"ada": {}, "bob": {}})
    intake = batch.collect(folder, {ic.LESSON: SPEC})
    (folder / "bob" / f"{ic.LESSON}.ipynb").write_text(ic.notebook_with(ic.COMMON), encoding="utf-8")
    answers, problems = similarity.read_answers(intake, {ic.LESSON: SPEC})
    assert set(answers) == {("ada", ic.LESSON)} and len(problems) == 1 and "bob" in problems[0]
    assert hashlib.sha256((folder / "ada" / f"{ic.LESSON}.ipynb").read_bytes()).hexdigest() == intake.submissions[0].sha
