"""Runs of lesson 09: one seeded training run of CharLM, and the sweeps of benchmarks/bench_regularisation.py.

Every run is seeded (torch and numpy) and single-threaded, so a run reproduces exactly on the same machine.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from lstmlab.fixtures import rng

from .models import CharLM
from .tasks import all_windows, char_corpus, random_windows

# The regularisers compared, with the rates used (chosen by a small sweep in the benchmark, see its docstring).
REGULARISERS = {
    "none": dict(method="none", p=0.0, weight_decay=0.0),
    "l2": dict(method="none", p=0.0, weight_decay=1e-4),
    "dropout": dict(method="dropout", p=0.3, weight_decay=0.0),
    "variational": dict(method="variational", p=0.3, weight_decay=0.0),
    "zoneout": dict(method="zoneout", p=(0.1, 0.3), weight_decay=0.0),
}


def make_optimizer(name: str, params, lr: float, weight_decay: float = 0.0):
    """'sgd', 'momentum' (SGD, momentum 0.9), 'rmsprop' or 'adam' (torch defaults otherwise)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}")


def evaluate(model, X, Y) -> float:
    """Mean cross-entropy per character (nats) of model on windows X, Y (numpy int64), in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(X))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(Y).reshape(-1))
    model.train()
    return float(loss)


def train_lm(method: str = "none", p=0.0, weight_decay: float = 0.0, optimizer: str = "adam", lr: float = 1e-2,
             steps: int = 400, eval_every: int = 50, seed: int = 0, batch: int = 16, seq_len: int = 32,
             hidden: int = 64, corpus: dict | None = None, max_norm: float = 5.0) -> dict:
    """Train CharLM on the character task; returns the curves.

    Returns {"steps": [0, eval_every, ...], "val": validation loss (nats per character) at those steps,
    "train": training loss on the same number of training windows at those steps, "train_batch": the loss of
    every update's batch}. Gradients are clipped to global norm max_norm (a safety net for SGD's large rates);
    a diverged run (non-finite loss) stops and its remaining points are NaN.
    """
    torch.manual_seed(seed)
    r = rng(seed)
    corpus = corpus or char_corpus()
    model = CharLM(len(corpus["vocab"]), hidden=hidden, method=method, p=p)
    opt = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    Xv, Yv = all_windows(corpus["val"], seq_len)
    Xt, Yt = all_windows(corpus["train"], seq_len)
    Xt, Yt = Xt[:len(Xv)], Yt[:len(Xv)]
    out = {"steps": [], "val": [], "train": [], "train_batch": []}
    for step in range(steps + 1):
        if step % eval_every == 0:
            out["steps"].append(step)
            out["val"].append(evaluate(model, Xv, Yv))
            out["train"].append(evaluate(model, Xt, Yt))
        if step == steps:
            break
        X, Y = random_windows(corpus["train"], seq_len, batch, r)
        logits = model(torch.from_numpy(X))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(Y).reshape(-1))
        if not math.isfinite(loss.item()):
            break
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        opt.step()
        out["train_batch"].append(loss.item())
    n = steps // eval_every + 1
    for key in ("steps",):
        out[key] = list(range(0, steps + 1, eval_every))
    for key in ("val", "train"):
        out[key] = out[key] + [float("nan")] * (n - len(out[key]))
    out["train_batch"] = out["train_batch"] + [float("nan")] * (steps - len(out["train_batch"]))
    return out


def summary(runs: list[dict], key: str = "val") -> dict:
    """Mean, min and max over runs of curve `key` at each step, and each run's best value and its step."""
    curves = np.array([r[key] for r in runs], dtype=float)
    best = np.nanmin(curves, axis=1)
    return {"mean": np.nanmean(curves, axis=0).tolist(), "min": np.nanmin(curves, axis=0).tolist(),
            "max": np.nanmax(curves, axis=0).tolist(), "best": best.tolist(),
            "best_step": [int(runs[0]["steps"][int(np.nanargmin(c))]) for c in curves]}
