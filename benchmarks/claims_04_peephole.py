"""Reproduce lesson 04's "exploratory runs" (section 7): peepholes (V) against none (NP) at 4 units, over more seeds
and training lengths than the notebook shows.

The notebook trains V and NP from seeds 0-4 for 500 steps on the timed-spike task (4 units) and finds the median of
V above NP's. Its text adds, from runs not in the notebook, how the two medians compare "with other seeds and
training lengths". This script makes those runs: for each block of five seeds (0-4 is the notebook's; then 5-9,
10-14, 15-19) it trains the notebook's population (V, NP, NFG, NOG and CIFG, five seeds each; Adam lr 0.02, batches
of 32 drawn with the block's first seed, clipping at norm 1, forget bias 1, the weighted spike loss) for 800 steps,
and reads the fraction of the 256 test sequences timed right at steps 300, 500 and 800 (Adam has no schedule, so the
score at step 300 of an 800-step run is that of a 300-step run). It prints, per block and length, V's and NP's
median over their five seeds and the difference of the medians. The whole population is trained, as in the notebook,
so that block 0-4 at 500 steps is the notebook's run (members are trained independently, so V and NP alone give the
same numbers).

    python benchmarks/claims_04_peephole.py [--blocks 4] [--steps 800]
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

from lstmlab.lessons.peephole.experiments import bce_with_logits, train_population
from lstmlab.lessons.peephole.models import Population
from lstmlab.lessons.peephole.tasks import spike_accuracy, timed_spike

LENGTHS = (300, 500, 800)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--steps", type=int, default=800)
    args = ap.parse_args()
    start = time.process_time()
    X, Y, _ = timed_spike(2000, steps=30, seed=0)
    X_test, Y_test, _ = timed_spike(256, steps=30, seed=1)
    spike_weight = Y.size / Y.sum() - 1.0

    def spike_loss(Y_pred, y):
        return bce_with_logits(Y_pred, y, weight=1.0 + (spike_weight - 1.0) * y)

    def timed_right(pop):
        return spike_accuracy(pop.forward(X_test)[0][..., 0], Y_test)

    variants = ["V", "NP", "NFG", "NOG", "CIFG"] * 5
    is_v = np.array([v == "V" for v in variants])
    is_np = np.array([v == "NP" for v in variants])
    gaps = []
    print("timed spike, 4 units: median fraction timed right over 5 seeds, V (peepholes) vs NP (none)")
    for block in range(args.blocks):
        base = 5 * block
        pop = Population(variants, input_size=2, hidden_size=4, seed=base, forget_bias=1.0)
        _, steps, scores = train_population(pop, X, Y[..., None], spike_loss, steps=args.steps, lr=0.02, seed=base,
                                            evaluate=timed_right, every=100, progress=False)
        for length in (n for n in LENGTHS if n <= args.steps):
            final = scores[list(steps).index(length)]
            v, n = np.median(final[is_v]), np.median(final[is_np])
            gaps.append(v - n)
            print(f"  seeds {base:2d}-{base + 4:2d}, {length} steps: V {v:.2f} ({' '.join(f'{a:.2f}' for a in final[is_v])})"
                  f" | NP {n:.2f} ({' '.join(f'{a:.2f}' for a in final[is_np])}) | V - NP {v - n:+.2f}")
    gaps = np.array(gaps)
    print(f"V's median above NP's in {int((gaps > 0).sum())} of {len(gaps)} runs, level in {int((gaps == 0).sum())}, "
          f"below in {int((gaps < 0).sum())}; V - NP from {gaps.min():+.2f} to {gaps.max():+.2f}")
    print(f"CPU time {time.process_time() - start:.0f} s")


if __name__ == "__main__":
    main()
