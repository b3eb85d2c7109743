"""Lesson 11 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
"""

CORR_HEAD = '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    U = X.shape[-1]
    X = X.reshape(-1, U)
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
'''

CORR_TAIL = '''
    r = np.zeros(U)
    ok = den > 0
    r[ok] = num[ok] / den[ok]
    return r
'''

WRONG = {
    "unit_correlations": [
        ("no centring (cosine similarity)", CORR_HEAD + '''
    num = X.T @ y
    den = np.sqrt((X ** 2).sum(0) * (y ** 2).sum())
''' + CORR_TAIL, "not centred"),
        ("only the feature centred", CORR_HEAD + '''
    yc = y - y.mean()
    num = X.T @ yc
    den = np.sqrt((X ** 2).sum(0) * (yc ** 2).sum())
''' + CORR_TAIL, "centres the feature but not the activations"),
        ("means over the unit axis", CORR_HEAD + '''
    Xc = X - X.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    num = Xc.T @ yc
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
''' + CORR_TAIL, "wrong axis"),
        ("feature flattened time-major", CORR_HEAD + '''
    f = np.asarray(feature, dtype=np.float64)
    y = (f.T if f.ndim == 2 else f).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    num = Xc.T @ yc
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
''' + CORR_TAIL, "flattened in different orders"),
        ("reshape to (U, N) without moving the unit axis", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    U = A.shape[-1]
    X = A.reshape(U, -1).T
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    num = Xc.T @ yc
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
''' + CORR_TAIL, "without moving the unit axis"),
        ("average of per-sequence correlations", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    F = np.asarray(feature, dtype=np.float64)
    if A.ndim == 2:
        A, F = A[None], F[None]
    out = []
    for Ab, fb in zip(A, F):
        Xc, yc = Ab - Ab.mean(0), fb - fb.mean()
        num, den = Xc.T @ yc, np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
        r = np.zeros(A.shape[-1])
        r[den > 0] = num[den > 0] / den[den > 0]
        out.append(r)
    return np.mean(out, axis=0)
''', "averaged one correlation per sequence"),
        ("first sequence only", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    F = np.asarray(feature, dtype=np.float64)
    if A.ndim == 3:
        A, F = A[0], F[0]
    Xc, yc = A - A.mean(0), F - F.mean()
    num, den = Xc.T @ yc, np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    r = np.zeros(A.shape[-1])
    r[den > 0] = num[den > 0] / den[den > 0]
    return r
''', "only the first sequence"),
        ("np.cov (ddof=1) over np.std (ddof=0)", CORR_HEAD + '''
    num = np.array([np.cov(X[:, u], y)[0, 1] for u in range(U)])
    den = X.std(axis=0) * y.std()
''' + CORR_TAIL, "different ddof"),
        ("absolute value of r", CORR_HEAD + '''
    Xc, yc = X - X.mean(0), y - y.mean()
    num = np.abs(Xc.T @ yc)
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
''' + CORR_TAIL, "lost its sign"),
        ("one r per time step", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    F = np.asarray(feature, dtype=np.float64)
    if A.ndim == 2:
        A, F = A[:, None], F[:, None]
    out = []
    for t in range(A.shape[1]):
        Xc, yc = A[:, t] - A[:, t].mean(0), F[:, t] - F[:, t].mean()
        num, den = Xc.T @ yc, np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
        r = np.zeros(A.shape[-1])
        r[den > 0] = num[den > 0] / den[den > 0]
        out.append(r)
    return np.array(out)
''', "one r per time step"),
        ("reduces over the unit axis", CORR_HEAD + '''
    Xc = X - X.mean(axis=1, keepdims=True)
    return (Xc * (y - y.mean())[:, None]).sum(axis=1)
''', "reduced over the unit axis"),
        ("np.corrcoef with no care for constant units", '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    X = X.reshape(-1, X.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    return np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])])
''', "never changes"),
        ("warnings silenced but NaN kept", '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    X = X.reshape(-1, X.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    with np.errstate(all="ignore"):
        return (Xc.T @ yc) / np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
''', "never changes"),
        ("guards the unit's norm only: NaN for a constant feature", CORR_HEAD + '''
    Xc, yc = X - X.mean(0), y - y.mean()
    sx = np.sqrt((Xc ** 2).sum(0))
    r = np.zeros(U)
    r[sx > 0] = (Xc.T @ yc)[sx > 0] / (sx[sx > 0] * np.sqrt((yc ** 2).sum()))
    return r
''', "feature that never changes"),
        ("centres the caller's array in place", '''
def unit_correlations(A, feature):
    A -= A.mean(axis=tuple(range(A.ndim - 1)))
    X = A.reshape(-1, A.shape[-1]).astype(np.float64)
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    yc = y - y.mean()
    num, den = X.T @ yc, np.sqrt((X ** 2).sum(0) * (yc ** 2).sum())
    r = np.zeros(X.shape[1])
    r[den > 0] = num[den > 0] / den[den > 0]
    return r
''', "in place"),
        ("units taken from axis 1", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    y = np.asarray(feature, dtype=np.float64)
    return np.array([np.corrcoef(A[:, u].ravel(), y[:, u].ravel())[0, 1] for u in range(A.shape[1])])
''', None),
        ("calls the library's reference", '''
from lstmlab.interpret import unit_correlations as _ref_corr
def unit_correlations(A, feature):
    return _ref_corr(A, feature)
''', "must be written from scratch"),
    ],
    "tracking_unit": [
        ("largest r, not largest |r|", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmax(r))
    return u, float(r[u])
''', "largest r"),
        ("returns |r|", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmax(np.abs(r)))
    return u, float(abs(r[u]))
''', "signed r"),
        ("smallest |r|", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmin(np.abs(r)))
    return u, float(r[u])
