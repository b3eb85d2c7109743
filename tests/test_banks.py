"""Every exercise of every lesson: wrong implementations lose its points, correct alternatives keep them.

Cases come from tests/banks/bank_<lesson>.py; a lesson added to solutions/ without a bank,
or an exercise without enough cases, fails test_every_exercise_has_a_bank.
"""
from __future__ import annotations

import re

import pytest

from conftest import LESSONS, bank_for

MIN_WRONG, MIN_RIGHT = 4, 2  # docs/AUTHORING.md states the same numbers


def _cases(kind):
    out = []
    for lid in LESSONS:
        try:
            bank = getattr(bank_for(lid), kind)
        except ImportError:
            continue
        for exercise, entries in bank.items():
            for entry in entries:
                out.append(pytest.param(lid, exercise, *entry, id=f"{lid}-{exercise}-{entry[0]}"))
    return out


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_a_bank(lesson, runner_for):
    bank = bank_for(lesson)
    for exercise in runner_for(lesson).exercises:
        assert len(bank.WRONG.get(exercise, [])) >= MIN_WRONG, f"{lesson}: {exercise} needs >= {MIN_WRONG} wrong implementations"
        assert len(bank.RIGHT.get(exercise, [])) >= MIN_RIGHT, f"{lesson}: {exercise} needs a correct alternative"
    unknown = (set(bank.WRONG) | set(bank.RIGHT)) - set(runner_for(lesson).exercises)
    assert not unknown, f"{lesson}: bank names exercises the notebook lacks: {unknown}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_reference_solutions_pass(lesson, runner_for):
    runner = runner_for(lesson)
    for exercise in runner.exercises.values():
        ok, message = runner.judge(exercise.solution_id, exercise.solution_source)
        assert ok, f"{lesson}: the reference solution of {exercise.solution_id} fails its own tests: {message}"


@pytest.mark.parametrize("lesson, exercise, name, source, fragment", _cases("WRONG"))
def test_wrong_implementation_loses_points(lesson, exercise, name, source, fragment, runner_for):
    ok, message = runner_for(lesson).judge(exercise, source)
    assert not ok, f"{lesson}/{exercise}: wrong implementation '{name}' passed the tests"
    if fragment is not None:
        assert fragment in message, f"'{name}' failed, but the message does not name the mistake: {message}"


@pytest.mark.parametrize("lesson, exercise, name, source", _cases("RIGHT"))
def test_alternative_correct_implementation_keeps_points(lesson, exercise, name, source, runner_for):
    ok, message = runner_for(lesson).judge(exercise, source)
    assert ok, f"{lesson}/{exercise}: correct alternative '{name}' was failed: {message}"


CJK = re.compile(r"[\u4e00-\u9fff]")
# A fragment quoting Python's own exception text (the student's error, shown as raised) stays English.
PYTHONS_OWN = re.compile(r"object has no attribute|is not defined|object is not|unsupported operand|"
                         r"could not be broadcast|index \d+ is out of bounds|takes \d+ positional")


@pytest.mark.parametrize("lesson, exercise, name, source, fragment", _cases("WRONG"))
def test_wrong_implementation_is_diagnosed_in_chinese(lesson, exercise, name, source, fragment, runner_for):
    """The same wrong answer in the Chinese edition: its diagnosis is in Chinese (the checks' messages go
    through the catalogs; the English fragment the test above finds is translated)."""
    from lstmlab.i18n import language

    with language("zh"):
        ok, message = runner_for(lesson).judge(exercise, source)
    assert not ok
    assert CJK.search(message), f"'{name}': the Chinese edition's diagnosis is in English: {message[:300]}"
    # A fragment of English words (not code such as `K.transpose(0, 2, 1)`) must not reach the Chinese edition.
    if fragment is not None and len(re.findall(r"[A-Za-z]{2,}", fragment)) >= 3 and not PYTHONS_OWN.search(fragment):
        assert fragment not in message, f"'{name}': the English diagnosis reached the Chinese edition: {message[:300]}"
