"""The lesson's figures: signal traces of the hand-built timer, learning curves and final scores of the ablation.

Each returns (fig, data_drawn); matplotlib is imported when a figure is drawn.
"""
from __future__ import annotations

import numpy as np

from lstmlab.i18n import _

from .experiments import by_variant
from .models import DESCRIPTIONS

COLORS = {"V": "tab:blue", "NP": "tab:orange", "NFG": "tab:red", "NOG": "tab:green", "CIFG": "tab:purple"}


def plot_learning_curves(steps, scores, variants, *, title, ylabel, ax=None):
    """Score of every member against training steps: thin lines per seed, a thick line for the median.

    steps (E,) training steps at which the scores were measured; scores (E, M); variants (M,) names.
    Returns (fig, data) with data = {variant: (E, seeds) array drawn}.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6)) if ax is None else (ax.figure, ax)
    data = {}
    for name, runs in by_variant(np.asarray(scores).T, variants).items():
        color = COLORS.get(name)
        for run in runs:
            ax.plot(steps, run, color=color, alpha=0.25, lw=1)
        ax.plot(steps, np.median(runs, axis=0), color=color, lw=2.5,
                label=_("{name}: {description} (median of {runs})").format(
                    name=name, description=DESCRIPTIONS.get(name, name), runs=len(runs)))
        data[name] = runs.T
    ax.set(title=title, xlabel=_("training step (minibatches of 32)"), ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig, data


def plot_ablation(panels):
    """One panel per task: every seed's final score as a dot, per variant, with the median as a bar.

    panels: {panel title: (scores (M,), variants (M,) names, y-axis label, log_scale bool)}.
    Returns (fig, data) with data = {panel title: {variant: (seeds,) scores drawn}}.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), squeeze=False)
    data = {}
    for ax, (title, (scores, variants, ylabel, log)) in zip(axes[0], panels.items()):
        groups = by_variant(scores, variants)
        for k, (name, vals) in enumerate(groups.items()):
            jitter = np.linspace(-0.12, 0.12, len(vals))
            ax.scatter(k + jitter, vals, color=COLORS.get(name), s=22, zorder=3)
            ax.hlines(np.median(vals), k - 0.3, k + 0.3, color="black", lw=2, zorder=2)
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set(title=title, xlabel=_("variant (dots: seeds, bar: median)"), ylabel=ylabel)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3, axis="y")
        data[title] = groups
    fig.tight_layout()
    return fig, data


def plot_traces(panels, *, title, marks=(), mark_label=None):
    """Line plots of a few signals over time, one panel per entry, sharing the time axis.

    panels: {y-axis label: {line label: (T,) values}}; marks: time steps drawn as dashed vertical lines.
    mark_label: the legend's name for the marks (default "trigger").
    Returns (fig, data) with data = {y-axis label: {line label: (T,) array drawn}}.
    """
    import matplotlib.pyplot as plt

    mark_label = _("trigger") if mark_label is None else mark_label

    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 1.7 * len(panels) + 0.6), sharex=True, squeeze=False)
    data = {}
    for ax, (ylabel, lines) in zip(axes[:, 0], panels.items()):
        data[ylabel] = {}
        for label, values in lines.items():
            values = np.asarray(values)
            ax.plot(np.arange(len(values)), values, marker=".", label=label)
            data[ylabel][label] = values
        for k, t in enumerate(marks):
            ax.axvline(t, color="gray", ls="--", lw=1, label=mark_label if k == 0 else None)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel(_("time step t"))
    fig.tight_layout()
    return fig, data
