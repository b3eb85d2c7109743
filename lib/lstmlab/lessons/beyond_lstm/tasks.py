"""Associative recall: a seeded lookup task where a fixed-size recurrent state runs out of room.

Each sequence lists P (key, value) pairs, one pair per position, then asks for the value of one of
the keys. Keys within a sequence are distinct; values are random (they may repeat). Sequences of
every P from min_pairs to max_pairs share one length T = max_pairs + 1: a sequence with fewer pairs
starts with empty (all-zero) positions, so the query is always the last position and no padding mask
is needed (a causal model reads left to right and the empty positions come first).

Input features of a position (n_keys + n_values + 1 of them):
    [0, n_keys)                   one-hot key
    [n_keys, n_keys + n_values)   one-hot value (all zero at the query)
    last                          1 at the query position, else 0

A model that can look back at every pair (attention) solves it by matching the query's key; a
recurrent model must carry all P bindings in its state until the query comes. Variants of this
task (multi-query associative recall) are how Arora et al. (2023, "Zoology") measure the recall
gap between attention and fixed-state models such as state-space models.
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng
from lstmlab.i18n import _


def recall_features(n_keys: int = 16, n_values: int = 16) -> int:
    """Number of input features of associative_recall: n_keys + n_values + 1."""
    return n_keys + n_values + 1


def associative_recall(n: int, max_pairs: int = 12, n_keys: int = 16, n_values: int = 16, min_pairs: int = 1,
                       seed: int = 0):
    """n sequences of min_pairs..max_pairs (key, value) pairs followed by a query key.

    Returns:
        X      (n, max_pairs + 1, n_keys + n_values + 1) float32 inputs (layout in the module docstring)
        y      (n,) int64, the value stored with the queried key, in [0, n_values)
        pairs  (n,) int64, the number P of pairs in each sequence
    """
    if not 1 <= min_pairs <= max_pairs <= n_keys:
        raise ValueError(_("need 1 <= min_pairs <= max_pairs <= n_keys (keys in a sequence are distinct)"))
    r = rng(seed)
    T, D = max_pairs + 1, recall_features(n_keys, n_values)
    pairs = r.integers(min_pairs, max_pairs + 1, n)
    keys = r.random((n, n_keys)).argsort(axis=1)[:, :max_pairs]        # distinct keys per sequence
    values = r.integers(0, n_values, (n, max_pairs))
    asked = (r.random(n) * pairs).astype(np.int64)                       # which of the P pairs is queried
    X = np.zeros((n, T, D), dtype=np.float32)
    rows = np.arange(n)
    for k in range(max_pairs):
        real = k < pairs
        pos = T - 1 - pairs + k                                           # pairs end right before the query
        X[rows[real], pos[real], keys[real, k]] = 1.0
        X[rows[real], pos[real], n_keys + values[real, k]] = 1.0
    X[rows, -1, keys[rows, asked]] = 1.0
    X[rows, -1, -1] = 1.0
    return X, values[rows, asked].astype(np.int64), pairs.astype(np.int64)


def describe(x: np.ndarray, n_keys: int = 16, n_values: int = 16) -> list[str]:
    """Text labels of one sequence's positions: 'k3:v7' for a pair, '·' for empty, 'k3?' for the query.

    x: (T, n_keys + n_values + 1). Returns a list of T strings.
    """
    out = []
    for row in np.asarray(x):
        if not row.any():
            out.append("·")
        elif row[-1] > 0:
            out.append(f"k{int(row[:n_keys].argmax())}?")
        else:
            out.append(f"k{int(row[:n_keys].argmax())}:v{int(row[n_keys:n_keys + n_values].argmax())}")
    return out
