"""A Greff et al. (2017) style ablation, small enough for a laptop: many LSTM variants trained at once.

Greff, Srivastava, Koutník, Steunebrink & Schmidhuber, "LSTM: A Search Space Odyssey" (IEEE TNNLS 2017)
train a *vanilla* LSTM (forget gate, output gate, peepholes) and eight variants that each remove or
change one part. We use four of them:

    V     vanilla: forget gate, output gate, peepholes       (their baseline)
    NP    no peepholes                                       (= torch.nn.LSTM)
    NFG   no forget gate: f = 1                              (as in the 1997 LSTM)
    NOG   no output gate: o = 1, h = tanh(c)
    CIFG  coupled input and forget gate: i = 1 - f           (one gate fewer, like the GRU)

Tiny models on a CPU are slow in torch because every operation costs microseconds of overhead
whatever its size. `Population` therefore holds M independent models (each a peephole LSTM with
its variant's switches, and a linear readout) stacked along a leading axis, in numpy with a
hand-written backward pass: M models for about the price of one. The k-th member of each variant
is initialised like PeepholeLSTM(..., **VARIANTS[name]) and torch.nn.Linear after
torch.manual_seed(seed + k): the k-th V, NP, NFG, ... start from the same weights, so variants are
compared in pairs. `member(m)` returns member m as those torch modules; the tests check forward and
gradients against torch autograd. Members share minibatches, not weights: each member's loss is its
own, Adam is element-wise and gradients are clipped member by member, so each trains as if alone.

Shapes: X (B, T, D) shared by all members; outputs and targets (M, B, T, O).
"""
from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from lstmlab.lstm import sigmoid

VARIANTS = {
    "V": dict(peepholes=True, forget_gate=True, output_gate=True, coupled=False),
    "NP": dict(peepholes=False, forget_gate=True, output_gate=True, coupled=False),
    "NFG": dict(peepholes=True, forget_gate=False, output_gate=True, coupled=False),
    "NOG": dict(peepholes=True, forget_gate=True, output_gate=False, coupled=False),
    "CIFG": dict(peepholes=True, forget_gate=True, output_gate=True, coupled=True),
}

DESCRIPTIONS = {
    "V": "vanilla: peepholes, forget and output gate",
    "NP": "no peepholes",
    "NFG": "no forget gate (f = 1)",
    "NOG": "no output gate (o = 1)",
    "CIFG": "coupled gates (i = 1 - f)",
}

PARAM_NAMES = ("Wx", "Wh", "b", "p_i", "p_f", "p_o", "Wy", "by")


def _switch(on, value, otherwise):
    """on * value + (1 - on) * otherwise for (M, 1, 1) switches `on` of 0s and 1s; just `value` when all are on."""
    return value if on.all() else on * value + (1 - on) * otherwise


