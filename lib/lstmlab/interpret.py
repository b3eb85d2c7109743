"""Looking inside a trained LSTM: record every gate and state, relate units to a feature, measure saturation.

Everything works on *recordings*: a dict {"i", "f", "g", "o", "c", "h"} -> array (B, T, H) holding,
for B sequences of T steps, the activations of the H units of each gate and state (batch-first,
units last). `record` produces one with a numpy forward pass that keeps what lstmlab.lstm throws
away; `record_torch` does it for a trained torch.nn.LSTM (weights copied with lstmlab.bridge).

Statistics (the lesson's graded exercises have the same contract):
    unit_correlations(A, feature)   Pearson r of every unit with a feature, pooled over all (sequence, step)
    tracking_unit(A, feature)       the unit with the largest |r|, and its signed r
    saturation(gate, low, high)     fraction of time each unit is below low / above high
                                    (Karpathy, Johnson & Fei-Fei 2015: < 0.1 and > 0.9)
    select_units(A, start, stop, threshold)   LSTMVis-style selection: units "on" over a range of one sequence
    match_ranges(A, units, threshold)         where else exactly those units are on together

Plots return (fig, data_drawn) like every plot of the course.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .lstm import LSTMParams, sigmoid

QUANTITIES = ("i", "f", "g", "o", "c", "h")
NAMES = {"i": "input gate i", "f": "forget gate f", "g": "candidate g", "o": "output gate o",
         "c": "cell state c", "h": "hidden state h"}


# --- recording ---------------------------------------------------------------------------------

def record(params: LSTMParams, X: np.ndarray, h0=None, c0=None, clamp: dict | None = None) -> dict[str, np.ndarray]:
    """Run an LSTM over X and keep every internal quantity of every step.

    params: LSTMParams Wx (D, 4H), Wh (H, 4H), b (4H,) in our layout (gate order i, f, g, o)
    X:      (B, T, D) inputs; h0, c0: optional (B, H) initial states (zeros by default)
    clamp:  optional {unit: value}: after every step h[:, unit] is overwritten with value, so the
            readout and the next step never see that unit's own activity (an ablation). c is untouched.
    Returns {"i", "f", "g", "o", "c", "h"} -> (B, T, H) arrays in X's floating dtype (float32 or float64).
    """
    Wx, Wh, b = params
    X = np.asarray(X)
    dtype = np.result_type(X.dtype, Wx.dtype, np.float32)
    B, T, _ = X.shape
    H = Wh.shape[0]
    h = np.zeros((B, H), dtype) if h0 is None else np.array(h0, dtype=dtype)
    c = np.zeros((B, H), dtype) if c0 is None else np.array(c0, dtype=dtype)
    out = {q: np.empty((B, T, H), dtype) for q in QUANTITIES}
    AX = X.astype(dtype) @ Wx.astype(dtype) + b.astype(dtype)     # (B, T, 4H): input part of every step
    Wh = Wh.astype(dtype)
    for t in range(T):
        a = AX[:, t] + h @ Wh
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
        g = np.tanh(a[:, 2 * H:3 * H])
        c = f * c + i * g
        h = o * np.tanh(c)
        for unit, value in (clamp or {}).items():
            h[:, unit] = value
        for name, value in zip(QUANTITIES, (i, f, g, o, c, h)):
            out[name][:, t] = value
    return out


def record_torch(lstm, X: np.ndarray, clamp: dict | None = None, dtype=np.float64) -> dict[str, np.ndarray]:
    """record() for a single-layer torch.nn.LSTM: its weights are copied (as `dtype`) with lstmlab.bridge.

    lstm: torch.nn.LSTM(D, H) (batch_first or not: X here is always (B, T, D)). Returns what record returns.
    """
    from .bridge import lstm_from_torch

    return record(lstm_from_torch(lstm, dtype=dtype), np.asarray(X, dtype=dtype), clamp=clamp)


# --- statistics ----------------------------------------------------------------------------------

def _samples(A, feature=None):
    """(..., U) activations and (...) feature -> (N, U) and (N,) float64, N = product of the leading axes."""
    A = np.asarray(A, dtype=np.float64)
    flat = A.reshape(-1, A.shape[-1])
    if feature is None:
        return flat
    feature = np.asarray(feature, dtype=np.float64)
    if feature.shape != A.shape[:-1]:
        raise ValueError(f"feature has shape {feature.shape}; expected the activations' leading axes {A.shape[:-1]}")
    return flat, feature.reshape(-1)


def unit_correlations(A: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation of every unit with a feature, pooled over all sequences and steps.

    A:       (..., U) activations, e.g. (B, T, U) for B sequences of T steps, or (T, U) for one sequence
    feature: (...) one number per (sequence, step), e.g. (B, T): the nesting depth
    Returns r (U,) float64 in [-1, 1]; r = 0 for a unit (or a feature) that never changes.
    """
    X, y = _samples(A, feature)
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    cov = Xc.T @ yc                                   # (U,) sums of products, no 1/N needed: it cancels
    norm = np.sqrt((Xc ** 2).sum(axis=0) * (yc ** 2).sum())
    r = np.zeros(X.shape[1])
    ok = norm > 0
    r[ok] = cov[ok] / norm[ok]
    return np.clip(r, -1.0, 1.0)


