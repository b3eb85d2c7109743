"""The runs lesson 08 shows: perplexity curves of the torch twin, and teacher forcing against free running."""
from __future__ import annotations

import numpy as np
import torch

from lstmlab import language_model as lm
from lstmlab import text

from . import models


def train_with_curves(model, train_ids, val_batch, steps: int, batch_size: int, seq_len: int, seed: int,
                      lr: float = 5e-3, every: int = 25):
    """Train the torch twin on random windows of train_ids; every `every` steps record the perplexity on a
    fixed training sample (the same size as val_batch) and on val_batch.

    Returns {"step": [...], "train": [...], "val": [...]} (perplexities per character).
    """
    g = np.random.default_rng(seed)
    train_eval = text.random_windows(train_ids, val_batch[0].shape[0], val_batch[0].shape[1], np.random.default_rng(seed + 1))
    curves = {"step": [], "train": [], "val": []}

    def evaluate(m):
        return models.perplexity_of(m, *train_eval), models.perplexity_of(m, *val_batch)

    batches = (text.random_windows(train_ids, batch_size, seq_len, g) for _ in range(steps))
    _, evals = models.train_torch(model, batches, lr=lr, evaluate=evaluate, every=every)
    for step, (tr, va) in evals:
        curves["step"].append(step)
        curves["train"].append(tr)
        curves["val"].append(va)
    return curves


def teacher_forcing_vs_free_running(params: dict, ids: np.ndarray, starts, prompt_len: int, n: int):
    """Per-position accuracy of the next-character prediction, two ways, on held-out text.

    For every start s: the model reads ids[s : s + prompt_len], then predicts n characters greedily.
      teacher forcing: at position k it is given the TRUE characters before it and predicts ids[s + prompt_len + k]
      free running:    it is given ITS OWN previous predictions (what generation does) and predicts the same
    Returns (tf_accuracy (n,), free_accuracy (n,)): the share of starts whose k-th prediction equals the text.
    """
    starts = np.asarray(starts)
    prompt = np.stack([ids[s:s + prompt_len] for s in starts])
    truth = np.stack([ids[s + prompt_len:s + prompt_len + n] for s in starts])
    free = lm.generate(params, prompt, n, 0.0, np.random.default_rng(0))
    full = np.concatenate([prompt, truth], axis=1)
    logits = lm.logits_of(params, full[:, :-1])
    tf_pred = logits[:, prompt_len - 1:].argmax(-1)
    return (tf_pred == truth).mean(0), (free == truth).mean(0)


def line_shapes(poem_text: str) -> dict:
    """Counts of the lengths of the half-lines of a generated poem (text between punctuation marks)."""
    import re

    parts = [p for p in re.split(r"[，。？！、；：\n]", poem_text) if p]
    out: dict = {}
    for p in parts:
        out[len(p)] = out.get(len(p), 0) + 1
    return out


def torch_seed(seed: int) -> None:
    torch.manual_seed(seed)