class Population:
    """M independent peephole-LSTM variants with linear readouts, in numpy.

    Population(variants, input_size, hidden_size, output_size=1, seed=0, forget_bias=0.0, dtype=np.float32)
        variants: list of names from VARIANTS (repeat a name for more seeds; the k-th repeat of
                  every name gets torch seed `seed + k`, so variants start from the same weights)
        dtype:    float32 trains fastest (numpy's tanh is ~3x faster); float64 for gradient checks
    params: {"Wx": (M, D, 4H), "Wh": (M, H, 4H), "b": (M, 4H), "p_i"|"p_f"|"p_o": (M, H),
             "Wy": (M, H, O), "by": (M, O)}
    """

    def __init__(self, variants, input_size, hidden_size, output_size=1, seed=0, forget_bias=0.0, dtype=np.float32):
        import torch

        from lstmlab.peephole import PeepholeLSTM

        self.variants = list(variants)
        self.sizes = (input_size, hidden_size, output_size)
        H = hidden_size
        members = []
        for m, name in enumerate(self.variants):
            torch.manual_seed(seed + self.variants[:m].count(name))
            cell = PeepholeLSTM(input_size, hidden_size, **VARIANTS[name], dtype=torch.float64)
            readout = torch.nn.Linear(hidden_size, output_size, dtype=torch.float64)
            Wx, Wh, b, p_i, p_f, p_o = cell.numpy_params()
            b[H:2 * H] += forget_bias
            members.append((Wx, Wh, b, p_i, p_f, p_o, readout.weight.detach().numpy().T, readout.bias.detach().numpy()))
        self.params = {k: np.stack([mem[j] for mem in members]).astype(dtype) for j, k in enumerate(PARAM_NAMES)}
        # (M, 1, 1) switches: 1 where the member has the part, 0 where it is ablated.
        switch = lambda key: np.array([float(VARIANTS[n][key]) for n in self.variants], dtype=dtype)[:, None, None]
        self.use_peep, self.use_forget, self.use_output, self.coupled = (
            switch(k) for k in ("peepholes", "forget_gate", "output_gate", "coupled"))

    def member(self, m: int):
        """Member m as torch modules (PeepholeLSTM float64, torch.nn.Linear float64), weights copied."""
        import torch

        from lstmlab.peephole import PeepholeLSTM

        D, H, O = self.sizes
        P = {k: v[m] for k, v in self.params.items()}
        cell = PeepholeLSTM(D, H, **VARIANTS[self.variants[m]], dtype=torch.float64)
        cell.load_numpy([P[k].astype(np.float64) for k in PARAM_NAMES[:6]])
        readout = torch.nn.Linear(H, O, dtype=torch.float64)
        with torch.no_grad():
            readout.weight.copy_(torch.as_tensor(P["Wy"].T, dtype=torch.float64))
            readout.bias.copy_(torch.as_tensor(P["by"], dtype=torch.float64))
        return cell, readout

    # Inside forward and backward, states are laid out (M, H, B), one column per sequence: the
    # pre-activations W^T [x; h] are then (M, 4H, B) and each gate's block of rows is contiguous,
    # which makes the many small element-wise operations markedly faster than on (M, B, 4H).

    def forward(self, X):
        """X (B, T, D) -> Y (M, B, T, O) every member's readout at every step, and a cache."""
        P = self.params
        H = self.sizes[1]
        M, B, T = len(self.variants), X.shape[0], X.shape[1]
        X = X.astype(P["Wx"].dtype, copy=False)
        pi, pf, po = (self.use_peep * P[k][:, :, None] for k in ("p_i", "p_f", "p_o"))  # (M, H, 1)
        WxT, WhT = P["Wx"].transpose(0, 2, 1), P["Wh"].transpose(0, 2, 1)               # (M, 4H, D), (M, 4H, H)
        AX = WxT[:, None] @ X.transpose(1, 2, 0)[None] + P["b"][:, None, :, None]       # (M, T, 4H, B)
        AX = np.ascontiguousarray(AX.transpose(1, 0, 2, 3))                             # (T, M, 4H, B)
        h = np.zeros((M, H, B), dtype=X.dtype)
        c = np.zeros((M, H, B), dtype=X.dtype)
        steps = []
        for t in range(T):
            a = AX[t] + WhT @ h
            sf = sigmoid(a[:, H:2 * H] + pf * c)
            f = _switch(self.use_forget, sf, 1.0)
            si = sigmoid(a[:, :H] + pi * c)
            i = _switch(1 - self.coupled, si, 1 - f)
            g = np.tanh(a[:, 2 * H:3 * H])
            c_new = f * c + i * g
            so = sigmoid(a[:, 3 * H:] + po * c_new)
            o = _switch(self.use_output, so, 1.0)
            tc = np.tanh(c_new)
            steps.append((h, c, sf, f, si, i, g, c_new, so, o, tc))
            h, c = o * tc, c_new
        Hs = np.stack([s[-2] * s[-1] for s in steps], axis=1).transpose(0, 3, 1, 2)     # (M, B, T, H)
        Y = Hs @ P["Wy"][:, None] + P["by"][:, None, None]
        return Y, (X, Hs, steps, (pi, pf, po))

    def backward(self, dY, cache):
        """dY (M, B, T, O) gradient of the loss w.r.t. Y -> {name: gradient shaped like params[name]}."""
        X, Hs, steps, (pi, pf, po) = cache
        P = self.params
        H = self.sizes[1]
        M, B, T = dY.shape[:3]
        dt = Hs.dtype
        dY = dY.astype(dt, copy=False)
        flat = lambda A: A.reshape(M, B * T, -1)                                           # rows (b, t)
        grads = {"Wy": flat(Hs).transpose(0, 2, 1) @ flat(dY), "by": dY.sum(axis=(1, 2))}
        dHs = np.ascontiguousarray((dY @ P["Wy"].transpose(0, 2, 1)[:, None]).transpose(2, 0, 3, 1))  # (T, M, H, B)
        dA = np.empty((T, M, 4 * H, B), dtype=dt)
        dpi, dpf, dpo = (np.zeros((M, H, B), dtype=dt) for _ in range(3))   # summed over B at the end
        dh = np.zeros((M, H, B), dtype=dt)
        dc = np.zeros((M, H, B), dtype=dt)
        for t in range(T - 1, -1, -1):
            h_prev, c_prev, sf, f, si, i, g, c_new, so, o, tc = steps[t]
            da = dA[t]
            dh = dh + dHs[t]
            da[:, 3 * H:] = da_o = _switch(self.use_output, dh * tc * so * (1 - so), 0.0)
            dc = dc + dh * o * (1 - tc * tc) + da_o * po
            di, df = dc * g, dc * c_prev
            if self.coupled.any():
                df = df - self.coupled * di                  # i = 1 - f feeds back into f
            da[:, :H] = da_i = _switch(1 - self.coupled, di * si * (1 - si), 0.0)
            da[:, H:2 * H] = da_f = _switch(self.use_forget, df * sf * (1 - sf), 0.0)
            da[:, 2 * H:3 * H] = dc * i * (1 - g * g)
            dpi += da_i * c_prev
            dpf += da_f * c_prev
            dpo += da_o * c_new
            dc = dc * f + da_i * pi + da_f * pf
            dh = P["Wh"] @ da
        dA_m = dA.transpose(1, 2, 0, 3).reshape(M, 4 * H, T * B)                          # columns (t, b)
        H_prev = np.stack([s[0] for s in steps], axis=2).reshape(M, H, T * B)
        X_tb = X.transpose(1, 0, 2).reshape(T * B, -1).astype(dt, copy=False)
        grads["Wx"] = (dA_m @ X_tb).transpose(0, 2, 1)
        grads["Wh"] = H_prev @ dA_m.transpose(0, 2, 1)
        grads["b"] = dA_m.sum(axis=2)
        for name, d in (("p_i", dpi), ("p_f", dpf), ("p_o", dpo)):
            grads[name] = self.use_peep[:, 0] * d.sum(axis=2)
        return grads


