"""Stand-ins for batch._grade_job that the grading tests hand to batch.run (importable by pool processes)."""
from __future__ import annotations

import os

from lstmlab.tooling.grading import batch


def dies_on_mallory(job: dict) -> dict:
    """Grade as usual, except that the grading process itself dies on mallory's submission (as a judge
    killed by the OOM killer would): every submission in flight in that pool is lost with it."""
    if job["student"] == "mallory":
        os._exit(9)
    return batch._grade_job(job)
