"""Characters as integers: a character vocabulary, batches of (inputs, targets, mask), a train/validation split.

A character language model reads text one character at a time and predicts the next one. This module
turns text into the integer arrays the model works on (lstmlab.language_model):

    vocab = Vocabulary.from_text(text)         every character of the text gets an id
    ids = vocab.encode("It is a truth")        (N,) int64
    vocab.decode(ids)                          back to a string
    train, val = split(ids, 0.9)               the first 90% for training, the rest for validation
    inputs, targets, mask = random_windows(train, batch_size=32, seq_len=64, rng=rng)
                                               (B, T) each: targets are inputs shifted by one character
    inputs, targets, mask = pad_batch([ids_1, ids_2, ...], vocab)
                                               whole sequences of different lengths, padded; mask marks the real positions

Ids 0..3 are the special tokens PAD, UNK, BOS, EOS (in that order), then the characters, the most frequent
first (ties in order of first appearance). A character that is not in the vocabulary encodes as UNK.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from .i18n import _

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = (PAD, UNK, BOS, EOS)


class Vocabulary:
    """A character vocabulary: tokens[k] is the string of id k; ids 0..3 are PAD, UNK, BOS, EOS.

    Build one with Vocabulary.from_text. `len(vocab)` is V, the number of ids (specials included).
    """

    def __init__(self, tokens: Sequence[str], unk_char: str = "□"):
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(_("the first four tokens must be {specials}").format(specials=SPECIALS))
        if len(set(tokens)) != len(tokens):
            raise ValueError(_("tokens must be distinct"))
        self.tokens = list(tokens)
        self.index = {t: k for k, t in enumerate(self.tokens)}
        self.unk_char = unk_char      # how decode writes UNK

    pad_id, unk_id, bos_id, eos_id = 0, 1, 2, 3

    @classmethod
    def from_text(cls, text: str | Iterable[str], min_count: int = 1, max_size: int | None = None,
                  unk_char: str = "□") -> "Vocabulary":
        """Vocabulary of the characters in `text` (a string, or several strings).

        min_count: characters seen fewer times become UNK; max_size: keep at most this many ids in all
        (specials included), the most frequent characters first.
        """
        counts: Counter = Counter()
        for part in ([text] if isinstance(text, str) else text):
            counts.update(part)
        # Counter keeps first-appearance order for equal counts (sorted is stable)
        chars = [c for c, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= min_count]
        if max_size is not None:
            chars = chars[:max(0, max_size - len(SPECIALS))]
        return cls(list(SPECIALS) + chars, unk_char=unk_char)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, char: str) -> bool:
        return char in self.index

    def encode(self, text: str, bos: bool = False, eos: bool = False) -> np.ndarray:
        """The ids of the characters of `text`, (N,) int64 (N = len(text), +1 for each of bos/eos)."""
        ids = [self.index.get(c, self.unk_id) for c in text]
        return np.array(([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else []), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> str:
        """The string of the ids: PAD, BOS and EOS are dropped, UNK is written as unk_char."""
        out = []
        for k in np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids).ravel():
            k = int(k)
            if k in (self.pad_id, self.bos_id, self.eos_id):
                continue
            out.append(self.unk_char if k == self.unk_id else self.tokens[k])
        return "".join(out)


def split(ids: np.ndarray, train_fraction: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Contiguous train/validation split of a long id sequence (N,): the first part trains, the rest validates.

    Contiguous, not shuffled: shuffled windows of one text would put overlapping text on both sides.
    Returns (train (N_train,), val (N - N_train,)), N_train = int(N * train_fraction).
    """
    n = int(len(ids) * train_fraction)
    return ids[:n], ids[n:]


def random_windows(ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator):
    """A batch of random windows of a long id sequence, for training with teacher forcing.

    ids: (N,) int, N > seq_len. Each row starts at a random offset s (rng.integers, one per row):
        inputs[b]  = ids[s : s + T]          (B, T) int64
        targets[b] = ids[s + 1 : s + T + 1]  (B, T) int64, the next character at every position
        mask                                 (B, T) bool, all True (no padding in a window)
    """
    starts = rng.integers(0, len(ids) - seq_len, size=batch_size)
    rows = np.stack([ids[s:s + seq_len + 1] for s in starts]).astype(np.int64)
    return rows[:, :-1], rows[:, 1:], np.ones((batch_size, seq_len), dtype=bool)


def consecutive_windows(ids: np.ndarray, seq_len: int):
    """All of a sequence cut into consecutive windows (for evaluation: every character predicted once).

    ids: (N,) int. Returns inputs, targets (B, T) int64 and mask (B, T) bool, B = ceil((N - 1) / T);
    the last window is padded with PAD (id 0), its padding masked out.
    """
    n = len(ids) - 1
    B = -(-n // seq_len)
    inputs = np.zeros((B, seq_len), dtype=np.int64)
    targets = np.zeros((B, seq_len), dtype=np.int64)
    mask = np.zeros((B, seq_len), dtype=bool)
    for b in range(B):
        s = b * seq_len
        e = min(s + seq_len, n)
        inputs[b, :e - s] = ids[s:e]
        targets[b, :e - s] = ids[s + 1:e + 1]
        mask[b, :e - s] = True
    return inputs, targets, mask


def pad_batch(sequences: Sequence[np.ndarray], pad_id: int = 0):
    """Whole sequences of different lengths as one padded batch (each should start with BOS and end with EOS).

    sequences: B arrays of ids, lengths L_b >= 2. Row b predicts sequences[b][1:] from sequences[b][:-1]:
        inputs   (B, T) int64, T = max L_b - 1, padded with pad_id
        targets  (B, T) int64, padded with pad_id
        mask     (B, T) bool, True at the L_b - 1 real positions of row b
    """
    T = max(len(s) for s in sequences) - 1
    B = len(sequences)
    inputs = np.full((B, T), pad_id, dtype=np.int64)
    targets = np.full((B, T), pad_id, dtype=np.int64)
    mask = np.zeros((B, T), dtype=bool)
    for b, s in enumerate(sequences):
        n = len(s) - 1
        inputs[b, :n] = s[:-1]
        targets[b, :n] = s[1:]
        mask[b, :n] = True
    return inputs, targets, mask