# --- losses: (M, B, T, O) predictions against (B, T, O) targets -> per-member loss (M,) and dY ------

def bce_with_logits(Y, target, weight=None):
    """Mean binary cross-entropy of logits Y (M, B, T, O) against 0/1 targets (B, T, O).

    weight: optional (B, T, O) non-negative weights (the mean is weighted). Returns (loss (M,), dY).
    """
    w = np.ones(target.shape) if weight is None else weight
    w = w / w.sum()
    loss = (np.logaddexp(0, Y) - target * Y) * w                    # softplus(y) - t*y, stable
    return loss.sum(axis=(1, 2, 3)), (sigmoid(Y) - target) * w


def mse(Y, target):
    """Mean squared error of Y (M, B, T, O) against target (B, T, O). Returns (loss (M,), dY)."""
    n = target.size
    diff = Y - target
    return (diff ** 2).sum(axis=(1, 2, 3)) / n, 2 * diff / n


def train_population(pop: Population, X, Y, loss, *, steps=300, batch_size=32, lr=1e-2, clip=1.0,
                     seed=0, evaluate=None, every=50, desc="training", progress=True):
    """Train every member with Adam (betas 0.9, 0.999) on the same seeded minibatches.

    X (N, T, D), Y (N, T, O); loss(Y_pred (M, B, T, O), y (B, T, O)) -> (losses (M,), dY).
    Gradients are clipped to norm `clip` member by member.
    evaluate: optional function pop -> (M,) scores, called before training and every `every` steps.
    Returns (losses (steps, M), eval_steps (E,), scores (E, M)); E = 0 without evaluate.
    """
    gen = np.random.default_rng(seed)
    M = len(pop.variants)
    mom = {k: np.zeros_like(v) for k, v in pop.params.items()}
    vel = {k: np.zeros_like(v) for k, v in pop.params.items()}
    history = np.zeros((steps, M))
    eval_steps, scores = [], []
    bar = tqdm(range(steps), desc=desc, leave=False, mininterval=0.5, disable=not progress)
    for step in bar:
        if evaluate is not None and step % every == 0:
            eval_steps.append(step)
            scores.append(evaluate(pop))
        idx = gen.integers(0, len(X), batch_size)
        Y_pred, cache = pop.forward(X[idx])
        history[step], dY = loss(Y_pred, Y[idx])
        grads = pop.backward(dY, cache)
        if clip is not None:
            norm = np.sqrt(sum((g.reshape(M, -1) ** 2).sum(axis=1) for g in grads.values()))
            scale = np.minimum(1.0, clip / (norm + 1e-6))
            grads = {k: g * scale.reshape(-1, *([1] * (g.ndim - 1))) for k, g in grads.items()}
        for k, g in grads.items():
            mom[k] = 0.9 * mom[k] + 0.1 * g
            vel[k] = 0.999 * vel[k] + 0.001 * g * g
            m_hat = mom[k] / (1 - 0.9 ** (step + 1))
            v_hat = vel[k] / (1 - 0.999 ** (step + 1))
            pop.params[k] -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    bar.close()
    if evaluate is not None:
        eval_steps.append(steps)
        scores.append(evaluate(pop))
    return history, np.array(eval_steps, dtype=int), np.array(scores).reshape(len(eval_steps), M)


