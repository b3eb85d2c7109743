"""Lesson 06 bank: wrong implementations that must lose points, and correct ones that must keep them.

WRONG[exercise] = [(name, source, fragment)]: the exercise's test cell must fail, and its message
must contain `fragment` (the diagnosis names the wrong term); fragment None = any failure.
RIGHT[exercise] = [(name, source)]: the test cell, hidden tests included, must pass.
Sources run in the notebook's namespace (np, global_norm, adam_init, ... are defined there).
"""

ADAM_HEAD = '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
'''
ADAM_TAIL = '''
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
'''

RMS_HEAD = '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
'''
RMS_TAIL = '''
        V.append(v)
    return P, {"v": V}
'''

WRONG = {
    "global_norm": [
        ("no square root", '''
def global_norm(grads):
    return float(sum(np.sum(g ** 2) for g in grads))
''', "no square root"),
        ("one norm per tensor", '''
def global_norm(grads):
    return [float(np.linalg.norm(g)) for g in grads]
''', "one norm per tensor"),
        ("sum of per-tensor norms", '''
def global_norm(grads):
    return float(sum(np.linalg.norm(g) for g in grads))
''', "added the per-tensor norms"),
        ("largest entry", '''
def global_norm(grads):
    return float(max(np.abs(g).max() for g in grads))
''', "largest |g|"),
        ("first tensor only", '''
def global_norm(grads):
    return float(np.sqrt(np.sum(grads[0] ** 2)))
''', "only looks at the first tensor"),
        ("RMS instead of norm", '''
def global_norm(grads):
    flat = np.concatenate([g.ravel() for g in grads])
    return float(np.sqrt(np.mean(flat ** 2)))
''', "averaged the squares"),
        ("squares the input in place", '''
def global_norm(grads):
    total = 0.0
    for g in grads:
        np.square(g, out=g)
        total += g.sum()
    return float(np.sqrt(total))
''', "changed its input grads in place"),
        ("asks torch", '''
import torch as _t
def global_norm(grads):
    return float(_t.nn.utils.get_total_norm([_t.tensor(g) for g in grads]))
''', "must be written from scratch, but it called torch.nn.utils.get_total_norm"),
        ("calls the library's reference", '''
from lstmlab.optim import global_norm as _ref_norm
def global_norm(grads):
    return _ref_norm(grads)
''', "called lstmlab.optim.global_norm"),
    ],
    "clip_by_value": [
        ("clips in place", '''
def clip_by_value(grads, clip):
    for g in grads:
        np.clip(g, -clip, clip, out=g)
    return grads
''', "changed its input grads in place"),
        ("upper bound only", '''
def clip_by_value(grads, clip):
    return [np.minimum(g, clip) for g in grads]
''', "only clip from above"),
        ("clips to [0, clip]", '''
def clip_by_value(grads, clip):
    return [np.clip(g, 0, clip) for g in grads]
''', "lies in [0,"),
        ("zeroes large entries", '''
def clip_by_value(grads, clip):
    return [np.where(np.abs(g) > clip, 0.0, g) for g in grads]
''', "zeroed the entries"),
        ("rescales the tensor", '''
def clip_by_value(grads, clip):
    return [g * clip / np.abs(g).max() for g in grads]
''', "rescaled the whole tensor"),
        ("clips by norm", '''
def clip_by_value(grads, clip):
    return [g * min(1.0, clip / np.linalg.norm(g)) for g in grads]
''', "clipped by norm"),
        ("returns the input when nothing is clipped", '''
def clip_by_value(grads, clip):
    return [g if np.abs(g).max() <= clip else np.clip(g, -clip, clip) for g in grads]
''', "returned the input arrays themselves"),
        ("calls torch's clip_grad_value_", '''
import torch as _t
def clip_by_value(grads, clip):
    ps = [_t.nn.Parameter(_t.zeros(g.shape, dtype=_t.float64)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = _t.tensor(g, dtype=_t.float64)
    _t.nn.utils.clip_grad_value_(ps, clip)
    return [p.grad.numpy().astype(g.dtype) for p, g in zip(ps, grads)]
''', "called torch.nn.utils.clip_grad_value_"),
    ],
    "clip_by_global_norm": [
        ("scales in place", '''
def clip_by_global_norm(grads, max_norm):
    coef = min(1.0, max_norm / (global_norm(grads) + 1e-6))
    for g in grads:
        g *= coef
    return grads
''', "changed its input grads in place"),
        ("per-tensor norm", '''
def clip_by_global_norm(grads, max_norm):
    return [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
''', "clipped each tensor by its own norm"),
        ("norm without the square root", '''
def clip_by_global_norm(grads, max_norm):
    norm = sum(float(np.sum(g ** 2)) for g in grads)
    return [g * min(1.0, max_norm / (norm + 1e-6)) for g in grads]
''', "no square root"),
        ("always rescales to max_norm", '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    return [g * max_norm / (norm + 1e-6) for g in grads]
''', "even when the norm is already smaller"),
        ("factor upside down", '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    return [g * (norm / max_norm) if norm > max_norm else g.copy() for g in grads]
''', "upside down"),
        ("clips by value", '''
def clip_by_global_norm(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]
''', "clipped by value"),
        ("only the first tensor rescaled", '''
def clip_by_global_norm(grads, max_norm):
    coef = min(1.0, max_norm / (global_norm(grads) + 1e-6))
    return [grads[0] * coef] + [g.copy() for g in grads[1:]]
''', "rescaled only the first tensor"),
        ("NaN for zero gradients", '''
def clip_by_global_norm(grads, max_norm):
    norm = np.float64(global_norm(grads))
    with np.errstate(invalid="ignore", divide="ignore"):
        return [g / norm * min(norm, max_norm) for g in grads]
''', "all-zero gradients"),
        ("returns the input when nothing is clipped", '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    if norm <= max_norm:
        return list(grads)
    return [g * (max_norm / norm) for g in grads]
''', "returned the input arrays themselves"),
        ("calls torch's clip_grad_norm_", '''
import torch as _t
from torch.nn.utils.clip_grad import clip_grad_norm_ as _clip
def clip_by_global_norm(grads, max_norm):
    ps = [_t.nn.Parameter(_t.zeros(g.shape, dtype=_t.float64)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = _t.tensor(g, dtype=_t.float64)
    _clip(ps, max_norm)
    return [p.grad.numpy().astype(g.dtype) for p, g in zip(ps, grads)]
''', "called torch.nn.utils.clip_grad_norm_"),
    ],
    "l1_penalty": [
        ("L2's gradient", '''
def l1_penalty(params, lam):
    return lam * sum(np.abs(p).sum() for p in params), [lam * p for p in params]
''', "lam * p (that is L2's)"),
        ("no absolute value", '''
def l1_penalty(params, lam):
    return lam * sum(p.sum() for p in params), [lam * np.sign(p) for p in params]
''', "sums p, not |p|"),
        ("p / |p| gradient", '''
def l1_penalty(params, lam):
    with np.errstate(invalid="ignore", divide="ignore"):
        return lam * sum(np.abs(p).sum() for p in params), [lam * p / np.abs(p) for p in params]
''', "contains NaN where p = 0"),
        ("gradient without the sign", '''
def l1_penalty(params, lam):
    return lam * sum(np.abs(p).sum() for p in params), [lam * np.ones_like(p) for p in params]
''', "ignores the sign"),
        ("+-lam at zero", '''
def l1_penalty(params, lam):
    return lam * sum(np.abs(p).sum() for p in params), [lam * np.where(p >= 0, 1.0, -1.0) for p in params]
''', "at p = 0 too"),
        ("abs in place", '''
def l1_penalty(params, lam):
    grads = [lam * np.sign(p) for p in params]
    for p in params:
        np.abs(p, out=p)
    return lam * sum(p.sum() for p in params), grads
''', "changed its input params in place"),
        ("value with a 1/2", '''
def l1_penalty(params, lam):
    return 0.5 * lam * sum(np.abs(p).sum() for p in params), [lam * np.sign(p) for p in params]
''', "has a 1/2"),
    ],
    "l2_penalty": [
        ("no 1/2 in the value", '''
def l2_penalty(params, lam):
    return lam * sum((p ** 2).sum() for p in params), [lam * p for p in params]
''', "twice the course's"),
        ("gradient 2 lam p", '''
def l2_penalty(params, lam):
    return 0.5 * lam * sum((p ** 2).sum() for p in params), [2 * lam * p for p in params]
''', "2 * lam * p"),
        ("norm, not squared", '''
def l2_penalty(params, lam):
    flat = np.concatenate([p.ravel() for p in params])
    return 0.5 * lam * np.linalg.norm(flat), [lam * p for p in params]
''', "uses the norm, not its square"),
        ("L1's gradient", '''
def l2_penalty(params, lam):
    return 0.5 * lam * sum((p ** 2).sum() for p in params), [lam * np.sign(p) for p in params]
''', "L1's"),
        ("mean instead of sum", '''
def l2_penalty(params, lam):
    flat = np.concatenate([p.ravel() for p in params])
    return 0.5 * lam * np.mean(flat ** 2), [lam * p for p in params]
''', "averages p^2"),
        ("gradient computed in place", '''
def l2_penalty(params, lam):
    value = 0.5 * lam * sum((p ** 2).sum() for p in params)
    for p in params:
        p *= lam
    return value, params
''', "changed its input params in place"),
        ("per-tensor values", '''
def l2_penalty(params, lam):
    return [0.5 * lam * (p ** 2).sum() for p in params], [lam * p for p in params]
''', "should be one number"),
    ],
    "adam_step": [
        ("no bias correction", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * m / (np.sqrt(v) + eps))''' + ADAM_TAIL, "no bias correction"),
        ("epsilon inside the square root", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps))''' + ADAM_TAIL,
         "inside the square root"),
        ("Keras's epsilon hat", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps))''' + ADAM_TAIL,
         "before the bias correction"),
        ("bias correction of m only", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v) + eps))''' + ADAM_TAIL, "but not v"),
        ("t = 0 in the bias correction", '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"]
    P, M, V = [], [], []
    with np.errstate(all="ignore"):
        for p, g, m, v in zip(params, grads, state["m"], state["v"]):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))
            M.append(m)
            V.append(v)
    return P, {"t": t + 1, "m": M, "v": V}
''', "before incrementing"),
        ("step count never stored", '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": state["t"], "m": M, "v": V}
''', "does not advance"),
        ("betas swapped", ADAM_HEAD + '''
        m = b2 * m + (1 - b2) * g
        v = b1 * v + (1 - b1) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))''' + ADAM_TAIL, "swapped the betas"),
        ("v averages g, not g^2", '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    with np.errstate(all="ignore"):
        for p, g, m, v in zip(params, grads, state["m"], state["v"]):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g
            P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))
            M.append(m)
            V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', "averages g instead of g^2"),
        ("updates the state in place", '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    state["t"] += 1
    t = state["t"]
    P = []
    for k, (p, g) in enumerate(zip(params, grads)):
        state["m"][k] = b1 * state["m"][k] + (1 - b1) * g
        state["v"][k] = b2 * state["v"][k] + (1 - b2) * g * g
        P.append(p - lr * (state["m"][k] / (1 - b1 ** t)) / (np.sqrt(state["v"][k] / (1 - b2 ** t)) + eps))
    return P, state
''', "changed its input state in place"),
        ("updates the parameters in place", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p -= lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        P.append(p)''' + ADAM_TAIL, "changed its input params in place"),
        ("uses torch.optim.Adam", '''
import torch as _t
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    ps = [_t.nn.Parameter(_t.tensor(p)) for p in params]
    opt = _t.optim.Adam(ps, lr=lr, betas=betas, eps=eps)
    for k, q in enumerate(ps):
        if state["t"]:
            opt.state[q] = {"step": _t.tensor(float(state["t"])), "exp_avg": _t.tensor(state["m"][k]),
                            "exp_avg_sq": _t.tensor(state["v"][k])}
        q.grad = _t.tensor(grads[k])
    opt.step()
    return ([q.detach().numpy().copy() for q in ps],
            {"t": state["t"] + 1, "m": [opt.state[q]["exp_avg"].numpy().copy() for q in ps],
             "v": [opt.state[q]["exp_avg_sq"].numpy().copy() for q in ps]})
''', "called a torch.optim optimizer"),
        ("calls the library's reference", '''
import lstmlab.optim as _O
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    return _O.adam_step(params, grads, state, lr=lr, betas=betas, eps=eps)
''', "called lstmlab.optim.adam_step"),
    ],
    "rmsprop_step": [
        ("decay on the wrong term", RMS_HEAD + '''
        v = (1 - alpha) * v + alpha * g * g
        P.append(p - lr * g / (np.sqrt(v) + eps))''' + RMS_TAIL, "applied to the wrong term"),
        ("epsilon inside the square root (Keras)", RMS_HEAD + '''
        v = alpha * v + (1 - alpha) * g * g
        P.append(p - lr * g / np.sqrt(v + eps))''' + RMS_TAIL, "inside the square root"),
        ("no (1 - alpha)", RMS_HEAD + '''
        v = alpha * v + g * g
        P.append(p - lr * g / (np.sqrt(v) + eps))''' + RMS_TAIL, "adds the whole g**2"),
        ("v not carried over", RMS_HEAD + '''
        v = (1 - alpha) * g * g
        P.append(p - lr * g / (np.sqrt(v) + eps))''' + RMS_TAIL, "does not carry over"),
        ("Adam-style bias correction", '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    t = state.get("t", 0) + 1
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
        v = alpha * v + (1 - alpha) * g * g
        P.append(p - lr * g / (np.sqrt(v / (1 - alpha ** t)) + eps))
        V.append(v)
    return P, {"v": V, "t": t}
''', "no bias correction"),
        ("no square root", RMS_HEAD + '''
        v = alpha * v + (1 - alpha) * g * g
        P.append(p - lr * g / (v + eps))''' + RMS_TAIL, "not by its square root"),
        ("updates v in place", '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P = []
    for p, g, v in zip(params, grads, state["v"]):
        v *= alpha
        v += (1 - alpha) * g * g
        P.append(p - lr * g / (np.sqrt(v) + eps))
    return P, {"v": list(state["v"])}
''', "changed its input state in place"),
        ("uses torch.optim.RMSprop", '''
import torch as _t
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    ps = [_t.nn.Parameter(_t.tensor(p)) for p in params]
    opt = _t.optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps)
    for k, q in enumerate(ps):
        opt.state[q] = {"step": _t.tensor(0.0), "square_avg": _t.tensor(state["v"][k])}
        q.grad = _t.tensor(grads[k])
    opt.step()
    return [q.detach().numpy().copy() for q in ps], {"v": [opt.state[q]["square_avg"].numpy().copy() for q in ps]}
