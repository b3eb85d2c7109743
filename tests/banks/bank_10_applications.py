"""Lesson 10 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the mistake); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np, lstm_forward, LSTMParams, ...).
"""

WRONG = {
    "make_windows": [
        ("target is the window's last value (overlap)", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window] for n in range(N)])
    y = np.array([series[n + window + horizon - 2] for n in range(N)])
    return X, y
''', "target"),
        ("horizon one step late", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon
    X = np.stack([series[n:n + window] for n in range(N)])
    y = np.array([series[n + window + horizon] for n in range(N)])
    return X, y
''', "dropped the last"),
        ("horizon ignored", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window] for n in range(N)])
    y = series[window:window + N]
    return X, y
''', "ignores the horizon"),
        ("horizon counted from the window's start", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window] for n in range(N)])
    y = series[horizon:horizon + N] if horizon > 1 else series[window:window + N]
    return X, y
''', "first value of the window"),
        ("window includes the target (W+1 values)", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window + 1] for n in range(N)])
    y = series[window - 1 + horizon:window - 1 + horizon + N]
    return X, y
''', "shape"),
        ("last pair dropped", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon
    X = np.stack([series[n:n + window] for n in range(N)])
    y = series[window - 1 + horizon:window - 1 + horizon + N]
    return X, y
''', "dropped the last"),
        ("windows reversed", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window][::-1] for n in range(N)])
    y = series[window - 1 + horizon:window - 1 + horizon + N]
    return X, y
''', "reversed"),
        ("y as a column (N, 1)", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window] for n in range(N)])
    y = series[window - 1 + horizon:window - 1 + horizon + N]
    return X, y[:, None]
''', "1-D array"),
        ("off by one in h>1 only", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    N = len(series) - window - horizon + 1
    X = np.stack([series[n:n + window] for n in range(N)])
    off = window - 1 + horizon - (horizon > 1)
    return X, series[off:off + N]
''', "one step early"),
        ("calls the library", '''
from lstmlab.series import make_windows as _mw
def make_windows(series, window, horizon=1):
    return _mw(series, window, horizon)
''', "must be written from scratch"),
    ],
    "time_split": [
        ("shuffles before splitting", '''
def time_split(X, y, val_fraction):
    idx = np.random.default_rng(0).permutation(len(X))
    k = len(X) - int(round(val_fraction * len(X)))
    return X[idx[:k]], y[idx[:k]], X[idx[k:]], y[idx[k:]]
''', "shuffled"),
        ("validation part first", '''
def time_split(X, y, val_fraction):
    n_val = int(round(val_fraction * len(X)))
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]
''', "comes first in time"),
        ("val_fraction used as the training share", '''
def time_split(X, y, val_fraction):
    k = int(round(val_fraction * len(X)))
    return X[:k], y[:k], X[k:], y[k:]
''', "training part holds val_fraction"),
        ("scikit-learn's return order", '''
def time_split(X, y, val_fraction):
    k = len(X) - int(round(val_fraction * len(X)))
    return X[:k], X[k:], y[:k], y[k:]
''', "scikit-learn's order"),
        ("rows in both parts", '''
def time_split(X, y, val_fraction):
    k = len(X) - int(round(val_fraction * len(X)))
    return X[:k + 1], y[:k + 1], X[k:], y[k:]
''', "in both"),
        ("y split at another place", '''
def time_split(X, y, val_fraction):
    k = len(X) - int(round(val_fraction * len(X)))
    return X[:k], y[-k:], X[k:], y[:len(X) - k]
''', "not aligned"),
        ("every other row validates (interleaved)", '''
def time_split(X, y, val_fraction):
    step = int(round(1 / val_fraction))
    val = np.arange(len(X)) % step == step - 1
    return X[~val], y[~val], X[val], y[val]
''', "shuffled"),
        ("calls the library", '''
import lstmlab.series as _s
def time_split(X, y, val_fraction):
    return _s.time_split(X, y, val_fraction)
