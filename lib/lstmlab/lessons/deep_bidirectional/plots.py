"""Plots of lesson 05 (deep and bidirectional LSTM). Each returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _

# The titles solutions/05_deep_bidirectional.ipynb passes in: a title given by the caller is shown through _(),
# so these are translated in the Chinese edition too (any other title is shown as it is).
NOTEBOOK_TITLES = (
    N_("One bidirectional layer on a zero-padded batch: not packed vs packed"),
    N_("Windowed sign-XOR: depth at a fixed parameter budget"),
    N_("Tag = the symbol two steps ahead"),
)


def plot_padding_leak(diff_fwd: np.ndarray, diff_bwd: np.ndarray, lengths, title: str | None = None):
    """Two heat maps (sequence x position) of how far unpacked outputs are from packed ones.

    diff_fwd, diff_bwd: (B, T) max |unpacked - packed| over the features of each direction, at valid
    positions (NaN at padded ones, drawn grey); lengths (B,) marks each sequence's end.
    Returns (fig, {"forward": diff_fwd, "backward": diff_bwd, "lengths": lengths}).
    title: default "Running a padded batch without packing".
    """
    title = _("Running a padded batch without packing") if title is None else _(title)
    lengths = np.asarray(lengths)
    vmax = max(float(np.nanmax(diff_fwd)), float(np.nanmax(diff_bwd)), 1e-12)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True, layout="constrained")
    cmap = plt.get_cmap("magma").with_extremes(bad="0.85")
    names = (_("forward features out[..., :H]"), _("backward features out[..., H:]"))
    for ax, diff, name in zip(axes, (diff_fwd, diff_bwd), names):
        im = ax.imshow(np.ma.masked_invalid(diff), aspect="auto", cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.plot(lengths - 0.5, np.arange(len(lengths)), "c|", markersize=14, markeredgewidth=2,
                label=_("end of sequence"))
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(_("position t (time step)"))
    axes[0].set_ylabel(_("sequence b in the batch"))
    axes[1].legend(loc="lower right", fontsize=8)
    fig.colorbar(im, ax=axes, pad=0.01, fraction=0.04, label=_("max |unpacked - packed|\n(grey: padding)"))
    fig.suptitle(title)
    return fig, {"forward": diff_fwd, "backward": diff_bwd, "lengths": lengths}


def plot_depth(names, accuracy, ms_per_step, params, chance: float = 0.5, title: str | None = None):
    """Bars of test accuracy and of the time of one training step (forward + backward) for each model.

    names: labels (e.g. "1 x 14"); accuracy: fractions in [0, 1]; ms_per_step: milliseconds;
    params: parameter counts (written on the bars). Returns (fig, {"names", "accuracy", "ms_per_step", "params"}).
    title: default "What depth buys at a fixed parameter budget".
    """
    title = _("What depth buys at a fixed parameter budget") if title is None else _(title)
    accuracy, ms_per_step = np.asarray(accuracy, float), np.asarray(ms_per_step, float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
    x = np.arange(len(names))
    bars = ax1.bar(x, accuracy, color="tab:blue")
    ax1.axhline(chance, color="grey", ls="--", lw=1, label=_("chance ({chance:.2f})").format(chance=chance))
    for bar, n in zip(bars, params):
        ax1.text(bar.get_x() + bar.get_width() / 2, 0.02, _("{n} params").format(n=n), ha="center", va="bottom",
                 color="white", fontsize=8)
    ax1.set_ylim(0, 1)
    ax1.set_ylabel(_("test accuracy (fraction of steps)"))
    ax1.set_title(_("accuracy"), fontsize=10)
    ax1.legend(loc="upper left", fontsize=8)
    ax2.bar(x, ms_per_step, color="tab:orange")
    ax2.set_ylabel(_("forward + backward, one batch (ms)"))
    ax2.set_title(_("cost (this machine)"), fontsize=10)
    for ax in (ax1, ax2):
        ax.set_xticks(x, names)
        ax.set_xlabel(_("layers x hidden units"))
    fig.suptitle(title)
    fig.tight_layout()
    return fig, {"names": list(names), "accuracy": accuracy, "ms_per_step": ms_per_step, "params": list(params)}


def plot_accuracy_by_position(curves: dict, chance: float, title: str | None = None):
    """One line per model: accuracy (fraction of sequences tagged right) at each position t.

    curves: {label: (T,) accuracies}. Returns (fig, curves as arrays). title: default "Accuracy at each position".
    """
    title = _("Accuracy at each position") if title is None else _(title)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    data = {}
    for label, acc in curves.items():
        acc = np.asarray(acc, float)
        ax.plot(np.arange(len(acc)), acc, marker="o", ms=3, label=label)
        data[label] = acc
    ax.axhline(chance, color="grey", ls="--", lw=1, label=_("chance ({chance:.2f})").format(chance=chance))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(_("position t (time step)"))
    ax.set_ylabel(_("accuracy (fraction of sequences)"))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="center left")
    fig.tight_layout()
    return fig, data