def tracking_unit(A: np.ndarray, feature: np.ndarray) -> tuple[int, float]:
    """The unit whose activation follows the feature most closely, up or down.

    A (..., U), feature (...) as in unit_correlations.
    Returns (unit, r): unit = argmax |r| (an int), r = that unit's signed correlation (a float).
    """
    r = unit_correlations(A, feature)
    unit = int(np.argmax(np.abs(r)))
    return unit, float(r[unit])


def saturation(gate: np.ndarray, low: float = 0.1, high: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """How often each unit of a gate is saturated (Karpathy, Johnson & Fei-Fei 2015, section 4.3).

    gate: (..., U) gate activations in (0, 1), e.g. (B, T, U); the fraction is over all leading axes
    low, high: thresholds; a value is left-saturated when gate < low, right-saturated when gate > high
    Returns (left, right), each (U,) float64 in [0, 1].
    """
    G = _samples(gate)
    return (G < low).mean(axis=0), (G > high).mean(axis=0)


def select_units(A: np.ndarray, start: int, stop: int, threshold: float) -> np.ndarray:
    """LSTMVis-style hypothesis selection on one sequence (a simplified Select View).

    A: (T, U) activations of one sequence; [start, stop) the selected steps; threshold: "on" means >= threshold.
    Returns the indices (int array) of the units that are on at every selected step and off at
    step start - 1 (when it exists): the units that switch on where the selection begins and stay on.
    """
    A = np.asarray(A)
    on = A[start:stop] >= threshold
    keep = on.all(axis=0)
    if start > 0:
        keep &= A[start - 1] < threshold
    return np.flatnonzero(keep)


def match_ranges(A: np.ndarray, units, threshold: float, min_length: int = 2) -> list[tuple[int, int, int]]:
    """LSTMVis-style Match View: the ranges where all of `units` are on together.

    A: (B, T, U) activations; units: the selected unit indices; threshold: "on" means >= threshold.
    Returns [(sequence, start, stop)] for every maximal run of at least min_length steps.
    """
    A = np.asarray(A)
    units = np.asarray(units, dtype=int)
    if units.size == 0:
        return []
    on = (A[..., units] >= threshold).all(axis=-1)      # (B, T)
    runs = []
    for s, row in enumerate(on):
        edges = np.diff(np.concatenate([[0], row.astype(int), [0]]))
        for a, z in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            if z - a >= min_length:
                runs.append((s, int(a), int(z)))
    return runs


def tuning(values: np.ndarray, feature: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and standard deviation of a unit at each level of an integer feature (its "tuning curve").

    values: (...) one unit's activations; feature: same shape, integer-valued (e.g. the depth).
    Returns levels (L,), mean (L,), std (L,) over all samples at each level.
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    feature = np.asarray(feature).reshape(-1)
    levels = np.unique(feature)
    mean = np.array([values[feature == v].mean() for v in levels])
    std = np.array([values[feature == v].std() for v in levels])
    return levels, mean, std


def plot_tuning(curves: dict[str, np.ndarray], feature: np.ndarray, feature_name: str = "depth",
                title: str = "Mean activation at each depth (band: ± one standard deviation)"):
    """Tuning curves of a few units: mean activation at each feature level.

    curves: {label: (...) activations of one unit}, each with feature's shape; feature: integer-valued.
    Returns (fig, data) with data = {label: (levels, mean, std)}.
    """
    fig, ax = plt.subplots(figsize=(6, 3.4))
    data = {}
    for label, values in curves.items():
        levels, mean, std = tuning(values, feature)
        ax.plot(levels, mean, marker="o", label=label)
        ax.fill_between(levels, mean - std, mean + std, alpha=0.2)
        data[label] = (levels, mean, std)
    ax.set_xlabel(f"{feature_name} after the character")
    ax.set_ylabel("activation")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig, data


# --- plots ---------------------------------------------------------------------------------------

def _text_axis(ax, text: str, fontsize: float = 7.0) -> None:
    ax.set_xticks(range(len(text)))
    ax.set_xticklabels(list(text), fontsize=fontsize, family="monospace")


def plot_heatmaps(rec_seq: dict[str, np.ndarray], text: str, quantities=("h", "c", "f", "i"), units=None,
                  feature: np.ndarray | None = None, feature_name: str = "depth",
                  title: str = "Inside the LSTM while it reads one string"):
    """Heat maps (unit x step) of recorded quantities over one input string, the characters on the x axis.

    rec_seq: {quantity: (T, U)} for ONE sequence (e.g. {q: rec[q][k] for q in rec})
    text:    the T input characters; units: the units to show, in this order (default all)
    feature: optional (T,) drawn as a line in a top panel
    Returns (fig, data): data[q] = (len(units), T) array drawn, data["units"], and data["feature"] if given.
    """
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
        ax.set_ylabel(f"{NAMES[q]}\nunit", fontsize=8)
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.025, label="activation")
        data[q] = V
    axes[0].set_title(title)
    _text_axis(axes[-1], text)
    axes[-1].set_xlabel("input character (time step t →)")
    fig.tight_layout()
    return fig, data


def plot_unit(values: np.ndarray, feature: np.ndarray, text: str, unit: int, quantity: str = "h",
              feature_name: str = "depth", title: str | None = None):
    """One unit against the feature over one string: the characters coloured by the unit, and both as lines.

    values: (T,) the unit's activation; feature: (T,); text: T characters.
    The characters are coloured from blue (the unit's lowest value on this string) to red (its highest).
    Returns (fig, data) with data = {"values": (T,), "feature": (T,), "colours": (T,) in [0, 1]}.
    """
    values, feature = np.asarray(values, dtype=float), np.asarray(feature, dtype=float)
    T = len(values)
    span = float(values.max() - values.min())
    colours = (values - values.min()) / span if span > 0 else np.full(T, 0.5)
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(11, 3.6), sharex=True, gridspec_kw={"height_ratios": [0.5, 1.5]})
    ax0.imshow(colours[None, :], aspect="auto", cmap="RdBu_r", vmin=0, vmax=1)
    for t, ch in enumerate(text):
        ax0.text(t, 0, ch, ha="center", va="center", fontsize=8, family="monospace")
    ax0.set_yticks([])
    ax0.set_title(title or f"{NAMES[quantity]}, unit {unit}, while reading one string (red = its highest, blue = its lowest)")
    ax1.plot(range(T), values, color="C3", label=f"{quantity}[{unit}] (left axis)")
    ax1.set_ylabel(f"{quantity}[{unit}] activation")
    ax2 = ax1.twinx()
    ax2.step(range(T), feature, where="mid", color="k", alpha=0.6, label=f"{feature_name} (right axis)")
    ax2.set_ylabel(feature_name)
    lines = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax1.legend(lines, [ln.get_label() for ln in lines], loc="upper left", fontsize=7)
    _text_axis(ax1, text)
    ax1.set_xlabel("input character (time step t →)")
    fig.tight_layout()
    return fig, {"values": values, "feature": feature, "colours": colours}


