"""Truncated backpropagation through time (TBPTT) on a long stream, and what it costs.

A long sequence is cut into chunks of K steps. The state (h, c) is carried from one chunk
to the next -- the forward pass sees the whole past -- but it is *detached* at each chunk
boundary, so the backward pass stops there: a loss at step t gets no gradient from inputs
more than (t mod K) steps back. A dependency longer than K can then not be learnt.

Task: the echo (delayed recall) task. Inputs are random bits (+-1), the target at step t
is the bit of step t - lag. Batch-first torch tensors; one-layer LSTM.
"""
from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from lstmlab.fixtures import rng


def echo(n: int, steps: int, lag: int, seed: int = 0):
    """Delayed-recall task.

    Returns X (n, T, 1) float32 with values +-1, Y (n, T) float32 in {0, 1} where
    Y[:, t] = (X[:, t - lag, 0] > 0) for t >= lag and 0 before (those steps are not scored).
    """
    bits = rng(seed).integers(0, 2, size=(n, steps))
    X = (2.0 * bits - 1.0).astype(np.float32)[..., None]
    Y = np.zeros((n, steps), dtype=np.float32)
    Y[:, lag:] = bits[:, : steps - lag]
    return X, Y


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
    from lstmlab.optim import global_norm

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


def gradient_reach(model: EchoLSTM, K: int | None, steps: int = 24, seed: int = 3) -> np.ndarray:
    """|d logit_t / d x_s| for one stream, with the state detached every K steps (None: never).

    Returns R (steps, steps): R[t, s] is the gradient of the output at step t w.r.t. the input
    at step s; zero above the diagonal (causality) and, under truncation, before t's chunk.
    """
    X, _ = echo(1, steps, 1, seed=seed)
    x = torch.from_numpy(X).requires_grad_()
    chunk = K or steps
    outs, state = [], None
    for s in range(0, steps, chunk):
        logits, state = model(x[:, s:s + chunk], state)
        state = tuple(v.detach() for v in state)
        outs.append(logits)
    logits = torch.cat(outs, dim=1)[0]
    R = np.zeros((steps, steps))
    for t in range(steps):
        (g,) = torch.autograd.grad(logits[t], x, retain_graph=True)
        R[t] = g[0, :, 0].abs().numpy()
    return R


def plot_truncation(runs: list[dict], reach: dict[str, np.ndarray], title: str = "Truncated BPTT on the echo task"):
    """Left: recall accuracy against the truncation length K; right: gradient reach maps.

    runs:  outputs of train_truncated (same lag); reach: {label: gradient_reach(...)} (two maps)
    Returns (fig, data) with data = {"K": [...], "accuracy": [...], "reach": reach}.
    """
    fig, axes = plt.subplots(1, 1 + len(reach), figsize=(4.2 * (1 + len(reach)), 3.6))
    Ks = [r["K"] for r in runs]
    acc = [r["accuracy"] for r in runs]
    lag = runs[0]["lag"]
    ax = axes[0]
    ax.bar([str(k) for k in Ks], acc, color=["C3" if k <= lag else "C2" for k in Ks])
    ax.axhline(0.5, color="gray", ls="--", lw=1, label="chance")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(f"truncation length K (steps); lag = {lag}")
    ax.set_ylabel("recall accuracy (fraction)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    for ax, (label, R) in zip(axes[1:], reach.items()):
        im = ax.imshow(np.log10(R + 1e-12), cmap="magma", vmin=-6, vmax=0, origin="upper")
        ax.set_xlabel("input step s")
        ax.set_ylabel("output step t")
        ax.set_title(f"gradient reach, {label}")
        fig.colorbar(im, ax=ax, fraction=0.046, label="log10 |d out_t / d x_s|")
    fig.tight_layout()
    return fig, {"K": Ks, "accuracy": acc, "reach": reach}


def plot_grad_norms(runs: list[dict], max_norm: float, title: str = "Gradient norm during training (before clipping)"):
    """Global gradient norm per update for each run, log scale, with the clipping threshold.

    Returns (fig, data) with data = {"K=...": norms array}.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    data = {}
    for r in runs:
        label = f"K={r['K']}"
        axes[0].semilogy(r["grad_norm"], lw=0.8, label=label)
        axes[1].plot(r["loss"], lw=0.8, label=label)
        data[label] = r["grad_norm"]
    axes[0].axhline(max_norm, color="k", ls="--", lw=1, label=f"max_norm = {max_norm}")
    axes[0].set_xlabel("update")
    axes[0].set_ylabel("global gradient norm")
    axes[0].set_title(title)
    axes[0].legend(fontsize=7, ncol=2)
    axes[1].set_xlabel("update")
    axes[1].set_ylabel("training loss (binary cross-entropy)")
    axes[1].set_title("Training loss")
    fig.tight_layout()
    return fig, data