''', "smallest |r|"),
        ("most negative r", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmin(r))
    return u, float(r[u])
''', "most negative r"),
        ("(r, unit) swapped", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmax(np.abs(r)))
    return float(r[u]), u
''', "wrong order: (r, unit)"),
        ("returns the whole r vector", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    return int(np.argmax(np.abs(r))), r
''', "one number"),
        ("largest variance", '''
def tracking_unit(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, np.shape(A)[-1])
    u = int(np.argmax(X.var(axis=0)))
    return u, float(unit_correlations(A, feature)[u])
''', "largest variance"),
        ("1-based index", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmax(np.abs(r)))
    return u + 1, float(r[u])
''', "off by one"),
        ("float index", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = np.argmax(np.abs(r))
    return float(u), float(r[u])
''', "int index"),
        ("calls the library's reference", '''
import lstmlab.interpret as _I
def tracking_unit(A, feature):
    return _I.tracking_unit(A, feature)
''', "must be written from scratch"),
    ],
    "saturation": [
        ("<= and >= at the thresholds", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G <= low).mean(0), (G >= high).mean(0)
''', "equal to low"),
        (">= for right only", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G < low).mean(0), (G >= high).mean(0)
''', "equal to high"),
        ("left and right swapped", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G > high).mean(0), (G < low).mean(0)
''', "wrong order: (right, left)"),
        ("counts, not fractions", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G < low).sum(0), (G > high).sum(0)
''', "a count, not a fraction"),
        ("fraction over the units", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate)
    return (G < low).mean(-1), (G > high).mean(-1)
''', "averaged over the units"),
        ("fraction over the first axis only", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate)
    return (G < low).mean(0), (G > high).mean(0)
''', "first axis only"),
        ("thresholds hard-coded", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G < 0.1).mean(0), (G > 0.9).mean(0)
''', "ignores the `low` argument"),
        ("right = 1 - left", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    left = (G < low).mean(0)
    return left, 1 - left
''', "1 - left"),
        ("right threshold 1 - low", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, np.shape(gate)[-1])
    return (G < low).mean(0), (G > 1 - low).mean(0)
''', "1 - low"),
        ("one number for the whole gate", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate)
    return float((G < low).mean()), float((G > high).mean())
''', "one number for the whole gate"),
        ("calls the library's reference", '''
from lstmlab import interpret as _I
def saturation(gate, low=0.1, high=0.9):
    return _I.saturation(gate, low, high)
''', "must be written from scratch"),
    ],
}

