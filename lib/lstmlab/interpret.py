"""Looking inside a trained LSTM: record every gate and state, relate units to a feature, measure saturation.

Everything works on *recordings*: a dict {"i", "f", "g", "o", "c", "h"} -> array (B, T, H) holding,
for B sequences of T steps, the activations of the H units of each gate and state (batch-first,
units last). `record` produces one with a numpy forward pass (the equations of lstmlab.lstm) that stores
every step's quantities as one array per quantity, and can clamp a hidden unit (an ablation). A trained
torch.nn.LSTM is recorded after copying its weights with lstmlab.bridge.lstm_from_torch.

Statistics (the lesson's graded exercises have the same contract):
    unit_correlations(A, feature)   Pearson r of every unit with a feature, pooled over all (sequence, step)
    tracking_unit(A, feature)       the unit with the largest |r|, and its signed r
    saturation(gate, low, high)     fraction of time each unit is below low / above high
                                    (Karpathy, Johnson & Fei-Fei 2015: < 0.1 and > 0.9)
    select_units(A, start, stop, threshold)   LSTMVis-style selection: units "on" over a range of one sequence
    match_ranges(A, units, threshold)         where else exactly those units are on together
    tuning(values, feature)         a unit's mean and spread at each level of an integer feature
"""
from __future__ import annotations

import numpy as np

from .i18n import N_, _
from .lstm import LSTMParams, sigmoid

QUANTITIES = ("i", "f", "g", "o", "c", "h")
# Shown to students (plot titles, the explorer): translate with _(NAMES[q]) where shown.
NAMES = {"i": N_("input gate i"), "f": N_("forget gate f"), "g": N_("candidate g"), "o": N_("output gate o"),
         "c": N_("cell state c"), "h": N_("hidden state h")}


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


# --- statistics ----------------------------------------------------------------------------------

def _samples(A, feature=None):
    """(..., U) activations and (...) feature -> (N, U) and (N,) float64, N = product of the leading axes."""
    A = np.asarray(A, dtype=np.float64)
    flat = A.reshape(-1, A.shape[-1])
    if feature is None:
        return flat
    feature = np.asarray(feature, dtype=np.float64)
    if feature.shape != A.shape[:-1]:
        raise ValueError(_("feature has shape {shape}; expected the activations' leading axes {expected}").format(
            shape=feature.shape, expected=A.shape[:-1]))
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
