"""What the lesson measures: accuracy by number of pairs, and what each model costs in T.

    accuracy_by_pairs  test accuracy of a model for each number of stored pairs P
    time_forward       measured forward time of one LSTM layer and one attention layer vs T
    state_sizes        what each must keep to produce the next token, and the attention matrix size

Timings depend on the machine and its load: lessons show them only in plots (or as "x ms per step").
"""
from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from lstmlab.lessons.beyond_lstm.models import CausalSelfAttention
from lstmlab.timing import time_calls, torch_threads


@torch.no_grad()
def accuracy_by_pairs(model: nn.Module, X, y, pairs) -> dict[int, float]:
    """Test accuracy of `model` for each number of pairs P: {P: fraction correct}, plus key 0 for all together.

    X (n, T, F), y (n,), pairs (n,) as returned by lstmlab.lessons.beyond_lstm.tasks.associative_recall.
    """
    model.eval()
    pred = model(torch.as_tensor(X)).argmax(-1).numpy()
    right = pred == np.asarray(y)
    out = {0: float(right.mean())}
    for P in np.unique(pairs):
        out[int(P)] = float(right[pairs == P].mean())
    return out


def time_forward(lengths, batch: int = 4, width: int = 32, repeats: int = 5, threads: int = 1,
                 clock=time.process_time, seed: int = 0) -> dict[str, np.ndarray]:
    """Median forward time (ms) of one torch.nn.LSTM layer and one CausalSelfAttention layer, both of
    width `width`, on a (batch, T, width) input, for each T in `lengths` (no gradients).

    The two layers are timed in alternation (a burst of load hits both alike), after one warm-up call.
    clock: time.process_time (default) counts this process's CPU time, so other programs on a busy
    machine inflate it little; with threads=1 it is the work one core does.
    Returns {"T": lengths, "LSTM": ms, "self-attention": ms} as arrays.
    """
    torch.manual_seed(seed)
    lstm, attn = nn.LSTM(width, width, batch_first=True), CausalSelfAttention(width)
    out = {"T": np.asarray(lengths), "LSTM": [], "self-attention": []}
    with torch_threads(threads), torch.no_grad():
        for T in lengths:
            x = torch.randn(batch, T, width)
            ms = time_calls({"LSTM": lambda: lstm(x), "self-attention": lambda: attn(x)}, repeats, clock)
            for name, value in ms.items():
                out[name].append(value)
    return {k: np.asarray(v) for k, v in out.items()}


def state_sizes(lengths, hidden: int = 32, d_model: int = 32, layers: int = 1) -> dict[str, np.ndarray]:
    """Numbers a model must keep per sequence, counted (not measured), for each T in `lengths`.

    "LSTM state": h and c, 2 * hidden per layer, whatever T is;
    "KV cache": keys and values of every earlier position, 2 * d_model * T per layer (what a
    Transformer keeps to generate token T + 1 without recomputing the past);
    "attention weights": the T x T matrix one head builds when it processes a whole sequence at once.
    """
    T = np.asarray(lengths)
    return {"T": T, "LSTM state": np.full(T.shape, 2 * hidden * layers), "KV cache": 2 * d_model * T * layers,
            "attention weights": T * T * layers}
