"""Reproduce lesson 02's claims about seeds and distances (section 8, "The forget-gate bias, initialised to 1").

The notebook trains three models once (seed 0) on delayed recall over 30 steps. Its text claims more:

  - over three seeds, the vanilla RNN and the LSTM with forget bias 1 learn the 30-step task every time and the
    PyTorch-initialised LSTM never;
  - over 40 steps (same sizes, 300 training steps) the RNN and the PyTorch-initialised LSTM stay at chance on all
    three seeds, while the LSTM with forget bias 1 learns on some.

This script repeats the notebook's cell (the same Recaller, data, optimiser and 300 Adam steps; seed s seeds both
the weights and the minibatches, seed 0 is the notebook's run) for seeds 0, 1, 2 and lengths 30 and 40, and
prints every test accuracy. "Learned" means test accuracy >= 0.9 (chance is 0.25).

    python benchmarks/claims_02_bptt.py [--seeds 3] [--lengths 30 40]

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

import torch

from lstmlab.lessons.bptt import tasks
from lstmlab.train import fit

LEARNED = 0.9
MODELS = [("vanilla RNN", "rnn", None), ("LSTM (PyTorch init)", "lstm", None), ("LSTM, forget bias 1", "lstm", 1.0)]


class Recaller(torch.nn.Module):
    """The notebook's model: a recurrent layer and a linear classifier of its last hidden state."""

    def __init__(self, kind, n_in, hidden, n_out, forget_bias=None):
        super().__init__()
        self.rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}[kind](n_in, hidden, batch_first=True)
        if forget_bias is not None:
            with torch.no_grad():
                self.rnn.bias_ih_l0[hidden:2 * hidden] = forget_bias
                self.rnn.bias_hh_l0[hidden:2 * hidden] = 0.0
        self.readout = torch.nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.readout(self.rnn(x)[0][:, -1])


def accuracy(kind, bias, T, seed, K=4, hidden=16, steps=300):
    X_train, y_train = tasks.delayed_recall(2048, T, n_classes=K, seed=0)
    X_test, y_test = tasks.delayed_recall(512, T, n_classes=K, seed=1)
    torch.manual_seed(seed)
    model = Recaller(kind, K + 1, hidden, K, forget_bias=bias)
    fit(model, X_train, y_train, torch.nn.functional.cross_entropy, steps=steps, lr=1e-2, seed=seed, progress=False)
    with torch.no_grad():
        return float((model(torch.as_tensor(X_test)).argmax(1).numpy() == y_test).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--lengths", type=int, nargs="+", default=[30, 40])
    args = ap.parse_args()
    torch.set_num_threads(1)
    start = time.process_time()
    for T in args.lengths:
        print(f"delayed recall over {T} steps, H = 16, 300 Adam steps (lr 1e-2, clip 1), test accuracy per seed "
              f"{list(range(args.seeds))}:")
        for label, kind, bias in MODELS:
            accs = [accuracy(kind, bias, T, s) for s in range(args.seeds)]
            learned = sum(a >= LEARNED for a in accs)
            print(f"  {label:20s} {' '.join(f'{a:.2f}' for a in accs)} | learned (>= {LEARNED}) on "
                  f"{learned} of {args.seeds}")
    print(f"CPU time {time.process_time() - start:.0f} s")


if __name__ == "__main__":
    main()
