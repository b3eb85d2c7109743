"""The lesson's models: PeepholeLSTM (a torch module) and Population (many ablation variants at once, in numpy).

PeepholeLSTM is the peephole LSTM of lstmlab.peephole as a batch-first torch module (autograd does the
backward); its options switch off parts of the cell. Population stacks many such cells for a Greff
et al. (2017) style ablation, small enough for a laptop.

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
gradients against torch autograd. Members share minibatches, not weights (training:
lstmlab.lessons.peephole.experiments.train_population).

Shapes: X (B, T, D) shared by all members; outputs and targets (M, B, T, O).
"""
from __future__ import annotations

import numpy as np
import torch

from lstmlab.i18n import N_, Messages, _
from lstmlab.lstm import sigmoid
from lstmlab.peephole import PeepholeParams

VARIANTS = {
    "V": dict(peepholes=True, forget_gate=True, output_gate=True, coupled=False),
    "NP": dict(peepholes=False, forget_gate=True, output_gate=True, coupled=False),
    "NFG": dict(peepholes=True, forget_gate=False, output_gate=True, coupled=False),
    "NOG": dict(peepholes=True, forget_gate=True, output_gate=False, coupled=False),
    "CIFG": dict(peepholes=True, forget_gate=True, output_gate=True, coupled=True),
}

DESCRIPTIONS = Messages({
    "V": N_("vanilla: peepholes, forget and output gate"),
    "NP": N_("no peepholes"),
    "NFG": N_("no forget gate (f = 1)"),
    "NOG": N_("no output gate (o = 1)"),
    "CIFG": N_("coupled gates (i = 1 - f)"),
})

PARAM_NAMES = ("Wx", "Wh", "b", "p_i", "p_f", "p_o", "Wy", "by")


# --- torch module ---------------------------------------------------------------------------

class PeepholeLSTM(torch.nn.Module):
    """Peephole LSTM layer in torch (autograd does the backward), batch-first.

    PeepholeLSTM(input_size, hidden_size, peepholes=True, forget_gate=True, output_gate=True,
                 coupled=False, dtype=None)

    Parameters (our layout): weight_x (D, 4H), weight_h (H, 4H), bias (4H,), p_i, p_f, p_o (H,).
    Options switch off parts of the cell, as in Greff et al. (2017):
        peepholes=False    p_i = p_f = p_o = 0 (NP; the cell is then torch.nn.LSTM's)
        forget_gate=False  f = 1 (NFG; the 1997 LSTM)
        output_gate=False  o = 1, so h = tanh(c) (NOG)
        coupled=True       i = 1 - f (CIFG; Greff writes f = 1 - i, the same family up to signs)
    Unused weights stay in the parameter list and get zero gradient.

    forward(x (B, T, D), state=None or (h0 (B, H), c0 (B, H))) -> (out (B, T, H), (h_T, c_T))
    """

    def __init__(self, input_size, hidden_size, peepholes=True, forget_gate=True, output_gate=True,
                 coupled=False, dtype=None):
        super().__init__()
        if coupled and not forget_gate:
            raise ValueError(_("coupled=True computes i from the forget gate; it needs forget_gate=True"))
        self.input_size, self.hidden_size = input_size, hidden_size
        self.peepholes, self.forget_gate, self.output_gate, self.coupled = peepholes, forget_gate, output_gate, coupled
        D, H = input_size, hidden_size
        s = 1.0 / H ** 0.5
        kw = {"dtype": dtype or torch.get_default_dtype()}
        self.weight_x = torch.nn.Parameter(torch.empty(D, 4 * H, **kw).uniform_(-s, s))
        self.weight_h = torch.nn.Parameter(torch.empty(H, 4 * H, **kw).uniform_(-s, s))
        self.bias = torch.nn.Parameter(torch.empty(4 * H, **kw).uniform_(-s, s))
        self.p_i = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))
        self.p_f = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))
        self.p_o = torch.nn.Parameter(torch.empty(H, **kw).uniform_(-s, s))

    def extra_repr(self):
        flags = [k for k in ("peepholes", "forget_gate", "output_gate") if not getattr(self, k)]
        return (f"{self.input_size}, {self.hidden_size}" + "".join(f", {k}=False" for k in flags)
                + (", coupled=True" if self.coupled else ""))

    def load_numpy(self, params):
        """Copy PeepholeParams (or any 6-tuple Wx, Wh, b, p_i, p_f, p_o) into this module, in place."""
        with torch.no_grad():
            for target, value in zip((self.weight_x, self.weight_h, self.bias, self.p_i, self.p_f, self.p_o), params):
                target.copy_(torch.as_tensor(np.asarray(value), dtype=target.dtype))
        return self

    def numpy_params(self) -> PeepholeParams:
        """The weights as PeepholeParams (numpy copies)."""
        return PeepholeParams(*(t.detach().cpu().numpy().copy() for t in
                                (self.weight_x, self.weight_h, self.bias, self.p_i, self.p_f, self.p_o)))

    def forward(self, x, state=None):
        B, T, _D = x.shape
        H = self.hidden_size
        if state is None:
            h = x.new_zeros(B, H)
            c = x.new_zeros(B, H)
        else:
            h, c = state
        peep = (lambda p, cell: p * cell) if self.peepholes else (lambda p, cell: 0.0)
        ax = x @ self.weight_x + self.bias          # input projections of all steps at once
        outputs = []
        for t in range(T):
            a = ax[:, t] + h @ self.weight_h
            f = torch.sigmoid(a[:, H:2 * H] + peep(self.p_f, c)) if self.forget_gate else torch.ones_like(c)
            i = 1 - f if self.coupled else torch.sigmoid(a[:, :H] + peep(self.p_i, c))
            c = f * c + i * torch.tanh(a[:, 2 * H:3 * H])          # c_t
            o = torch.sigmoid(a[:, 3 * H:] + peep(self.p_o, c)) if self.output_gate else 1.0
            h = o * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h, c)


# --- the stacked population -------------------------------------------------------------------

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
        dpi, dpf, dpo = (np.zeros((M, H, B), dtype=dt) for _k in range(3))   # summed over B at the end
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
