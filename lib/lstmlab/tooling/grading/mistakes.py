"""The mistakes a class made: per exercise, the diagnoses ranked by how many students received each one.

A check's diagnosis often carries the student's numbers ("largest error 0.0312 at index (1, 2) (yours
0.7, expected 0.3)"), so two students with the same mistake rarely get the same text. Diagnoses are
therefore grouped by their *template*: the text with numbers, shapes and indices, and quoted values
replaced by placeholders, the words kept. For an exception the template is its last "SomeError: ..."
line; for a failed check the diagnosis itself (an error the answer cell raised before it, which the
judge puts first, is left out).

Counted: every verdict but "passed" and "not submitted" (a lesson that was not handed in is not a
mistake); the share is of the students who handed the lesson in.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .verdict import Status, SubmissionResult

NUMBER = "N"          # placeholder of a number
TUPLE = "(N, ...)"    # of a shape or an index: (2, 3), (1, 0, 2)
QUOTED = "'…'"        # of a quoted value
MAX_TEMPLATE = 400    # characters of a template (a longer diagnosis is cut, with an ellipsis)

# Not inside a name or an index expression: "float64", "4H", "h_(t-1)" and "k+1" stay as they are.
_NUM = re.compile(r"(?<![\w.])(?<!\w[-+])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w])")
_TUPLE = re.compile(r"\(\s*N(?:\s*,\s*N)*\s*,?\s*\)")
_BRACKETS = re.compile(r"\[\s*N(?:\s*,\s*N)*\s*,?\s*\]")
# A quote opens where no letter stands before it and closes where none follows ("chapter's" is no quote).
_QUOTES = re.compile(r"(?<![\w'\"])'[^'\n]{0,200}'(?![\w'])|(?<![\w'\"])\"[^\"\n]{0,200}\"(?![\w\"])")
_SPACE = re.compile(r"\s+")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Failed)\b.*$")
_CHAINED_CELL = "your answer cell raised when it ran:"


def normalise(text: str) -> str:
    """The template of a diagnosis: numbers, shapes, indices and quoted values as placeholders."""
    t = _SPACE.sub(" ", text).strip()
    t = _QUOTES.sub(QUOTED, t)
    t = _NUM.sub(NUMBER, t)
    t = _TUPLE.sub(TUPLE, t)
    t = _BRACKETS.sub("[N, ...]", t)
    return t if len(t) <= MAX_TEMPLATE else t[:MAX_TEMPLATE].rstrip() + " …"


def headline(status: Status, message: str) -> str:
    """The part of a verdict's message that says what went wrong (whitespace collapsed)."""
    text = (message or "").strip()
    if status == Status.FAILED and text.startswith(_CHAINED_CELL) and "\n\n" in text:
        text = text.split("\n\n", 1)[1].strip()   # the judge put the answer cell's own error first
    if status == Status.ERROR:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        found = [ln for ln in lines if _EXCEPTION_LINE.match(ln)]
        text = found[-1] if found else (lines[-1] if lines else "")
    elif status != Status.FAILED:
        text = text.splitlines()[0] if text else ""
    return _SPACE.sub(" ", text).strip() or status.text


@dataclass
class Mistake:
    lesson: str
    exercise: str
    status: Status
    template: str
    students: list[str] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)   # student -> their exact diagnosis
    share: float = 0.0                                       # of the students who handed the lesson in

    @property
    def count(self) -> int:
        return len(self.students)

    @property
    def example(self) -> str:
        """The exact text most students of this group received (the first such, by student id)."""
        counts: dict[str, int] = defaultdict(int)
        for text in self.examples.values():
            counts[text] += 1
        return max(sorted(counts), key=lambda t: counts[t]) if counts else ""


def class_mistakes(results: list[SubmissionResult]) -> dict[str, dict[str, list[Mistake]]]:
    """lesson -> exercise (in notebook order) -> its mistakes, most frequent first (then by template)."""
    handed_in: dict[str, set[str]] = defaultdict(set)
    order: dict[str, list[str]] = {}
    groups: dict[tuple[str, str, Status, str], Mistake] = {}
    for r in results:
        order.setdefault(r.lesson, [])
        for e in r.exercises:
            if e.exercise not in order[r.lesson]:
                order[r.lesson].append(e.exercise)
        if any(e.status != Status.MISSING for e in r.exercises):
            handed_in[r.lesson].add(r.student)
        for e in r.exercises:
            if e.status in (Status.PASSED, Status.MISSING):
                continue
            text = headline(e.status, e.message)
            key = (r.lesson, e.exercise, e.status, normalise(text))
            m = groups.setdefault(key, Mistake(r.lesson, e.exercise, e.status, key[3]))
            if r.student not in m.examples:
                m.students.append(r.student)
                m.examples[r.student] = text
    out: dict[str, dict[str, list[Mistake]]] = {}
    for lesson in sorted(order):
        out[lesson] = {ex: [] for ex in order[lesson]}
    for m in groups.values():
        m.students.sort()
        m.share = len(m.students) / max(1, len(handed_in[m.lesson]))
        out[m.lesson][m.exercise].append(m)
    for by_ex in out.values():
        for ms in by_ex.values():
            ms.sort(key=lambda m: (-m.count, m.status != Status.FAILED, m.template))
    return out


def write_csv(mistakes: dict[str, dict[str, list[Mistake]]], path: Path) -> None:
    """OUT/mistakes.csv: lesson,exercise,diagnosis,students,count,share,status,example; one row per
    diagnosis template, most frequent first within each exercise; students separated by "; "."""
    from .report import spreadsheet_text

    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as f:
        w = csv.writer(f)
        w.writerow(["lesson", "exercise", "diagnosis", "students", "count", "share", "status", "example"])
        for lesson, by_ex in mistakes.items():
            for exercise, ms in by_ex.items():
                for m in ms:
                    w.writerow([spreadsheet_text(lesson), spreadsheet_text(exercise), spreadsheet_text(m.template),
                                spreadsheet_text("; ".join(m.students)), m.count, f"{m.share:.3f}",
                                spreadsheet_text(m.status.value), spreadsheet_text(m.example)])
