"""Many-to-one sequence classification: read an image row by row, classify from the last hidden state.

An (N, R, C) stack of images becomes N sequences of T = R steps, each step one row of D = C pixels
(top row first). An LSTM reads the rows; its last hidden state h_T (N, H) goes through a linear
readout to class scores (logits):

    Hs, (h_T, c_T) = LSTM(images)              Hs (N, R, H)
    logits         = h_T @ W_out + b_out        W_out (H, K), b_out (K,), logits (N, K)

The same shape of model classifies a sentence word by word (sentiment) or a video frame by frame
(action recognition): only what a step holds changes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
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


def plot_image_as_sequence(image, label, title: str = "An 8x8 digit read as 8 time steps"):
    """Left: the image; right: the same pixels as a sequence, one line per step (row) of 8 values.

    image (R, C), label int. Returns (fig, data) with data = {"image": (R, C), "steps": (R, C)}.
    """
    image = np.asarray(image)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), gridspec_kw={"width_ratios": [1, 2]})
    im = ax1.imshow(image, cmap="gray_r", vmin=0, vmax=image.max() if image.max() > 0 else 1)
    ax1.set_title(f"image (label {label})")
    ax1.set_xlabel("column (pixel within a row)")
    ax1.set_ylabel("row = time step t")
    fig.colorbar(im, ax=ax1, fraction=0.046, label="ink (0 to 1)")
    for t, row in enumerate(image):
        ax2.plot(np.arange(image.shape[1]) + t * (image.shape[1] + 1), row, "-o", ms=2.5, lw=1)
    ax2.set_xticks([(image.shape[1] + 1) * t + (image.shape[1] - 1) / 2 for t in range(image.shape[0])])
    ax2.set_xticklabels([f"t={t}" for t in range(image.shape[0])])
    ax2.set_xlabel("time step (each step feeds one row of 8 pixels)")
    ax2.set_ylabel("input value x_t (ink, 0 to 1)")
    ax2.set_title(title)
    fig.tight_layout()
    return fig, {"image": image, "steps": image.copy()}
