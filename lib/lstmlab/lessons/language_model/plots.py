"""Figures of lesson 08; every function returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import _


def plot_perplexity(curves: dict, title: str | None = None):
    """curves: {"step": [...], "train": [...], "val": [...]} -> a line plot of both against steps.

    title: default "Training and validation perplexity" (in the lesson's language)."""
    title = _("Training and validation perplexity") if title is None else title
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(curves["step"], curves["train"], label=_("training text"))
    ax.plot(curves["step"], curves["val"], label=_("validation text"))
    best = int(np.argmin(curves["val"]))
    ax.axvline(curves["step"][best], color="grey", ls=":",
               label=_("lowest validation (step {step})").format(step=curves["step"][best]))
    ax.set_xlabel(_("training step (updates)"))
    ax.set_ylabel(_("perplexity per character"))
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig, {"step": list(curves["step"]), "train": list(curves["train"]), "val": list(curves["val"])}


def plot_positions(tf_acc, free_acc, title: str | None = None):
    """Accuracy of the k-th predicted character after a prompt, given the true prefix vs the model's own.

    title: default "Teacher forcing vs free running" (in the lesson's language)."""
    title = _("Teacher forcing vs free running") if title is None else title
    k = np.arange(1, len(tf_acc) + 1)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(k, tf_acc, marker=".", label=_("teacher forcing (true characters fed in)"))
    ax.plot(k, free_acc, marker=".", label=_("free running (own predictions fed in)"))
    ax.set_xlabel(_("position after the prompt (characters)"))
    ax.set_ylabel(_("share of predictions equal to the text"))
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig, {"teacher_forcing": np.asarray(tf_acc), "free_running": np.asarray(free_acc)}
