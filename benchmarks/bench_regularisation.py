"""Lesson 09's full measurement: recurrent regularisers and optimisers on a character LSTM that overfits.

Task: lstmlab.lessons.regularisation (4,000 training and 2,000 validation characters of Pride and Prejudice,
CharLM with E=16, H=64, windows of 32 characters, batches of 16, gradients clipped at global norm 5).

1. Regularisers: none, L2 (Adam's weight_decay=1e-4, i.e. lam * p added to the gradient), dropout p=0.3 on the
   non-recurrent connections, variational (locked) dropout p=0.3 on the same connections, zoneout
   (z_h, z_c) = (0.1, 0.3); Adam lr 1e-2, 400 updates, seeds 0, 1, 2; validation loss every 50 updates.
   The rates are common defaults, not tuned for this task.
2. Optimisers (the chapter's §3.2): SGD, SGD + momentum 0.9, RMSprop, Adam, no regulariser. Each learning
   rate of a 4-point grid (factors of about 3) is run with seed 0 for 300 updates; the rate with the lowest final
   training loss is then run with seeds 1 and 2 as well. Training loss (on fixed training windows) every 25
   updates. (A first, lower grid put every optimiser's best rate at its upper edge; this one brackets them.)

Writes lib/lstmlab/lessons/regularisation/measured.json (curves, per-seed best values, the sweep, run times).

    python benchmarks/bench_regularisation.py [--part regularisers|optimisers]

Without --part both parts run (see benchmarks/README.md for the time); a part alone updates its half of
measured.json and keeps the other. Single-threaded torch; each run is seeded and reproduces exactly.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import torch  # noqa: E402

from lstmlab.lessons.regularisation.experiments import REGULARISERS, summary, train_lm  # noqa: E402
from lstmlab.lessons.regularisation.tasks import char_corpus  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "lib" / "lstmlab" / "lessons" / "regularisation" / "measured.json"
SEEDS = (0, 1, 2)
REG_STEPS, OPT_STEPS = 400, 300
LR_GRID = {"sgd": [1.0, 3.0, 10.0, 30.0], "momentum": [0.1, 0.3, 1.0, 3.0], "rmsprop": [3e-3, 1e-2, 3e-2, 1e-1],
           "adam": [3e-3, 1e-2, 3e-2, 1e-1]}


def main() -> None:
    part = sys.argv[sys.argv.index("--part") + 1] if "--part" in sys.argv else "all"
    if part not in ("all", "regularisers", "optimisers"):
        raise SystemExit("--part must be regularisers or optimisers")
    torch.set_num_threads(1)
    corpus = char_corpus()
    old = json.loads(OUT.read_text()) if OUT.exists() and part != "all" else {}
    result = {"config": {"n_train": len(corpus["train"]), "n_val": len(corpus["val"]), "vocab": len(corpus["vocab"]),
                         "hidden": 64, "emb": 16, "seq_len": 32, "batch": 16, "seeds": list(SEEDS),
                         "regularisers": {k: {**v, "p": list(v["p"]) if isinstance(v["p"], tuple) else v["p"]}
                                          for k, v in REGULARISERS.items()},
                         "reg_steps": REG_STEPS, "opt_steps": OPT_STEPS, "lr_grid": LR_GRID},
              "regularisers": old.get("regularisers", {}), "optimisers": old.get("optimisers", {}),
              "sweep": old.get("sweep", {}), "run": old.get("run", {})}
    result["run"].update({"python": sys.version.split()[0], "torch": torch.__version__, "machine": platform.machine(),
                          "threads": 1})
    if part in ("all", "regularisers"):
        t0 = time.perf_counter()
        regularisers(result, corpus)
        result["run"]["regularisers_seconds"] = round(time.perf_counter() - t0, 1)
    if part in ("all", "optimisers"):
        t0 = time.perf_counter()
        optimisers(result, corpus)
        result["run"]["optimisers_seconds"] = round(time.perf_counter() - t0, 1)
    result["run"].pop("seconds", None)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUT}: {result['run']}")


def regularisers(result, corpus) -> None:
    for name, kw in REGULARISERS.items():
        runs = [train_lm(**kw, steps=REG_STEPS, eval_every=50, seed=s, corpus=corpus) for s in SEEDS]
        result["regularisers"][name] = {"steps": runs[0]["steps"], "val": summary(runs, "val"),
                                        "train": summary(runs, "train")}
        print(f"{name:12s} best val {[round(b, 3) for b in result['regularisers'][name]['val']['best']]}", flush=True)


def optimisers(result, corpus) -> None:
    for opt, grid in LR_GRID.items():
        sweep = {lr: train_lm(optimizer=opt, lr=lr, steps=OPT_STEPS, eval_every=25, seed=0, corpus=corpus)
                 for lr in grid}
        final = {lr: run["train"][-1] for lr, run in sweep.items()}
        best_lr = min(grid, key=lambda lr: final[lr] if final[lr] == final[lr] else float("inf"))
        runs = [sweep[best_lr]] + [train_lm(optimizer=opt, lr=best_lr, steps=OPT_STEPS, eval_every=25, seed=s,
                                            corpus=corpus) for s in SEEDS[1:]]
        result["sweep"][opt] = {str(lr): final[lr] for lr in grid}
        result["optimisers"][opt] = {"lr": best_lr, "steps": runs[0]["steps"], "train": summary(runs, "train"),
                                     "val": summary(runs, "val")}
        print(f"{opt:10s} sweep {result['sweep'][opt]} -> lr {best_lr}", flush=True)


if __name__ == "__main__":
    main()
