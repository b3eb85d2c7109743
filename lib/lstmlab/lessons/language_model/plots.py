"""Figures of lesson 08; every function returns (fig, data_drawn)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_perplexity(curves: dict, title: str = "Training and validation perplexity"):
    """curves: {"step": [...], "train": [...], "val": [...]} -> a line plot of both against steps."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(curves["step"], curves["train"], label="training text")
    ax.plot(curves["step"], curves["val"], label="validation text")
    best = int(np.argmin(curves["val"]))
    ax.axvline(curves["step"][best], color="grey", ls=":", label=f"lowest validation (step {curves['step'][best]})")
    ax.set_xlabel("training step (updates)")
    ax.set_ylabel("perplexity per character")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig, {"step": list(curves["step"]), "train": list(curves["train"]), "val": list(curves["val"])}


def plot_positions(tf_acc, free_acc, title: str = "Teacher forcing vs free running"):
    """Accuracy of the k-th predicted character after a prompt, given the true prefix vs the model's own."""
    k = np.arange(1, len(tf_acc) + 1)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(k, tf_acc, marker=".", label="teacher forcing (true characters fed in)")
    ax.plot(k, free_acc, marker=".", label="free running (own predictions fed in)")
    ax.set_xlabel("position after the prompt (characters)")
    ax.set_ylabel("share of predictions equal to the text")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig, {"teacher_forcing": np.asarray(tf_acc), "free_running": np.asarray(free_acc)}
