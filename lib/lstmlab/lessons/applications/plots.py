"""Lesson 10's figures: forecasts against the actual series, an image read as a sequence, detections
and precision-recall curves. Each function returns (fig, data_drawn).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.anomaly import events
from lstmlab.i18n import _


def plot_forecasts(time, actual, forecasts: dict, title: str, xlabel: str, ylabel: str, split_at=None):
    """Actual values and several forecasts of the same targets over time.

    time (N,), actual (N,), forecasts {label: (N,)}; split_at: an x position marking where validation starts.
    Returns (fig, data) with data = {"time", "actual", **forecasts}.
    """
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.plot(time, actual, color="black", lw=2.0, label=_("actual"))
    data = {"time": np.asarray(time), "actual": np.asarray(actual)}
    for (label, values), style in zip(forecasts.items(), ["--", "-", ":", "-."]):
        ax.plot(time, values, style, lw=1.4, label=label)
        data[label] = np.asarray(values)
    if split_at is not None:
        ax.axvline(split_at, color="grey", lw=1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig, data


def plot_image_as_sequence(image, label, title: str | None = None):
    """Left: the image; right: the same pixels as a sequence, one line per step (row) of 8 values.

    image (R, C), label int; title defaults to "An 8x8 digit read as 8 time steps".
    Returns (fig, data) with data = {"image": (R, C), "steps": (R, C)}.
    """
    title = _("An 8x8 digit read as 8 time steps") if title is None else title
    image = np.asarray(image)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), gridspec_kw={"width_ratios": [1, 2]})
    im = ax1.imshow(image, cmap="gray_r", vmin=0, vmax=image.max() if image.max() > 0 else 1)
    ax1.set_title(_("image (label {label})").format(label=label))
    ax1.set_xlabel(_("column (pixel within a row)"))
    ax1.set_ylabel(_("row = time step t"))
    fig.colorbar(im, ax=ax1, fraction=0.046, label=_("ink (0 to 1)"))
    for t, row in enumerate(image):
        ax2.plot(np.arange(image.shape[1]) + t * (image.shape[1] + 1), row, "-o", ms=2.5, lw=1)
    ax2.set_xticks([(image.shape[1] + 1) * t + (image.shape[1] - 1) / 2 for t in range(image.shape[0])])
    ax2.set_xticklabels([f"t={t}" for t in range(image.shape[0])])
    ax2.set_xlabel(_("time step (each step feeds one row of 8 pixels)"))
    ax2.set_ylabel(_("input value x_t (ink, 0 to 1)"))
    ax2.set_title(title)
    fig.tight_layout()
    return fig, {"image": image, "steps": image.copy()}


def plot_detections(time, x, scores, tau, truth, flags, title: str):
    """Signal with true anomalies shaded and flagged steps marked (top); scores and threshold (bottom).

    time, x, scores (N,), tau float, truth and flags (N,) bool. Returns (fig, data).
    """
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True)
    ax1.plot(time, x, color="black", lw=0.8, label=_("signal"))
    for a, b in events(truth):
        ax1.axvspan(time[a] - 0.5, time[b - 1] + 0.5, color="tab:orange", alpha=0.3, lw=0)
    ax1.plot(np.asarray(time)[flags], np.asarray(x)[flags], "o", ms=3, color="tab:red", label=_("flagged"))
    ax1.set_ylabel(_("signal value\n(arbitrary units)"))
    ax1.set_title(title)
    ax1.legend(fontsize=8, loc="upper right")
    ax2.plot(time, scores, lw=0.8, color="tab:blue", label=_("anomaly score"))
    ax2.axhline(tau, color="tab:red", ls="--", lw=1, label=_("threshold {tau:.2f}").format(tau=tau))
    ax2.set_xlabel(_("time step"))
    ax2.set_ylabel(_("score |e - mu| / sigma\n(in clean-error stds)"))
    ax2.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig, {"time": np.asarray(time), "x": np.asarray(x), "scores": np.asarray(scores), "tau": tau,
                 "truth": np.asarray(truth), "flags": np.asarray(flags)}


def plot_precision_recall(curves: dict, marks: dict | None = None, title: str | None = None):
    """Precision-recall curves, e.g. one per detector.

    curves {label: (recall (K,), precision (K,))}; marks {label: (recall, precision)} operating points;
    title defaults to "Precision-recall".
    Returns (fig, data) with data = {"curves": curves, "marks": marks}.
    """
    title = _("Precision-recall") if title is None else title
    fig, ax = plt.subplots(figsize=(5.5, 4))
    colors = {}
    for label, (rec, prec) in curves.items():
        colors[label] = ax.plot(rec, prec, lw=1.5, label=label)[0].get_color()
    for label, (rec, prec) in (marks or {}).items():
        color = next((c for name, c in colors.items() if label.startswith(name)), None)
        ax.plot([rec], [prec], "o", ms=7, color=color, markeredgecolor="black", label=label)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_("recall (fraction of anomalous steps flagged)"))
    ax.set_ylabel(_("precision (fraction of flags that are right)"))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig, {"curves": curves, "marks": marks or {}}
