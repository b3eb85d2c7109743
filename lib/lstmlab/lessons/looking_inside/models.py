"""Lesson 11's trained torch model, read back into numpy: record a torch.nn.LSTM's every gate and state.

The lesson's model itself (BracketLM, one torch.nn.LSTM and a linear readout) is defined in the
notebook, where the student reads it; this module holds what turns it into a recording.
"""
from __future__ import annotations

import numpy as np

from lstmlab.bridge import lstm_from_torch
from lstmlab.interpret import record


def record_torch(lstm, X: np.ndarray, clamp: dict | None = None, dtype=np.float64) -> dict[str, np.ndarray]:
    """lstmlab.interpret.record for a single-layer torch.nn.LSTM: its weights are copied (as `dtype`) with
    lstmlab.bridge.lstm_from_torch.

    lstm: torch.nn.LSTM(D, H) (batch_first or not: X here is always (B, T, D)); clamp: as in record.
    Returns what record returns: {"i", "f", "g", "o", "c", "h"} -> (B, T, H) arrays of `dtype`.
    """
    return record(lstm_from_torch(lstm, dtype=dtype), np.asarray(X, dtype=dtype), clamp=clamp)
