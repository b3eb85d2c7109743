"""The character task of lesson 09: a small slice of Pride and Prejudice, encoded character by character.

Small on purpose: a 64-unit LSTM memorises 4,000 characters within a few hundred updates, so overfitting
(validation loss turning up while training loss keeps falling) shows within seconds.
"""
from __future__ import annotations

import numpy as np

from lstmlab.datasets import load_austen

START = 20_000          # skip the title page and contents: the slice begins in chapter 1's text


def char_corpus(n_train: int = 4_000, n_val: int = 2_000, start: int = START) -> dict:
    """The slice [start, start + n_train) for training and the next n_val characters for validation.

    Returns {"vocab": sorted list of the characters of both parts, "train": int64 (n_train,),
    "val": int64 (n_val,), "text": the training text}. Indices are positions in vocab.
    """
    text = load_austen()[start:start + n_train + n_val]
    vocab = sorted(set(text))
    index = {ch: k for k, ch in enumerate(vocab)}
    ids = np.array([index[ch] for ch in text], dtype=np.int64)
    return {"vocab": vocab, "train": ids[:n_train], "val": ids[n_train:], "text": text[:n_train]}


def random_windows(ids: np.ndarray, seq_len: int, batch: int, rng: np.random.Generator):
    """`batch` random windows: inputs X (batch, seq_len) and next-character targets Y (batch, seq_len), int64."""
    starts = rng.integers(0, len(ids) - seq_len - 1, size=batch)
    X = np.stack([ids[s:s + seq_len] for s in starts])
    Y = np.stack([ids[s + 1:s + seq_len + 1] for s in starts])
    return X, Y


def all_windows(ids: np.ndarray, seq_len: int):
    """Non-overlapping windows covering ids (for evaluation): X, Y of shape (n, seq_len), int64."""
    n = (len(ids) - 1) // seq_len
    X = ids[:n * seq_len].reshape(n, seq_len)
    Y = ids[1:n * seq_len + 1].reshape(n, seq_len)
    return X, Y