''', "must be written from scratch"),
    ],
    "standardize": [
        ("statistics of the whole series", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, std = float(series.mean()), float(series.std())
    return (series - mean) / std, mean, std
''', "whole series"),
        ("statistics of the held-out part", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, std = float(series[n_fit:].mean()), float(series[n_fit:].std())
    return (series - mean) / std, mean, std
''', "series[n_fit:]"),
        ("off by one: n_fit + 1 values", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, std = float(series[:n_fit + 1].mean()), float(series[:n_fit + 1].std())
    return (series - mean) / std, mean, std
''', "Off by one"),
        ("only the fitted part transformed", '''
def standardize(series, n_fit):
    fit = np.asarray(series[:n_fit], dtype=float)
    mean, std = float(fit.mean()), float(fit.std())
    return (fit - mean) / std, mean, std
''', "only the fitted part"),
        ("min-max scaling", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    lo, hi = series[:n_fit].min(), series[:n_fit].max()
    return (series - lo) / (hi - lo), float(lo), float(hi - lo)
''', "min-max"),
        ("returns (z, std, mean)", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, std = float(series[:n_fit].mean()), float(series[:n_fit].std())
    return (series - mean) / std, std, mean
''', "(z, std, mean)"),
        ("not divided by std", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, std = float(series[:n_fit].mean()), float(series[:n_fit].std())
    return series - mean, mean, std
''', "not divided by std"),
        ("variance instead of std", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=float)
    mean, var = float(series[:n_fit].mean()), float(series[:n_fit].var())
    return (series - mean) / var, mean, var
''', "variance"),
        ("standardizes in place", '''
def standardize(series, n_fit):
    mean, std = float(series[:n_fit].mean()), float(series[:n_fit].std())
    series -= mean
    series /= std
    return series, mean, std
''', "in place"),
    ],
    "naive_forecast": [
        ("ignores the period", '''
def naive_forecast(X, horizon=1, period=1):
    return X[:, -1]
''', "ignores the period"),
        ("one season before the last input", '''
def naive_forecast(X, horizon=1, period=1):
    return X[:, -1] if period == 1 else X[:, -period - 1]
''', "one season before the last input"),
        ("ignores the horizon (X[:, -m])", '''
def naive_forecast(X, horizon=1, period=1):
    return X[:, -period]
''', "ignores the horizon"),
        ("goes back h steps", '''
def naive_forecast(X, horizon=1, period=1):
    k = (horizon - 1) // period + 1
    return X[:, -horizon] if period == 1 else X[:, X.shape[1] - 1 + horizon - period * k]
''', "goes back h steps"),
        ("one season back even when h > m", '''
def naive_forecast(X, horizon=1, period=1):
    return X[:, X.shape[1] - 1 + horizon - period]
''', "ceil(h/m)"),
        ("one season back, clipped to the window", '''
def naive_forecast(X, horizon=1, period=1):
    col = X.shape[1] - 1 + horizon - period
    return X[:, min(col, X.shape[1] - 1)]
''', None),
        ("window mean", '''
def naive_forecast(X, horizon=1, period=1):
    return X.mean(axis=1)
''', "mean"),
        ("first value", '''
def naive_forecast(X, horizon=1, period=1):
    return X[:, 0]
''', "first value"),
    ],
    "mase": [
        ("scaled on the evaluation data", '''
def mase(y_true, y_pred, y_train, period=1):
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.mean(np.abs(y_true - y_pred)) / np.mean(np.abs(y_true[period:] - y_true[:-period])))
''', "evaluation data"),
        ("squared errors", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, float)
    return float(np.mean((np.asarray(y_true) - y_pred) ** 2) / np.mean((y_train[period:] - y_train[:-period]) ** 2))
''', "squared"),
        ("period ignored", '''
def mase(y_true, y_pred, y_train, period=1):
    return float(np.mean(np.abs(np.asarray(y_true) - y_pred)) / np.mean(np.abs(np.diff(y_train))))
''', "ignores the period"),
        ("no absolute value in the scale", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, float)
    return float(np.mean(np.abs(np.asarray(y_true) - y_pred)) / abs(np.mean(y_train[period:] - y_train[:-period])))
''', "absolute"),
        ("plain MAE", '''
def mase(y_true, y_pred, y_train, period=1):
    return float(np.mean(np.abs(np.asarray(y_true) - y_pred)))
''', "without scaling"),
        ("ratio upside down", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, float)
    return float(np.mean(np.abs(y_train[period:] - y_train[:-period])) / np.mean(np.abs(np.asarray(y_true) - y_pred)))
''', "upside down"),
        ("averages the differences over L", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, float)
    return float(np.mean(np.abs(np.asarray(y_true) - y_pred)) / (np.sum(np.abs(y_train[period:] - y_train[:-period])) / len(y_train)))
''', "number of differences"),
        ("scaled by the size of the values", '''
def mase(y_true, y_pred, y_train, period=1):
    return float(np.mean(np.abs(np.asarray(y_true) - y_pred)) / np.mean(np.abs(y_train)))
''', "size of the training values"),
        ("returns an array", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, float)
    return np.abs(np.asarray(y_true) - y_pred) / np.mean(np.abs(y_train[period:] - y_train[:-period]))
