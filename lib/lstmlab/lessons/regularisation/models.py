"""The torch models of lesson 09.

CharLM: embedding (V -> E), one LSTM layer (E -> H), linear decoder (H -> V), with one regulariser:

    "none"         nothing (the L2 run is this model with weight decay in the optimizer)
    "dropout"      nn.Dropout on the non-recurrent connections (embedding -> LSTM and LSTM -> decoder):
                   a new mask at every step (Zaremba, Sutskever & Vinyals 2014)
    "variational"  locked dropout on the same two connections: one mask per sequence, reused at every step
                   (Gal & Ghahramani 2016; the AWD-LSTM's LockedDropout). The recurrent h -> h connection is
                   not dropped (that needs a step loop; zoneout below is the recurrent regulariser here)
    "zoneout"      zoneout on h and c at every step (Krueger et al. 2017), a step loop over the same
                   nn.LSTM weights; at eval time the expectations z*prev + (1-z)*new

All four share nn.LSTM's parameters and initialisation, so with p = 0 every variant computes the same
function. Batch-first: forward(X (B, T) int64) -> logits (B, T, V).

ln_lstm_step_torch is the layer-normalised LSTM step of Ba et al. (2016) in torch (F.layer_norm), the
reference of the layer-norm exercise.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

METHODS = ("none", "l2", "dropout", "variational", "zoneout")


def locked_dropout_torch(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """x (B, T, D): one Bernoulli(1-p) mask (B, 1, D) per sequence, scaled by 1/(1-p); identity when not training."""
    if not training or p == 0:
        return x
    mask = torch.empty(x.shape[0], 1, x.shape[2], dtype=x.dtype).bernoulli_(1 - p) / (1 - p)
    return x * mask


class CharLM(torch.nn.Module):
    """Character LSTM language model with one of METHODS as its regulariser (rate p; zoneout: (z_h, z_c))."""

    def __init__(self, vocab: int, emb: int = 16, hidden: int = 64, method: str = "none", p=0.0):
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.method, self.p = method, p
        self.embed = torch.nn.Embedding(vocab, emb)
        self.lstm = torch.nn.LSTM(emb, hidden, batch_first=True)
        self.decoder = torch.nn.Linear(hidden, vocab)

    def _drop(self, x):
        if self.method == "dropout":
            return F.dropout(x, self.p, self.training)
        if self.method == "variational":
            return locked_dropout_torch(x, self.p, self.training)
        return x

    def _zoneout_lstm(self, e):
        zh, zc = self.p
        B, T, _ = e.shape
        H = self.lstm.hidden_size
        Wh = self.lstm.weight_hh_l0
        ax = e @ self.lstm.weight_ih_l0.T + self.lstm.bias_ih_l0 + self.lstm.bias_hh_l0   # (B, T, 4H), all steps
        h = e.new_zeros(B, H)
        c = e.new_zeros(B, H)
        out = []
        for t in range(T):
            a = ax[:, t] + h @ Wh.T
            i, f, g, o = a.chunk(4, dim=1)
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_new = torch.sigmoid(o) * torch.tanh(c_new)
            if self.training:
                dc = (torch.rand(B, H) < zc).to(e.dtype)
                dh = (torch.rand(B, H) < zh).to(e.dtype)
                c = dc * c + (1 - dc) * c_new
                h = dh * h + (1 - dh) * h_new
            else:
                c = zc * c + (1 - zc) * c_new
                h = zh * h + (1 - zh) * h_new
            out.append(h)
        return torch.stack(out, dim=1)

    def forward(self, X):
        e = self._drop(self.embed(X))
        if self.method == "zoneout":
            out = self._zoneout_lstm(e)
        else:
            out, _ = self.lstm(e)
        return self.decoder(self._drop(out))


def ln_lstm_step_torch(x, h_prev, c_prev, Wx, Wh, b, gx, bx, gh, bh, gc, bc, eps=1e-5):
    """Layer-normalised LSTM step in torch (gate order i, f, g, o; shapes as lstmlab.regularisation.ln_lstm_step).

    All arguments are torch tensors; returns (h, c). LN is F.layer_norm over the last axis (biased variance,
    eps inside the square root).
    """
    H = h_prev.shape[1]
    a = (F.layer_norm(x @ Wx, (4 * H,), gx, bx, eps) + F.layer_norm(h_prev @ Wh, (4 * H,), gh, bh, eps) + b)
    i, f, g, o = a.chunk(4, dim=1)
    c = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(F.layer_norm(c, (H,), gc, bc, eps))
    return h, c
