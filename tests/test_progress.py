"""lstmlab.tooling.grading.progress: what `lstmlab grade` shows while it runs (no grading here: events
are fed by hand; tests/test_instructor_view.py checks a real run's lines)."""
from __future__ import annotations

import io
import re

from lstmlab.tooling.grading.progress import Note, Progress, clock_text


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _run(progress: Progress, clock: Clock, total: int, seconds_each: float, failed_at=(), incident_at=()):
    progress(Note(f"{total} submissions; 0 already graded, {total} to grade", "start", total=total))
    for k in range(1, total + 1):
        clock.now += seconds_each
        progress(Note(f"  s{k}/01_lstm_cell: 10/10 (5.0 s)", "done", failed=k in failed_at, incident=k in incident_at))
    progress(Note("graded", "end"))


def test_a_log_file_gets_plain_lines_every_tenth_of_the_class_with_counts_and_times():
    out, clock = io.StringIO(), Clock()
    _run(Progress(out, every=1000, clock=clock), clock, 30, 4.0, failed_at={7}, incident_at={2, 9})
    lines = out.getvalue().splitlines()
    assert lines[0] == "30 submissions; 0 already graded, 30 to grade"
    progress = [ln for ln in lines if ln.startswith("grading: ")]
    assert [int(ln.split()[1].split("/")[0]) for ln in progress] == list(range(3, 31, 3))
    assert progress[0] == "grading: 3/30 graded, 0 failed, 1 with incidents, 0:12 elapsed, about 1:48 left"
    assert progress[-1] == "grading: 30/30 graded, 1 failed, 2 with incidents, 2:00 elapsed"
    assert any(ln.startswith("grader failure:   s7/") or ln.startswith("grader failure: s7/") for ln in lines), \
        "a grader failure is said at once"
    assert "\r" not in out.getvalue() and "█" not in out.getvalue(), "no bar in a log"


def test_a_slow_class_gets_a_line_every_few_seconds_too():
    out, clock = io.StringIO(), Clock()
    _run(Progress(out, every=10, clock=clock), clock, 200, 6.0)
    progress = [ln for ln in out.getvalue().splitlines() if ln.startswith("grading: ")]
    counts = [int(ln.split()[1].split("/")[0]) for ln in progress]
    assert counts[:3] == [2, 4, 6] and counts[-1] == 200, "every 10 s (two submissions), not only every 20"


def test_a_terminal_gets_a_bar_and_quiet_gets_nothing():
    term, clock = Terminal(), Clock()
    _run(Progress(term, clock=clock), clock, 12, 1.0, failed_at={3})
    shown = term.getvalue()
    assert "12/12" in shown and "1 failed" in shown and "\r" in shown, shown[-300:]
    assert "grader failure:" in shown
    assert not re.search(r"\d+/\d+ graded", shown), "no plain lines under a bar"
    quiet = io.StringIO()
    _run(Progress(quiet, quiet=True, clock=clock), clock, 12, 1.0, failed_at={3})
    assert quiet.getvalue() == ""


def test_notes_print_as_their_text_for_any_other_log():
    printed = io.StringIO()
    print(Note("3 submissions", "start", total=3), file=printed)
    assert printed.getvalue() == "3 submissions\n"
    assert clock_text(59.6) == "1:00" and clock_text(3723) == "1:02:03"