''', "single number"),
    ],
    "classify_rows": [
        ("reads columns", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (h, _), _ = lstm_forward(np.ascontiguousarray(images.transpose(0, 2, 1)), zeros, zeros, *params)
    return h @ W_out + b_out
''', "column by column"),
        ("rows bottom to top", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (h, _), _ = lstm_forward(images[:, ::-1], zeros, zeros, *params)
    return h @ W_out + b_out
''', "bottom to top"),
        ("averages h over time", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    Hs, _, _ = lstm_forward(images, zeros, zeros, *params)
    return Hs.mean(axis=1) @ W_out + b_out
''', "average of h_t"),
        ("classifies the first step", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    Hs, _, _ = lstm_forward(images, zeros, zeros, *params)
    return Hs[:, 0] @ W_out + b_out
''', "after the first row"),
        ("returns probabilities", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (h, _), _ = lstm_forward(images, zeros, zeros, *params)
    z = h @ W_out + b_out
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''', "probabilities"),
        ("no readout bias", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (h, _), _ = lstm_forward(images, zeros, zeros, *params)
    return h @ W_out
''', "bias b_out"),
        ("time-major input", '''
def classify_rows(images, params, W_out, b_out):
    X = np.ascontiguousarray(images.transpose(1, 0, 2))
    zeros = np.zeros((X.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (h, _), _ = lstm_forward(X, zeros, zeros, *params)
    return h @ W_out + b_out
''', None),
        ("cell state instead of hidden state", '''
def classify_rows(images, params, W_out, b_out):
    zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
    _, (_, c), _ = lstm_forward(images, zeros, zeros, *params)
    return c @ W_out + b_out
''', "cell state c_T"),
        ("calls the library's classifier", '''
from lstmlab.lessons.applications.models import classify_rows as _ready
def classify_rows(images, params, W_out, b_out):
    return _ready(images, params, W_out, b_out)
''', "must be written from scratch, but it called lstmlab.lessons.applications.models.classify_rows"),
    ],
    "anomaly_scores": [
        ("not centred", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    return np.abs(np.asarray(actual) - pred) / ce.std()
''', "not centred"),
        ("keeps the sign", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    return (np.asarray(actual) - pred - ce.mean()) / ce.std()
''', "keeps the sign"),
        ("statistics of the scored errors", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    e = np.asarray(actual, float) - pred
    return np.abs(e - e.mean()) / e.std()
''', "errors you are scoring"),
        ("squared score", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    return ((np.asarray(actual) - pred - ce.mean()) / ce.std()) ** 2
''', "squared"),
        ("not divided by sigma", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    return np.abs(np.asarray(actual) - pred - ce.mean())
''', "not divided by sigma"),
        ("sigma of the clean values", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    return np.abs(np.asarray(actual) - pred - ce.mean()) / np.std(clean_actual)
''', "clean *values*"),
        ("opposite sign conventions", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual) - clean_pred
    e = np.asarray(pred) - actual
    return np.abs(e - ce.mean()) / ce.std()
''', "opposite signs"),
        ("calls the library", '''
from lstmlab import anomaly as _a
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    return _a.anomaly_scores(pred, actual, clean_pred, clean_actual)
''', "must be written from scratch"),
    ],
    "threshold": [
        ("the rate quantile instead of 1 - rate", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.quantile(clean_scores, false_alarm_rate))
''', "(1 - rate)"),
        ("percentile without the factor 100", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.percentile(clean_scores, 1 - false_alarm_rate))
''', "percent"),
        ("largest clean score", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.max(clean_scores))
''', "largest clean score"),
        ("mean + 3 std", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.mean(clean_scores) + 3 * np.std(clean_scores))
''', "mean + 3 std"),
        ("sorts the input in place", '''
def threshold(clean_scores, false_alarm_rate):
    clean_scores.sort()
    return float(clean_scores[int((1 - false_alarm_rate) * len(clean_scores))])
''', "in place"),
        ("returns an array", '''
def threshold(clean_scores, false_alarm_rate):
    return np.quantile(clean_scores, [1 - false_alarm_rate])
''', "single number"),
        ("median", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.median(clean_scores))
