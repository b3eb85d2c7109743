"""The torch taggers of the a^n b^n counting task (lstmlab.lessons.gru.tasks) and how they are scored.

Tagger is an LSTM or a GRU with a linear read-out at every step; counter_lstm is a one-unit LSTM
tagger wired by hand to count exactly; evaluate and exact_up_to score a tagger on a^n b^(n + margin).
"""
from __future__ import annotations

import numpy as np
import torch

from .tasks import anbn_test


class Tagger(torch.nn.Module):
    """A recurrent layer (torch.nn.LSTM or torch.nn.GRU, batch-first) and a linear read-out at every step.

    forward: x (B, T, 2) -> logits (B, T); logit > 0 means 'as many b's as a's, or more'.
    """

    def __init__(self, kind: str, hidden: int, input_size: int = 2):
        super().__init__()
        self.kind = kind
        self.rnn = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind](input_size, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        return self.readout(self.rnn(x)[0])[..., 0]


def counter_lstm(gain: float = 30.0) -> Tagger:
    """A hand-wired one-unit LSTM tagger that counts exactly, for any n.

    Gate order i, f, g, o (torch's): the biases saturate i = f = o = 1; the candidate is
    tanh(gain * (a - b)) = +1 on an a and -1 on a b, so c_t = #a - #b exactly (float32 is exact
    for these integers). The read-out says 'matched' when tanh(c_t) <= 0, i.e. c_t <= 0.
    """
    tagger = Tagger("LSTM", 1)
    with torch.no_grad():
        for p in tagger.parameters():
            p.zero_()
        tagger.rnn.bias_ih_l0.copy_(torch.tensor([gain, gain, 0.0, gain]))
        tagger.rnn.weight_ih_l0[2] = torch.tensor([gain, -gain])
        tagger.readout.weight.fill_(-10.0)
        tagger.readout.bias.fill_(np.tanh(1.0) * 5.0)      # threshold halfway between tanh(0) and tanh(1)
    return tagger


def evaluate(model: torch.nn.Module, ns, margin: int = 10) -> dict[str, np.ndarray]:
    """Score a tagger on a^n b^(n + margin) for every n in ns.

    Returns {"n": (N,), "exact": (N,) bool, every scored step right,
             "switch_error": (N,) int, first step (at or after the first b) where the model says
             'matched' minus the true step 2n - 1 (negative = too early; margin + n + 1 if never)}.
    """
    X, Y, mask = anbn_test(ns, margin)
    with torch.no_grad():
        pred = model(torch.as_tensor(X)).numpy() > 0
    n = np.asarray(ns)
    exact = np.array([(pred[k, m] == (Y[k, m] > 0)).all() for k, m in enumerate(mask)])
    errors = []
    for k, nk in enumerate(n):
        said = pred[k, nk:2 * nk + margin]
        first = nk + int(np.argmax(said)) if said.any() else 2 * nk + margin
        errors.append(first - (2 * nk - 1))
    return {"n": n, "exact": exact, "switch_error": np.array(errors)}


def exact_up_to(result: dict[str, np.ndarray]) -> int:
    """The largest n such that every n' <= n in the evaluation is counted exactly (0 if n = 1 already fails)."""
    bad = result["n"][~result["exact"]]
    return int(bad.min() - 1) if len(bad) else int(result["n"].max())
