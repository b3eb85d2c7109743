"""Seeded Dyck-1 (balanced bracket) strings, their nesting depth, and two tasks built on them.

Dyck-1 is the language of balanced strings over one bracket pair, e.g. "(()(()))". Here
the strings are *bounded-depth* random walks: the depth starts at 0, an "(" adds one, a
")" subtracts one, the depth never goes below 0 or above max_depth. Where both brackets
are allowed, "(" is drawn with probability p_open.

Tokens are integers: OPEN = 0 for "(", CLOSE = 1 for ")". Batch-first arrays.

Two tasks for an LSTM:
- next_token_task: read the string, predict the next bracket (a language model). Only the
  depth decides what may come next (at depth 0 a ")" is impossible, at max_depth a "(" is),
  so a model that predicts well must count -- but it is never told the depth.
- depth_task: read the string, output the depth after each bracket (told the depth).
"""
from __future__ import annotations

import numpy as np

from lstmlab.fixtures import rng
from lstmlab.i18n import _

OPEN, CLOSE = 0, 1
SYMBOLS = "()"


def dyck1(n: int, length: int, max_depth: int = 6, p_open: float = 0.5, seed: int = 0) -> np.ndarray:
    """n random bounded-depth Dyck-1 strings (prefixes of balanced strings) of the same length.

    n: number of strings; length: T brackets each; max_depth: the depth never exceeds it (>= 1);
    p_open: probability of "(" where both brackets are allowed.
    Returns tokens (n, T) int64 with OPEN = 0, CLOSE = 1. The first bracket is always "(".
    """
    if max_depth < 1:
        raise ValueError(_("max_depth must be at least 1"))
    r = rng(seed)
    coins = r.random((n, length)) < p_open
    tokens = np.empty((n, length), dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    for t in range(length):
        opening = np.where(depth == 0, True, np.where(depth == max_depth, False, coins[:, t]))
        tokens[:, t] = np.where(opening, OPEN, CLOSE)
        depth += np.where(opening, 1, -1)
    return tokens


def depth(tokens: np.ndarray) -> np.ndarray:
    """Nesting depth after each bracket: tokens (..., T) -> depth (..., T) int64.

    depth[..., t] counts the "(" minus the ")" among tokens[..., :t+1], so for "(()" it is 1, 2, 1.
    """
    tokens = np.asarray(tokens)
    return np.cumsum(np.where(tokens == OPEN, 1, -1), axis=-1).astype(np.int64)


def one_hot(tokens: np.ndarray) -> np.ndarray:
    """tokens (..., T) int -> inputs (..., T, 2) float32, channel 0 for "(", channel 1 for ")"."""
    return np.eye(2, dtype=np.float32)[np.asarray(tokens)]


def to_text(tokens) -> str:
    """One string of tokens (T,) -> its brackets as text, e.g. "(()("."""
    return "".join(SYMBOLS[int(k)] for k in np.asarray(tokens).ravel())


def from_text(text: str) -> np.ndarray:
    """Brackets as text -> tokens (T,) int64 (characters other than brackets are not allowed)."""
    if set(text) - set(SYMBOLS):
        raise ValueError(_("only '(' and ')' are allowed, got {others}").format(others=sorted(set(text) - set(SYMBOLS))))
    return np.array([SYMBOLS.index(ch) for ch in text], dtype=np.int64)


def allowed_next(tokens: np.ndarray, max_depth: int) -> np.ndarray:
    """Which brackets may follow each prefix: tokens (..., T) -> mask (..., T, 2) bool.

    mask[..., t, OPEN] is False where depth == max_depth after token t; mask[..., t, CLOSE] is False
    where the depth is 0. Where only one bracket is allowed, the next token is *forced*.
    """
    d = depth(tokens)
    return np.stack([d < max_depth, d > 0], axis=-1)


def next_token_task(n: int, length: int, max_depth: int = 6, p_open: float = 0.5, seed: int = 0):
    """Language modelling on Dyck-1: read brackets 0..T-2, predict brackets 1..T-1.

    Returns X (n, T-1, 2) float32 one-hot inputs, Y (n, T-1) int64 next tokens,
    and tokens (n, T) int64 (the full strings, for depth() and plots).
    """
    tokens = dyck1(n, length, max_depth=max_depth, p_open=p_open, seed=seed)
    return one_hot(tokens[:, :-1]), tokens[:, 1:].copy(), tokens


def depth_task(n: int, length: int, max_depth: int = 6, p_open: float = 0.5, seed: int = 0):
    """Depth prediction on Dyck-1: read brackets 0..T-1, output the depth after each (a class 0..max_depth).

    Returns X (n, T, 2) float32 one-hot inputs, Y (n, T) int64 depths, and tokens (n, T) int64.
    """
    tokens = dyck1(n, length, max_depth=max_depth, p_open=p_open, seed=seed)
    return one_hot(tokens), depth(tokens), tokens