''', "called a torch.optim optimizer"),
    ],
}

RIGHT = {
    "global_norm": [
        ("concatenate in float64 and np.linalg.norm", '''
def global_norm(grads):
    return float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]).astype(np.float64)))
'''),
        ("norm of the per-tensor norms, numpy scalar", '''
def global_norm(grads):
    return np.linalg.norm([np.linalg.norm(g.astype(np.float64)) for g in grads])
'''),
        ("math and vdot", '''
import math
def global_norm(grads):
    return math.sqrt(sum(float(np.vdot(g.astype(np.float64), g)) for g in grads))
'''),
    ],
    "clip_by_value": [
        ("minimum of maximum", '''
def clip_by_value(grads, clip):
    return [np.minimum(np.maximum(g, -clip), clip) for g in grads]
'''),
        ("copy then clip in place", '''
def clip_by_value(grads, clip):
    out = []
    for g in grads:
        c = g.copy()
        c[c > clip] = clip
        c[c < -clip] = -clip
        out.append(c)
    return out
'''),
        ("np.where, returns a tuple", '''
def clip_by_value(grads, clip):
    return tuple(np.where(g > clip, clip, np.where(g < -clip, -clip, g)).astype(g.dtype) for g in grads)
'''),
    ],
    "clip_by_global_norm": [
        ("TensorFlow's formula", '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    return [g * (max_norm / max(norm, max_norm)) for g in grads]
'''),
        ("flatten, clip, split back", '''
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads])
    norm = np.sqrt(np.sum(flat.astype(np.float64) ** 2))
    if norm > max_norm:
        flat = flat * (max_norm / norm)
    else:
        flat = flat.copy()
    out, start = [], 0
    for g in grads:
        out.append(flat[start:start + g.size].reshape(g.shape).astype(g.dtype))
        start += g.size
    return out
'''),
        ("copies when no clipping is needed", '''
def clip_by_global_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads))
    if total <= max_norm:
        return [g.copy() for g in grads]
    return [g * (max_norm / total) for g in grads]
'''),
    ],
    "l1_penalty": [
        ("explicit sign by np.where", '''
def l1_penalty(params, lam):
    value = 0.0
    grads = []
    for p in params:
        value += lam * float(np.abs(p).sum())
        grads.append(lam * np.where(p > 0, 1.0, np.where(p < 0, -1.0, 0.0)).astype(p.dtype))
    return value, grads
'''),
        ("concatenated value, numpy scalar", '''
def l1_penalty(params, lam):
    flat = np.concatenate([p.ravel() for p in params])
    return lam * np.sum(np.abs(flat)), [np.sign(p) * lam for p in params]
'''),
    ],
    "l2_penalty": [
        ("vdot", '''
def l2_penalty(params, lam):
    return lam / 2 * sum(float(np.vdot(p, p)) for p in params), [lam * p for p in params]
'''),
        ("via the global norm, tuple of grads", '''
def l2_penalty(params, lam):
    return 0.5 * lam * global_norm(params) ** 2, tuple(np.multiply(lam, p) for p in params)
'''),
    ],
    "adam_step": [
        ("torch's own formulation", ADAM_HEAD + '''
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
        P.append(p - step_size * m / denom)''' + ADAM_TAIL),
        ("deep copy, then update the copy in place", '''
import copy as _copy
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    new = _copy.deepcopy(state)
    new["t"] += 1
    t = new["t"]
    out = []
    for k, (p, g) in enumerate(zip(params, grads)):
        new["m"][k] *= betas[0]
        new["m"][k] += (1 - betas[0]) * g
        new["v"][k] *= betas[1]
        new["v"][k] += (1 - betas[1]) * np.square(g)
        m_hat = new["m"][k] / (1 - betas[0] ** t)
        v_hat = new["v"][k] / (1 - betas[1] ** t)
        out.append(p - lr * m_hat / (np.sqrt(v_hat) + eps))
    return out, new
'''),
        ("float64 inside, lerp-style moments", '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        g64 = g.astype(np.float64)
        m = m + (1 - betas[0]) * (g64 - m)
        v = v + (1 - betas[1]) * (g64 * g64 - v)
        P.append(p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V, "note": "extra keys are fine"}
'''),
    ],
    "rmsprop_step": [
        ("ufuncs", RMS_HEAD + '''
        v = np.add(np.multiply(alpha, v), np.multiply(1 - alpha, np.square(g)))
        P.append(np.subtract(p, lr * g / np.add(np.sqrt(v), eps)))''' + RMS_TAIL),
        ("deep copy, then update the copy in place", '''
import copy as _copy
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    new = _copy.deepcopy(state)
    out = []
    for k, (p, g) in enumerate(zip(params, grads)):
        new["v"][k] *= alpha
        new["v"][k] += (1 - alpha) * g ** 2
        out.append(p - lr * g / (np.sqrt(new["v"][k]) + eps))
    return out, new
'''),
    ],
}


# --- issue 11: more plausible mistakes and correct alternatives (float32, thresholds, return types, ...) ---

WRONG["global_norm"] += [
    ('float32 squares overflow', '''
def global_norm(grads):
    return float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads])))