RIGHT = {
    "unit_correlations": [
        ("np.corrcoef with errstate and nan_to_num", '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    X = X.reshape(-1, X.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])])
    return np.nan_to_num(r)
'''),
        ("np.corrcoef, NaN replaced, warnings left on", '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    X = X.reshape(-1, X.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    r = np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])])
    return np.nan_to_num(r)
'''),
        ("z-scores with ddof=0 on both sides", '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64)
    X = X.reshape(-1, X.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    sx, sy = X.std(axis=0), y.std()
    r = np.zeros(X.shape[1])
    if sy == 0:
        return r
    ok = sx > 0
    zx = (X[:, ok] - X[:, ok].mean(0)) / sx[ok]
    zy = (y - y.mean()) / sy
    r[ok] = (zx * zy[:, None]).mean(axis=0)
    return r
'''),
        ("loop over units with np.cov and ddof=1 std", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    y = np.asarray(feature, dtype=np.float64).ravel()
    U = A.shape[-1]
    cols = np.moveaxis(A, -1, 0).reshape(U, -1)      # (U, N): same sample order as y
    out = []
    for a in cols:
        sa, sy = a.std(ddof=1), y.std(ddof=1)
        out.append(np.cov(a, y)[0, 1] / (sa * sy) if sa > 0 and sy > 0 else 0.0)
    return np.array(out)
'''),
        ("tensordot over all leading axes", '''
def unit_correlations(A, feature):
    A = np.asarray(A, dtype=np.float64)
    f = np.asarray(feature, dtype=np.float64)
    lead = tuple(range(A.ndim - 1))
    Ac = A - A.mean(axis=lead)
    fc = f - f.mean()
    num = np.tensordot(fc, Ac, axes=fc.ndim)
    den = np.sqrt((Ac ** 2).sum(axis=lead) * np.sum(fc * fc))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)
'''),
    ],
    "tracking_unit": [
        ("argsort, numpy scalars", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = np.argsort(np.abs(r))[-1]
    return u, r[u]
'''),
        ("inline, returns a list", '''
def tracking_unit(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, np.shape(A)[-1])
    y = np.asarray(feature, dtype=np.float64).ravel()
    Xc, yc = X - X.mean(0), y - y.mean()
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    r = np.where(den > 0, Xc.T @ yc / np.where(den > 0, den, 1.0), 0.0)
    best = max(range(len(r)), key=lambda u: abs(r[u]))
    return [best, float(r[best])]
'''),
        ("max over r and -r", '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    up, down = int(np.argmax(r)), int(np.argmin(r))
    u = up if r[up] >= -r[down] else down
    return u, float(r[u])
'''),
    ],
    "saturation": [
        ("mean over a tuple of axes", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate)
    axes = tuple(range(G.ndim - 1))
    return np.mean(G < low, axis=axes), np.mean(G > high, axis=axes)
'''),
        ("loop over units with count_nonzero", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate)
    U = G.shape[-1]
    left, right = np.zeros(U), np.zeros(U)
    for u in range(U):
        g = G[..., u]
        left[u] = np.count_nonzero(g < low) / g.size
        right[u] = np.count_nonzero(g > high) / g.size
    return left, right
'''),
        ("float64 sums of 0/1 masks", '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate, dtype=np.float64)
    G = G.reshape(-1, G.shape[-1])
    n = G.shape[0]
    return np.where(G < low, 1.0, 0.0).sum(0) / n, np.where(G > high, 1.0, 0.0).sum(0) / n
'''),
    ],
}


# --- issue 11: more plausible mistakes and correct alternatives (float32, thresholds, return types, ...) ---

WRONG["unit_correlations"] += [
    ('one-pass formula E[ay] - E[a]E[y] in the input dtype', '''
def unit_correlations(A, feature):
    X = np.asarray(A).reshape(-1, A.shape[-1])
    y = np.asarray(feature).reshape(-1)
    cov = (X * y[:, None]).mean(0) - X.mean(0) * y.mean()
    var = (X * X).mean(0) - X.mean(0) ** 2
    vy = (y * y).mean() - y.mean() ** 2
    den = np.sqrt(np.maximum(var, 0) * vy)
    r = np.zeros(X.shape[1])
    ok = den > 0
    r[ok] = cov[ok] / den[ok]
    return r
## fragment: activations around
''', 'Your r uses the one-pass formula (E[a y] - E[a] E[y]) /'),
    ('one-pass formula in float64', '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    cov = (X * y[:, None]).mean(0) - X.mean(0) * y.mean()
    var = (X * X).mean(0) - X.mean(0) ** 2
    vy = (y * y).mean() - y.mean() ** 2
    den = np.sqrt(np.maximum(var, 0) * vy)
    r = np.zeros(X.shape[1])
    ok = den > 0
    r[ok] = cov[ok] / den[ok]
    return r
''', 'E[a y] - E[a] E[y] loses its digits'),
    ('float32 r for float32 activations', '''
def unit_correlations(A, feature):
    X = A.reshape(-1, A.shape[-1])
    y = feature.reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    return np.divide(Xc.T @ yc, den, out=np.zeros(X.shape[1], dtype=X.dtype), where=den > 0)
''', 'r has dtype float32; the exercise returns float64 (work in'),
    ('squeezed result', '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    return np.squeeze(np.divide(Xc.T @ yc, den, out=np.zeros(X.shape[1]), where=den > 0))
''', 'For A with a single unit, (B, T, 1), your r has shape ():'),
    ('one standard deviation for all units', '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    sd = np.sqrt((Xc ** 2).mean())
    return (Xc * yc[:, None]).mean(0) / (sd * yc.std())
''', "You divided every unit's covariance by one standard"),
    ('returns a list', '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    return list(np.divide(Xc.T @ yc, den, out=np.zeros(X.shape[1]), where=den > 0))
''', 'r should be a numpy array, got a list.'),
]
WRONG["tracking_unit"] += [
    ('np.corrcoef, NaN for a constant unit picked by argmax', '''
def tracking_unit(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    with np.errstate(all="ignore"):
        r = np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])])
    unit = int(np.argmax(np.abs(r)))
    return unit, float(r[unit])
