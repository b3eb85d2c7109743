"""Lesson 11's figures: heat maps over the text, one unit against the feature, tuning curves, per-unit
correlations, gate saturation and ablation bars. Each function returns (fig, data_drawn).

The numbers they draw come from the textbook module lstmlab.interpret (recordings, unit_correlations,
saturation, tuning).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.i18n import N_, _
from lstmlab.interpret import NAMES, tuning

DEPTH = N_("depth")   # the feature's default name
ACTIVATION = N_("activation")
INPUT_AXIS = N_("input character (time step t →)")


def _feature(feature_name: str | None) -> str:
    return _(DEPTH) if feature_name is None else feature_name


def _name(q: str) -> str:
    """A recorded quantity's name ("forget gate f") in the current language; other keys as they are."""
    return _(NAMES[q]) if q in NAMES else q


def plot_tuning(curves: dict[str, np.ndarray], feature: np.ndarray, feature_name: str | None = None,
                title: str | None = None):
    """Tuning curves of a few units: mean activation at each feature level.

    curves: {label: (...) activations of one unit}, each with feature's shape; feature: integer-valued.
    feature_name: default "depth"; title: default "Mean activation at each depth (band: ± one standard deviation)"
    (both in the lesson's language).
    Returns (fig, data) with data = {label: (levels, mean, std)}.
    """
    feature_name = _feature(feature_name)
    title = _("Mean activation at each depth (band: ± one standard deviation)") if title is None else title
    fig, ax = plt.subplots(figsize=(6, 3.4))
    data = {}
    for label, values in curves.items():
        levels, mean, std = tuning(values, feature)
        ax.plot(levels, mean, marker="o", label=label)
        ax.fill_between(levels, mean - std, mean + std, alpha=0.2)
        data[label] = (levels, mean, std)
    ax.set_xlabel(_("{feature_name} after the character").format(feature_name=feature_name))
    ax.set_ylabel(_(ACTIVATION))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig, data


def _text_axis(ax, text: str, fontsize: float = 7.0) -> None:
    ax.set_xticks(range(len(text)))
    ax.set_xticklabels(list(text), fontsize=fontsize, family="monospace")


def plot_heatmaps(rec_seq: dict[str, np.ndarray], text: str, quantities=("h", "c", "f", "i"), units=None,
                  feature: np.ndarray | None = None, feature_name: str | None = None, title: str | None = None):
    """Heat maps (unit x step) of recorded quantities over one input string, the characters on the x axis.

    rec_seq: {quantity: (T, U)} for ONE sequence (e.g. {q: rec[q][k] for q in rec})
    text:    the T input characters; units: the units to show, in this order (default all)
    feature: optional (T,) drawn as a line in a top panel
    feature_name: default "depth"; title: default "Inside the LSTM while it reads one string" (both in the
    lesson's language).
    Returns (fig, data): data[q] = (len(units), T) array drawn, data["units"], and data["feature"] if given.
    """
    feature_name = _feature(feature_name)
    title = _("Inside the LSTM while it reads one string") if title is None else title
    first = np.asarray(rec_seq[quantities[0]])
    T, U = first.shape
    units = list(range(U)) if units is None else [int(u) for u in units]
    rows = len(quantities) + (feature is not None)
    heights = ([0.6] if feature is not None else []) + [1.0] * len(quantities)
    fig, axes = plt.subplots(rows, 1, figsize=(11, 0.9 + 0.22 * len(units) * len(quantities) + 1.2 * (feature is not None)),
                             sharex=True, squeeze=False, gridspec_kw={"height_ratios": heights})
    axes = axes[:, 0]
    data: dict = {"units": units}
    k = 0
    if feature is not None:
        feature = np.asarray(feature)
        axes[0].step(range(T), feature, where="mid", color="k")
        axes[0].set_ylabel(f"{feature_name}", fontsize=8)
        data["feature"] = feature
        k = 1
    for q, ax in zip(quantities, axes[k:]):
        V = np.asarray(rec_seq[q])[:, units].T                  # (units, T)
        if q in ("i", "f", "o"):
            im = ax.imshow(V, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        else:
            lim = max(1.0, float(np.abs(V).max())) if q == "c" else 1.0
            im = ax.imshow(V, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_yticks(range(len(units)))
        ax.set_yticklabels([str(u) for u in units], fontsize=6)
        ax.set_ylabel(_("{name}\nunit").format(name=_name(q)), fontsize=8)
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.025, label=_(ACTIVATION))
        data[q] = V
    axes[0].set_title(title)
    _text_axis(axes[-1], text)
    axes[-1].set_xlabel(_(INPUT_AXIS))
    fig.tight_layout()
    return fig, data


def plot_unit(values: np.ndarray, feature: np.ndarray, text: str, unit: int, quantity: str = "h",
              feature_name: str | None = None, title: str | None = None):
    """One unit against the feature over one string: the characters coloured by the unit, and both as lines.

    values: (T,) the unit's activation; feature: (T,); text: T characters.
    The characters are coloured from blue (the unit's lowest value on this string) to red (its highest).
    feature_name: default "depth" (in the lesson's language).
    Returns (fig, data) with data = {"values": (T,), "feature": (T,), "colours": (T,) in [0, 1]}.
    """
    feature_name = _feature(feature_name)
    values, feature = np.asarray(values, dtype=float), np.asarray(feature, dtype=float)
    T = len(values)
    span = float(values.max() - values.min())
    colours = (values - values.min()) / span if span > 0 else np.full(T, 0.5)
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(11, 3.6), sharex=True, gridspec_kw={"height_ratios": [0.5, 1.5]})
    ax0.imshow(colours[None, :], aspect="auto", cmap="RdBu_r", vmin=0, vmax=1)
    for t, ch in enumerate(text):
        ax0.text(t, 0, ch, ha="center", va="center", fontsize=8, family="monospace")
    ax0.set_yticks([])
    ax0.set_title(title or _("{name}, unit {unit}, while reading one string (red = its highest, blue = its lowest)"
                             ).format(name=_name(quantity), unit=unit))
    ax1.plot(range(T), values, color="C3", label=_("{quantity}[{unit}] (left axis)").format(quantity=quantity, unit=unit))
    ax1.set_ylabel(_("{quantity}[{unit}] activation").format(quantity=quantity, unit=unit))
    ax2 = ax1.twinx()
    ax2.step(range(T), feature, where="mid", color="k", alpha=0.6,
             label=_("{feature_name} (right axis)").format(feature_name=feature_name))
    ax2.set_ylabel(feature_name)
    lines = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax1.legend(lines, [ln.get_label() for ln in lines], loc="upper left", fontsize=7)
    _text_axis(ax1, text)
    ax1.set_xlabel(_(INPUT_AXIS))
    fig.tight_layout()
    return fig, {"values": values, "feature": feature, "colours": colours}