''', 'Your norm is inf: these float32 gradients exploded (entries'),
    ('one-element array', '''
def global_norm(grads):
    return np.array([np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads))])
''', "global_norm's result should be one number (a float), the"),
    ('list with one number', '''
def global_norm(grads):
    return [float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))]
''', "global_norm's result should be one number (a float), the"),
    ('mean of per-tensor norms', '''
def global_norm(grads):
    return float(np.mean([np.linalg.norm(g.astype(np.float64)) for g in grads]))
''', 'You averaged the per-tensor norms; the global norm is'),
]
WRONG["clip_by_value"] += [
    ('lost the sign', '''
def clip_by_value(grads, clip):
    return [np.minimum(np.abs(g), clip) for g in grads]
''', 'You lost the sign of the negative entries'),
    ('tanh soft clip', '''
def clip_by_value(grads, clip):
    return [clip * np.tanh(g / clip) for g in grads]
''', 'You squashed the entries with tanh (a soft clip, clip *'),
    ('lists instead of arrays', '''
def clip_by_value(grads, clip):
    return [np.clip(g, -clip, clip).tolist() for g in grads]
''', 'clip_by_value: item 0 of the returned list is a list, not a'),
    ('first tensor only', '''
def clip_by_value(grads, clip):
    return [np.clip(grads[0], -clip, clip)] + [g.copy() for g in grads[1:]]
