"""The runs behind lesson 06's numbers: the exploding-gradient cliff and the reach of a truncated gradient.

The cliff: the one-unit RNN of Pascanu, Mikolov & Bengio (2013), computed by hand.

    x_0 = x0,   x_t = w * sigmoid(x_{t-1}) + b   (t = 1..T),   loss = (x_T - target)^2

Two parameters, w and b, so the loss surface can be drawn. For w = 5 the map has two
stable fixed points for some b and one for others (a bifurcation); near the b where
the second one appears, x_T jumps from one to the other over a tiny interval of b,
so dloss/db is huge there: a "cliff" or "wall". Away from it the gradient is ordinary.

Forward/backward with a cache in the CS231n style. w and b may be arrays of any
(broadcastable) shape, so a whole line or grid of parameter values is evaluated at once.

The reach: gradient_reach measures |d logit_t / d x_s| of an EchoLSTM (models.py) when the
state is detached every K steps, as in truncated BPTT.
"""
from __future__ import annotations

import numpy as np
import torch

from lstmlab.lstm import sigmoid

from .models import EchoLSTM
from .tasks import echo

STEPS, X0, TARGET = 50, 0.5, 0.7


# --- the cliff -----------------------------------------------------------------------------

def cliff_forward(w, b, steps: int = STEPS, x0: float = X0):
    """Run the one-unit RNN.

    w, b:  arrays (or floats) of one broadcastable shape S
    Returns x_T (shape S) and a cache for cliff_backward.
    """
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    x = np.full(w.shape, x0)
    xs = [x]
    for _ in range(steps):
        x = w * sigmoid(x) + b
        xs.append(x)
    return x, (w, xs)


def cliff_backward(dx_T, cache):
    """Backpropagation through time for cliff_forward.

    dx_T:  upstream gradient dloss/dx_T, shape S
    Returns (dw, db), each of shape S.
    """
    w, xs = cache
    dx = np.asarray(dx_T, dtype=np.float64)
    dw = np.zeros(w.shape)
    db = np.zeros(w.shape)
    for t in range(len(xs) - 1, 0, -1):          # x_t = w * s(x_{t-1}) + b
        s = sigmoid(xs[t - 1])
        dw = dw + dx * s
        db = db + dx
        dx = dx * w * s * (1 - s)                 # through s(x_{t-1}) to x_{t-1}
    return dw, db


def cliff_loss(w, b, target: float = TARGET, steps: int = STEPS, x0: float = X0):
    """loss = (x_T - target)^2 and its gradient. Returns (loss, dw, db), each of shape S."""
    x_T, cache = cliff_forward(w, b, steps, x0)
    dw, db = cliff_backward(2 * (x_T - target), cache)
    return (x_T - target) ** 2, dw, db


def along_line(p0, direction, alphas, **kwargs):
    """Loss and gradient norm at p0 + alpha * direction for every alpha.

    p0, direction: (w, b) pairs; alphas: (N,). Returns dict with "alpha", "w", "b", "loss",
    "grad_norm" (each (N,)) and "grad" (N, 2).
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    w = p0[0] + alphas * direction[0]
    b = p0[1] + alphas * direction[1]
    loss, dw, db = cliff_loss(w, b, **kwargs)
    return {"alpha": alphas, "w": w, "b": b, "loss": loss, "grad": np.stack([dw, db], 1), "grad_norm": np.hypot(dw, db)}


# --- truncated BPTT: how far back a gradient reaches -------------------------------------------

def gradient_reach(model: EchoLSTM, K: int | None, steps: int = 24, seed: int = 3) -> np.ndarray:
    """|d logit_t / d x_s| for one stream, with the state detached every K steps (None: never).

    Returns R (steps, steps): R[t, s] is the gradient of the output at step t w.r.t. the input
    at step s; zero above the diagonal (causality) and, under truncation, before t's chunk.
    """
    X, _ = echo(1, steps, 1, seed=seed)
    x = torch.from_numpy(X).requires_grad_()
    chunk = K or steps
    outs, state = [], None
    for s in range(0, steps, chunk):
        logits, state = model(x[:, s:s + chunk], state)
        state = tuple(v.detach() for v in state)
        outs.append(logits)
    logits = torch.cat(outs, dim=1)[0]
    R = np.zeros((steps, steps))
    for t in range(steps):
        (g,) = torch.autograd.grad(logits[t], x, retain_graph=True)
        R[t] = g[0, :, 0].abs().numpy()
    return R
