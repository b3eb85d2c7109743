"""Training-stability tools in numpy: gradient clipping, L1/L2 penalties, Adam and RMSprop.

Everything works on a *list* of arrays (one per parameter tensor, any shapes) and is
functional: inputs are never modified, new arrays are returned. Each function matches
PyTorch exactly (float64 to 1e-10), and the Keras variants match Keras 3:

    clip_by_value        torch.nn.utils.clip_grad_value_    clamp every entry to [-clip, clip]
    clip_by_global_norm  torch.nn.utils.clip_grad_norm_     g * min(1, max_norm / (||g|| + 1e-6)),
                                                           ||g|| over ALL tensors together
    clip_by_tensor_norm  Keras `clipnorm=`                  each tensor rescaled by its own norm
    l1_penalty           lam * sum |p|                      gradient lam * sign(p)
    l2_penalty           lam / 2 * sum p^2                  gradient lam * p (torch's weight_decay=lam)
    adam_step            torch.optim.Adam (+ AdamW)         eps added after sqrt of the bias-corrected v
    keras_adam_step      keras.optimizers.Adam              eps added to sqrt of the *uncorrected* v
    rmsprop_step         torch.optim.RMSprop (defaults)     v = alpha v + (1-alpha) g^2; g / (sqrt(v) + eps)
    keras_rmsprop_step   keras.optimizers.RMSprop           g / sqrt(v + eps)

State is an explicit dict of lists of arrays: adam_init(params) -> {"t": 0, "m": [...], "v": [...]},
rmsprop_init(params) -> {"v": [...]}; the step functions return (new_params, new_state).
"""
from __future__ import annotations

import numpy as np

TORCH_CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ divides by (total_norm + 1e-6)


# --- clipping ------------------------------------------------------------------------------

def global_norm(grads: list[np.ndarray]) -> float:
    """L2 norm of all gradients as if concatenated into one vector: sqrt(sum_k sum g_k^2).

    grads: list of arrays, any shapes. Returns a Python float.
    """
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))


def clip_by_value(grads: list[np.ndarray], clip: float) -> list[np.ndarray]:
    """Clamp every entry of every gradient to [-clip, clip] (torch.nn.utils.clip_grad_value_).

    grads: list of arrays. Returns a new list of new arrays with the same shapes and dtypes.
    Changes the direction of the gradient whenever some entries are clamped and others are not.
    """
    return [np.clip(g, -clip, clip) for g in grads]


def clip_by_global_norm(grads: list[np.ndarray], max_norm: float, eps: float = TORCH_CLIP_EPS) -> list[np.ndarray]:
    """Rescale all gradients together so that their global norm is at most max_norm.

    grads:    list of arrays, any shapes
    max_norm: the largest allowed global norm
    eps:      torch adds 1e-6 to the norm (the default); eps=0 gives TensorFlow/Keras's
              g * max_norm / max(norm, max_norm)
    Returns a new list of new arrays: g_k * min(1, max_norm / (norm + eps)) for every k.
    One common factor for every tensor, so the direction of the whole gradient is kept.
    """
    norm = global_norm(grads)
    coef = 1.0 if norm + eps == 0 else min(1.0, max_norm / (norm + eps))
    return [g * np.asarray(coef, dtype=g.dtype) for g in grads]


def clip_by_tensor_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Keras's `clipnorm=`: each tensor is rescaled by its *own* norm, g_k * max_norm / max(||g_k||, max_norm).

    grads: list of arrays. Returns a new list. Not torch's clip_grad_norm_: the relative sizes of
    the tensors change, and with them the direction of the whole gradient.
    """
    out = []
    for g in grads:
        n = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
        out.append(g * np.asarray(max_norm / max(n, max_norm), dtype=g.dtype))
    return out


def cosine(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Cosine of the angle between two gradients given as lists of arrays (1.0 = same direction)."""
    dot = sum(float(np.sum(x.astype(np.float64) * y)) for x, y in zip(a, b))
    return dot / (global_norm(a) * global_norm(b))


# --- penalties -----------------------------------------------------------------------------

def l1_penalty(params: list[np.ndarray], lam: float) -> tuple[float, list[np.ndarray]]:
    """L1 penalty lam * sum_k sum |p_k| and its gradient lam * sign(p_k) (0 where p = 0, as torch's abs).

    params: list of arrays. Returns (value as a float, list of gradient arrays shaped like params).
    """
    value = lam * sum(float(np.sum(np.abs(p))) for p in params)
    return value, [lam * np.sign(p) for p in params]