''', 'Your clipped tensor 1 is the input unchanged, although it'),
]
WRONG["clip_by_global_norm"] += [
    ('compares the sum of squares with max_norm', '''
def clip_by_global_norm(grads, max_norm):
    sq = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads)
    if sq > max_norm:
        return [g * (max_norm / np.sqrt(sq)) for g in grads]
    return [g.copy() for g in grads]
''', 'Your gradients were not scaled down although their global'),
    ('clips when an entry exceeds max_norm', '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    if max(float(np.abs(g).max()) for g in grads) > max_norm:
        return [g * (max_norm / norm) for g in grads]
    return [g.copy() for g in grads]
''', 'Your gradients were not scaled down although their global'),
    ("clips when one tensor's norm exceeds max_norm", '''
def clip_by_global_norm(grads, max_norm):
    norm = global_norm(grads)
    if any(np.linalg.norm(g) > max_norm for g in grads):
        return [g * (max_norm / norm) for g in grads]
    return [g.copy() for g in grads]
''', 'Your gradients were not scaled down although their global'),
    ('float32 norm overflows', '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    return [g * min(1.0, max_norm / (norm + 1e-6)) for g in grads]
''', 'Your clipped gradients are all 0: the global norm came out'),
]
WRONG["l1_penalty"] += [
    ('returns (grads, value)', '''
def l1_penalty(params, lam):
    return [lam * np.sign(p) for p in params], lam * sum(np.abs(p).sum() for p in params)
''', 'l1_penalty returned its values in the wrong order: (grads,'),
    ('value as a one-element array', '''
def l1_penalty(params, lam):
    return np.array([lam * sum(np.abs(p).sum() for p in params)]), [lam * np.sign(p) for p in params]
''', 'the L1 penalty value should be one number (a float), summed'),
    ('gradient zero for negative weights', '''
def l1_penalty(params, lam):
    return lam * sum(np.abs(p).sum() for p in params), [lam * (p > 0) for p in params]
''', 'Your L1 gradient is 0 for negative weights (lam * (p > 0));'),
    ('abs of the sum', '''
def l1_penalty(params, lam):
    return lam * sum(abs(p.sum()) for p in params), [lam * np.sign(p) for p in params]
''', "Your L1 value takes |.| of each tensor's sum, not the sum"),
]
WRONG["l2_penalty"] += [
    ('returns (grads, value)', '''
def l2_penalty(params, lam):
    return [lam * p for p in params], 0.5 * lam * sum((p ** 2).sum() for p in params)
''', 'l2_penalty returned its values in the wrong order: (grads,'),
    ('value as a one-element array', '''
def l2_penalty(params, lam):
    return np.array([0.5 * lam * sum((p ** 2).sum() for p in params)]), [lam * p for p in params]
''', 'the L2 penalty value should be one number (a float), summed'),
    ('squares the sum', '''
def l2_penalty(params, lam):
    return 0.5 * lam * sum(p.sum() ** 2 for p in params), [lam * p for p in params]
''', 'Your L2 value sums the squared per-tensor sums; square each'),
    ('gradient lam p squared', '''
def l2_penalty(params, lam):
    return 0.5 * lam * sum((p ** 2).sum() for p in params), [lam * p * p for p in params]
''', "Your L2 gradient is lam * p^2 (the penalty's own terms);"),
]
WRONG["adam_step"] += [
    ('bias correction (1-b)**t', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1) ** t) / (np.sqrt(v / (1 - b2) ** t) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', 'Your bias correction divides by (1 - beta)**t; it is 1 -'),
    ('moments restart every step', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g in zip(params, grads):
        m = (1 - b1) * g
        v = (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', 'Your m and v do not carry over from step to step (they'),
    ('eps outside the parentheses', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t)) + eps)
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', 'Your eps is not in the denominator (it is added to the'),
    ('stores m_hat and v_hat', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = (b1 * m + (1 - b1) * g) / (1 - b1 ** t)
        v = (b2 * v + (1 - b2) * g * g) / (1 - b2 ** t)
        P.append(p - lr * m / (np.sqrt(v) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', 'You stored the bias-corrected m_hat in the state; store the'),
    ('float step count', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    b1, b2 = betas
    t = state["t"] + 1.0
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        P.append(p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
''', "new_state['t'] after step 1 should be an int (the number of"),
]
WRONG["rmsprop_step"] += [
    ('uses the old v in the update', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
        P.append(p - lr * g / (np.sqrt(v) + eps))
        V.append(alpha * v + (1 - alpha) * g * g)
    return P, {"v": V}
''', 'Your update divides by the OLD v (the state you were'),
    ('eps outside the parentheses', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    with np.errstate(all="ignore"):
        for p, g, v in zip(params, grads, state["v"]):
            v = alpha * v + (1 - alpha) * g * g
            P.append(p - lr * g / np.sqrt(v) + eps)
            V.append(v)
    return P, {"v": V}
''', 'Your eps is not in the denominator (it is added to the'),
    ('stores sqrt(v)', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
        rms = np.sqrt(alpha * v ** 2 + (1 - alpha) * g * g)
        P.append(p - lr * g / (rms + eps))
        V.append(rms)
    return P, {"v": V}
''', 'You stored sqrt(v) (the RMS) in the state; store v itself,'),
    ('g not squared abs', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
        v = alpha * v + (1 - alpha) * np.abs(g)
        P.append(p - lr * g / (np.sqrt(v) + eps))
        V.append(v)
    return P, {"v": V}
''', 'Your v averages |g|; RMSprop averages g**2: v = alpha * v +'),
]
RIGHT["global_norm"] += [
    ('scaled by the largest entry, float32 throughout', '''
def global_norm(grads):
    top = max(float(np.abs(g).max()) for g in grads)
    if top == 0:
        return 0.0
    s = np.float32(top) if grads[0].dtype == np.float32 else top
    return float(top * np.sqrt(sum(np.sum((g / s) ** 2) for g in grads)))
'''),
    ('float64 copies and np.linalg.norm', '''
def global_norm(grads):
    return float(np.linalg.norm(np.concatenate([g.astype(np.float64).ravel() for g in grads])))
'''),
    ('hypot reduce, numpy scalar', '''
from functools import reduce
def global_norm(grads):
    return reduce(np.hypot, [np.linalg.norm(np.asarray(g, dtype=np.float64)) for g in grads], np.float64(0.0))
'''),
]
RIGHT["clip_by_value"] += [
    ('magnitude clipped, sign restored', '''
def clip_by_value(grads, clip):
    return [np.sign(g) * np.minimum(np.abs(g), clip) for g in grads]
'''),
    ('float32 bounds, ndarray.clip', '''
def clip_by_value(grads, clip):
    return [g.clip(np.asarray(-clip, dtype=g.dtype), np.asarray(clip, dtype=g.dtype)) for g in grads]
'''),
]
RIGHT["clip_by_global_norm"] += [
    ('float32 throughout, scaled norm', '''
def clip_by_global_norm(grads, max_norm):
    top = max(np.abs(g).max() for g in grads)
    if top == 0:
        return [g.copy() for g in grads]
    norm = top * np.sqrt(sum(np.sum(np.square(g / top)) for g in grads))
    coef = np.asarray(min(1.0, max_norm / float(norm)), dtype=grads[0].dtype)
    return [g * coef for g in grads]
'''),
    ('divide by the larger of norm and max_norm, float64 sums', '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
    return [g / (max(norm, max_norm) / max_norm) for g in grads]
'''),
]
RIGHT["l1_penalty"] += [
    ('float32 throughout', '''
def l1_penalty(params, lam):
    value = np.float32(0)
    grads = []
    for p in params:
        l = np.asarray(lam, dtype=p.dtype)
        value = value + l * np.abs(p).sum(dtype=p.dtype)
        grads.append(l * np.sign(p))
    return float(value), grads
'''),
    ('norm ord 1 and a divide where nonzero', '''
def l1_penalty(params, lam):
    value = lam * sum(np.linalg.norm(p.ravel(), 1) for p in params)
    grads = [lam * np.divide(p, np.abs(p), out=np.zeros_like(p), where=p != 0) for p in params]
    return value, grads
'''),
]
RIGHT["l2_penalty"] += [
    ('float32 throughout', '''
def l2_penalty(params, lam):
    total = np.float32(0)
    for p in params:
        total = total + np.asarray(lam / 2, dtype=p.dtype) * np.vdot(p, p)
    return float(total), [np.asarray(lam, dtype=p.dtype) * p for p in params]
'''),
    ('einsum and np.multiply, list comprehension of copies', '''
def l2_penalty(params, lam):
    value = sum(np.einsum("i,i->", p.ravel(), p.ravel()) for p in params) * lam * 0.5
    return float(value), [np.multiply(p, lam) for p in params]
'''),
]
RIGHT["adam_step"] += [
    ('float32 throughout', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    t = state["t"] + 1
    P, M, V = [], [], []
    for p, g, m, v in zip(params, grads, state["m"], state["v"]):
        f = lambda x: np.asarray(x, dtype=p.dtype)
        b1, b2 = f(betas[0]), f(betas[1])
        m = b1 * m + (f(1) - b1) * g
        v = b2 * v + (f(1) - b2) * np.square(g)
        m_hat = m / (f(1) - b1 ** t)
        v_hat = v / (f(1) - b2 ** t)
        P.append(p - f(lr) * m_hat / (np.sqrt(v_hat) + f(eps)))
        M.append(m)
        V.append(v)
    return P, {"t": t, "m": M, "v": V}
'''),
    ('dict comprehension and enumerate, a new dict from dict()', '''
def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    new = dict(state)
    new["t"] = state["t"] + 1
    new["m"] = [betas[0] * m + (1 - betas[0]) * g for m, g in zip(state["m"], grads)]
    new["v"] = [betas[1] * v + (1 - betas[1]) * g ** 2 for v, g in zip(state["v"], grads)]
    c1, c2 = 1 - betas[0] ** new["t"], 1 - betas[1] ** new["t"]
    P = [p - lr * (m / c1) / (np.sqrt(v / c2) + eps) for p, m, v in zip(params, new["m"], new["v"])]
    return P, new
'''),
]
RIGHT["rmsprop_step"] += [
    ('float32 throughout', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    P, V = [], []
    for p, g, v in zip(params, grads, state["v"]):
        a = np.asarray(alpha, dtype=p.dtype)
        v = a * v + (np.asarray(1, dtype=p.dtype) - a) * g * g
        P.append(p - np.asarray(lr, dtype=p.dtype) * g / (np.sqrt(v) + np.asarray(eps, dtype=p.dtype)))
        V.append(v)
    return P, {"v": V}
'''),
    ('lerp form, reciprocal', '''
def rmsprop_step(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8):
    V = [v + (1 - alpha) * (g * g - v) for v, g in zip(state["v"], grads)]
    P = [p - lr * g * np.reciprocal(np.sqrt(v) + eps) for p, g, v in zip(params, grads, V)]
    return P, {"v": V}
'''),
]
