"""Many-to-one sequence classification: read an image row by row, classify from the last hidden state.

An (N, R, C) stack of images becomes N sequences of T = R steps, each step one row of D = C pixels
(top row first). An LSTM reads the rows; its last hidden state h_T (N, H) goes through a linear
readout to class scores (logits):

    Hs, (h_T, c_T) = LSTM(images)              Hs (N, R, H)
    logits         = h_T @ W_out + b_out        W_out (H, K), b_out (K,), logits (N, K)

The same shape of model classifies a sentence word by word (sentiment) or a video frame by frame
(action recognition): only what a step holds changes.

Two twins of one model: classify_rows, the numpy reference the lesson's check compares with (and
whose ready-made use it forbids), and RowLSTMClassifier, the torch module the lesson trains; the
trained weights go through lstmlab.bridge.lstm_from_torch into classify_rows.
"""
from __future__ import annotations

import numpy as np
import torch

from lstmlab.lstm import LSTMParams, lstm_forward


def classify_rows(images, params: LSTMParams, W_out, b_out):
    """Logits of a row-by-row LSTM classifier (numpy reference, zero initial state).

    images (N, R, C): row r of image n is the input at step r (D = C); params: Wx (C, 4H), Wh (H, 4H), b (4H,);
    W_out (H, K), b_out (K,). Returns logits (N, K) = h_T @ W_out + b_out.
    """
    images = np.asarray(images)
    N, H = images.shape[0], params.Wh.shape[0]
    zeros = np.zeros((N, H), dtype=np.result_type(images, params.Wx))
    _, (h_T, _), _ = lstm_forward(images, zeros, zeros, *params)
    return h_T @ W_out + b_out


class RowLSTMClassifier(torch.nn.Module):
    """torch version for training: x (N, R, C) -> logits (N, K), reading rows as time steps."""

    def __init__(self, row_size: int = 8, hidden_size: int = 32, n_classes: int = 10):
        super().__init__()
        self.lstm = torch.nn.LSTM(row_size, hidden_size, batch_first=True)
        self.readout = torch.nn.Linear(hidden_size, n_classes)

    def forward(self, x):
        return self.readout(self.lstm(x)[0][:, -1])
