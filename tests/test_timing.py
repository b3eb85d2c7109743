"""lstmlab.timing: the one timing loop (alternating, medians) and the torch settings it runs under."""
from __future__ import annotations

import time

import torch

from lstmlab.timing import onednn, time_calls, torch_threads


def test_timing_loop_alternates_after_a_warm_up_and_returns_milliseconds():
    calls = []
    medians = time_calls({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3)
    assert calls == ["a", "b"] * 4 and set(medians) == {"a", "b"} and all(v >= 0 for v in medians.values())
    slow = time_calls({"sleep": lambda: time.sleep(0.01)}, repeats=2, clock=time.perf_counter)
    assert 9 <= slow["sleep"] < 200


def test_onednn_and_thread_settings_are_restored():
    before = torch.backends.mkldnn.enabled
    with onednn(not before):
        assert torch.backends.mkldnn.enabled == (not before)
    assert torch.backends.mkldnn.enabled == before
    threads = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == threads
