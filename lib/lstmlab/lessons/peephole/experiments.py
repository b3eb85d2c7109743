"""The runs behind the lesson's ablation numbers: training a Population of variants, and sorting the results.

train_population trains every member of a lstmlab.lessons.peephole.models.Population with Adam on the
same seeded minibatches. Members share minibatches, not weights: each member's loss is its own, Adam
is element-wise and gradients are clipped member by member, so each trains as if alone. The losses
take (M, B, T, O) predictions and (B, T, O) targets; by_variant splits per-member results by variant.
"""
from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from lstmlab.i18n import _
from lstmlab.lstm import sigmoid

from .models import Population


# --- losses: (M, B, T, O) predictions against (B, T, O) targets -> per-member loss (M,) and dY ------

def bce_with_logits(Y, target, weight=None):
    """Mean binary cross-entropy of logits Y (M, B, T, O) against 0/1 targets (B, T, O).

    weight: optional (B, T, O) non-negative weights (the mean is weighted). Returns (loss (M,), dY).
    """
    w = np.ones(target.shape) if weight is None else weight
    w = w / w.sum()
    loss = (np.logaddexp(0, Y) - target * Y) * w                    # softplus(y) - t*y, stable
    return loss.sum(axis=(1, 2, 3)), (sigmoid(Y) - target) * w


def mse(Y, target):
    """Mean squared error of Y (M, B, T, O) against target (B, T, O). Returns (loss (M,), dY)."""
    n = target.size
    diff = Y - target
    return (diff ** 2).sum(axis=(1, 2, 3)) / n, 2 * diff / n


def train_population(pop: Population, X, Y, loss, *, steps=300, batch_size=32, lr=1e-2, clip=1.0,
                     seed=0, evaluate=None, every=50, desc=None, progress=True):
    """Train every member with Adam (betas 0.9, 0.999) on the same seeded minibatches.

    X (N, T, D), Y (N, T, O); loss(Y_pred (M, B, T, O), y (B, T, O)) -> (losses (M,), dY).
    Gradients are clipped to norm `clip` member by member.
    evaluate: optional function pop -> (M,) scores, called before training and every `every` steps.
    desc: the progress bar's label (default "training").
    Returns (losses (steps, M), eval_steps (E,), scores (E, M)); E = 0 without evaluate.
    """
    desc = _("training") if desc is None else desc
    gen = np.random.default_rng(seed)
    M = len(pop.variants)
    mom = {k: np.zeros_like(v) for k, v in pop.params.items()}
    vel = {k: np.zeros_like(v) for k, v in pop.params.items()}
    history = np.zeros((steps, M))
    eval_steps, scores = [], []
    bar = tqdm(range(steps), desc=desc, leave=False, mininterval=0.5, disable=not progress)
    for step in bar:
        if evaluate is not None and step % every == 0:
            eval_steps.append(step)
            scores.append(evaluate(pop))
        idx = gen.integers(0, len(X), batch_size)
        Y_pred, cache = pop.forward(X[idx])
        history[step], dY = loss(Y_pred, Y[idx])
        grads = pop.backward(dY, cache)
        if clip is not None:
            norm = np.sqrt(sum((g.reshape(M, -1) ** 2).sum(axis=1) for g in grads.values()))
            scale = np.minimum(1.0, clip / (norm + 1e-6))
            grads = {k: g * scale.reshape(-1, *([1] * (g.ndim - 1))) for k, g in grads.items()}
        for k, g in grads.items():
            mom[k] = 0.9 * mom[k] + 0.1 * g
            vel[k] = 0.999 * vel[k] + 0.001 * g * g
            m_hat = mom[k] / (1 - 0.9 ** (step + 1))
            v_hat = vel[k] / (1 - 0.999 ** (step + 1))
            pop.params[k] -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    bar.close()
    if evaluate is not None:
        eval_steps.append(steps)
        scores.append(evaluate(pop))
    return history, np.array(eval_steps, dtype=int), np.array(scores).reshape(len(eval_steps), M)


# --- summaries ------------------------------------------------------------------------------------

def by_variant(values, variants) -> dict[str, np.ndarray]:
    """Split per-member values (M, ...) into {variant: (seeds, ...)} in first-seen order."""
    values = np.asarray(values)
    return {name: values[[m for m, v in enumerate(variants) if v == name]] for name in dict.fromkeys(variants)}
