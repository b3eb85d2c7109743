"""What a grading run shows while it runs: a progress bar on a terminal, plain periodic lines elsewhere.

batch.run reports through its `log` callable. Its messages are plain text (print shows them as they
are) or Notes: text that also carries an event ("start" with the number to grade, "done" per graded
submission with whether the grader failed on it, "end"). Progress is such a callable:

- on a terminal (stream.isatty()) a tqdm bar: submissions done / total, grader failures and
  submissions with incidents so far, elapsed and remaining time;
- otherwise (CI logs, a file, a pipe) a plain line every `every` seconds and at least every tenth of
  the class, and always at the end: "grading: 12/30 graded, 0 failed, 2 with incidents, 0:42 elapsed,
  about 1:03 left";
- quiet: nothing at all.

A grader failure (the grader, not the student, failed: exit status 3) is also written on its own line at
once, in both modes, so it is never hidden behind a bar.
"""
from __future__ import annotations

import math
import sys
import time
from typing import Callable, TextIO


class Note(str):
    """A log message that is also an event for Progress; printed, it is just its text."""

    event: str
    data: dict

    def __new__(cls, text: str, event: str, **data):
        note = super().__new__(cls, text)
        note.event, note.data = event, data
        return note


def clock_text(seconds: float) -> str:
    """1:03, or 1:02:03 past an hour."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """The `log` of a grading run (see the module's docstring)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, every: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, tty: bool | None = None):
        self.stream = stream if stream is not None else sys.stdout
        self.quiet = quiet
        self.every = every
        self.clock = clock
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty()) if tty is None and isatty else bool(tty)
        self.total = self.done = self.failed = self.incidents = 0
        self.started = self.last_time = 0.0
        self.last_done = 0
        self.bar = None

    # -- what batch.run calls -------------------------------------------------------------------
    def __call__(self, message: str = "", *_args) -> None:
        if self.quiet:
            return
        event = getattr(message, "event", None)
        if event == "start":
            self._start(str(message), int(message.data.get("total", 0)))
        elif event == "done":
            self._done(str(message), bool(message.data.get("failed")), bool(message.data.get("incident")))
        elif event == "end":
            self._end()
        else:
            self._write(str(message))

    # -- the parts ------------------------------------------------------------------------------
    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def _start(self, text: str, total: int) -> None:
        self._write(text)
        self.total, self.done, self.failed, self.incidents = total, 0, 0, 0
        self.started = self.last_time = self.clock()
        self.last_done = 0
        if total and self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="submission", file=self.stream, dynamic_ncols=True,
                            desc="grading", bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                                      "[{elapsed}<{remaining}{postfix}]")
            self.bar.set_postfix_str(self._counts(), refresh=False)

    def _counts(self) -> str:
        return f"{self.failed} failed, {self.incidents} with incidents"

    def _done(self, text: str, failed: bool, incident: bool) -> None:
        self.done += 1
        self.failed += failed
        self.incidents += incident
        if failed:
            self._write(text.strip() if "grader failure" in text else f"grader failure: {text.strip()}")
        if self.bar is not None:
            self.bar.set_postfix_str(self._counts(), refresh=False)
            self.bar.update(1)
            return
        now = self.clock()
        step = max(1, math.ceil(self.total / 10)) if self.total else 1
        if self.done >= self.total or self.done - self.last_done >= step or now - self.last_time >= self.every:
            self.last_time, self.last_done = now, self.done
            self._write(self.line(now))

    def line(self, now: float | None = None) -> str:
        """The plain progress line."""
        now = self.clock() if now is None else now
        elapsed = now - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        rest = f", about {clock_text(left)} left" if left is not None and self.done < self.total else ""
        return (f"grading: {self.done}/{self.total} graded, {self._counts()}, "
                f"{clock_text(elapsed)} elapsed{rest}")

    def _end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
