"""Lesson 08 bank: wrong implementations that must lose points, and correct ones that must keep them.

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
''', "clean scores lie above it"),
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
        ("floor of the training share", '''
def time_split(X, y, val_fraction):
    k = int(np.floor((1 - val_fraction) * len(X)))
    return X[:k], y[:k], X[k:], y[k:]
'''),
        ("ceil of the validation share, np.split", '''
def time_split(X, y, val_fraction):
    k = len(X) - int(np.ceil(val_fraction * len(X) - 1e-9))
    X_train, X_val = np.split(X, [k])
    y_train, y_val = np.split(y, [k])
    return X_train, y_train, X_val, y_val
'''),
        ("copies, boolean mask", '''
def time_split(X, y, val_fraction):
    is_val = np.arange(len(X)) >= len(X) - round(val_fraction * len(X))
    return X[~is_val].copy(), y[~is_val].copy(), X[is_val].copy(), y[is_val].copy()
'''),
    ],
    "standardize": [
        ("sample standard deviation (ddof=1)", '''
def standardize(series, n_fit):
    series = np.asarray(series, dtype=np.float64)
    fit = series[:n_fit]
    mean = fit.mean()
    std = fit.std(ddof=1) if n_fit > 1 else fit.std()
    return (series - mean) / std, mean, std
'''),
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
        ("sample std (ddof=1)", '''
def anomaly_scores(pred, actual, clean_pred, clean_actual):
    ce = np.subtract(clean_actual, clean_pred, dtype=np.float64)
    return np.abs(np.subtract(actual, pred, dtype=np.float64) - ce.mean()) / ce.std(ddof=1)
'''),
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
