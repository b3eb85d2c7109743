"""An exploding-gradient cliff you can compute by hand: the one-unit RNN of Pascanu, Mikolov & Bengio (2013).

    x_0 = x0,   x_t = w * sigmoid(x_{t-1}) + b   (t = 1..T),   loss = (x_T - target)^2

Two parameters, w and b, so the loss surface can be drawn. For w = 5 the map has two
stable fixed points for some b and one for others (a bifurcation); near the b where
the second one appears, x_T jumps from one to the other over a tiny interval of b,
so dloss/db is huge there: a "cliff" or "wall". Away from it the gradient is ordinary.

Forward/backward with a cache in the CS231n style. w and b may be arrays of any
(broadcastable) shape, so a whole line or grid of parameter values is evaluated at once.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lstmlab.lstm import sigmoid

STEPS, X0, TARGET = 50, 0.5, 0.7


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


def plot_cliff(line: dict, zoom: dict, b_wall: float, title: str = "A cliff in the loss of a one-unit RNN"):
    """Loss and gradient norm along a line in parameter space (b varies, w fixed), with a zoom on the cliff.

    line, zoom: outputs of along_line (the zoom on a narrow interval around the cliff at b_wall)
    Returns (fig, data) with data = {"line": line, "zoom": zoom, "b_wall": b_wall}.
    """
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.6), sharex="col")
    w = float(line["w"][0])
    for col, (d, x, xlabel) in enumerate((
            (line, line["b"], f"bias b (w fixed at {w:g})"),
            (zoom, (zoom["b"] - b_wall) * 1e3, f"distance from the wall b* = {b_wall:.5f}, (b - b*) / 0.001"))):
        axes[0, col].plot(x, d["loss"], color="C0")
        axes[0, col].set_ylabel("loss (x_T - target)^2")
        axes[1, col].semilogy(x, d["grad_norm"], color="C3")
        axes[1, col].set_ylabel("gradient norm ||(dL/dw, dL/db)||")
        axes[1, col].set_xlabel(xlabel)
    axes[0, 0].set_title(f"{title}: along the line")
    axes[0, 1].set_title("zoom on the cliff: 1000x narrower")
    for row in range(2):
        axes[row, 0].axvspan(zoom["b"][0], zoom["b"][-1], color="gray", alpha=0.3, lw=0)
    fig.tight_layout()
    return fig, {"line": line, "zoom": zoom, "b_wall": b_wall}
