"""The torch twin of lstmlab.language_model's numpy character model, and its training loop.

CharLSTM = nn.Embedding(V, D) -> nn.LSTM(D, H, batch_first=True) -> nn.Linear(H, V). torch's LSTM keeps two
bias vectors; the numpy model has one (b = bias_ih + bias_hh), so bias_hh is held at zero and not trained:
then both models have the same parameters and, with the same batches, clipping and Adam, the same updates.
"""
from __future__ import annotations

import torch
from torch import nn

from lstmlab.language_model import PARAM_NAMES


class CharLSTM(nn.Module):
    """Character language model: logits (B, T, V) from ids (B, T). forward(ids, state=None) -> (logits, (h, c))."""

    def __init__(self, V: int, D: int, H: int):
        super().__init__()
        self.embed = nn.Embedding(V, D)
        self.lstm = nn.LSTM(D, H, batch_first=True)
        self.out = nn.Linear(H, V)
        with torch.no_grad():
            self.lstm.bias_hh_l0.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)   # one trainable bias, as in the numpy model

    def forward(self, ids, state=None):
        hs, state = self.lstm(self.embed(ids), state)
        return self.out(hs), state

    def trainable(self) -> list:
        return [p for p in self.parameters() if p.requires_grad]


def from_numpy(params: dict, dtype=torch.float64) -> CharLSTM:
    """A CharLSTM holding the numpy parameters (W_embed, Wx, Wh, b, W_out, b_out), float64 by default."""
    V, D = params["W_embed"].shape
    H = params["Wh"].shape[0]
    model = CharLSTM(V, D, H).to(dtype)
    with torch.no_grad():
        model.embed.weight.copy_(torch.tensor(params["W_embed"]))
        model.lstm.weight_ih_l0.copy_(torch.tensor(params["Wx"].T))     # ours (D, 4H), torch's (4H, D); gates i,f,g,o in both
        model.lstm.weight_hh_l0.copy_(torch.tensor(params["Wh"].T))
        model.lstm.bias_ih_l0.copy_(torch.tensor(params["b"]))
        model.lstm.bias_hh_l0.zero_()
        model.out.weight.copy_(torch.tensor(params["W_out"].T))
        model.out.bias.copy_(torch.tensor(params["b_out"]))
    return model


def to_numpy(model: CharLSTM) -> dict:
    """The numpy parameters (float64) of a CharLSTM: the inverse of from_numpy."""
    g = lambda t: t.detach().cpu().double().numpy().copy()  # noqa: E731
    return dict(zip(PARAM_NAMES, (
        g(model.embed.weight), g(model.lstm.weight_ih_l0).T.copy(), g(model.lstm.weight_hh_l0).T.copy(),
        g(model.lstm.bias_ih_l0) + g(model.lstm.bias_hh_l0), g(model.out.weight).T.copy(), g(model.out.bias))))


def masked_loss(logits, targets, mask):
    """torch's version of temporal_softmax_loss: cross-entropy summed over real positions / their number."""
    per_token = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
    m = mask.reshape(-1).to(per_token.dtype)
    return (per_token * m).sum() / m.sum().clamp(min=1)


def train_torch(model: CharLSTM, batches, lr: float = 1e-2, max_norm: float = 1.0, evaluate=None, every: int = 0):
    """Train with clip_grad_norm_ and Adam on an iterable of numpy (inputs, targets, mask) batches.

    evaluate(model) -> float is called every `every` steps (and after the last one) when given.
    Returns (losses per step, [(step, evaluate(model)), ...]).
    """
    opt = torch.optim.Adam(model.trainable(), lr=lr)
    losses, evals = [], []
    step = 0
    for step, (x, y, m) in enumerate(batches, start=1):
        model.train()
        logits, _ = model(torch.as_tensor(x))
        loss = masked_loss(logits, torch.as_tensor(y), torch.as_tensor(m))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.trainable(), max_norm)
        opt.step()
        losses.append(float(loss.detach()))
        if evaluate is not None and every and step % every == 0:
            evals.append((step, evaluate(model)))
    if evaluate is not None and every and step % every:
        evals.append((step, evaluate(model)))
    return losses, evals


@torch.no_grad()
def perplexity_of(model: CharLSTM, inputs, targets, mask) -> float:
    """exp of the mean negative log-likelihood per real token of model on one (padded) batch."""
    model.eval()
    logits, _ = model(torch.as_tensor(inputs))
    return float(torch.exp(masked_loss(logits, torch.as_tensor(targets), torch.as_tensor(mask))))
