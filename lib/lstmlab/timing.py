"""Timing that survives a busy laptop: the one timing loop every lesson and benchmark uses.

Timings depend on the machine, the load and the library build, so lessons print them only in
the masked form "1.23 ms per step" and otherwise show them in plots. Each measurement is the
median of `repeats` runs after one warm-up run, in CPU time of this process by default (other
programs on a busy machine do not inflate it); functions being compared run in alternation.
"""
from __future__ import annotations

import contextlib
import time
import warnings

import numpy as np


def time_calls(runners: dict, repeats: int = 10, clock=time.process_time) -> dict[str, float]:
    """Median milliseconds per call of each function in `runners` ({name: fn}).

    The functions are run in turn, `repeats` rounds after one warm-up round, so that a burst
    of load from other processes affects all of them alike rather than only one.
    clock: time.process_time (default) counts the CPU time of this process only, so programs
    competing for the CPU do not inflate it; with torch.set_num_threads(1) it is the time one
    core spends. Pass time.perf_counter for wall-clock time (what a multi-threaded run feels like).
    """
    times = {name: [] for name in runners}
    for round_ in range(repeats + 1):
        for name, run in runners.items():
            t0 = clock()
            run()
            if round_:
                times[name].append(clock() - t0)
    return {name: 1e3 * float(np.median(t)) for name, t in times.items()}


@contextlib.contextmanager
def torch_threads(n: int):
    """Run the block with torch using n threads, then restore the previous number."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def onednn(enabled: bool):
    """Turn PyTorch's oneDNN (mkldnn) CPU kernels on or off inside the block (no warning printed)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.backends.mkldnn.flags(enabled=enabled):
            yield
