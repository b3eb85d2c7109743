"""Figures of lesson 09. Every function returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _

LABELS = {"none": N_("no regulariser"), "l2": N_("L2 (weight decay 1e-4)"), "dropout": N_("dropout 0.3 (new mask per step)"),
          "variational": N_("locked dropout 0.3"), "zoneout": N_("zoneout (h 0.1, c 0.3)"),
          "sgd": "SGD", "momentum": N_("SGD + momentum 0.9"), "rmsprop": "RMSprop", "adam": "Adam"}

# The title solutions/09_regularisation.ipynb passes in: a title given by the caller is shown through _(), so it is
# translated in the Chinese edition too (any other title is shown as it is).
NOTEBOOK_TITLES = (N_("Training loss, mean and range over 3 seeds, best rate of each optimiser"),)


def _label(name: str) -> str:
    """The legend label of a regulariser or optimiser, in the current language (unknown names as they are)."""
    return _(LABELS[name]) if name in LABELS else name


def plot_live(runs: dict[str, dict]):
    """runs: {label: train_lm result}. Training (dashed) and validation (solid) loss against updates."""
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = {}
    for k, (name, run) in enumerate(runs.items()):
        color = f"C{k}"
        ax.plot(run["steps"], run["train"], "--", color=color, label=_("{label}: training").format(label=_label(name)))
        ax.plot(run["steps"], run["val"], "-", color=color, label=_("{label}: validation").format(label=_label(name)))
        drawn[name] = {"steps": list(run["steps"]), "train": list(run["train"]), "val": list(run["val"])}
    ax.set(xlabel=_("updates"), ylabel=_("cross-entropy (nats per character)"),
           title=_("Character LSTM on 4,000 characters: training vs validation loss (one seed, run live)"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, drawn


def plot_measured(measured: dict, group: str = "regularisers", key: str = "val", title: str = "", log_y: bool = False,
                  ylim: tuple[float, float] | None = None):
    """Mean over seeds (line) and min..max (band) of `key` per entry of measured[group] (measured.json); ylim zooms."""
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = {}
    for k, (name, entry) in enumerate(measured[group].items()):
        steps = np.array(entry["steps"])
        s = entry[key]
        label = (_("{label}, lr {lr:g}").format(label=_label(name), lr=entry["lr"]) if "lr" in entry
                 else _label(name))
        ax.plot(steps, s["mean"], color=f"C{k}", label=label)
        ax.fill_between(steps, s["min"], s["max"], color=f"C{k}", alpha=0.2)
        drawn[name] = {"steps": steps.tolist(), "mean": list(s["mean"])}
    n = len(measured["config"]["seeds"])
    if key == "val":
        ylabel = _("validation cross-entropy (nats per character)")
        default = _("Validation loss, mean and range over {n} seeds (benchmarks/bench_regularisation.py)")
    else:
        ylabel = _("training cross-entropy (nats per character)")
        default = _("Training loss, mean and range over {n} seeds (benchmarks/bench_regularisation.py)")
    ax.set(xlabel=_("updates"), ylabel=ylabel, title=_(title) if title else default.format(n=n))
    if log_y:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, drawn
