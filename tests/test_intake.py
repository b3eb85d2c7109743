"""Intake: which files of a class folder or zip are graded as whose, and what is refused (and said)."""
from __future__ import annotations

import urllib.parse
import warnings
import zipfile
from pathlib import Path

import pytest

from conftest import COURSE
from lstmlab.tooling.grading import batch
from lstmlab.tooling.grading.notebook import load_lesson

LESSON = "01_lstm_cell"
SPECS = {LESSON: load_lesson(COURSE.solutions / f"{LESSON}.ipynb")}
BLANK = (COURSE.lessons / f"{LESSON}.ipynb").read_text(encoding="utf-8")


def put(root: Path, rel: str, text: str = BLANK) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def graded(intake) -> dict[str, str]:
    return {s.student: str(s.path) for s in intake.submissions}


def all_problems(intake) -> str:
    return "\n".join(p for ps in intake.problems.values() for p in ps)


def test_only_the_documented_layouts_are_graded(tmp_path):
    put(tmp_path, f"alice/{LESSON}.ipynb")
    put(tmp_path, f"bob/{LESSON}/{LESSON}.ipynb")
    put(tmp_path, f"mallory/carol/{LESSON}.ipynb")             # planting a file for another student
    put(tmp_path, f"mallory/x/y/{LESSON}/{LESSON}.ipynb")
    intake = batch.collect(tmp_path, SPECS)
    assert set(graded(intake)) == {"alice", "bob"}
    assert "carol" not in intake.students
    assert all_problems(intake).count("not in a documented layout") == 2


def test_a_zip_with_one_top_folder_is_looked_into(tmp_path):
    put(tmp_path, f"download/alice/{LESSON}.ipynb")
    assert set(graded(batch.collect(tmp_path, SPECS))) == {"alice"}


def test_links_are_never_followed(tmp_path):
    secret = tmp_path / "root-only.txt"
    secret.write_text("secret")
    root = tmp_path / "class"
    put(root, f"alice/{LESSON}.ipynb")
    (root / "bob").mkdir()
    (root / "bob" / f"{LESSON}.ipynb").symlink_to(COURSE.solutions / f"{LESSON}.ipynb")
    (root / "eve").mkdir()
    (root / "eve" / f"{LESSON}.ipynb").symlink_to(secret)
    (root / "dan").symlink_to(root / "alice", target_is_directory=True)
    intake = batch.collect(root, SPECS)
    assert set(graded(intake)) == {"alice"}
    assert all_problems(intake).count("a link (links are never followed)") == 3
    assert "secret" not in all_problems(intake)


@pytest.mark.parametrize("a, b", [("José Ñ", "Jose_N"), ("a b", "a_b"), ("x" * 120 + "1", "x" * 120 + "2"),
                                  ("李" * 40 + "甲", "李" * 40 + "乙"), ("=cmd|calc", "_cmd_calc")])
def test_two_students_never_merge_and_ids_decode_back(tmp_path, a, b):
    put(tmp_path, f"{a}/{LESSON}.ipynb")
    put(tmp_path, f"{b}/{LESSON}.ipynb")
    intake = batch.collect(tmp_path, SPECS)
    ids = set(graded(intake))
    assert len(ids) == 2
    for raw in (a, b):
        sid = batch.safe_id(raw)
        assert sid in ids and len(sid) <= batch.MAX_ID and "/" not in sid and not sid.startswith(".")
        if "~" not in sid:
            assert urllib.parse.unquote(sid) == raw


def test_a_huge_sparse_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "alice" / f"{LESSON}.ipynb"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.truncate(20 << 30)          # 20 GiB of nothing: reading it whole would take the machine
    put(tmp_path, f"bob/{LESSON}.ipynb")
    intake = batch.collect(tmp_path, SPECS)
    assert set(graded(intake)) == {"bob"} and "alice" in intake.students
    assert "over the 64 MiB limit" in "\n".join(intake.problems["alice"])


def _zip(path: Path, entries: list[tuple[str, str]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")           # zipfile warns about the duplicate name we mean to write
        for name, text in entries:
            zf.writestr(name, text)
    return path


def test_bad_zip_entries_are_reported_one_by_one_and_never_stop_the_others(tmp_path):
    long_name = "学生" * 50                        # 300 bytes of UTF-8: longer than a file name may be
    src = _zip(tmp_path / "class.zip", [
        (f"alice/{LESSON}.ipynb", BLANK),
        (f"{long_name}/{LESSON}.ipynb", BLANK),
        ("clash", "a file"), (f"clash/{LESSON}.ipynb", BLANK),      # a file and a folder of the same name
        (f"dup/{LESSON}.ipynb", BLANK), (f"dup/{LESSON}.ipynb", "{}"),
        (f"../evil/{LESSON}.ipynb", BLANK),
    ])
    dest = tmp_path / "out"
    dest.mkdir()
    problems = batch.extract_zip(src, dest)
    text = "\n".join(problems)
    assert (dest / "alice" / f"{LESSON}.ipynb").is_file()
    assert "name too long" in text.lower() or long_name in text
    assert "clash" in text
    assert "appears 2 times; none of them was graded" in text and not (dest / "dup" / f"{LESSON}.ipynb").exists()
    assert "unsafe" in text and not (tmp_path / "evil").exists()
    assert len(problems) == 5, problems


def test_grading_without_isolation_needs_an_explicit_flag(tmp_path, monkeypatch, capsys):
    from lstmlab.tooling import cli
    from lstmlab.tooling.grading.sandbox import Sandbox

    monkeypatch.setattr(Sandbox, "isolated", lambda self: False)
    put(tmp_path / "subs", f"alice/{LESSON}.ipynb")
    code = cli.main(["grade", str(tmp_path / "subs"), "-o", str(tmp_path / "out")])
    assert code == 2 and "--no-isolation" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert "no isolation" in Sandbox(force_fallback=True).describe()


@pytest.mark.parametrize("source, reason", [
    ("f = getattr(torch.nn, 'LS' + 'TM')", "getattr() with a computed or private name"),
    ("name = 'LSTM'\nf = getattr(torch.nn, name)", "getattr() with a computed or private name"),
    ("c = getattr(lstm_forward, '__co' 'de__')", "__code__"),           # implicit concatenation is one literal
    ("g = getattr\nf = g(torch.nn, 'LSTM')", "uses getattr"),
    ("f = torch._VF.lstm", "._VF"),
    ("f = torch.ops.aten.lstm", ".aten"),
    ("import runpy", "imports runpy"),
    ("from operator import attrgetter", "imports from operator"),
    ("f = vars(torch.nn)['LSTM']", "uses vars"),
    ("f = torch.nn.__dict__['LSTM']", ".__dict__"),
    ("f = eval('torch.nn.LSTM')", "uses eval"),
    ("f = object.__getattribute__(torch.nn, 'LSTM')", "__getattribute__"),
])
def test_the_answer_scan_does_not_depend_on_the_names_an_answer_spells(source, reason):
    from lstmlab.tooling.grading.notebook import tampering

    found = tampering(source)
    assert any(reason in r for r in found), found


@pytest.mark.parametrize("source", [
    "y = getattr(np, 'tanh')(x)",
    "ok = hasattr(x, 'shape')",
    "import numpy as np\nfrom math import sqrt\nsteps = {'torch': np.tanh}\nf = steps['torch']",
    "_C = 3\nlabel = 'aten'",
])
def test_the_answer_scan_leaves_ordinary_code_alone(source):
    from lstmlab.tooling.grading.notebook import tampering

    assert tampering(source) == []
