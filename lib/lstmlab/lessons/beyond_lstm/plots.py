"""Plots of lesson 12 (beyond LSTM). Each returns (fig, data_drawn), so tests can check the picture's content.

    plot_recall_accuracy     accuracy vs number of stored pairs, one line per model
    plot_attention_weights   one sequence's (T, T) attention weights
    plot_cost_vs_length      measured time and counted memory vs sequence length
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _

# The series of time_forward and state_sizes (their keys stay English), as the legends name them.
SERIES = {"LSTM": N_("LSTM layer"), "self-attention": N_("self-attention layer"), "LSTM state": N_("LSTM state"),
          "KV cache": N_("KV cache"), "attention weights": N_("attention weights")}


def plot_recall_accuracy(results: dict[str, dict[int, float]], chance: float = 1 / 16, title: str | None = None):
    """Accuracy vs number of stored pairs P, one line per model, and the chance level.

    results: {model name: accuracy_by_pairs dict}. Returns (fig, data) with data = {name: (P array, accuracy array)}.
    title: default "Associative recall: accuracy by number of pairs".
    """
    title = _("Associative recall: accuracy by number of pairs") if title is None else title
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    data = {}
    for name, acc in results.items():
        P = np.array(sorted(k for k in acc if k > 0))
        a = np.array([acc[p] for p in P])
        ax.plot(P, a, "o-", label=_("{name} (all: {accuracy:.2f})").format(name=name, accuracy=acc[0]))
        data[name] = (P, a)
    ax.axhline(chance, color="gray", ls=":", label=_("chance ({chance:.3f})").format(chance=chance))
    ax.set_xlabel(_("pairs P stored before the query"))
    ax.set_ylabel(_("test accuracy (fraction correct)"))
    ax.set_ylim(0, 1.03)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, data


def plot_attention_weights(weights, labels, title: str | None = None):
    """Heat map of one sequence's (T, T) attention weights; row i = query position i, column j = key position j.

    labels: T strings naming the positions. Returns (fig, weights drawn).
    title: default "Where each position looks (one test sequence)".
    """
    title = _("Where each position looks (one test sequence)") if title is None else title
    W = np.asarray(weights)
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    im = ax.imshow(W, cmap="viridis", vmin=0, vmax=1)
    T = W.shape[0]
    ax.set_xticks(range(T), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(T), labels, fontsize=7)
    ax.set_xlabel(_("attended position j (key)"))
    ax.set_ylabel(_("attending position i (query)"))
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label=_("attention weight"))
    fig.tight_layout()
    return fig, W


def plot_cost_vs_length(timings: dict[str, np.ndarray], sizes: dict[str, np.ndarray], title: str | None = None):
    """Two log-log panels: measured forward time vs T (with slope-1 and slope-2 guides), and numbers kept vs T.

    timings: from time_forward; sizes: from state_sizes. Returns (fig, {"time": timings, "size": sizes}).
    title: default "What each model costs as the sequence grows".
    """
    title = _("What each model costs as the sequence grows") if title is None else title
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.9))
    T = timings["T"].astype(float)
    for name, style in (("LSTM", "o-"), ("self-attention", "s-")):
        a1.loglog(T, timings[name], style, label=_(SERIES[name]))
    # slope guides through the last (longest) measurement, over the longer half of the lengths
    G = T[len(T) // 2:]
    a1.loglog(G, timings["LSTM"][-1] * G / T[-1], "k:", lw=1, label=_("∝ T (guide)"))
    a1.loglog(G, timings["self-attention"][-1] * (G / T[-1]) ** 2, "k--", lw=1, label=_("∝ T² (guide)"))
    a1.set_xlabel(_("sequence length T (positions)"))
    a1.set_ylabel(_("forward time (ms of CPU, 1 thread)"))
    a1.set_title(_("Measured: one layer, whole sequence"))
    a1.legend(fontsize=8)
    S = sizes["T"].astype(float)
    for name, style in (("LSTM state", "o-"), ("KV cache", "s-"), ("attention weights", "^--")):
        a2.loglog(S, sizes[name], style, label=_(SERIES[name]))
    a2.set_xlabel(_("sequence length T (positions)"))
    a2.set_ylabel(_("numbers kept per sequence"))
    a2.set_title(_("Counted: memory per layer"))
    a2.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, {"time": timings, "size": sizes}
