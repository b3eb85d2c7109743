"""Reproduce lesson 05's claims about depth over seeds (section 10, "What depth buys, and what it costs").

The notebook trains 1, 2 and 3 layers once (seed 0) on the windowed sign-XOR task at about the same parameter
budget. Its text claims more, from runs that are not in the notebook:

  - over five seeds: how one, two and three layers (and four layers of 6 units) fare on sign-XOR;
  - on a task of one stage (the same windowed XOR over the raw bits, no nonlinear feature to compute first) every
    depth reaches 1.00.

This script repeats the notebook's cell (the same Tagger, data, 250 Adam steps at lr 2e-2, batches of 128; seed s
seeds both the weights and the minibatches, seed 0 is the notebook's run) for seeds 0-4 and depths 1-4, on the
two-stage task (sign_xor) and on the one-stage task (its XOR over the raw bits e_t, fed one-hot as (e_t, 1 - e_t),
so the models and their parameter counts are the same), and prints every test accuracy.

    python benchmarks/claims_05_deep_bidirectional.py [--seeds 5]

Single-threaded (torch.set_num_threads(1)) and on the AVX2 code paths `lstmlab run` uses, so the numbers repeat
exactly and seed 0 equals what the notebook prints.
"""
from __future__ import annotations

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

from lstmlab.tooling.course import reproducible_env  # noqa: E402 (imports neither numpy nor torch)

reproducible_env()  # the AVX2 code paths `lstmlab run` executes the notebooks with, set before numpy and torch load

import argparse
import time

import numpy as np
import torch

from lstmlab.lessons.deep_bidirectional.tasks import sign_xor
from lstmlab.train import fit

SHAPES = [(1, 14), (2, 8), (3, 7), (4, 6)]     # (layers, units): the notebook's three, and four layers of 6


class Tagger(torch.nn.Module):
    """The notebook's model: an LSTM (any depth) followed by a linear read-out at every step."""

    def __init__(self, inputs, hidden, classes, layers=1):
        super().__init__()
        self.lstm = torch.nn.LSTM(inputs, hidden, num_layers=layers, batch_first=True)
        self.readout = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        return self.readout(self.lstm(x)[0])


def per_step_loss(logits, y):
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def raw_bits(X):
    """The one-stage version: replace each x_t by its feature e_t (same sign?), one-hot as (e_t, 1 - e_t)."""
    e = (X[..., 0] * X[..., 1] > 0).astype(np.float32)
    return np.stack([e, 1 - e], axis=-1)


def accuracy(data, layers, hidden, seed):
    (X_train, Y_train), (X_test, Y_test) = data
    torch.manual_seed(seed)
    model = Tagger(2, hidden, 2, layers=layers)
    fit(model, X_train, Y_train, per_step_loss, steps=250, batch_size=128, lr=2e-2, seed=seed, progress=False)
    with torch.no_grad():
        acc = float((model(torch.from_numpy(X_test)).argmax(-1).numpy() == Y_test).mean())
    return acc, sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    start = time.process_time()
    (X_train, Y_train), (X_test, Y_test) = sign_xor(4000, steps=12, seed=0), sign_xor(2000, steps=12, seed=1)
    tasks = {"two stages (sign-XOR, the notebook's task)": ((X_train, Y_train), (X_test, Y_test)),
             "one stage (windowed XOR of the raw bits)": ((raw_bits(X_train), Y_train), (raw_bits(X_test), Y_test))}
    for name, data in tasks.items():
        print(f"{name}: test accuracy per seed {list(range(args.seeds))}")
        for layers, hidden in SHAPES:
            runs = [accuracy(data, layers, hidden, s) for s in range(args.seeds)]
            accs = np.array([a for a, _ in runs])
            print(f"  {layers} layer(s) of {hidden:2d} units, {runs[0][1]:5d} parameters: "
                  f"{' '.join(f'{a:.2f}' for a in accs)} | min {accs.min():.2f}, max {accs.max():.2f}")
    print(f"CPU time {time.process_time() - start:.0f} s")


if __name__ == "__main__":
    main()