def plot_correlations(r: dict[str, np.ndarray], title: str | None = None):
    """Bars of per-unit Pearson r, one group per recording: r = {label: (U,)} (e.g. trained h, untrained h).

    title: default "Correlation of every unit with the depth" (in the lesson's language).

    Returns (fig, data) with data = r as drawn (arrays of shape (U,)).
    """
    title = _("Correlation of every unit with the depth") if title is None else title
    labels = list(r)
    U = len(r[labels[0]])
    width = 0.8 / len(labels)
    fig, ax = plt.subplots(figsize=(9, 3))
    for k, label in enumerate(labels):
        ax.bar(np.arange(U) + (k - (len(labels) - 1) / 2) * width, r[label], width, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xticks(range(U))
    ax.set_xlabel(_("unit"))
    ax.set_ylabel(_("Pearson r (no unit)"))
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig, {k: np.asarray(v) for k, v in r.items()}


def plot_saturation(fractions: dict[str, tuple[np.ndarray, np.ndarray]], highlight: int | None = None,
                    title: str | None = None, low: float = 0.1, high: float = 0.9):
    """Karpathy et al.'s saturation plot: per gate, every unit at (fraction left-saturated, fraction right-saturated).

    fractions: {gate name: (left (U,), right (U,))}, e.g. from saturation(); highlight: a unit drawn in red;
    low, high: the thresholds the fractions were computed with (for the axis labels);
    title: default "Gate saturation: one dot per unit" (in the lesson's language).
    The grey diagonal is left + right = 1: a unit on it is always saturated.
    Returns (fig, data) with data = {gate: (U, 2) array of (left, right) drawn}.
    """
    title = _("Gate saturation: one dot per unit") if title is None else title
    gates = list(fractions)
    fig, axes = plt.subplots(1, len(gates), figsize=(3.2 * len(gates), 3.3), squeeze=False)
    data = {}
    for gate, ax in zip(gates, axes[0]):
        left, right = (np.asarray(v, dtype=float) for v in fractions[gate])
        ax.plot([0, 1], [1, 0], color="0.8", lw=0.8)      # left + right = 1: always saturated
        ax.scatter(left, right, s=18, alpha=0.8)
        if highlight is not None:
            ax.scatter(left[highlight], right[highlight], s=60, facecolors="none", edgecolors="C3",
                       label=_("unit {unit}").format(unit=highlight))
            ax.legend(fontsize=7, loc="upper right")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(_("fraction of steps < {low:g} (left-saturated)").format(low=low), fontsize=8)
        ax.set_ylabel(_("fraction of steps > {high:g} (right-saturated)").format(high=high), fontsize=8)
        ax.set_title(f"{_name(gate)}", fontsize=9)
        data[gate] = np.stack([left, right], axis=1)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, data


def plot_ablation(scores: np.ndarray, baseline: float, r: np.ndarray | None = None,
                  title: str | None = None, ylabel: str | None = None):
    """Bars of a score per silenced unit, with the intact network's score as a line.

    scores: (U,) score with unit u clamped; baseline: score of the intact network; r: optional (U,) labels;
    title: default "Accuracy on forced steps with one unit silenced", ylabel: default "accuracy (fraction)" (both in
    the lesson's language).
    Returns (fig, data) with data = {"scores": (U,), "baseline": float}.
    """
    title = _("Accuracy on forced steps with one unit silenced") if title is None else title
    ylabel = _("accuracy (fraction)") if ylabel is None else ylabel
    scores = np.asarray(scores, dtype=float)
    U = len(scores)
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.bar(range(U), scores, color="C0")
    ax.axhline(baseline, color="C3", ls="--", label=_("intact network ({baseline:.2f})").format(baseline=baseline))
    ax.set_xticks(range(U))
    if r is not None:
        ax.set_xticklabels([f"{u}\nr={v:+.2f}" for u, v in enumerate(np.asarray(r))], fontsize=6)
    ax.set_xlabel(_("silenced unit (and its r with depth)"))
    ax.set_ylabel(ylabel)
    ax.set_ylim(min(0.5, float(scores.min()) - 0.05), 1.02)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig, {"scores": scores, "baseline": float(baseline)}
