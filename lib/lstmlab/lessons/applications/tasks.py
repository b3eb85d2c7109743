"""Data only lesson 10 uses: labelled sentences for the text classifier, and a seeded signal with anomalies.

load_austen_sentences reads the shipped sentences of Jane Austen's six novels, labelled with their novel
(lstmlab/data/austen_sentences.tsv.gz, public domain; see lstmlab/data/README.md); tokenize,
build_vocab and encode turn them into token ids.
periodic_signal makes the normal data a forecaster is trained and calibrated on; inject_anomalies
copies a stretch of it with labelled events of four kinds (ANOMALY_KINDS), so that the detector's
precision and recall (lstmlab.anomaly) can be measured against known truth.
"""
from __future__ import annotations

import gzip
import re
from collections import Counter
from importlib import resources

import numpy as np

from lstmlab.fixtures import rng
from lstmlab.i18n import N_, Message


AUSTEN_SOURCE = Message(N_(
    "austen_sentences.tsv.gz: 6,000 sentences (6 to 30 words), 1,000 drawn at random (seeded) from each of Jane "
    "Austen's six novels, labelled with the novel: Sense and Sensibility (1811), Pride and Prejudice (1813), "
    "Mansfield Park (1814), Emma (1815), Northanger Abbey and Persuasion (1817). Public domain. Project "
    "Gutenberg's texts as carried by the R package janeaustenr (Julia Silge, MIT licence), Debian "
    "r-cran-janeaustenr 1.0.0-1; extracted by tools/extract_corpora.py."))
PAD, UNK = 0, 1      # token ids of the padding and of words outside the vocabulary


def load_austen_sentences():
    """The shipped labelled sentences: (texts list of N str, labels (N,) int64, titles tuple of K str).

    labels[n] indexes titles (the novels in publication order); N = 6,000, K = 6, 1,000 per novel.
    """
    raw = resources.files("lstmlab").joinpath("data", "austen_sentences.tsv.gz").read_bytes()
    rows = [line.split("\t", 1) for line in gzip.decompress(raw).decode("utf-8").splitlines() if line]
    titles = tuple(dict.fromkeys(title for title, _ in rows))
    labels = np.array([titles.index(title) for title, _ in rows], dtype=np.int64)
    return [text for _, text in rows], labels, titles


TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[;:!?,.\"-]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with an inner apostrophe: "don't", "emma's") and punctuation marks, in order."""
    return TOKEN.findall(text.lower())


def build_vocab(token_lists, min_count: int = 2) -> list[str]:
    """Vocabulary from training sentences: ["<pad>", "<unk>"] then, sorted, every token seen min_count times."""
    counts = Counter(token for tokens in token_lists for token in tokens)
    return ["<pad>", "<unk>"] + sorted(t for t, c in counts.items() if c >= min_count)


def encode(tokens, index: dict) -> list[int]:
    """Token ids of one sentence; a token outside the vocabulary becomes UNK (1)."""
    return [index.get(t, UNK) for t in tokens]


def periodic_signal(n: int, seed: int = 0, noise: float = 0.05):
    """A seeded normal signal: two sines (periods 40 and 13 steps, slowly varying amplitude) plus noise.

    Returns (n,) float64. Stationary, so a model trained on its start applies to its end.
    """
    r = rng(seed)
    t = np.arange(n)
    amp = 1.0 + 0.2 * np.sin(2 * np.pi * t / 400 + r.uniform(0, 2 * np.pi))
    x = amp * np.sin(2 * np.pi * t / 40 + r.uniform(0, 2 * np.pi)) + 0.4 * np.sin(2 * np.pi * t / 13 + r.uniform(0, 2 * np.pi))
    return x + noise * r.standard_normal(n)


ANOMALY_KINDS = ("spike", "level shift", "stuck sensor", "noise burst")


def inject_anomalies(signal, n_events: int = 16, seed: int = 0, margin: int = 30):
    """Copy of `signal` with n_events labelled anomalies, cycling through ANOMALY_KINDS:

    spike:        one step moved by +-(0.8 to 1.5)
    level shift:  15 to 30 steps moved by +-(0.5 to 0.8)
    stuck sensor: 15 to 30 steps frozen at the value where it starts
    noise burst:  15 to 30 steps with added noise of std 0.3
    Events are placed at seeded positions at least `margin` steps apart.
    Returns (x (N,), truth (N,) bool, kinds: list of (start, stop, kind)).
    """
    r = rng(seed)
    x = np.array(signal, dtype=float)
    truth = np.zeros(len(x), dtype=bool)
    slots = np.sort(r.choice(np.arange(margin, len(x) - 2 * margin, 2 * margin), n_events, replace=False))
    kinds = []
    for k, start in enumerate(slots.tolist()):
        kind = ANOMALY_KINDS[k % len(ANOMALY_KINDS)]
        length = 1 if kind == "spike" else int(r.integers(15, 31))
        stop = start + length
        if kind == "spike":
            x[start] += r.choice([-1, 1]) * r.uniform(0.8, 1.5)
        elif kind == "level shift":
            x[start:stop] += r.choice([-1, 1]) * r.uniform(0.5, 0.8)
        elif kind == "stuck sensor":
            x[start:stop] = x[start]
        else:
            x[start:stop] += 0.3 * r.standard_normal(length)
        truth[start:stop] = True
        kinds.append((start, stop, kind))
    return x, truth, kinds
