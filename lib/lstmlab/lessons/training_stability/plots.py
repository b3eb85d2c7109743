"""Plots of lesson 06: what clipping does to a gradient's direction, and how optimizers react to a spike.

Each function returns (fig, data_drawn) so tests can check the picture's content.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_clipping_directions(g2: np.ndarray, clipped2: dict[str, np.ndarray], names: list[str],
                             norms: dict[str, list[float]], cosines: dict[str, float],
                             title: str = "What clipping does to the direction of a gradient"):
    """Left: a 2-component gradient and its clipped versions as arrows; right: per-tensor norms of a real gradient.

    g2:       (2,) the raw 2-component gradient (its direction drawn as a wide gray line)
    clipped2: {method: (2,) clipped gradient}, drawn as they are
    names:    tensor names of the real gradient; norms: {method: per-tensor norms} ("original" included)
    cosines:  {method: cosine between clipped and original real gradient}
    Returns (fig, data) with data = {"arrows": {...}, "norms": norms, "cosines": cosines}.
    """
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.7]})
    unit = np.asarray(g2, dtype=float) / np.linalg.norm(g2)
    arrows = {"original direction (unit length)": unit, **{k: np.asarray(v, dtype=float) for k, v in clipped2.items()}}
    ax.plot([0, 1.4 * unit[0]], [0, 1.4 * unit[1]], color="gray", lw=6, alpha=0.35, solid_capstyle="round",
            label="direction of the raw gradient")
    for k, (label, v) in enumerate(list(arrows.items())[1:], start=1):
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops=dict(arrowstyle="->", lw=2, color=f"C{k}"))
        ax.plot([], [], color=f"C{k}", label=label)
    lim = 1.5 * max(1.0, max(np.abs(v).max() for v in arrows.values()))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set_xlabel("dL/dw (clipped)")
    ax.set_ylabel("dL/db (clipped)")
    ax.set_title("cliff gradient, 2 parameters")
    ax.legend(fontsize=7, loc="upper left")
    x = np.arange(len(names))
    width = 0.8 / len(norms)
    for k, (method, values) in enumerate(norms.items()):
        label = method if method == "original" else f"{method} (cos = {cosines[method]:.3f})"
        bx.bar(x + (k - (len(norms) - 1) / 2) * width, values, width, label=label, color=f"C{k}")
    bx.set_yscale("log")
    bx.set_xticks(x, names, rotation=20, fontsize=8)
    bx.set_xlabel("parameter tensor")
    bx.set_ylabel("norm of each tensor's gradient")
    bx.set_title(title)
    bx.legend(fontsize=7)
    fig.tight_layout()
    return fig, {"arrows": arrows, "norms": norms, "cosines": cosines}


def plot_step_sizes(lengths: dict[str, np.ndarray], lr: float, spike_at: int,
                    title: str = "Step length around one gradient spike"):
    """Length of each update divided by lr, per step, log scale, with the spike marked.

    lengths: {method: (steps,) |p_t - p_(t-1)|}. Returns (fig, data) with data = {method: lengths / lr}.
    """
    fig, ax = plt.subplots(figsize=(9, 3.6))
    data = {}
    for label, v in lengths.items():
        data[label] = np.asarray(v) / lr
        ax.semilogy(np.arange(len(v)), data[label], label=label, lw=1.2)
    ax.axvline(spike_at, color="gray", ls=":", lw=1)
    ax.annotate("one gradient of 10^4", (spike_at, ax.get_ylim()[1]), fontsize=8, ha="left", va="top")
    ax.set_xlabel("step")
    ax.set_ylabel("step length / learning rate")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig, data
