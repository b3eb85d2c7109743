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

Text (lesson 10's last classifier): pad_batch, masked_mean and last_valid, the numpy references of the
lesson's padding and pooling exercises, and SentenceLSTM, the torch classifier (embedding, LSTM, masked
pooling, readout) that the lesson trains on sentences.
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


# --- text: variable-length batches, pooling and a sentence classifier --------------------------
#
# A batch of B token sequences of lengths L_b becomes one (B, T) array, T = max L_b, padded on the right:
#
#     ids[b, t]  = sequences[b][t] for t < L_b, pad_id after     (B, T) int
#     mask[b, t] = t < L_b                                       (B, T) bool
#
# A (unidirectional) LSTM reads the padding after each sentence, so its states there are not zero and
# depend on the padding; the states at t < L_b do not (they have not read it yet). Pooling must look
# only at those: the masked mean over valid steps, or the state at the last valid step t = L_b - 1.

def pad_batch(sequences, pad_id: int = 0):
    """Right-pad token sequences into one batch (numpy reference).

    sequences: B sequences of ints (lists or arrays), each of length L_b >= 1; pad_id the padding token.
    Returns ids (B, T) int64 (T = max L_b), mask (B, T) bool (True at real tokens), lengths (B,) int64.
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    T = int(lengths.max())
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        ids[b, :len(s)] = np.asarray(s, dtype=np.int64)
    mask = np.arange(T)[None, :] < lengths[:, None]
    return ids, mask, lengths


def masked_mean(H, mask):
    """Mean of the hidden states over each sequence's valid steps (numpy reference).

    H (B, T, D) states, mask (B, T) bool (True at valid steps, at least one per row). Returns (B, D):
    sum_t mask[b, t] H[b, t] / sum_t mask[b, t].
    """
    m = np.asarray(mask, dtype=bool)[..., None]
    return np.where(m, H, 0).sum(1) / m.sum(1)


def last_valid(H, lengths):
    """The hidden state at each sequence's last valid step, H[b, lengths[b] - 1] (numpy reference).

    H (B, T, D) states of right-padded sequences, lengths (B,) ints in 1..T. Returns (B, D).
    """
    lengths = np.asarray(lengths)
    return H[np.arange(len(lengths)), lengths - 1]


class SentenceLSTM(torch.nn.Module):
    """torch sentence classifier: ids (B, T), mask (B, T) -> logits (B, K).

    nn.Embedding (row 0, the padding token, fixed at zero) -> nn.LSTM -> pooled state (B, H) ->
    nn.Linear. pool = "mean" (masked mean over valid steps) or "last" (state at step length - 1).
    """

    def __init__(self, vocab_size: int, n_classes: int, embed: int = 32, hidden: int = 32, pool: str = "mean"):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, embed, padding_idx=0)
        self.lstm = torch.nn.LSTM(embed, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, n_classes)
        self.pool = pool

    def states(self, ids):
        """All hidden states (B, T, H), padding steps included."""
        return self.lstm(self.embedding(torch.as_tensor(ids)))[0]

    def forward(self, ids, mask):
        Hs = self.states(ids)
        mask = torch.as_tensor(mask)
        if self.pool == "mean":
            m = mask[..., None].to(Hs.dtype)
            pooled = (Hs * m).sum(1) / m.sum(1)
        else:
            pooled = Hs[torch.arange(len(Hs)), mask.sum(1) - 1]
        return self.readout(pooled)


def fit_naive_bayes(sequences, labels, vocab_size: int, n_classes: int, alpha: float = 1.0):
    """Bag-of-words baseline: multinomial naive Bayes with add-alpha smoothing.

    sequences: token-id sequences, labels (N,) ints in 0..K-1. Word order is ignored: a sentence is its
    word counts. Returns (log_prior (K,), log_likelihood (K, V)).
    """
    labels = np.asarray(labels)
    counts = np.full((n_classes, vocab_size), float(alpha))
    for seq, k in zip(sequences, labels):
        np.add.at(counts[k], np.asarray(seq, dtype=np.int64), 1.0)
    log_prior = np.log(np.bincount(labels, minlength=n_classes) / len(labels))
    return log_prior, np.log(counts / counts.sum(1, keepdims=True))


def naive_bayes_predict(sequences, log_prior, log_likelihood):
    """Most probable class (N,) of each sequence under fit_naive_bayes's model."""
    return np.array([int(np.argmax(log_prior + log_likelihood[:, np.asarray(seq, dtype=np.int64)].sum(1)))
                     for seq in sequences])
