"""a^n b^n counting: a seeded task on which an LSTM and a GRU behave differently.

The model reads a^n followed by b's, one symbol per step, and says at every step whether it has
now seen at least as many b's as a's. That is the decision at the heart of recognising a^n b^n
(Weiss, Goldberg & Yahav, 2018, who train next-symbol predictors on a^n b^n; this is a smaller,
per-step version of their experiment). Solving it for every n needs a counter: +1 per a, -1 per b.
An LSTM's cell state is updated additively and is not squashed, so c_t can hold such a count; a
GRU's state is a convex combination of values in (-1, 1) and stays there, so it must squeeze the
count into a bounded range, which costs precision as n grows.

Arrays are batch-first; symbols are one-hot over [a, b], float32.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from lstmlab.fixtures import rng


def _encode(n: np.ndarray, steps: int):
    """One-hot a^n b^(steps-n) for each n, and the targets 'b's so far >= n'."""
    t = np.arange(steps)
    is_b = (t[None, :] >= n[:, None]).astype(np.float32)
    X = np.stack([1.0 - is_b, is_b], axis=-1).astype(np.float32)
    Y = (t[None, :] >= 2 * n[:, None] - 1).astype(np.float32)   # the n-th b sits at t = 2n - 1
    return X, Y


def anbn(num: int, n_max: int, steps: int | None = None, seed: int = 0):
    """Training data: num sequences a^n b^(T-n) with n uniform in 1..n_max.

    steps: T, at least 2 * n_max (default 2 * n_max + 4) so every sequence reaches its answer.
    Returns X (num, T, 2) float32 one-hot [a, b], Y (num, T) float32 with Y[k, t] = 1 iff the
    first t + 1 symbols hold at least as many b's as a's, and n (num,) int.
    """
    steps = 2 * n_max + 4 if steps is None else steps
    if steps < 2 * n_max:
        raise ValueError(f"steps={steps} is too short for n_max={n_max}: need at least {2 * n_max}")
    n = rng(seed).integers(1, n_max + 1, num)
    X, Y = _encode(n, steps)
    return X, Y, n


def anbn_test(ns, margin: int = 10):
    """One test sequence per n in ns, padded to a common length T = 2 max(ns) + margin.

    Returns X (len(ns), T, 2), Y (len(ns), T) and mask (len(ns), T) bool: True for the steps
    t < 2n + margin that are scored (the string a^n b^(n + margin)); the rest is padding.
    """
    n = np.asarray(ns, dtype=int)
    steps = 2 * int(n.max()) + margin
    X, Y = _encode(n, steps)
    mask = np.arange(steps)[None, :] < (2 * n[:, None] + margin)
    return X, Y, mask