''', "You returned the median"),
    ],
    "precision_recall": [
        ("swapped", '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    return float(tp / max(truth.sum(), 1)), float(tp / max(flags.sum(), 1))
''', "(recall, precision)"),
        ("accuracy", '''
def precision_recall(flags, truth):
    acc = float(np.mean(flags == truth))
    return acc, acc
''', "accuracy"),
        ("NaN when nothing is flagged", '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    return tp / np.sum(flags), tp / np.sum(truth)
''', "denominator is 0"),
        ("divides by N", '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    return float(tp / len(flags)), float(tp / max(truth.sum(), 1))
''', "divides by all N"),
        ("false-positive rate as precision", '''
def precision_recall(flags, truth):
    fp, tn = np.sum(flags & ~truth), np.sum(~flags & ~truth)
    tp = np.sum(flags & truth)
    return float(fp / max(fp + tn, 1)), float(tp / max(truth.sum(), 1))
''', "false-positive rate"),
        ("percentages", '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    return 100.0 * tp / max(flags.sum(), 1), 100.0 * tp / max(truth.sum(), 1)
''', "percentages"),
        ("ZeroDivisionError on an empty detector", '''
def precision_recall(flags, truth):
    tp = int(np.sum(flags & truth))
    return tp / int(flags.sum()), tp / int(truth.sum())
''', None),
        ("specificity as recall", '''
def precision_recall(flags, truth):
    tp, fp, tn = np.sum(flags & truth), np.sum(flags & ~truth), np.sum(~flags & ~truth)
    return float(tp / max(tp + fp, 1)), float(tn / max(tn + fp, 1))
''', "specificity"),
    ],
}

RIGHT = {
    "make_windows": [
        ("sliding_window_view", '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    X = np.lib.stride_tricks.sliding_window_view(series[:len(series) - horizon], window)
    return X.copy(), series[window - 1 + horizon:]
'''),
        ("index arithmetic into a preallocated float64 array", '''
def make_windows(series, window, horizon=1):
    N = len(series) - window - horizon + 1
    X = np.empty((N, window))
    y = np.empty(N)
    for n in range(N):
        for j in range(window):
            X[n, j] = series[n + j]
        y[n] = series[n + window - 1 + horizon]
    return X, y
'''),
        ("fancy indexing, list outputs", '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    starts = np.arange(len(s) - window - horizon + 1)
    return s[starts[:, None] + np.arange(window)], s[starts + window + horizon - 1]
'''),
    ],
    "time_split": [
        ("copies, boolean mask", '''
def time_split(X, y, val_fraction):
    is_val = np.arange(len(X)) >= len(X) - round(val_fraction * len(X))
    return X[~is_val].copy(), y[~is_val].copy(), X[is_val].copy(), y[is_val].copy()
'''),
    ],
    "standardize": [
        ("by hand, keeps the dtype", '''
def standardize(series, n_fit):
    fit = series[:n_fit]
    mean = sum(float(v) for v in fit) / n_fit
    std = (sum((float(v) - mean) ** 2 for v in fit) / n_fit) ** 0.5
    return (series - mean) / std, mean, std
'''),
    ],
    "naive_forecast": [
        ("negative index with math.ceil", '''
import math
def naive_forecast(X, horizon=1, period=1):
    k = math.ceil(horizon / period)
    return X[:, -1 + horizon - period * k] if horizon - period * k < 0 else X[:, -1]
'''),
        ("loop over seasons", '''
def naive_forecast(X, horizon=1, period=1):
    back = period
    while back < horizon:
        back += period
    offset = horizon - back                      # <= 0 steps relative to the last input
    return np.array([row[len(row) - 1 + offset] for row in X])
'''),
    ],
    "mase": [
        ("np.diff for period 1, loop otherwise", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = [float(v) for v in y_train]
    diffs = [abs(y_train[t] - y_train[t - period]) for t in range(period, len(y_train))]
    errs = [abs(float(a) - float(b)) for a, b in zip(y_true, y_pred)]
    return (sum(errs) / len(errs)) / (sum(diffs) / len(diffs))
'''),
        ("returns a numpy float64", '''
def mase(y_true, y_pred, y_train, period=1):
    y_train = np.asarray(y_train, dtype=np.float64)
    return np.mean(np.abs(np.subtract(y_true, y_pred, dtype=np.float64))) / np.mean(np.abs(y_train[period:] - y_train[:-period]))
'''),
    ],
    "classify_rows": [
        ("own LSTM loop", '''
def classify_rows(images, params, W_out, b_out):
    Wx, Wh, b = params
    H = Wh.shape[0]
    h = np.zeros((images.shape[0], H)); c = np.zeros_like(h)
    sig = lambda a: 1 / (1 + np.exp(-a))
    for t in range(images.shape[1]):
        a = images[:, t] @ Wx + h @ Wh + b
        i, f, g, o = sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return h @ W_out + b_out
'''),
        ("last row of Hs, named fields", '''
def classify_rows(images, params, W_out, b_out):
    N = len(images)
    h0 = np.zeros((N, params.hidden_size), dtype=images.dtype)
    Hs, _, _ = lstm_forward(images, h0, h0.copy(), params.Wx, params.Wh, params.b)
    return np.einsum("nh,hk->nk", Hs[:, -1, :], W_out) + b_out
'''),
        ("torch.nn.LSTM with copied weights", '''
import torch as _torch
from lstmlab.bridge import lstm_as_torch as _tl
def classify_rows(images, params, W_out, b_out):
    dt = _torch.float32 if images.dtype == np.float32 else _torch.float64
    lstm = _tl(params, dtype=dt)
    with _torch.no_grad():
        out, _ = lstm(_torch.as_tensor(images))
    return out[:, -1].numpy() @ W_out + b_out
'''),
    ],
    "anomaly_scores": [
        ("pred - actual on both sides", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_pred) - np.asarray(clean_actual)
    e = np.asarray(pred) - np.asarray(actual)
    return np.abs(e - ce.mean()) / np.sqrt(np.mean((ce - ce.mean()) ** 2))
'''),
    ],
    "threshold": [
        ("order statistic, no interpolation", '''
def threshold(clean_scores, false_alarm_rate):
    s = np.sort(clean_scores)
    return float(s[min(int(np.ceil((1 - false_alarm_rate) * len(s))) - 1, len(s) - 1)])
'''),
        ("np.percentile, method higher", '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.percentile(clean_scores, 100 * (1 - false_alarm_rate), method="higher"))
'''),
        ("sorted copy, count from the top", '''
def threshold(clean_scores, false_alarm_rate):
    s = sorted(float(v) for v in clean_scores)
    allowed = int(false_alarm_rate * len(s))
    return s[len(s) - 1 - allowed]
'''),
    ],
    "precision_recall": [
        ("counts with a loop", '''
def precision_recall(flags, truth):
    tp = fp = fn = 0
    for f, t in zip(flags, truth):
        tp += bool(f and t); fp += bool(f and not t); fn += bool(t and not f)
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
'''),
        ("np.divide with where, numpy floats", '''
def precision_recall(flags, truth):
    flags, truth = np.asarray(flags, bool), np.asarray(truth, bool)
    tp = np.count_nonzero(flags & truth)
    p = np.divide(tp, flags.sum(), out=np.zeros(()), where=flags.sum() > 0)
    r = np.divide(tp, truth.sum(), out=np.zeros(()), where=truth.sum() > 0)
    return p[()], r[()]
'''),
    ],
}


# --- issue 11: answers the text rules out (it says round(val_fraction * N) rows, and ddof=0) ---

WRONG["time_split"] += [
    ('floor of the training share (the text says round)', '''
def time_split(X, y, val_fraction):
    k = int(np.floor((1 - val_fraction) * len(X)))
    return X[:k], y[:k], X[k:], y[k:]
''', 'you rounded up'),
    ('ceil of the validation share, np.split (the text says round)', '''
def time_split(X, y, val_fraction):
    k = len(X) - int(np.ceil(val_fraction * len(X) - 1e-9))
    X_train, X_val = np.split(X, [k])
    y_train, y_val = np.split(y, [k])
    return X_train, y_train, X_val, y_val
''', 'you rounded up'),
]
WRONG["standardize"] += [
    ('sample standard deviation (ddof=1) (the text says ddof=0)', '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=np.float64)
    fit = series[:n_fit]
    mean = fit.mean()
    std = fit.std(ddof=1) if n_fit > 1 else fit.std()
    return (series - mean) / std, mean, std
''', 'ddof=1'),
]
WRONG["anomaly_scores"] += [
    ('sample std (ddof=1) (the text says ddof=0)', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.subtract(clean_actual, clean_pred, dtype=np.float64)
    return np.abs(np.subtract(actual, pred, dtype=np.float64) - ce.mean()) / ce.std(ddof=1)
''', 'ddof=1'),
]


# --- issue 11: more plausible mistakes and correct alternatives (float32, thresholds, return types, ...) ---

