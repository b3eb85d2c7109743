"""Time lstmlab.lstm_fast (the numpy LSTM tuned for speed) forward+backward against torch.nn.LSTM on the CPU, in one run.

Shape from DESIGN.md: T=50, B=32, D=64, H=128, float32. Both sides compute the outputs of every
step and the gradients of all inputs and weights for the same upstream gradient. Reports the
median of `--repeat` timed runs after warm-up, and the ratio numpy / torch (target: <= 1.5).

    python benchmarks/bench_lstm.py [--repeat 30] [--threads N]   (N threads for both; default 1)
"""
from __future__ import annotations

import os
import sys

# BLAS threads must be fixed before numpy loads; torch gets the same number below, so that
# neither library's idle threads spin on the cores the other one is using.
THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = THREADS

import argparse
import statistics
import time

import numpy as np
import torch

from lstmlab import lstm_fast as L
from lstmlab.bridge import lstm_as_torch
from lstmlab.fixtures import lstm_inputs, lstm_params


def paired_times(fa, fb, repeat: int) -> tuple[list[float], list[float]]:
    """Alternate fa and fb `repeat` times after warm-up, so drift in machine load hits both alike."""
    for _ in range(3):
        fa(), fb()
    ta, tb = [], []
    for _ in range(repeat):
        for f, out in ((fa, ta), (fb, tb)):
            t = time.perf_counter()
            f()
            out.append(time.perf_counter() - t)
    return ta, tb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1, help="threads for both numpy's BLAS and torch (default 1)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    T, B, D, H = 50, 32, 64, 128
    params = lstm_params(D, H, seed=0, dtype=np.float32)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=1, dtype=np.float32)
    dHs = np.random.default_rng(2).standard_normal((B, T, H)).astype(np.float32)

    def numpy_step():
        _, _, cache = L.lstm_forward_fast(X, h0, c0, *params)
        L.lstm_backward_fast(dHs, cache)

    lstm = lstm_as_torch(params, dtype=torch.float32)
    Xt = torch.from_numpy(X).requires_grad_()
    state = (torch.from_numpy(h0)[None].requires_grad_(), torch.from_numpy(c0)[None].requires_grad_())
    dHt = torch.from_numpy(dHs)

    def torch_step():
        lstm.zero_grad(set_to_none=True)
        Xt.grad = None
        out, _ = lstm(Xt, state)
        out.backward(dHt)

    t_np, t_torch = paired_times(numpy_step, torch_step, args.repeat)
    ratios = [a / b for a, b in zip(t_np, t_torch)]
    med = statistics.median
    print(f"shape T={T} B={B} D={D} H={H} float32, numpy {np.__version__}, torch {torch.__version__}, "
          f"{args.threads} thread(s) each")
    print(f"numpy  forward+backward: {med(t_np) * 1e3:7.2f} ms (median of {args.repeat}, min {min(t_np) * 1e3:.2f})")
    print(f"torch  forward+backward: {med(t_torch) * 1e3:7.2f} ms (min {min(t_torch) * 1e3:.2f})")
    print(f"ratio numpy/torch: median of paired runs {med(ratios):.2f}, of minima {min(t_np) / min(t_torch):.2f} "
          "(target <= 1.5)")


if __name__ == "__main__":
    main()
