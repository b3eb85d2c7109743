"""A small, explicit torch training loop with a tidy progress bar."""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from .i18n import _


def fit(model: torch.nn.Module, X: np.ndarray, Y: np.ndarray, loss_fn: Callable, *, steps: int = 300,
        batch_size: int = 64, lr: float = 1e-2, seed: int = 0, clip: float | None = 1.0,
        progress: bool = True, desc: str | None = None) -> list[float]:
    """Train `model` with Adam on minibatches drawn (seeded) from X, Y.

    X: (N, T, D) inputs; Y: targets of whatever shape loss_fn(model(x), y) expects.
    Returns the loss of every step (a list of floats), for plotting.
    The progress bar is a notebook widget in Jupyter and disappears when done (leave=False),
    so stored outputs stay tidy; it updates at most twice a second. desc: its label ("training").
    """
    desc = _("training") if desc is None else desc
    torch.manual_seed(seed)
    gen = np.random.default_rng(seed)
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    bar = tqdm(range(steps), desc=desc, leave=False, mininterval=0.5, disable=not progress)
    for _step in bar:
        idx = torch.as_tensor(gen.integers(0, len(Xt), batch_size))
        loss = loss_fn(model(Xt[idx]), Yt[idx])
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    bar.close()
    model.eval()
    return losses