# --- summaries and plots ---------------------------------------------------------------------

def by_variant(values, variants) -> dict[str, np.ndarray]:
    """Split per-member values (M, ...) into {variant: (seeds, ...)} in first-seen order."""
    values = np.asarray(values)
    return {name: values[[m for m, v in enumerate(variants) if v == name]] for name in dict.fromkeys(variants)}


COLORS = {"V": "tab:blue", "NP": "tab:orange", "NFG": "tab:red", "NOG": "tab:green", "CIFG": "tab:purple"}


def plot_learning_curves(steps, scores, variants, *, title, ylabel, ax=None):
    """Score of every member against training steps: thin lines per seed, a thick line for the median.

    steps (E,) training steps at which the scores were measured; scores (E, M); variants (M,) names.
    Returns (fig, data) with data = {variant: (E, seeds) array drawn}.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6)) if ax is None else (ax.figure, ax)
    data = {}
    for name, runs in by_variant(np.asarray(scores).T, variants).items():
        color = COLORS.get(name)
        for run in runs:
            ax.plot(steps, run, color=color, alpha=0.25, lw=1)
        ax.plot(steps, np.median(runs, axis=0), color=color, lw=2.5,
                label=f"{name}: {DESCRIPTIONS.get(name, name)} (median of {len(runs)})")
        data[name] = runs.T
    ax.set(title=title, xlabel="training step (minibatches of 32)", ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig, data


def plot_ablation(panels):
    """One panel per task: every seed's final score as a dot, per variant, with the median as a bar.

    panels: {panel title: (scores (M,), variants (M,) names, y-axis label, log_scale bool)}.
    Returns (fig, data) with data = {panel title: {variant: (seeds,) scores drawn}}.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), squeeze=False)
    data = {}
    for ax, (title, (scores, variants, ylabel, log)) in zip(axes[0], panels.items()):
        groups = by_variant(scores, variants)
        for k, (name, vals) in enumerate(groups.items()):
            jitter = np.linspace(-0.12, 0.12, len(vals))
            ax.scatter(k + jitter, vals, color=COLORS.get(name), s=22, zorder=3)
            ax.hlines(np.median(vals), k - 0.3, k + 0.3, color="black", lw=2, zorder=2)
        ax.set_xticks(range(len(groups)), list(groups))
        ax.set(title=title, xlabel="variant (dots: seeds, bar: median)", ylabel=ylabel)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3, axis="y")
        data[title] = groups
    fig.tight_layout()
    return fig, data
