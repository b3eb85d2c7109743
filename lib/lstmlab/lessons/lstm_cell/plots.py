"""Figures of lesson 01. Each returns (fig, data drawn), so tests can check the picture's content."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _

# Shown with _(GATE_TITLES[name]).
GATE_TITLES = {"i": N_("input gate i_t"), "f": N_("forget gate f_t"), "g": N_("candidate g_t"),
               "o": N_("output gate o_t"), "c": N_("cell state c_t"), "h": N_("hidden state h_t")}


def plot_gates(activations: dict[str, np.ndarray], inputs: np.ndarray | None = None, input_labels=None,
               title: str | None = None, ax_width: float = 9.0):
    """Heat maps of gate activations over one sequence, one row of panels per gate.

    activations: {"i"|"f"|"g"|"o"|"c"|"h": array (T, H)} for a single sequence
    inputs:      optional (T, D) input drawn on top as lines, labelled by input_labels
    title:       default "LSTM gate activations over time"
    Returns (fig, data) where data = {name: (T, H) array drawn} plus "inputs" when given.
    """
    title = _("LSTM gate activations over time") if title is None else title
    names = list(activations)
    rows = len(names) + (inputs is not None)
    fig, axes = plt.subplots(rows, 1, figsize=(ax_width, 1.4 * rows + 0.8), sharex=True, squeeze=False)
    axes = axes[:, 0]
    data: dict[str, np.ndarray] = {}
    k = 0
    if inputs is not None:
        inputs = np.asarray(inputs)
        for d in range(inputs.shape[1]):
            axes[0].step(np.arange(inputs.shape[0]), inputs[:, d], where="mid",
                         label=(input_labels or [f"x[{d}]" for d in range(inputs.shape[1])])[d])
        axes[0].set_ylabel(_("input\nvalue"), fontsize=8)
        axes[0].legend(loc="upper right", fontsize=7, ncol=inputs.shape[1])
        axes[0].set_title(title)
        data["inputs"] = inputs
        k = 1
    for name, ax in zip(names, axes[k:]):
        A = np.asarray(activations[name])
        if name in ("i", "f", "o"):
            lo, hi, cmap = 0.0, 1.0, "viridis"
        else:  # tanh-range values; c is unbounded, so scale to its largest magnitude
            hi = max(1.0, float(np.abs(A).max())) if name == "c" else 1.0
            lo, cmap = -hi, "RdBu_r"
        im = ax.imshow(A.T, aspect="auto", cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        ax.set_ylabel(_("{name}\nunit").format(name=_(GATE_TITLES[name]) if name in GATE_TITLES else name), fontsize=8)
        ax.set_yticks(range(A.shape[1]) if A.shape[1] <= 8 else ax.get_yticks())
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03, label=_("value"))
        data[name] = A
    if inputs is None:
        axes[0].set_title(title)
    axes[-1].set_xlabel(_("time step t"))
    fig.tight_layout()
    return fig, data
