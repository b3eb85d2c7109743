"""An LSTM and a one-layer causal self-attention model for the same task (associative recall,
lstmlab.lessons.beyond_lstm.tasks).

Models (torch, batch-first, both classify from the last position of a sequence):
    RecallLSTM         torch.nn.LSTM -> Linear on h_T
    RecallAttention    Linear embedding + sinusoidal positions -> CausalSelfAttention (+ residual)
                       -> small MLP on the last position
    CausalSelfAttention one head, written with matmul and softmax (the computation of
                       lstmlab.self_attention.self_attention, weights stored in its (D, dk) layout,
                       so a trained layer's weights drop straight into the numpy function)
    parameter_count    the number of trainable numbers of a model
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstmlab.self_attention import positional_encoding


class CausalSelfAttention(nn.Module):
    """Single-head scaled dot-product self-attention with an optional causal mask.

    Parameters Wq (D, dk), Wk (D, dk), Wv (D, dv), as in lstmlab.self_attention (h @ Wq, not a
    torch Linear's transposed layout). forward(h (B, T, D)) -> (out (B, T, dv), weights (B, T, T)).
    """

    def __init__(self, d_model: int, d_k: int | None = None, d_v: int | None = None, causal: bool = True):
        super().__init__()
        d_k, d_v = d_k or d_model, d_v or d_model
        init = lambda *shape: nn.Parameter(torch.randn(*shape) / shape[0] ** 0.5)
        self.Wq, self.Wk, self.Wv = init(d_model, d_k), init(d_model, d_k), init(d_model, d_v)
        self.causal = causal

    def forward(self, h):
        Q, K, V = h @ self.Wq, h @ self.Wk, h @ self.Wv
        scores = Q @ K.transpose(-1, -2) / Q.shape[-1] ** 0.5
        if self.causal:
            T = h.shape[1]
            allowed = torch.ones(T, T, dtype=torch.bool, device=h.device).tril()
            scores = scores.masked_fill(~allowed, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return weights @ V, weights


class RecallAttention(nn.Module):
    """One causal self-attention layer for associative recall.

    h = x We + be + PE;  a, w = attention(h);  z = h + a Wo + bo;  logits = MLP(z at the last position).
    n_in: input features, d_model: width, n_classes: outputs, max_len: longest T (for the encodings),
    positional: add sinusoidal positional encodings (lstmlab.self_attention.positional_encoding).
    forward(x (B, T, n_in)) -> logits (B, n_classes); details(x) -> dict of the intermediate arrays.
    """

    def __init__(self, n_in: int, d_model: int = 32, n_classes: int = 16, max_len: int = 64, positional: bool = True):
        super().__init__()
        self.embed = nn.Linear(n_in, d_model)
        self.attn = CausalSelfAttention(d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.readout = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, n_classes))
        pe = positional_encoding(max_len, d_model) if positional else np.zeros((max_len, d_model))
        self.register_buffer("pe", torch.tensor(pe, dtype=torch.float32))

    def details(self, x):
        h = self.embed(x) + self.pe[: x.shape[1]]
        a, w = self.attn(h)
        z = h + self.proj(a)
        return {"h": h, "attended": a, "weights": w, "logits": self.readout(z[:, -1])}

    def forward(self, x):
        return self.details(x)["logits"]


class RecallLSTM(nn.Module):
    """torch.nn.LSTM(n_in, hidden) and a Linear readout of h_T. forward(x (B, T, n_in)) -> logits (B, n_classes)."""

    def __init__(self, n_in: int, hidden: int = 64, n_classes: int = 16):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, n_classes)

    def forward(self, x):
        return self.readout(self.lstm(x)[0][:, -1])


def parameter_count(model: nn.Module) -> int:
    """Number of trainable numbers in a torch model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