WRONG["make_windows"] += [
    ('returns a list of windows', '''
def make_windows(series, window, horizon=1):
    N = len(series) - window - horizon + 1
    return [series[n:n + window] for n in range(N)], series[window - 1 + horizon:window - 1 + horizon + N]
''', 'X (the input windows) should be a numpy array, got a list'),
    ('returns (y, X)', '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    N = len(s) - window - horizon + 1
    return s[window - 1 + horizon:][:N], np.stack([s[n:n + window] for n in range(N)])
''', 'make_windows returned its values in the wrong order: (y, X)'),
    ('one window per start, horizon not subtracted', '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    X = np.stack([s[n:n + window] for n in range(len(s) - window)])
    y = np.array([s[n + window - 1 + horizon] if n + window - 1 + horizon < len(s) else s[-1] for n in range(len(X))])
    return X, y
''', 'You made L - W windows (the count for horizon 1); with'),
    ('loop stops one early for a single pair', '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    N = max(len(s) - window - horizon, 1)
    X = np.stack([s[n:n + window] for n in range(N)])
    return X, s[window - 1 + horizon:window - 1 + horizon + N]
''', 'You dropped the last (input, target) pair: there are N = L'),
]
WRONG["time_split"] += [
    ('truncates the validation count', '''
def time_split(X, y, val_fraction):
    n_val = int(val_fraction * len(X))
    k = len(X) - n_val
    return X[:k], y[:k], X[k:], y[k:]
''', 'you truncated (int(...) or np.floor)'),
    ('negative slice, empty validation part', '''
def time_split(X, y, val_fraction):
    n_val = round(val_fraction * len(X))
    return X[:-n_val] if n_val else X, y[:-n_val] if n_val else y, X[-n_val:], y[-n_val:]
''', 'X[-0:] is all of X'),
    ('lists of rows', '''
def time_split(X, y, val_fraction):
    k = len(X) - round(val_fraction * len(X))
    return list(X[:k]), list(y[:k]), list(X[k:]), list(y[k:])
''', 'X_train should be a numpy array, got a list'),
]
WRONG["standardize"] += [
    ('per-part statistics for the later part', '''
def standardize(series, n_fit):
    s = np.asarray(series, dtype=float)
    mean, std = s[:n_fit].mean(), s[:n_fit].std()
    z = (s - mean) / std
    if n_fit < len(s):
        rest = s[n_fit:]
        z[n_fit:] = (rest - rest.mean()) / rest.std()
    return z, mean, std
''', 'You standardized the part after n_fit with its own mean and'),
    ('std by hand divided by n_fit - 1', '''
def standardize(series, n_fit):
    s = np.asarray(series, dtype=float)
    fit = s[:n_fit]
    mean = fit.sum() / n_fit
    std = np.sqrt(((fit - mean) ** 2).sum() / (n_fit - 1))
    return (s - mean) / std, float(mean), float(std)
''', 'Your std uses ddof=1 (the sample standard deviation:'),
    ('mean and std as one-element arrays', '''
def standardize(series, n_fit):
    s = np.asarray(series, dtype=float)
    mean, std = s[:n_fit].mean(keepdims=True), s[:n_fit].std(keepdims=True)
    return (s - mean) / std, mean, std
''', 'mean should be a single number (a float), got ndarray with'),
    ('z as a list', '''
def standardize(series, n_fit):
    s = np.asarray(series, dtype=float)
    mean, std = float(s[:n_fit].mean()), float(s[:n_fit].std())
    return [(v - mean) / std for v in s], mean, std
''', 'z should be a numpy array, got a list'),
]
WRONG["naive_forecast"] += [
    ('returns a list', '''
def naive_forecast(X, horizon=1, period=1):
    k = (horizon - 1) // period + 1
    return list(X[:, X.shape[1] - 1 + horizon - period * k])
''', 'the naive forecast should be a numpy array, got a list'),
    ('k = h // m + 1', '''
def naive_forecast(X, horizon=1, period=1):
    k = horizon // period + 1
    return X[:, X.shape[1] - 1 + horizon - period * k]
''', 'expected series[t+0] = series[t+h-m*k]'),
    ('column vector', '''
def naive_forecast(X, horizon=1, period=1):
    k = (horizon - 1) // period + 1
    j = X.shape[1] - 1 + horizon - period * k
    return X[:, j:j + 1]
''', 'the naive forecast has shape (5, 1)'),
]
WRONG["mase"] += [
    ('np.diff with n=period', '''
def mase(y_true, y_pred, y_train, period=1):
    return float(np.mean(np.abs(y_true - y_pred)) / np.mean(np.abs(np.diff(y_train, n=period))))
''', 'np.diff(y_train, n=period) is the period-th *order*'),
    ('scale divided by L - m - 1', '''
def mase(y_true, y_pred, y_train, period=1):
    d = np.abs(y_train[period:] - y_train[:-period])
    return float(np.mean(np.abs(y_true - y_pred)) / (d.sum() / max(len(d) - 1, 1)))
''', 'divide by their number, L - m'),
    ('median absolute errors', '''
def mase(y_true, y_pred, y_train, period=1):
    return float(np.median(np.abs(y_true - y_pred)) / np.median(np.abs(y_train[period:] - y_train[:-period])))
''', 'You used medians; MASE uses mean absolute errors, numerator'),
]
WRONG["classify_rows"] += [
    ('returns h_T', '''
def classify_rows(images, params, W_out, b_out):
    N, H = images.shape[0], params.Wh.shape[0]
    z = np.zeros((N, H), dtype=images.dtype)
    _, (h_T, _), _ = lstm_forward(images, z, z, *params)
    return h_T
''', 'You returned the last hidden state h_T; the logits are the'),
    ('readout at every step', '''
def classify_rows(images, params, W_out, b_out):
    N, H = images.shape[0], params.Wh.shape[0]
    z = np.zeros((N, H), dtype=images.dtype)
    Hs, _, _ = lstm_forward(images, z, z, *params)
    return Hs @ W_out + b_out
''', 'You returned the readout of every step, (N, R, K); classify'),
    ('initial states of ones', '''
def classify_rows(images, params, W_out, b_out):
    N, H = images.shape[0], params.Wh.shape[0]
    o = np.ones((N, H), dtype=images.dtype)
    _, (h_T, _), _ = lstm_forward(images, o, o, *params)
    return h_T @ W_out + b_out
''', 'Start from zero states'),
    ('logits as a list', '''
def classify_rows(images, params, W_out, b_out):
    N, H = images.shape[0], params.Wh.shape[0]
    z = np.zeros((N, H), dtype=images.dtype)
    _, (h_T, _), _ = lstm_forward(images, z, z, *params)
    return (h_T @ W_out + b_out).tolist()
''', 'the logits should be a numpy array, got a list'),
]
WRONG["anomaly_scores"] += [
    ('only mu divided by sigma', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = clean_actual - clean_pred
    return np.abs(actual - pred - ce.mean() / ce.std())
''', 'Your score divides only mu by sigma, |e - mu / sigma|:'),
    ('abs before centring', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = clean_actual - clean_pred
    return (np.abs(actual - pred) - ce.mean()) / ce.std()
''', 'Your score takes |e| before subtracting mu, (|e| - mu) /'),
    ('median as mu', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = clean_actual - clean_pred
    return np.abs(actual - pred - np.median(ce)) / ce.std()
''', 'Your mu is the median of the clean errors; use their mean.'),
    ('returns a list', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = clean_actual - clean_pred
    return [abs(a - p - ce.mean()) / ce.std() for p, a in zip(pred, actual)]
''', 'the anomaly scores should be a numpy array, got a list'),
]
WRONG["threshold"] += [
    ('negative index from the count (s[-int(M * rate)])', '''
def threshold(clean_scores, false_alarm_rate):
    s = np.sort(clean_scores)
    return float(s[-int(len(s) * false_alarm_rate)])
''', 'You returned the largest clean score: that allows no false'),
    ('one order statistic too high', '''
def threshold(clean_scores, false_alarm_rate):
    s = np.sort(clean_scores)
    return float(s[min(len(s) - int(len(s) * false_alarm_rate), len(s) - 1)])
''', 'You returned the largest clean score: that allows no false'),
    ('mean + z std for a normal quantile', '''
def threshold(clean_scores, false_alarm_rate):
    from statistics import NormalDist
    s = np.asarray(clean_scores, dtype=float)
    return float(s.mean() + NormalDist().inv_cdf(1 - false_alarm_rate) * s.std())
''', 'is not the (1 - rate) quantile of the clean scores'),
]
WRONG["precision_recall"] += [
    ('integer division', '''
def precision_recall(flags, truth):
    tp = int(np.sum(flags & truth))
    nf, na = int(flags.sum()), int(truth.sum())
    return (tp // nf if nf else 0.0), (tp // na if na else 0.0)
''', 'integer division (//)'),
    ('1.0 when nothing is flagged', '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    nf, na = flags.sum(), truth.sum()
    return (float(tp / nf) if nf else 1.0), (float(tp / na) if na else 0.0)
''', 'this course defines that case as 0.0'),
    ('recall over the flagged anomalies plus misses by N', '''
def precision_recall(flags, truth):
    tp = np.sum(flags & truth)
    fn = np.sum(~flags & truth)
    nf = flags.sum()
    return (float(tp / nf) if nf else 0.0), float((tp + fn) / len(flags))
''', 'expected TP / (TP + FN)'),
]
RIGHT["make_windows"] += [
    ('float32 stride tricks, copies', '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    N = len(s) - window - horizon + 1
    X = np.lib.stride_tricks.as_strided(s, shape=(N, window), strides=(s.strides[0], s.strides[0])).copy()
    return X, s[window - 1 + horizon:].copy()
'''),
    ('columns stacked', '''
def make_windows(series, window, horizon=1):
    s = np.asarray(series)
    N = len(s) - window - horizon + 1
    X = np.column_stack([s[j:j + N] for j in range(window)])
    return X, s[np.arange(N) + window - 1 + horizon]
'''),
]
RIGHT["time_split"] += [
    ('rounds the training share (the same count)', '''
def time_split(X, y, val_fraction):
    k = round((1 - val_fraction) * len(X))
    return X[:k], y[:k], X[k:], y[k:]
'''),
    ('half-up rounding, np.split', '''
def time_split(X, y, val_fraction):
    k = len(X) - int(np.floor(val_fraction * len(X) + 0.5))
    (Xa, Xb), (ya, yb) = np.split(X, [k]), np.split(y, [k])
    return Xa, ya, Xb, yb
'''),
    ('float32 copies, np.round', '''
def time_split(X, y, val_fraction):
    n_val = int(np.round(val_fraction * X.shape[0]))
    k = X.shape[0] - n_val
    return X[:k].copy(), y[:k].copy(), X[k:].copy(), y[k:].copy()
'''),
]
RIGHT["standardize"] += [
    ('float32 throughout', '''
def standardize(series, n_fit):
    fit = series[:n_fit]
    mean = fit.mean(dtype=series.dtype)
    std = np.sqrt(np.mean(np.square(fit - mean)))
    return (series - mean) / std, float(mean), float(std)
'''),
    ('statistics module, pstdev', '''
import statistics
def standardize(series, n_fit):
    fit = [float(v) for v in series[:n_fit]]
    mean, std = statistics.fmean(fit), statistics.pstdev(fit)
    return (np.asarray(series, dtype=float) - mean) / std, mean, std
'''),
]
RIGHT["naive_forecast"] += [
    ('float32 take', '''
def naive_forecast(X, horizon=1, period=1):
    k = -(-horizon // period)
    return np.take(X, X.shape[1] - 1 + horizon - period * k, axis=1)
'''),
    ('row comprehension, np.array', '''
def naive_forecast(X, horizon=1, period=1):
    back = period * int(np.ceil(horizon / period)) - horizon
    return np.array([row[-1 - back] for row in X], dtype=X.dtype)
'''),
]
RIGHT["mase"] += [
    ('float32 throughout', '''
def mase(y_true, y_pred, y_train, period=1):
    num = np.abs(y_true - y_pred).mean(dtype=y_true.dtype)
    den = np.abs(y_train[period:] - y_train[:-period]).mean(dtype=y_train.dtype)
    return float(num / den)
'''),
    ('np.roll-free loop with math.fsum', '''
import math
def mase(y_true, y_pred, y_train, period=1):
    d = [abs(float(y_train[t]) - float(y_train[t - period])) for t in range(period, len(y_train))]
    e = [abs(float(a) - float(b)) for a, b in zip(y_true, y_pred)]
    return (math.fsum(e) / len(e)) / (math.fsum(d) / len(d))
'''),
]
RIGHT["classify_rows"] += [
    ('float32 step loop over lstm_step_forward-free gates', '''
def classify_rows(images, params, W_out, b_out):
    Wx, Wh, b = params
    H = Wh.shape[0]
    h = np.zeros((images.shape[0], H), dtype=images.dtype)
    c = np.zeros_like(h)
    sig = lambda a: 0.5 * (1 + np.tanh(0.5 * a))
    for t in range(images.shape[1]):
        a = images[:, t] @ Wx + h @ Wh + b
        i, f, g, o = sig(a[:, :H]), sig(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sig(a[:, 3*H:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return h @ W_out + b_out
'''),
    ('one image at a time', '''
def classify_rows(images, params, W_out, b_out):
    H = params.Wh.shape[0]
    out = []
    for img in images:
        z = np.zeros((1, H), dtype=images.dtype)
        _, (h_T, _), _ = lstm_forward(img[None], z, z, *params)
        out.append(h_T[0] @ W_out + b_out)
    return np.stack(out)
'''),
]
RIGHT["anomaly_scores"] += [
    ('float32 throughout', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = clean_actual - clean_pred
    mu = ce.mean(dtype=ce.dtype)
    sigma = np.sqrt(((ce - mu) ** 2).mean(dtype=ce.dtype))
    return np.abs(actual - pred - mu) / sigma
'''),
    ('var then sqrt, np.fabs', '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.asarray(clean_actual, dtype=float) - np.asarray(clean_pred, dtype=float)
    return np.fabs((np.asarray(actual, dtype=float) - pred) - ce.mean()) / np.sqrt(ce.var())
'''),
]
RIGHT["threshold"] += [
    ('float32 np.quantile, method nearest', '''
def threshold(clean_scores, false_alarm_rate):
    return float(np.quantile(clean_scores, 1 - false_alarm_rate, method="nearest"))
'''),
    ('linear interpolation by hand', '''
import math
def threshold(clean_scores, false_alarm_rate):
    s = sorted(float(v) for v in clean_scores)
    pos = (len(s) - 1) * (1 - false_alarm_rate)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])
'''),
]
RIGHT["precision_recall"] += [
    ('float32 numpy scalars via mean', '''
def precision_recall(flags, truth):
    f, t = np.asarray(flags, bool), np.asarray(truth, bool)
    p = t[f].mean(dtype=np.float32) if f.any() else np.float32(0)
    r = f[t].mean(dtype=np.float32) if t.any() else np.float32(0)
    return p, r
'''),
    ('confusion matrix with bincount', '''
def precision_recall(flags, truth):
    cm = np.bincount(2 * np.asarray(truth, int) + np.asarray(flags, int), minlength=4)
    tn, fp, fn, tp = (int(v) for v in cm)
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
'''),
]

# --- text: padding, masked mean, last valid state (sections 10-12) -------------------------------
WRONG["pad_batch"] = [
    ("left padding", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, T - len(s):] = s
    mask = np.arange(T)[None, :] >= T - lengths[:, None]
    return ids, mask, lengths
''', "padded on the left"),
    ("mask off by one (one padding step too many)", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    mask = np.arange(T)[None, :] <= lengths[:, None]
    return ids, mask, lengths
''', "off by one"),
    ("mask off by one (last token missed)", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), T), dtype=bool)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
        mask[b, :len(s) - 1] = True
    return ids, mask, lengths
''', "misses each sequence's last token"),
    ("mask inverted (True at padding)", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, ids == pad_id, lengths
''', "True at the padding"),
    ("float ids from np.zeros", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.zeros((len(sequences), T)) + pad_id
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, np.arange(T)[None, :] < lengths[:, None], lengths
''', "integer array"),
    ("padded with 0 whatever pad_id", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.zeros((len(sequences), T), dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, np.arange(T)[None, :] < lengths[:, None], lengths
''', "instead of pad_id"),
    ("one column too many", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max() + 1
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, np.arange(T)[None, :] < lengths[:, None], lengths
''', "one more than the longest"),
    ("truncated to the shortest", '''
def pad_batch(sequences, pad_id=0):
    T = min(len(s) for s in sequences)
    ids = np.array([list(s)[:T] for s in sequences], dtype=np.int64)
    return ids, np.ones(ids.shape, dtype=bool), np.array([len(s) for s in sequences])
''', "cut every sequence to the shortest"),
    ("mask as 0/1 integers", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, (np.arange(T)[None, :] < lengths[:, None]).astype(int), lengths
''', "boolean array"),
    ("lengths as last indices", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, np.arange(T)[None, :] < lengths[:, None], lengths - 1
''', "lengths are one short"),
    ("returns (ids, lengths, mask)", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = s
    return ids, lengths, np.arange(T)[None, :] < lengths[:, None]
''', "wrong order"),
    ("pads the input lists in place", '''
def pad_batch(sequences, pad_id=0):
    lengths = np.array([len(s) for s in sequences])
    T = lengths.max()
    for s in sequences:
        s.extend([pad_id] * (T - len(s)))
    return np.array(sequences, dtype=np.int64), np.arange(T)[None, :] < lengths[:, None], lengths
''', "in place"),
]
WRONG["masked_mean"] = [
    ("padding counted in the mean", '''
def masked_mean(H, mask):
    return H.mean(axis=1)
''', "counts the padding"),
    ("masked sum divided by T", '''
def masked_mean(H, mask):
    return (H * mask[..., None]).sum(1) / H.shape[1]
''', "divided by T"),
    ("masked sum, no division", '''
def masked_mean(H, mask):
    return (H * mask[..., None]).sum(1)
''', "returned the sum"),
    ("divided by the whole batch's count", '''
def masked_mean(H, mask):
    return (H * mask[..., None]).sum(1) / mask.sum()
''', "whole batch"),
    ("mean over the padding (mask read backwards)", '''
def masked_mean(H, mask):
    m = ~mask[..., None]
    return (H * m).sum(1) / np.maximum(m.sum(1), 1)
''', "averaged the padding"),
    ("off by one: drops the last valid step", '''
def masked_mean(H, mask):
    L = mask.sum(1, keepdims=True)
    m = np.arange(H.shape[1])[None, :] < L - 1
    return (H * m[..., None]).sum(1) / np.maximum(L - 1, 1)
''', "leaves out each sequence's last valid step"),
    ("last valid state instead of the mean", '''
def masked_mean(H, mask):
    return H[np.arange(len(H)), mask.sum(1) - 1]
''', "returned the last valid state"),
]
WRONG["last_valid"] = [
    ("last column H[:, -1] (T - 1)", '''
def last_valid(H, lengths):
    return H[:, -1]
''', "last column"),
    ("one step late, H[b, L_b]", '''
def last_valid(H, lengths):
    return np.stack([H[b, lengths[b]] for b in range(len(H))])
''', "one step late"),
    ("one step early, H[b, L_b - 2]", '''
def last_valid(H, lengths):
    return H[np.arange(len(H)), lengths - 2]
''', "one step early"),
    ("left-padding position T - L_b", '''
def last_valid(H, lengths):
    return H[np.arange(len(H)), H.shape[1] - lengths]
''', "padded on the left"),
    ("first step", '''
def last_valid(H, lengths):
    return H[:, 0]
''', "first step"),
    ("H[:, lengths - 1] (every row with every length)", '''
def last_valid(H, lengths):
    return H[:, lengths - 1]
''', "pairs every row with every length"),
]
RIGHT["pad_batch"] = [
    ("lists padded by concatenation", '''
def pad_batch(sequences, pad_id=0):
    lengths = [len(s) for s in sequences]
    T = max(lengths)
    ids = np.array([list(s) + [pad_id] * (T - len(s)) for s in sequences])
    mask = np.array([[t < L for t in range(T)] for L in lengths])
    return ids, mask, np.array(lengths)
'''),
    ("int32 ids, mask from a loop", '''
def pad_batch(sequences, pad_id=0):
    B, T = len(sequences), max(len(s) for s in sequences)
    ids = np.empty((B, T), dtype=np.int32)
    ids.fill(pad_id)
    mask = np.zeros((B, T), dtype=np.bool_)
    lengths = np.zeros(B, dtype=np.int32)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = np.asarray(s)
        mask[b, :len(s)] = True
        lengths[b] = len(s)
    return ids, mask, lengths
'''),
]
RIGHT["masked_mean"] = [
    ("np.where, then divide by lengths", '''
def masked_mean(H, mask):
    L = mask.sum(axis=1, keepdims=True)
    return np.where(mask[:, :, None], H, 0.0).sum(axis=1) / L
'''),
    ("loop over rows", '''
def masked_mean(H, mask):
    return np.stack([H[b][mask[b]].mean(axis=0) for b in range(H.shape[0])])
'''),
    ("einsum in the input's precision", '''
def masked_mean(H, mask):
    m = mask.astype(H.dtype)
    return np.einsum("btd,bt->bd", H, m) / m.sum(1)[:, None]
'''),
]
RIGHT["last_valid"] = [
    ("loop over rows", '''
def last_valid(H, lengths):
    return np.stack([H[b, int(lengths[b]) - 1] for b in range(len(lengths))])
'''),
    ("take_along_axis", '''
def last_valid(H, lengths):
    idx = (np.asarray(lengths) - 1)[:, None, None]
    return np.take_along_axis(H, np.broadcast_to(idx, (H.shape[0], 1, H.shape[2])), axis=1)[:, 0]
'''),
]
