"""Plots of lesson 06: the cliff, what clipping does to a gradient's direction, how optimizers react to a
spike, and what truncated BPTT costs.

Each function returns (fig, data_drawn) so tests can check the picture's content.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import _


def plot_cliff(line: dict, zoom: dict, b_wall: float, title: str | None = None):
    """Loss and gradient norm along a line in parameter space (b varies, w fixed), with a zoom on the cliff.

    line, zoom: outputs of experiments.along_line (the zoom on a narrow interval around the cliff at b_wall)
    title:      default "A cliff in the loss of a one-unit RNN" (in the student's language)
    Returns (fig, data) with data = {"line": line, "zoom": zoom, "b_wall": b_wall}.
    """
    title = _("A cliff in the loss of a one-unit RNN") if title is None else title
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.6), sharex="col")
    w = float(line["w"][0])
    for col, (d, x, xlabel) in enumerate((
            (line, line["b"], _("bias b (w fixed at {w:g})").format(w=w)),
            (zoom, (zoom["b"] - b_wall) * 1e3,
             _("distance from the wall b* = {b_wall:.5f}, (b - b*) / 0.001").format(b_wall=b_wall)))):
        axes[0, col].plot(x, d["loss"], color="C0")
        axes[0, col].set_ylabel(_("loss (x_T - target)^2"))
        axes[1, col].semilogy(x, d["grad_norm"], color="C3")
        axes[1, col].set_ylabel(_("gradient norm ||(dL/dw, dL/db)||"))
        axes[1, col].set_xlabel(xlabel)
    axes[0, 0].set_title(_("{title}: along the line").format(title=title))
    axes[0, 1].set_title(_("zoom on the cliff: 1000x narrower"))
    for row in range(2):
        axes[row, 0].axvspan(zoom["b"][0], zoom["b"][-1], color="gray", alpha=0.3, lw=0)
    fig.tight_layout()
    return fig, {"line": line, "zoom": zoom, "b_wall": b_wall}


def plot_clipping_directions(g2: np.ndarray, clipped2: dict[str, np.ndarray], names: list[str],
                             norms: dict[str, list[float]], cosines: dict[str, float],
                             title: str | None = None):
    """Left: a 2-component gradient and its clipped versions as arrows; right: per-tensor norms of a real gradient.

    g2:       (2,) the raw 2-component gradient (its direction drawn as a wide gray line)
    clipped2: {method: (2,) clipped gradient}, drawn as they are
    names:    tensor names of the real gradient; norms: {method: per-tensor norms} ("original" included)
    cosines:  {method: cosine between clipped and original real gradient}
    title:    of the right panel; default "What clipping does to the direction of a gradient" (in the student's language)
    Returns (fig, data) with data = {"arrows": {...}, "norms": norms, "cosines": cosines}.
    """
    title = _("What clipping does to the direction of a gradient") if title is None else title
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.7]})
    unit = np.asarray(g2, dtype=float) / np.linalg.norm(g2)
    arrows = {"original direction (unit length)": unit, **{k: np.asarray(v, dtype=float) for k, v in clipped2.items()}}
    ax.plot([0, 1.4 * unit[0]], [0, 1.4 * unit[1]], color="gray", lw=6, alpha=0.35, solid_capstyle="round",
            label=_("direction of the raw gradient"))
    for k, (label, v) in enumerate(list(arrows.items())[1:], start=1):
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops=dict(arrowstyle="->", lw=2, color=f"C{k}"))
        ax.plot([], [], color=f"C{k}", label=label)
    lim = 1.5 * max(1.0, max(np.abs(v).max() for v in arrows.values()))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set_xlabel(_("dL/dw (clipped)"))
    ax.set_ylabel(_("dL/db (clipped)"))
    ax.set_title(_("cliff gradient, 2 parameters"))
    ax.legend(fontsize=7, loc="upper left")
    x = np.arange(len(names))
    width = 0.8 / len(norms)
    for k, (method, values) in enumerate(norms.items()):
        label = method if method == "original" else f"{method} (cos = {cosines[method]:.3f})"
        bx.bar(x + (k - (len(norms) - 1) / 2) * width, values, width, label=label, color=f"C{k}")
    bx.set_yscale("log")
    bx.set_xticks(x, names, rotation=20, fontsize=8)
    bx.set_xlabel(_("parameter tensor"))
    bx.set_ylabel(_("norm of each tensor's gradient"))
    bx.set_title(title)
    bx.legend(fontsize=7)
    fig.tight_layout()
    return fig, {"arrows": arrows, "norms": norms, "cosines": cosines}


def plot_step_sizes(lengths: dict[str, np.ndarray], lr: float, spike_at: int, title: str | None = None):
    """Length of each update divided by lr, per step, log scale, with the spike marked.

    lengths: {method: (steps,) |p_t - p_(t-1)|}. Returns (fig, data) with data = {method: lengths / lr}.
    title:   default "Step length around one gradient spike" (in the student's language)
    """
    title = _("Step length around one gradient spike") if title is None else title
    fig, ax = plt.subplots(figsize=(9, 3.6))
    data = {}
    for label, v in lengths.items():
        data[label] = np.asarray(v) / lr
        ax.semilogy(np.arange(len(v)), data[label], label=label, lw=1.2)
    ax.axvline(spike_at, color="gray", ls=":", lw=1)
    ax.annotate(_("one gradient of 10^4"), (spike_at, ax.get_ylim()[1]), fontsize=8, ha="left", va="top")
    ax.set_xlabel(_("step"))
    ax.set_ylabel(_("step length / learning rate"))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig, data


def plot_truncation(runs: list[dict], reach: dict[str, np.ndarray], title: str | None = None):
    """Left: recall accuracy against the truncation length K; right: gradient reach maps.

    runs:  outputs of models.train_truncated (same lag); reach: {label: experiments.gradient_reach(...)} (two maps)
    title: default "Truncated BPTT on the echo task" (in the student's language)
    Returns (fig, data) with data = {"K": [...], "accuracy": [...], "reach": reach}.
    """
    title = _("Truncated BPTT on the echo task") if title is None else title
    fig, axes = plt.subplots(1, 1 + len(reach), figsize=(4.2 * (1 + len(reach)), 3.6))
    Ks = [r["K"] for r in runs]
    acc = [r["accuracy"] for r in runs]
    lag = runs[0]["lag"]
    ax = axes[0]
    ax.bar([str(k) for k in Ks], acc, color=["C3" if k <= lag else "C2" for k in Ks])
    ax.axhline(0.5, color="gray", ls="--", lw=1, label=_("chance"))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(_("truncation length K (steps); lag = {lag}").format(lag=lag))
    ax.set_ylabel(_("recall accuracy (fraction)"))
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    for ax, (label, R) in zip(axes[1:], reach.items()):
        im = ax.imshow(np.log10(R + 1e-12), cmap="magma", vmin=-6, vmax=0, origin="upper")
        ax.set_xlabel(_("input step s"))
        ax.set_ylabel(_("output step t"))
        ax.set_title(_("gradient reach, {label}").format(label=label))
        fig.colorbar(im, ax=ax, fraction=0.046, label="log10 |d out_t / d x_s|")
    fig.tight_layout()
    return fig, {"K": Ks, "accuracy": acc, "reach": reach}


def plot_grad_norms(runs: list[dict], max_norm: float, title: str | None = None):
    """Global gradient norm per update for each run, log scale, with the clipping threshold.

    title: default "Gradient norm during training (before clipping)" (in the student's language)
    Returns (fig, data) with data = {"K=...": norms array}.
    """
    title = _("Gradient norm during training (before clipping)") if title is None else title
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    data = {}
    for r in runs:
        label = f"K={r['K']}"
        axes[0].semilogy(r["grad_norm"], lw=0.8, label=label)
        axes[1].plot(r["loss"], lw=0.8, label=label)
        data[label] = r["grad_norm"]
    axes[0].axhline(max_norm, color="k", ls="--", lw=1, label=f"max_norm = {max_norm}")
    axes[0].set_xlabel(_("update"))
    axes[0].set_ylabel(_("global gradient norm"))
    axes[0].set_title(title)
    axes[0].legend(fontsize=7, ncol=2)
    axes[1].set_xlabel(_("update"))
    axes[1].set_ylabel(_("training loss (binary cross-entropy)"))
    axes[1].set_title(_("Training loss"))
    fig.tight_layout()
    return fig, data
