"""An LSTM and a one-layer causal self-attention model on the same task, and what each costs in T.

Models (torch, batch-first, both classify from the last position of a sequence):
    RecallLSTM         torch.nn.LSTM -> Linear on h_T
    RecallAttention    Linear embedding + sinusoidal positions -> CausalSelfAttention (+ residual)
                       -> small MLP on the last position
    CausalSelfAttention one head, written with matmul and softmax (the computation of
                       lstmlab.self_attention.self_attention, weights stored in its (D, dk) layout,
                       so a trained layer's weights drop straight into the numpy function)

Costs:
    time_forward       measured forward time of one LSTM layer and one attention layer vs T
    state_sizes        what each must keep to produce the next token, and the attention matrix size

Timings depend on the machine and its load: lessons show them only in plots (or as "x ms per step").
"""
from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from lstmlab.self_attention import positional_encoding
from lstmlab.timing import time_calls, torch_threads


class CausalSelfAttention(nn.Module):
    """Single-head scaled dot-product self-attention with an optional causal mask.

    Parameters Wq (D, dk), Wk (D, dk), Wv (D, dv), as in lstmlab.self_attention (h @ Wq, not a
    torch Linear's transposed layout). forward(h (B, T, D)) -> (out (B, T, dv), weights (B, T, T)).
    """

    def __init__(self, d_model: int, d_k: int | None = None, d_v: int | None = None, causal: bool = True):
        super().__init__()
        d_k, d_v = d_k or d_model, d_v or d_model
        init = lambda *shape: nn.Parameter(torch.randn(*shape) / shape[0] ** 0.5)
        self.Wq, self.Wk, self.Wv = init(d_model, d_k), init(d_model, d_k), init(d_model, d_v)
        self.causal = causal

    def forward(self, h):
        Q, K, V = h @ self.Wq, h @ self.Wk, h @ self.Wv
        scores = Q @ K.transpose(-1, -2) / Q.shape[-1] ** 0.5
        if self.causal:
            T = h.shape[1]
            allowed = torch.ones(T, T, dtype=torch.bool, device=h.device).tril()
            scores = scores.masked_fill(~allowed, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ V, weights


class RecallAttention(nn.Module):
    """One causal self-attention layer for associative recall.

    h = x We + be + PE;  a, w = attention(h);  z = h + a Wo + bo;  logits = MLP(z at the last position).
    n_in: input features, d_model: width, n_classes: outputs, max_len: longest T (for the encodings),
    positional: add sinusoidal positional encodings (lstmlab.self_attention.positional_encoding).
    forward(x (B, T, n_in)) -> logits (B, n_classes); details(x) -> dict of the intermediate arrays.
    """

    def __init__(self, n_in: int, d_model: int = 32, n_classes: int = 16, max_len: int = 64, positional: bool = True):
        super().__init__()
        self.embed = nn.Linear(n_in, d_model)
        self.attn = CausalSelfAttention(d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.readout = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, n_classes))
        pe = positional_encoding(max_len, d_model) if positional else np.zeros((max_len, d_model))
        self.register_buffer("pe", torch.tensor(pe, dtype=torch.float32))

    def details(self, x):
        h = self.embed(x) + self.pe[: x.shape[1]]
        a, w = self.attn(h)
        z = h + self.proj(a)
        return {"h": h, "attended": a, "weights": w, "logits": self.readout(z[:, -1])}

    def forward(self, x):
        return self.details(x)["logits"]


class RecallLSTM(nn.Module):
    """torch.nn.LSTM(n_in, hidden) and a Linear readout of h_T. forward(x (B, T, n_in)) -> logits (B, n_classes)."""

    def __init__(self, n_in: int, hidden: int = 64, n_classes: int = 16):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, n_classes)

    def forward(self, x):
        return self.readout(self.lstm(x)[0][:, -1])


def parameter_count(model: nn.Module) -> int:
    """Number of trainable numbers in a torch model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


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


def plot_recall_accuracy(results: dict[str, dict[int, float]], chance: float = 1 / 16,
                         title: str = "Associative recall: accuracy by number of pairs"):
    """Accuracy vs number of stored pairs P, one line per model, and the chance level.

    results: {model name: accuracy_by_pairs dict}. Returns (fig, data) with data = {name: (P array, accuracy array)}.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    data = {}
    for name, acc in results.items():
        P = np.array(sorted(k for k in acc if k > 0))
        a = np.array([acc[p] for p in P])
        ax.plot(P, a, "o-", label=f"{name} (all: {acc[0]:.2f})")
        data[name] = (P, a)
    ax.axhline(chance, color="gray", ls=":", label=f"chance ({chance:.3f})")
    ax.set_xlabel("pairs P stored before the query")
    ax.set_ylabel("test accuracy (fraction correct)")
    ax.set_ylim(0, 1.03)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, data


def plot_attention_weights(weights, labels, title: str = "Where each position looks (one test sequence)"):
    """Heat map of one sequence's (T, T) attention weights; row i = query position i, column j = key position j.

    labels: T strings naming the positions. Returns (fig, weights drawn).
    """
    W = np.asarray(weights)
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    im = ax.imshow(W, cmap="viridis", vmin=0, vmax=1)
    T = W.shape[0]
    ax.set_xticks(range(T), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(T), labels, fontsize=7)
    ax.set_xlabel("attended position j (key)")
    ax.set_ylabel("attending position i (query)")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.tight_layout()
    return fig, W


def plot_cost_vs_length(timings: dict[str, np.ndarray], sizes: dict[str, np.ndarray],
                        title: str = "What each model costs as the sequence grows"):
    """Two log-log panels: measured forward time vs T (with slope-1 and slope-2 guides), and numbers kept vs T.

    timings: from time_forward; sizes: from state_sizes. Returns (fig, {"time": timings, "size": sizes}).
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.9))
    T = timings["T"].astype(float)
    for name, style in (("LSTM", "o-"), ("self-attention", "s-")):
        a1.loglog(T, timings[name], style, label=f"{name} layer")
    # slope guides through the last (longest) measurement, over the longer half of the lengths
    G = T[len(T) // 2:]
    a1.loglog(G, timings["LSTM"][-1] * G / T[-1], "k:", lw=1, label="∝ T (guide)")
    a1.loglog(G, timings["self-attention"][-1] * (G / T[-1]) ** 2, "k--", lw=1, label="∝ T² (guide)")
    a1.set_xlabel("sequence length T (positions)")
    a1.set_ylabel("forward time (ms of CPU, 1 thread)")
    a1.set_title("Measured: one layer, whole sequence")
    a1.legend(fontsize=8)
    S = sizes["T"].astype(float)
    for name, style in (("LSTM state", "o-"), ("KV cache", "s-"), ("attention weights", "^--")):
        a2.loglog(S, sizes[name], style, label=name)
    a2.set_xlabel("sequence length T (positions)")
    a2.set_ylabel("numbers kept per sequence")
    a2.set_title("Counted: memory per layer")
    a2.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, {"time": timings, "size": sizes}
