"""Figures of lesson 02. Each returns (fig, data drawn), so tests can check the picture's content."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import _


def plot_grad_norms(curves: dict[str, np.ndarray], title: str, ylabel: str | None = None,
                    ax=None, styles: dict[str, dict] | None = None):
    """Gradient norms against the time step, on a log scale; the loss is at the last step.

    curves: {label: (T,) array of norms}; styles: optional {label: matplotlib line kwargs}.
    ylabel: default "‖∂L/∂h_t‖ (log scale)".
    Returns (fig, data) where data = {label: the (T,) array drawn}.
    """
    ylabel = _("‖∂L/∂h_t‖ (log scale)") if ylabel is None else ylabel
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7.5, 4))
    data = {}
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        ax.semilogy(np.arange(len(values)), values, label=label, **(styles or {}).get(label, {}))
        data[label] = values
    ax.set_xlabel(_("time step t (the loss reads h_T at the right end)"))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, data
