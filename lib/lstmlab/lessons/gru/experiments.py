"""How fast torch's LSTM and GRU run, forward and backward, with oneDNN on and off.

Measured with lstmlab.timing (medians of CPU time, layers in alternation); plotted by
lstmlab.lessons.gru.plots.plot_lstm_gru_speed.
"""
from __future__ import annotations

import time

import torch

from lstmlab.timing import onednn, time_calls


def _runner(kind: str, batch: int, steps: int, input_size: int, hidden: int, backward: bool, seed: int = 0):
    """A function that runs one call of a fresh torch.nn.LSTM / torch.nn.GRU on a (batch, steps, input_size) input."""
    torch.manual_seed(seed)
    layer = getattr(torch.nn, kind)(input_size, hidden, batch_first=True)
    x = torch.randn(batch, steps, input_size)

    def run():
        if backward:
            layer.zero_grad(set_to_none=True)
            layer(x)[0].sum().backward()
        else:
            with torch.no_grad():
                layer(x)

    return run


def compare_lstm_gru(batch: int = 32, steps: int = 50, input_size: int = 64, hidden: int = 128,
                     repeats: int = 10, clock=time.process_time) -> dict[tuple[str, str, bool], float]:
    """Time torch.nn.LSTM and torch.nn.GRU, forward and forward+backward, with oneDNN on and off.

    Returns {(kind, "forward" | "forward+backward", onednn_enabled): median milliseconds per call}
    (CPU time by default, see time_calls). The LSTM and the GRU of each setting are timed in alternation.
    """
    out = {}
    for enabled in (True, False):
        with onednn(enabled):
            for backward in (False, True):
                pass_ = "forward+backward" if backward else "forward"
                runners = {kind: _runner(kind, batch, steps, input_size, hidden, backward) for kind in ("LSTM", "GRU")}
                for kind, ms in time_calls(runners, repeats, clock).items():
                    out[(kind, pass_, enabled)] = ms
    return out
