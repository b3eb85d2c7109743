"""Helpers of the grading tests: stand-ins for batch._grade_job that they hand to batch.run (importable by
pool processes), and one piece of code run in a fresh sandboxed worker (the sandbox tests, both start paths)."""
from __future__ import annotations

import json
import os
import tempfile
import time

from lstmlab.tooling.grading import batch
from lstmlab.tooling.grading.judge import Session


def exec_in_fresh_worker(sandbox, slot: int, code: str, seconds: float = 60) -> tuple[str, Session]:
    """Start a worker of `sandbox` in `slot`, exec `code` there, close it; returns (what it printed or its
    error, the closed session)."""
    with tempfile.TemporaryDirectory(prefix="lstmlab-test-worker-") as workdir:
        os.chmod(workdir, 0o755)
        session = Session(sandbox, slot, workdir)
        session.start()
        try:
            session.deadline = time.monotonic() + seconds
            reply = session.request({"op": "exec", "source": code, "label": "<test>"})
        finally:
            session.close()
    return reply.get("output", "") + reply.get("error", ""), session


def printed_result(text: str) -> dict:
    """The JSON after 'RESULT=' on a line of `text` (what a probe printed)."""
    line = [ln for ln in text.splitlines() if ln.startswith("RESULT=")]
    assert line, text
    return json.loads(line[0][len("RESULT="):])


def dies_on_mallory(job: dict) -> dict:
    """Grade as usual, except that the grading process itself dies on mallory's submission (as a judge
    killed by the OOM killer would): every submission in flight in that pool is lost with it."""
    if job["student"] == "mallory":
        os._exit(9)
    return batch._grade_job(job)