def plot_correlations(r: dict[str, np.ndarray], title: str = "Correlation of every unit with the depth"):
    """Bars of per-unit Pearson r, one group per recording: r = {label: (U,)} (e.g. trained h, untrained h).

    Returns (fig, data) with data = r as drawn (arrays of shape (U,)).
    """
    labels = list(r)
    U = len(r[labels[0]])
    width = 0.8 / len(labels)
    fig, ax = plt.subplots(figsize=(9, 3))
    for k, label in enumerate(labels):
        ax.bar(np.arange(U) + (k - (len(labels) - 1) / 2) * width, r[label], width, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xticks(range(U))
    ax.set_xlabel("unit")
    ax.set_ylabel("Pearson r (no unit)")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig, {k: np.asarray(v) for k, v in r.items()}


def plot_saturation(fractions: dict[str, tuple[np.ndarray, np.ndarray]], highlight: int | None = None,
                    title: str = "Gate saturation: one dot per unit", low: float = 0.1, high: float = 0.9):
    """Karpathy et al.'s saturation plot: per gate, every unit at (fraction left-saturated, fraction right-saturated).

    fractions: {gate name: (left (U,), right (U,))}, e.g. from saturation(); highlight: a unit drawn in red;
    low, high: the thresholds the fractions were computed with (for the axis labels).
    The grey diagonal is left + right = 1: a unit on it is always saturated.
    Returns (fig, data) with data = {gate: (U, 2) array of (left, right) drawn}.
    """
    gates = list(fractions)
    fig, axes = plt.subplots(1, len(gates), figsize=(3.2 * len(gates), 3.3), squeeze=False)
    data = {}
    for gate, ax in zip(gates, axes[0]):
        left, right = (np.asarray(v, dtype=float) for v in fractions[gate])
        ax.plot([0, 1], [1, 0], color="0.8", lw=0.8)      # left + right = 1: always saturated
        ax.scatter(left, right, s=18, alpha=0.8)
        if highlight is not None:
            ax.scatter(left[highlight], right[highlight], s=60, facecolors="none", edgecolors="C3",
                       label=f"unit {highlight}")
            ax.legend(fontsize=7, loc="upper right")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(f"fraction of steps < {low:g} (left-saturated)", fontsize=8)
        ax.set_ylabel(f"fraction of steps > {high:g} (right-saturated)", fontsize=8)
        ax.set_title(f"{NAMES.get(gate, gate)}", fontsize=9)
        data[gate] = np.stack([left, right], axis=1)
    fig.suptitle(title)
    fig.tight_layout()
    return fig, data


def plot_ablation(scores: np.ndarray, baseline: float, r: np.ndarray | None = None,
                  title: str = "Accuracy on forced steps with one unit silenced", ylabel: str = "accuracy (fraction)"):
    """Bars of a score per silenced unit, with the intact network's score as a line.

    scores: (U,) score with unit u clamped; baseline: score of the intact network; r: optional (U,) labels.
    Returns (fig, data) with data = {"scores": (U,), "baseline": float}.
    """
    scores = np.asarray(scores, dtype=float)
    U = len(scores)
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.bar(range(U), scores, color="C0")
    ax.axhline(baseline, color="C3", ls="--", label=f"intact network ({baseline:.2f})")
    ax.set_xticks(range(U))
    if r is not None:
        ax.set_xticklabels([f"{u}\nr={v:+.2f}" for u, v in enumerate(np.asarray(r))], fontsize=6)
    ax.set_xlabel("silenced unit (and its r with depth)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(min(0.5, float(scores.min()) - 0.05), 1.02)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig, {"scores": scores, "baseline": float(baseline)}
