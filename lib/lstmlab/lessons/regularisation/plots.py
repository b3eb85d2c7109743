"""Figures of lesson 09. Every function returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

LABELS = {"none": "no regulariser", "l2": "L2 (weight decay 1e-4)", "dropout": "dropout 0.3 (new mask per step)",
          "variational": "locked dropout 0.3", "zoneout": "zoneout (h 0.1, c 0.3)",
          "sgd": "SGD", "momentum": "SGD + momentum 0.9", "rmsprop": "RMSprop", "adam": "Adam"}


def plot_live(runs: dict[str, dict]):
    """runs: {label: train_lm result}. Training (dashed) and validation (solid) loss against updates."""
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = {}
    for k, (name, run) in enumerate(runs.items()):
        color = f"C{k}"
        ax.plot(run["steps"], run["train"], "--", color=color, label=f"{LABELS.get(name, name)}: training")
        ax.plot(run["steps"], run["val"], "-", color=color, label=f"{LABELS.get(name, name)}: validation")
        drawn[name] = {"steps": list(run["steps"]), "train": list(run["train"]), "val": list(run["val"])}
    ax.set(xlabel="updates", ylabel="cross-entropy (nats per character)",
           title="Character LSTM on 4,000 characters: training vs validation loss (one seed, run live)")
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
        label = LABELS.get(name, name) + (f", lr {entry['lr']:g}" if "lr" in entry else "")
        ax.plot(steps, s["mean"], color=f"C{k}", label=label)
        ax.fill_between(steps, s["min"], s["max"], color=f"C{k}", alpha=0.2)
        drawn[name] = {"steps": steps.tolist(), "mean": list(s["mean"])}
    n = len(measured["config"]["seeds"])
    what = "validation" if key == "val" else "training"
    ax.set(xlabel="updates", ylabel=f"{what} cross-entropy (nats per character)",
           title=title or f"{what.capitalize()} loss, mean and range over {n} seeds (benchmarks/bench_regularisation.py)")
    if log_y:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, drawn