class Tagger(torch.nn.Module):
    """A recurrent layer (torch.nn.LSTM or torch.nn.GRU, batch-first) and a linear read-out at every step.

    forward: x (B, T, 2) -> logits (B, T); logit > 0 means 'as many b's as a's, or more'.
    """

    def __init__(self, kind: str, hidden: int, input_size: int = 2):
        super().__init__()
        self.kind = kind
        self.rnn = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind](input_size, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        return self.readout(self.rnn(x)[0])[..., 0]


def counter_lstm(gain: float = 30.0) -> Tagger:
    """A hand-wired one-unit LSTM tagger that counts exactly, for any n.

    Gate order i, f, g, o (torch's): the biases saturate i = f = o = 1; the candidate is
    tanh(gain * (a - b)) = +1 on an a and -1 on a b, so c_t = #a - #b exactly (float32 is exact
    for these integers). The read-out says 'matched' when tanh(c_t) <= 0, i.e. c_t <= 0.
    """
    tagger = Tagger("LSTM", 1)
    with torch.no_grad():
        for p in tagger.parameters():
            p.zero_()
        tagger.rnn.bias_ih_l0.copy_(torch.tensor([gain, gain, 0.0, gain]))
        tagger.rnn.weight_ih_l0[2] = torch.tensor([gain, -gain])
        tagger.readout.weight.fill_(-10.0)
        tagger.readout.bias.fill_(np.tanh(1.0) * 5.0)      # threshold halfway between tanh(0) and tanh(1)
    return tagger


def evaluate(model: torch.nn.Module, ns, margin: int = 10) -> dict[str, np.ndarray]:
    """Score a tagger on a^n b^(n + margin) for every n in ns.

    Returns {"n": (N,), "exact": (N,) bool, every scored step right,
             "switch_error": (N,) int, first step (at or after the first b) where the model says
             'matched' minus the true step 2n - 1 (negative = too early; margin + n + 1 if never)}.
    """
    X, Y, mask = anbn_test(ns, margin)
    with torch.no_grad():
        pred = model(torch.as_tensor(X)).numpy() > 0
    n = np.asarray(ns)
    exact = np.array([(pred[k, m] == (Y[k, m] > 0)).all() for k, m in enumerate(mask)])
    errors = []
    for k, nk in enumerate(n):
        said = pred[k, nk:2 * nk + margin]
        first = nk + int(np.argmax(said)) if said.any() else 2 * nk + margin
        errors.append(first - (2 * nk - 1))
    return {"n": n, "exact": exact, "switch_error": np.array(errors)}


def exact_up_to(result: dict[str, np.ndarray]) -> int:
    """The largest n such that every n' <= n in the evaluation is counted exactly (0 if n = 1 already fails)."""
    bad = result["n"][~result["exact"]]
    return int(bad.min() - 1) if len(bad) else int(result["n"].max())


def plot_switch_errors(results: dict[str, list[dict]], n_train: int, title: str = "a^n b^n: when does the model say 'matched'?"):
    """Switch error against n, one line per trained model, training range shaded.

    results: {"LSTM": [evaluate(...) per seed], "GRU": [...]}
    Returns (fig, data) with data = {label: [(n, switch_error), ...]} as drawn.
    """
    fig, ax = plt.subplots(figsize=(8, 3.6))
    colors = {"LSTM": "tab:blue", "GRU": "tab:orange"}
    data: dict[str, list] = {}
    for label, runs in results.items():
        data[label] = []
        for k, res in enumerate(runs):
            ax.plot(res["n"], res["switch_error"], color=colors.get(label), alpha=0.85, lw=1.4,
                    ls=["-", "--", ":"][k % 3], label=f"{label}, seed {k}")
            data[label].append((res["n"], res["switch_error"]))
    ax.axvspan(1, n_train, color="0.9", label=f"training range n ≤ {n_train}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("n (number of a's, then of b's)")
    ax.set_ylabel("switch error (steps)\n< 0: says 'matched' too early")
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=3, loc="lower left")
    fig.tight_layout()
    return fig, data


def plot_states(traces: dict[str, np.ndarray], n: int, title: str = "Inside the trained models on one string a^n b^n"):
    """The state that carries the count, step by step, for one string a^n b^(n + margin).

    traces: {label: (T,) array}, e.g. {"LSTM cell state c_t (unit k)": ..., "GRU hidden state h_t (unit j)": ...}
    Returns (fig, data) with data = traces as drawn.
    """
    fig, axes = plt.subplots(1, len(traces), figsize=(4.2 * len(traces), 3.0), squeeze=False)
    for ax, (label, trace) in zip(axes[0], traces.items()):
        trace = np.asarray(trace)
        ax.plot(np.arange(len(trace)), trace, lw=1.6)
        ax.axvline(n - 0.5, color="0.5", ls="--", lw=0.8, label="first b")
        ax.axvline(2 * n - 1, color="tab:red", ls=":", lw=1.0, label="n-th b (answer flips)")
        ax.set_xlabel("time step t")
        ax.set_ylabel("state value")
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, dict(traces)
