"""The torch model of lesson 06: a one-layer LSTM on the echo task, trained with truncated BPTT.

A long sequence is cut into chunks of K steps. The state (h, c) is carried from one chunk
to the next -- the forward pass sees the whole past -- but it is *detached* at each chunk
boundary, so the backward pass stops there: a loss at step t gets no gradient from inputs
more than (t mod K) steps back. A dependency longer than K can then not be learnt.

Batch-first torch tensors; the task is lstmlab.lessons.training_stability.tasks.echo.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from lstmlab.optim import global_norm

from .tasks import echo


class EchoLSTM(torch.nn.Module):
    """LSTM(1 -> H) and a linear readout to one logit per step. forward(x (B,T,1), state) -> (logits (B,T), state)."""

    def __init__(self, hidden: int = 16):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)
        return self.readout(out)[..., 0], state


def train_truncated(K: int, lag: int, updates: int = 200, steps: int = 96, batch: int = 32, hidden: int = 16,
                    lr: float = 1e-2, max_norm: float = 1.0, seed: int = 0,
                    grad_norm: Callable | None = None, progress: bool = True):
    """Train EchoLSTM on echo streams with TBPTT of K steps (K >= steps: full BPTT).

    Each update is one chunk of K steps of a batch of streams; the state is carried across
    chunks of the same stream but detached, and reset for a new batch of streams.
    grad_norm: function(list of numpy gradients) -> float used to monitor the gradient
               norm before clipping (default: the reference lstmlab.optim.global_norm).
    Returns dict: "model", "loss" (updates,), "grad_norm" (updates,), "accuracy" on fresh
    streams (float, steps t >= lag), "K", "lag".
    """
    grad_norm = grad_norm or global_norm
    torch.manual_seed(seed)
    model = EchoLSTM(hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses, norms, stream = [], [], 0
    bar = tqdm(total=updates, desc=f"TBPTT K={K}", leave=False, mininterval=0.5, disable=not progress)
    while len(losses) < updates:
        X, Y = (torch.from_numpy(a) for a in echo(batch, steps, lag, seed=10_000 * (seed + 1) + stream))
        stream += 1
        state = None
        for s in range(0, steps, K):
            logits, state = model(X[:, s:s + K], state)
            state = tuple(v.detach() for v in state)        # the truncation: no gradient into earlier chunks
            scored = torch.arange(s, min(s + K, steps)) >= lag
            if not bool(scored.any()):
                continue
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, scored], Y[:, s:s + K][:, scored])
            opt.zero_grad()
            loss.backward()
            norms.append(grad_norm([p.grad.detach().numpy() for p in model.parameters()]))
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            opt.step()
            losses.append(loss.item())
            bar.update(1)
            if len(losses) == updates:
                break
    bar.close()
    return {"model": model, "loss": np.array(losses), "grad_norm": np.array(norms),
            "accuracy": echo_accuracy(model, lag, steps), "K": K, "lag": lag}


def echo_accuracy(model: EchoLSTM, lag: int, steps: int = 96, n: int = 256, seed: int = 7) -> float:
    """Fraction of steps t >= lag of fresh streams where the model recalls bit t - lag (chance: 0.5)."""
    X, Y = echo(n, steps, lag, seed=seed)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(X))
    return float(((logits[:, lag:] > 0).numpy() == (Y[:, lag:] > 0.5)).mean())