def l2_penalty(params: list[np.ndarray], lam: float) -> tuple[float, list[np.ndarray]]:
    """L2 penalty lam / 2 * sum_k sum p_k^2 and its gradient lam * p_k.

    The 1/2 makes the gradient lam * p: exactly what torch's `weight_decay=lam` adds to the
    gradient in SGD/Adam/RMSprop. (Keras's regularizers.L2(l2) is l2 * sum p^2, without 1/2.)
    params: list of arrays. Returns (value as a float, list of gradient arrays).
    """
    value = 0.5 * lam * sum(float(np.sum(np.square(p, dtype=np.float64))) for p in params)
    return value, [lam * p for p in params]


# --- Adam ----------------------------------------------------------------------------------

def adam_init(params: list[np.ndarray]) -> dict:
    """Fresh Adam state: {"t": 0, "m": zeros like params, "v": zeros like params}."""
    return {"t": 0, "m": [np.zeros_like(p) for p in params], "v": [np.zeros_like(p) for p in params]}


def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    """One step of torch.optim.Adam (decoupled=True: torch.optim.AdamW).

    params, grads: lists of arrays of matching shapes; state: {"t", "m", "v"} (see adam_init).
        t  <- t + 1
        g  <- g + weight_decay * p                          (Adam: L2 folded into the gradient)
        p  <- p * (1 - lr * weight_decay)                   (AdamW instead: decoupled decay)
        m  <- beta1 m + (1 - beta1) g
        v  <- beta2 v + (1 - beta2) g^2
        p  <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
    Returns (new_params, new_state); nothing passed in is modified.
    """
    b1, b2 = betas
    t = state["t"] + 1
    new_params, new_m, new_v = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        if weight_decay and decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        new_params.append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
        new_m.append(m)
        new_v.append(v)
    return new_params, {"t": t, "m": new_m, "v": new_v}


def keras_adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-7):
    """One step of keras.optimizers.Adam (Keras 3; TensorFlow's tf.keras the same).

    Same m and v as torch, but the bias corrections are folded into the step size and
    eps is added to sqrt of the *uncorrected* v (Kingma & Ba's "epsilon hat", §2):
        p <- p - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
    which equals torch's update with eps replaced by eps / sqrt(1 - beta2^t) (larger early on).
    Default eps is 1e-7 (torch: 1e-8). Returns (new_params, new_state).
    """
    b1, b2 = betas
    t = state["t"] + 1
    alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    new_params, new_m, new_v = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        new_params.append(p - alpha * m / (np.sqrt(v) + eps))
        new_m.append(m)
        new_v.append(v)
    return new_params, {"t": t, "m": new_m, "v": new_v}


# --- RMSprop -------------------------------------------------------------------------------

def rmsprop_init(params: list[np.ndarray]) -> dict:
    """Fresh RMSprop state: {"v": zeros like params}."""
    return {"v": [np.zeros_like(p) for p in params]}


def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    """One step of torch.optim.RMSprop with its defaults (no centering, no momentum, no weight decay).

        v <- alpha v + (1 - alpha) g^2          (alpha: the decay of the running average of g^2)
        p <- p - lr * g / (sqrt(v) + eps)
    No bias correction (v starts at 0, so the first steps are large: lr / sqrt(1 - alpha) = 10 lr).
    Returns (new_params, new_state).
    """
    new_params, new_v = [], []
    for p, g, v in zip(params, grads, state["v"]):
        v = alpha * v + (1 - alpha) * g * g
        new_params.append(p - lr * g / (np.sqrt(v) + eps))
        new_v.append(v)
    return new_params, {"v": new_v}


def keras_rmsprop_step(params, grads, state, lr=1e-3, rho=0.9, eps=1e-7):
    """One step of keras.optimizers.RMSprop (Keras 3, no momentum, not centered).

        v <- rho v + (1 - rho) g^2 ;   p <- p - lr * g / sqrt(v + eps)      (eps INSIDE the root)
    Defaults lr=1e-3, rho=0.9, eps=1e-7 (torch: lr=1e-2, alpha=0.99, eps=1e-8, eps outside).
    Returns (new_params, new_state).
    """
    new_params, new_v = [], []
    for p, g, v in zip(params, grads, state["v"]):
        v = rho * v + (1 - rho) * g * g
        new_params.append(p - lr * g / np.sqrt(v + eps))
        new_v.append(v)
    return new_params, {"v": new_v}