''', 'You picked unit 5, which never changes: its r is 0/0.'),
    ('unit as a one-element list', '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    unit = np.argsort(np.abs(r))[-1:]
    return list(unit), float(r[unit[0]])
''', 'The unit should be one index (an int), got an array of'),
    ('returns r of unit 0', '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    return int(np.argmax(np.abs(r))), float(r[0])
''', 'r of the tracking unit has the right shape'),
]
WRONG["saturation"] += [
    ('returns (right, left)', '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, gate.shape[-1])
    return (G > high).mean(0), (G < low).mean(0)
''', 'saturation returned its values in the wrong order: (right,'),
    ('lists', '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, gate.shape[-1])
    return list((G < low).mean(0)), list((G > high).mean(0))
''', 'left should be a numpy array, got a list.'),
    ('both sides compared with low', '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, gate.shape[-1])
    return (G < low).mean(0), (G > 1 - low).mean(0)
''', 'Your right fraction uses 1 - low as its threshold; use the'),
    ('bool masks of the last step', '''
def saturation(gate, low=0.1, high=0.9):
    G = np.asarray(gate).reshape(-1, gate.shape[-1])
    return (G[-1] < low).astype(float), (G[-1] > high).astype(float)
''', 'left (fraction of steps below low) has the right shape'),
]
RIGHT["unit_correlations"] += [
    ('float32 centring, float64 result', '''
def unit_correlations(A, feature):
    X = A.reshape(-1, A.shape[-1])
    y = feature.reshape(-1)
    Xc, yc = X - X.mean(0), y - y.mean()
    den = np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())
    return np.divide(Xc.T @ yc, den, out=np.zeros(X.shape[1], dtype=X.dtype), where=den > 0).astype(np.float64)
'''),
    ('standardise both, then the mean product', '''
def unit_correlations(A, feature):
    X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
    y = np.asarray(feature, dtype=np.float64).reshape(-1)
    sx, sy = X.std(0), y.std()
    zx = np.divide(X - X.mean(0), sx, out=np.zeros_like(X), where=sx > 0)
    zy = (y - y.mean()) / sy if sy > 0 else np.zeros_like(y)
    return (zx * zy[:, None]).mean(0)
'''),
]
RIGHT["tracking_unit"] += [
    ('argmax of r squared', '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = int(np.argmax(r ** 2))
    return u, float(r[u])
'''),
    ('float32 max with key, np.float32 r', '''
def tracking_unit(A, feature):
    r = unit_correlations(A, feature)
    u = max(range(len(r)), key=lambda k: abs(r[k]))
    return u, np.float32(r[u]) if A.dtype == np.float32 else r[u]
'''),
]
RIGHT["saturation"] += [
    ('float32 comparisons, sums divided by N', '''
def saturation(gate, low=0.1, high=0.9):
    G = gate.reshape(-1, gate.shape[-1])
    n = G.shape[0]
    return np.sum(G < low, axis=0) / n, np.sum(G > high, axis=0) / n
'''),
    ('np.average of where masks over all leading axes', '''
def saturation(gate, low=0.1, high=0.9):
    axes = tuple(range(gate.ndim - 1))
    return np.average(np.where(gate < low, 1.0, 0.0), axis=axes), np.average(np.where(gate > high, 1.0, 0.0), axis=axes)
'''),
]
