"""Why recurrence came back: two computations that are both a parallel formula and an RNN.

1. Causal linear attention (Katharopoulos, Vyas, Pappas & Fleuret 2020, "Transformers are RNNs").
   Replace exp(q . k) in softmax attention by phi(q) . phi(k) with a positive feature map phi
   (here elu(x) + 1). Then

       out_i = sum_{j<=i} (phi(q_i) . phi(k_j)) v_j / sum_{j<=i} phi(q_i) . phi(k_j)

   can be computed all at once with a masked (T, T) matrix (parallel, for training), or with a
   running state S_i = S_{i-1} + phi(k_i) v_i^T (dk x dv) and z_i = z_{i-1} + phi(k_i) (an RNN whose
   state does not grow with T, for generation): out_i = phi(q_i) S_i / (phi(q_i) . z_i).

2. minGRU (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, "Were RNNs all we needed?").
   Gates that see only x_t, never h_{t-1}:

       z_t = sigmoid(x_t Wz + bz),  h~_t = x_t Wh + bh,  h_t = (1 - z_t) * h_{t-1} + z_t * h~_t

   is a *linear* recurrence h_t = a_t * h_{t-1} + b_t with a_t = 1 - z_t, b_t = z_t * h~_t known for
   every t in advance, so it can be solved for all t at once with cumulative products and sums (a
   parallel scan, Blelloch 1990; Martin & Cundy 2018) instead of a loop of T dependent steps.

Batch-first shapes: X (B, T, D), Q/K (B, T, dk), V (B, T, dv), h (B, T, H).
"""
from __future__ import annotations

import numpy as np


def elu_plus_one(x):
    """The feature map of Katharopoulos et al.: elu(x) + 1 = x + 1 for x > 0, exp(x) otherwise (always > 0)."""
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


def linear_attention_parallel(Q, K, V):
    """Causal linear attention, all positions at once through a masked (T, T) matrix.

    Inputs: Q (B, T, dk), K (B, T, dk), V (B, T, dv). Returns out (B, T, dv).
    """
    T = Q.shape[1]
    A = elu_plus_one(Q) @ np.swapaxes(elu_plus_one(K), 1, 2)            # (B, T, T), all positive
    A = A * np.tril(np.ones((T, T)))
    return (A @ V) / A.sum(-1, keepdims=True)


def linear_attention_recurrent(Q, K, V):
    """Causal linear attention as an RNN: one step per position, state S (B, dk, dv) and z (B, dk).

    Inputs: Q (B, T, dk), K (B, T, dk), V (B, T, dv). Returns (out (B, T, dv), state size per sequence).
    """
    B, T, dk = Q.shape
    dv = V.shape[-1]
    S, z = np.zeros((B, dk, dv)), np.zeros((B, dk))
    out = np.empty((B, T, dv))
    for t in range(T):
        fq, fk = elu_plus_one(Q[:, t]), elu_plus_one(K[:, t])
        S = S + fk[:, :, None] * V[:, t, None, :]
        z = z + fk
        out[:, t] = np.einsum("bk,bkv->bv", fq, S) / np.einsum("bk,bk->b", fq, z)[:, None]
    return out, dk * dv + dk


def min_gru_coefficients(X, Wz, bz, Wh, bh):
    """a_t = 1 - z_t and b_t = z_t * h~_t of minGRU's linear recurrence h_t = a_t * h_{t-1} + b_t.

    Inputs: X (B, T, D), Wz, Wh (D, H), bz, bh (H,). Returns (a, b), each (B, T, H).
    """
    z = 1.0 / (1.0 + np.exp(-(X @ Wz + bz)))
    return 1.0 - z, z * (X @ Wh + bh)


def min_gru_sequential(X, h0, Wz, bz, Wh, bh):
    """minGRU with a loop over t, as an RNN runs. X (B, T, D), h0 (B, H) -> hs (B, T, H)."""
    a, b = min_gru_coefficients(X, Wz, bz, Wh, bh)
    h, hs = h0, []
    for t in range(X.shape[1]):
        h = a[:, t] * h + b[:, t]
        hs.append(h)
    return np.stack(hs, axis=1)


def min_gru_scan(X, h0, Wz, bz, Wh, bh):
    """minGRU for all t at once: h_t = P_t (h0 + sum_{s<=t} b_s / P_s) with P_t = a_1 ... a_t.

    Cumulative sums in log space (P_t = exp(sum log a)) stand in for a parallel scan; fine for the
    short sequences here (production code keeps everything in log space, Heinsen 2023, because
    1 / P_s overflows on long sequences). X (B, T, D), h0 (B, H) -> hs (B, T, H).
    """
    a, b = min_gru_coefficients(X, Wz, bz, Wh, bh)
    log_p = np.cumsum(np.log(a), axis=1)                    # (B, T, H)
    return np.exp(log_p) * (h0[:, None, :] + np.cumsum(b * np.exp(-log_p), axis=1))
