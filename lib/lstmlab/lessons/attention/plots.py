"""Plots of lesson 07 (attention). Each returns (fig, data_drawn), so tests can check the picture's content.

    plot_dot_product_spread   why the 1/sqrt(d) scale (from lstmlab.attention.dot_product_spread)
    plot_attention            alignment heat maps of the date model, one panel per example
    plot_by_position          per-position accuracy of several date models
    plot_training             training loss and held-out exact match during training
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import _
from lstmlab.lessons.attention.tasks import TARGET_LEN


def plot_dot_product_spread(spread):
    """Two panels from dot_product_spread's dict: score variance vs d, and softmax peakedness vs d.

    Returns (fig, data) where data is the dict drawn.
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    d = spread["d"]
    a1.loglog(d, spread["var_dot"], "o-", label="q . k")
    a1.loglog(d, spread["var_scaled"], "s-", label="q . k / sqrt(d)")
    a1.loglog(d, d, "k:", label=_("d (theory)"))
    a1.set_xlabel(_("dimension d of q and k"))
    a1.set_ylabel(_("variance of the score (unitless)"))
    a1.set_title(_("Dot products of random vectors have variance d"))
    a1.legend(fontsize=8)
    a2.semilogx(d, spread["max_weight_dot"], "o-", label="softmax(q . k)")
    a2.semilogx(d, spread["max_weight_scaled"], "s-", label="softmax(q . k / sqrt(d))")
    a2.set_xlabel(_("dimension d of q and k"))
    a2.set_ylabel(_("mean largest weight (1 = one-hot)"))
    a2.set_ylim(0, 1.02)
    a2.set_title(_("Without the scale the softmax saturates"))
    a2.legend(fontsize=8)
    fig.tight_layout()
    return fig, spread


def plot_attention(weights, sources, outputs, title=None, ncols=2):
    """Heat maps of attention: one panel per example, output symbols down, source characters across.

    weights: (N, out_len, T) array; sources: N source strings; outputs: N output strings (out_len chars).
    title: the figure's title (default "Attention weights of the trained model", in the current language).
    Each panel shows weights[k, :, :len(sources[k])] (padding columns, which get weight 0, are cut).
    Returns (fig, data) with data = list of the (out_len, len(source)) arrays drawn.
    """
    title = _("Attention weights of the trained model") if title is None else title
    n = len(sources)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.3 * nrows), squeeze=False)
    drawn = []
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        A = np.asarray(weights[k])[:, :len(sources[k])]
        drawn.append(A)
        im = ax.imshow(A, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
        ax.set_xticks(range(len(sources[k])), list(sources[k].replace(" ", "\u2423")), fontsize=8)
        ax.set_yticks(range(len(outputs[k])), list(outputs[k]), fontsize=8)
        ax.set_xlabel(_("source character (input position)"))
        ax.set_ylabel(_("output character"))
        ax.set_title(f"{sources[k]!r} \u2192 {outputs[k]}", fontsize=9)
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.04, label=_("weight"))
    fig.suptitle(title)
    fig.tight_layout()
    return fig, drawn


def plot_by_position(results: dict, title=None):
    """Bar chart of per-position accuracy for several models.

    results: {model name: accuracy() dict}; title: default "Accuracy of each output character (held-out set)",
    in the current language. Returns (fig, data) with data = {name: (out_len,) array}.
    """
    title = _("Accuracy of each output character (held-out set)") if title is None else title
    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = list(results)
    width = 0.8 / len(names)
    data = {}
    for j, name in enumerate(names):
        acc = np.asarray(results[name]["by_position"])
        data[name] = acc
        ax.bar(np.arange(len(acc)) + (j - (len(names) - 1) / 2) * width, acc, width, label=name)
    ax.set_xticks(range(TARGET_LEN), [f"{k}\n{c}" for k, c in enumerate("yyyy-mm-dd")])
    ax.set_xlabel(_("output position (and what it holds)"))
    ax.set_ylabel(_("accuracy (fraction correct)"))
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig, data


def plot_training(histories: dict, title=None):
    """Two panels: training loss per step (log scale) and held-out exact match during training.

    histories: {model name: train() result}; title: default "Training the date models", in the current
    language. Returns (fig, data) with
    data = {name: {"loss": (steps,) array, "eval_step": array, "eval_exact": array}}.
    """
    title = _("Training the date models") if title is None else title
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.4))
    data = {}
    for name, h in histories.items():
        d = {k: np.asarray(v, dtype=float) for k, v in h.items()}
        data[name] = d
        a1.semilogy(np.arange(1, len(d["loss"]) + 1), d["loss"], label=name)
        a2.plot(d["eval_step"], d["eval_exact"], "o-", label=name)
    a1.set_xlabel(_("training step (minibatch of 64 dates)"))
    a1.set_ylabel(_("cross-entropy (nats per character)"))
    a1.set_title(_("Training loss"))
    a2.set_xlabel(_("training step (minibatch of 64 dates)"))
    a2.set_ylabel(_("exact match (fraction of dates)"))
    a2.set_ylim(0, 1.02)
    a2.set_title(_("Held-out exact match, greedy decoding"))
    a1.legend(fontsize=8, loc="upper right")
    a2.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig, data
