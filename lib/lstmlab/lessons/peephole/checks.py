"""Checks for lesson 04 (the peephole LSTM), with diagnoses of the common mistakes.

check_step runs the student's step on seeded cases and compares with lstmlab.peephole (itself tested
against torch autograd and finite differences). When the values differ it finds out which part is
wrong by probing: all peepholes zero (must be torch.nn.LSTM's step), then whether a unit's gates
read other units' cells (a full-matrix peephole), then one peephole vector at a time (p_i alone,
p_f alone, p_o alone). Each probe compares with what the typical mistakes would return and names
the one it sees. `hidden=True` adds held-back cases (D == H, a batch of one, float32, closed forms,
pre-activations far beyond the range where a naive exp overflows: |a| > 710 in float64, > 90 in float32)
and the from-scratch rule (the library's peephole reference, the room's PeepholeLSTM and Population count as
ready-made). Every call of a student's function goes through lstmlab.checking.call_student (inputs copied
and compared, warnings never decide).
"""
from __future__ import annotations

import numpy as np

from lstmlab import peephole as ref
from lstmlab.checking import (CheckFailed, assert_ndarray, as_array, assert_close, assert_int, assert_order, call_student, student_facing, matches, passed,
                              reference_functions, tolerances, unpack)
from lstmlab.fixtures import lstm_inputs, sequence_cases
from lstmlab.i18n import N_, _
from lstmlab.lstm import sigmoid

from . import experiments, models

# (B, D, H, seed, dtype): visible cases first, held-back cases after.
VISIBLE = [(2, 3, 4, 0, np.float64)]
HIDDEN = [(1, 5, 5, 11, np.float64), (3, 4, 2, 12, np.float32), (4, 2, 6, 13, np.float64)]
PEEPHOLES = ("p_i", "p_f", "p_o")
GATE_OF = {"p_i": N_("input gate i_t"), "p_f": N_("forget gate f_t"), "p_o": N_("output gate o_t")}
STEP_ARGS = ("x", "h_prev", "c_prev", "Wx", "Wh", "b", "p_i", "p_f", "p_o")
FORWARD_ARGS = ("X", "h0", "c0", "Wx", "Wh", "b", "p_i", "p_f", "p_o")

# Guard targets beyond torch's and the LSTM reference: the library's peephole reference and the room's models.
READY_MADE = [*reference_functions(ref), *reference_functions(experiments),
              (models.PeepholeLSTM, "__init__", "lstmlab.lessons.peephole.models.PeepholeLSTM"),
              (models.PeepholeLSTM, "forward", "lstmlab.lessons.peephole.models.PeepholeLSTM"),
              (models.Population, "forward", "lstmlab.lessons.peephole.models.Population")]


def _cases(hidden: bool):
    return VISIBLE + HIDDEN if hidden else VISIBLE


EXTREME = {np.float64: 2000.0, np.float32: 300.0}
OVERFLOW = {np.float64: 710.0, np.float32: 90.0}


def _extreme_case(dtype):
    """(x, h_prev, c_prev, params) of a step whose pre-activations pass OVERFLOW[dtype] in every gate, both signs."""
    x, h, c, params = _step_case(3, 3, 4, 21, np.float64)
    S = EXTREME[dtype]
    x = np.stack([x[0], S * x[1], -S * x[1]])
    c = np.stack([c[0], -S / 4 * c[1], S / 4 * c[1]])
    return x.astype(dtype), h.astype(dtype), c.astype(dtype), ref.PeepholeParams(*(p.astype(dtype) for p in params))


def _f64(*arrays):
    return tuple(np.asarray(a, np.float64) for a in arrays)


def _step_case(B, D, H, seed, dtype):
    """x (B, D), h_prev, c_prev (B, H) and weights large enough that every peephole visibly matters."""
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=seed, dtype=dtype)
    params = ref.peephole_params(D, H, seed=seed + 100, dtype=dtype, scale=0.8, peephole_scale=1.5)
    return X[:, 0], h0, (1.5 * c0).astype(dtype), params


# --- what a step computes, right and wrong -----------------------------------------------------

def _step(x, h, c, Wx, Wh, b, p_i, p_f, p_o, *, i_term=None, f_term=None, g_term=None, o_term=None,
          o_sees_old=False, i_outside=False, f_outside=False, o_outside=False, h_old_cell=False):
    """The peephole step with parts replaced, to compute what a mistaken implementation returns.

    *_term: the peephole term added to that gate's pre-activation (default: the right one;
    a function of (c_prev, c_t) for o_term). Returns (h, c).
    """
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    ti = p_i * c if i_term is None else i_term
    tf = p_f * c if f_term is None else f_term
    i = sigmoid(a[:, :H]) + ti if i_outside else sigmoid(a[:, :H] + ti)
    f = sigmoid(a[:, H:2 * H]) + tf if f_outside else sigmoid(a[:, H:2 * H] + tf)
    g = np.tanh(a[:, 2 * H:3 * H] + (0 if g_term is None else g_term))
    c_new = f * c + i * g
    to = (p_o * (c if o_sees_old else c_new)) if o_term is None else o_term(c, c_new)
    o = sigmoid(a[:, 3 * H:]) + to if o_outside else sigmoid(a[:, 3 * H:] + to)
    return o * np.tanh(c if h_old_cell else c_new), c_new


def _matrix(p, cells):
    """A full-matrix 'peephole' built from the vector p: every unit sees the sum of all cells, weighted by p."""
    return cells.sum(axis=1, keepdims=True) * p


def _dot(p, cells):
    """The dot product p . c_(t-1) (one number per sequence) added to every unit."""
    return (cells @ p)[:, None]


def _step_mistakes(x, h, c, Wx, Wh, b, p_i, p_f, p_o, which: str | None = None) -> dict[str, np.ndarray]:
    """{diagnosis: stacked (h, c) that this mistake returns}.

    which=None: every known mistake, for the full case (all peepholes non-zero, so they all differ).
    which="p_i"|"p_f"|"p_o": only the mistakes that involve that peephole, for a probe where it alone is non-zero
    (the others would coincide with one another there and give a misleading name).
    """
    args = (x, h, c, Wx, Wh, b, p_i, p_f, p_o)
    entries: list[tuple[set, str, tuple]] = []   # (peepholes involved, message, (h, c))
    add = lambda tags, message, value: entries.append((set(tags), message, value))
    add({"p_o"}, _("Your output gate peeks at c_(t-1); it must see the new cell state: o_t = sigmoid(... + p_o * c_t), "
                   "computed after c_t."), _step(*args, o_sees_old=True))
    add({"all"}, _("Your step ignores the peepholes: add p_i * c_(t-1) to the input gate, p_f * c_(t-1) to the forget "
                   "gate and p_o * c_t to the output gate."), _step(*args, i_term=0, f_term=0, o_term=lambda c0, c1: 0))
    full = _("Your {gate} uses a full-matrix peephole: every unit reads the cell states of all units. Peephole "
             "weights are diagonal, so unit j sees only its own cell: use the element-wise product p * c, not "
             "a matrix or dot product.")
    dot = _("{diagnosis} (Here: a dot product p . c.)")
    dots = _("{diagnosis} (Here: dot products p . c.)")
    for name, kw, p in (("p_i", "i_term", p_i), ("p_f", "f_term", p_f)):
        add({name}, full.format(gate=_(GATE_OF[name])), _step(*args, **{kw: _matrix(p, c)}))
        add({name}, dot.format(diagnosis=full.format(gate=_(GATE_OF[name]))), _step(*args, **{kw: _dot(p, c)}))
    add({"p_o"}, full.format(gate=_(GATE_OF["p_o"])), _step(*args, o_term=lambda c0, c1: _matrix(p_o, c1)))
    add({"p_o"}, dot.format(diagnosis=full.format(gate=_(GATE_OF["p_o"]))),
        _step(*args, o_term=lambda c0, c1: _dot(p_o, c1)))
    every = _("Your every gate uses a full-matrix peephole: every unit reads the cell states of all units. Peephole "
              "weights are diagonal, so unit j sees only its own cell: use the element-wise product p * c, not "
              "a matrix or dot product.")
    add({"all"}, every, _step(*args, i_term=_matrix(p_i, c), f_term=_matrix(p_f, c),
                              o_term=lambda c0, c1: _matrix(p_o, c1)))
    add({"all"}, dots.format(diagnosis=every),
        _step(*args, i_term=_dot(p_i, c), f_term=_dot(p_f, c), o_term=lambda c0, c1: _dot(p_o, c1)))
    only = _("Only the three gates peek at the cell; the candidate is tanh(a_g), as in the plain LSTM.")
    for name, p, off in (("p_i", p_i, {"i_term": 0}), ("p_f", p_f, {"f_term": 0}),
                         ("p_o", p_o, {"o_term": lambda c0, c1: 0})):
        add({name}, _("Your candidate g_t has a peephole ({name} * c_(t-1)). {only}").format(name=name, only=only),
            _step(*args, g_term=p * c))
        add({name}, _("Your candidate g_t has the peephole {name} * c_(t-1), which belongs to the {gate}. {only}").format(
                name=name, gate=_(GATE_OF[name]), only=only),
            _step(*args, g_term=p * c, **off))
    add({"p_i", "p_f"}, _("Your input and forget gates use each other's peephole vectors: i_t gets p_i, f_t gets p_f."),
        _step(*args, i_term=p_f * c, f_term=p_i * c))
    add({"all"}, _("Your peepholes read h_(t-1) instead of the cell state: a peephole connects the cell c to the gates."),
        _step(*args, i_term=p_i * h, f_term=p_f * h, o_term=lambda c0, c1: p_o * h))
    add({"p_i"}, _("Your input gate's peephole reads h_(t-1); it must see the cell state c_(t-1)."),
        _step(*args, i_term=p_i * h))
    add({"p_f"}, _("Your forget gate's peephole reads h_(t-1); it must see the cell state c_(t-1)."),
        _step(*args, f_term=p_f * h))
    add({"p_o"}, _("Your output gate's peephole reads h_(t-1); it must see the new cell state c_t."),
        _step(*args, o_term=lambda c0, c1: p_o * h))
    add({"p_i"}, _("Your input gate adds its peephole after the sigmoid; p_i * c_(t-1) belongs inside: "
                   "sigmoid(a_i + p_i * c_(t-1))."), _step(*args, i_outside=True))
    add({"p_f"}, _("Your forget gate adds its peephole after the sigmoid; p_f * c_(t-1) belongs inside: "
                   "sigmoid(a_f + p_f * c_(t-1))."), _step(*args, f_outside=True))
    add({"p_o"}, _("Your output gate adds its peephole after the sigmoid; p_o * c_t belongs inside: "
                   "sigmoid(a_o + p_o * c_t)."), _step(*args, o_outside=True))
    add({"p_i"}, _("Your input gate ignores its peephole: add p_i * c_(t-1) to its pre-activation."),
        _step(*args, i_term=0))
    add({"p_f"}, _("Your forget gate ignores its peephole: add p_f * c_(t-1) to its pre-activation."),
        _step(*args, f_term=0))
    add({"p_o"}, _("Your output gate ignores its peephole: add p_o * c_t to its pre-activation."),
        _step(*args, o_term=lambda c0, c1: 0))
    add({"all"}, _("Your h_t uses c_(t-1): h_t = o_t * tanh(c_t) reads the new cell state."),
        _step(*args, h_old_cell=True))
    if which is not None:
        entries = [e for e in entries if which in e[0]]
    return {message: np.stack(value) for _tags, message, value in entries}


def _zero_probe_mistakes(x, h, c, Wx, Wh, b) -> dict[str, np.ndarray]:
    """Plain-LSTM mistakes (peepholes all zero): which of lesson 01's errors is back."""
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    s = {k: a[:, j * H:(j + 1) * H] for j, k in enumerate("ifgo")}
    i, f, g, o = sigmoid(s["i"]), sigmoid(s["f"]), np.tanh(s["g"]), sigmoid(s["o"])
    c1 = f * c + i * g
    out = {
        _("Your gate blocks are in the wrong order: the 4H columns are i, f, g, o (input, forget, candidate, output)."):
            _pair(sigmoid(s["o"]), sigmoid(s["f"]), g, sigmoid(s["i"]), c),
        _("Your input and forget gates are swapped: the 4H columns are ordered i, f, g, o."):
            _pair(f, i, g, o, c),
        _("Your cell update applies the forget gate to the candidate: c_t = f * c_(t-1) + i * g."):
            np.stack([o * np.tanh(f * g + i * c), f * g + i * c]),
        _("Your candidate g uses the sigmoid; it uses tanh."): _pair(i, f, sigmoid(s["g"]), o, c),
        _("Your input gate uses tanh; gates use the sigmoid, so their values lie in (0, 1)."):
            _pair(np.tanh(s["i"]), f, g, o, c),
        _("Your forget gate uses tanh; gates use the sigmoid, so their values lie in (0, 1)."):
            _pair(i, np.tanh(s["f"]), g, o, c),
        _("Your output gate uses tanh; gates use the sigmoid, so their values lie in (0, 1)."):
            _pair(i, f, g, np.tanh(s["o"]), c),
        _("Your step is missing the bias b."): _plain(x, h, c, Wx, Wh, 0 * b),
        _("Your h_t uses c_(t-1): h_t = o_t * tanh(c_t)."): np.stack([o * np.tanh(c), c1]),
    }
    return out


def _pair(i, f, g, o, c):
    c1 = f * c + i * g
    return np.stack([o * np.tanh(c1), c1])


def _plain(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    return _pair(sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:]), c)


def _as_pair(h, c, like):
    """Stack the student's (h, c) for comparison, or fail on a wrong type or shape."""
    assert_ndarray(_("{name}'s {part}").format(name="peephole_step", part="h_t"), h)
    assert_ndarray(_("{name}'s {part}").format(name="peephole_step", part="c_t"), c)
    h, c = as_array("h_t", h), as_array("c_t", c)
    if h.shape != like.shape or c.shape != like.shape:
        raise CheckFailed(_("peephole_step should return h and c of shape {shape}; got {h_shape} and {c_shape}.").format(
            shape=like.shape, h_shape=h.shape, c_shape=c.shape))
    return np.stack([h, c])


def _probe(fn, x, h, c, params, which: str | None, rtol, atol):
    """Run the student's step with all peepholes zero (which=None) or only `which` non-zero; fail with a diagnosis."""
    Wx, Wh, b, p_i, p_f, p_o = params
    keep = {k: (v if k == which else np.zeros_like(v)) for k, v in zip(PEEPHOLES, (p_i, p_f, p_o))}
    args = (x, h, c, Wx, Wh, b, keep["p_i"], keep["p_f"], keep["p_o"])
    want = np.stack(_step(*args))
    got = _as_pair(*unpack("peephole_step", call_student("peephole_step", fn, *args, names=STEP_ARGS), 2, "(h, c)"),
                   like=want[0])
    if which is None:
        name = _("(h_t, c_t) with all peepholes zero (must equal the plain LSTM step, as torch.nn.LSTM computes it)")
        mistakes = _zero_probe_mistakes(x, h, c, Wx, Wh, b)
    else:
        name = _("(h_t, c_t) with only {which} non-zero").format(which=which)
        mistakes = _step_mistakes(*args, which=which)
        # A peephole vector used on the wrong gate.
        for other in PEEPHOLES:
            if other != which:
                moved = {k: np.zeros_like(v) for k, v in keep.items()}
                moved[other] = keep[which]
                mistakes[_("Your step uses {which} on the {gate}; {which} belongs to the {own_gate}.").format(
                    which=which, gate=_(GATE_OF[other]), own_gate=_(GATE_OF[which]))] = \
                    np.stack(_step(x, h, c, Wx, Wh, b, moved["p_i"], moved["p_f"], moved["p_o"]))
    assert_close(name, got, want, rtol=rtol, atol=atol, mistakes=mistakes,
                 hint=_("(Index 0 of the first axis is h_t, 1 is c_t.) Compare your gates one at a time with the "
                        "equations."))


def _check_diagonal(fn, x, h, c, params):
    """Changing c_(t-1) of one unit may only change that unit's h_t and c_t (diagonal peepholes)."""
    H = h.shape[1]
    step = lambda cell: np.stack(unpack("peephole_step", call_student("peephole_step", fn, x, h, cell, *params,
                                                                      names=STEP_ARGS), 2, "(h, c)")).astype(float)
    base = step(c)
    for k in range(H):
        bumped = c.copy()
        bumped[:, k] += 0.5
        moved = np.abs(step(bumped) - base)
        others = np.delete(moved, k, axis=2)
        if others.size and others.max() > 1e-6:
            j = int(np.argmax(others.max(axis=(0, 1))))
            j += j >= k
            raise CheckFailed(_(
                "Your step mixes units: changing c_(t-1) of unit {k} changed h_t or c_t of unit {j}. With h_(t-1) "
                "fixed, unit j's gates see only unit j's cell: peephole weights are diagonal, so use the "
                "element-wise product p * c, not a matrix or dot product.").format(k=k, j=j))


def check_step(peephole_step, hidden: bool = False) -> None:
    """peephole_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o) -> (h, c), each (B, H)."""
    def step(*args, hidden=False):
        got = call_student("peephole_step", peephole_step, *args, hidden=hidden, ready_made=READY_MADE, names=STEP_ARGS)
        return unpack("peephole_step", got, 2, "(h, c)")

    for B, D, H, seed, dtype in _cases(hidden):
        x, h0, c0, params = _step_case(B, D, H, seed, dtype)
        args = (x, h0, c0, *params)
        h, c = step(*args, hidden=hidden)
        want_h, want_c, _cache = ref.peephole_step_forward(*args)
        rtol, atol = tolerances(x)
        assert_order("peephole_step", (h, c), (want_h, want_c), ("h", "c"), rtol=rtol, atol=atol)
        got = _as_pair(h, c, like=want_h)
        want = np.stack([want_h, want_c])
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            # A known mistake? With every peephole non-zero they all give different numbers.
            for message, wrong in _step_mistakes(*args).items():
                if matches(got, wrong, rtol, atol):
                    raise CheckFailed(message)
            # Otherwise find the broken part: no peepholes, the diagonal structure, one peephole at a time.
            _probe(peephole_step, x, h0, c0, params, None, rtol, atol)
            _check_diagonal(peephole_step, x, h0, c0, params)
            for which in PEEPHOLES:
                _probe(peephole_step, x, h0, c0, params, which, rtol, atol)
            assert_close("(h_t, c_t)", got, want, rtol=rtol, atol=atol,
                         hint=_("(case B={B}, D={D}, H={H}, {dtype})").format(B=B, D=D, H=H, dtype=np.dtype(dtype).name))
    if hidden:
        D, H = 3, 4
        x, h0, c0, params = _step_case(2, D, H, 31, np.float64)
        zeros4 = np.zeros((D, 4 * H)), np.zeros((H, 4 * H))
        # Closed form 1: forget bias +50, input bias -50, no weights: c_t = c_(t-1) exactly, whatever p_o is.
        b = np.zeros(4 * H)
        b[H:2 * H], b[:H] = 50.0, -50.0
        h, c = step(x, h0, c0, *zeros4, b, 0 * params.p_i, 0 * params.p_f, params.p_o)
        assert_close(_("c_t when f=1 and i=0 (must equal c_(t-1))"), c, c0, rtol=1e-9, atol=1e-12)
        assert_close(_("h_t when f=1, i=0 and only the peephole drives o (o_t = sigmoid(p_o * c_t))"),
                     h, sigmoid(params.p_o * c0) * np.tanh(c0), rtol=1e-9, atol=1e-12,
                     mistakes={_("Your output gate does not see c_t through p_o."): 0.5 * np.tanh(c0)})
        # Closed form 2: only the forget gate's peephole acts, candidate 0: c_t = sigmoid(p_f * c_(t-1)) * c_(t-1).
        h, c = step(x, h0, c0, *zeros4, np.zeros(4 * H), 0 * params.p_i, params.p_f, 0 * params.p_o)
        assert_close(_("c_t with only p_f acting (must be sigmoid(p_f * c_(t-1)) * c_(t-1))"), c,
                     sigmoid(params.p_f * c0) * c0, rtol=1e-9, atol=1e-12)
        # Every unit reads only its own cell, and huge inputs saturate instead of overflowing.
        _check_diagonal(peephole_step, x, h0, c0, params)
        for dtype in (np.float64, np.float32):
            x, h0, c0, params = _extreme_case(dtype)
            h, c = step(x, h0, c0, *params)
            want_h, want_c, _cache = ref.peephole_step_forward(*_f64(x, h0, c0, *params))
            for value, got_value, want_value in (("h_t", h, want_h), ("c_t", c, want_c)):
                assert_close(_("{value} with very large inputs and cells ({dtype}; a sigmoid or tanh written with "
                               "np.exp overflows there: use the provided sigmoid and np.tanh)").format(
                                 value=value, dtype=np.dtype(dtype).name), got_value, want_value)
    if hidden:
        passed(_("peephole_step matches the reference (hidden cases too)"))
    else:
        passed(_("peephole_step matches the reference"))


# --- exercise 2: a sequence ----------------------------------------------------------------------

def _reference_hs(X, h0, c0, params, carry_h=True, carry_c=True):
    """Hs (B, T, H) of the reference step applied over X, optionally restarting h or c at every step."""
    h, c, out = h0, c0, []
    for t in range(X.shape[1]):
        h_new, c_new, _cache = ref.peephole_step_forward(X[:, t], h, c, *params)
        out.append(h_new)
        h = h_new if carry_h else h0
        c = c_new if carry_c else c0
    return np.stack(out, axis=1)


def _forward_mistakes(X, h0, c0, params) -> dict[str, np.ndarray]:
    Wx, Wh, b, p_i, p_f, p_o = params
    out = {
        _("Every step of yours starts from h0 and c0: carry h and c from one step to the next."):
            _reference_hs(X, h0, c0, params, carry_h=False, carry_c=False),
        _("Your steps carry h but restart the cell from c0: carry c_t to the next step too."):
            _reference_hs(X, h0, c0, params, carry_c=False),
        _("Your steps carry the cell but restart h from h0: carry h_t to the next step too."):
            _reference_hs(X, h0, c0, params, carry_h=False),
        _("Your forward drops the peepholes: pass p_i, p_f, p_o on to every step."):
            _reference_hs(X, h0, c0, (Wx, Wh, b, 0 * p_i, 0 * p_f, 0 * p_o)),
        _("Your sequence starts from zeros instead of h0 and c0."):
            _reference_hs(X, np.zeros_like(h0), np.zeros_like(c0), params),
    }
    import itertools

    for perm in itertools.permutations(range(3)):
        if perm != (0, 1, 2):
            ps = [(p_i, p_f, p_o)[k] for k in perm]
            out[_("You pass the peephole vectors in the wrong order ({order}); the step takes p_i, p_f, p_o.").format(
                order=", ".join(PEEPHOLES[k] for k in perm))] = _reference_hs(X, h0, c0, (Wx, Wh, b, *ps))
    return out


def check_forward(peephole_forward, hidden: bool = False) -> None:
    """peephole_forward(X (B,T,D), h0, c0, Wx, Wh, b, p_i, p_f, p_o) -> (Hs (B,T,H), (h_T, c_T))."""
    import torch

    for B, T, D, H, seed, dtype in sequence_cases(hidden):
        X, h0, c0 = lstm_inputs(B, T, D, H, seed=seed, dtype=dtype)
        params = ref.peephole_params(D, H, seed=seed + 1, dtype=dtype, scale=0.8, peephole_scale=1.5)
        args = (X, h0, c0, *params)
        got = call_student("peephole_forward", peephole_forward, *args, hidden=hidden, ready_made=READY_MADE,
                           names=FORWARD_ARGS)
        Hs, final = unpack("peephole_forward", got, 2, "(Hs, (h_T, c_T))")
        final = unpack(_("the second value of {name}").format(name="peephole_forward"), final, 2, "(h_T, c_T)")
        # The room's torch module PeepholeLSTM (autograd, checked against finite differences) on the same weights.
        tdt = torch.float32 if dtype == np.float32 else torch.float64
        module = models.PeepholeLSTM(D, H, dtype=tdt).load_numpy(params)
        with torch.no_grad():
            out, (hn, cn) = module(torch.as_tensor(X), (torch.as_tensor(h0), torch.as_tensor(c0)))
        want, hn, cn = out.numpy(), hn.numpy(), cn.numpy()
        rtol, atol = tolerances(X)
        assert_order(_("{name}'s final state").format(name="peephole_forward"), final, (hn, cn), ("h_T", "c_T"),
                     rtol=rtol, atol=atol)
        hT, cT = final
        for part, value in (("Hs", Hs), ("h_T", hT), ("c_T", cT)):
            assert_ndarray(_("{name}'s {part}").format(name="peephole_forward", part=part), value)
        mistakes = _forward_mistakes(X, h0, c0, params)
        mistakes[_("Your Hs is time-major (T, B, H); the course is batch-first: Hs[:, t] is the output at step t.")] = \
            want.transpose(1, 0, 2)
        assert_close(_("Hs (compared with the library's PeepholeLSTM in torch)"), Hs, want, rtol=rtol, atol=atol,
                     mistakes=mistakes,
                     hint=_("(case B={B}, T={T}, D={D}, H={H}, {dtype}). Check peephole_step first.").format(
                         B=B, T=T, D=D, H=H, dtype=np.dtype(dtype).name))
        final_mistakes = {
            _("Your final state is the one after the first step; return the state after the last step."):
                ref.peephole_step_forward(X[:, 0], h0, c0, *params)[0],
        } if T > 1 else {}
        assert_close("h_T", hT, hn, rtol=rtol, atol=atol, mistakes=final_mistakes)
        assert_close("c_T", cT, cn, rtol=rtol, atol=atol, mistakes={_("You returned h_T where c_T belongs."): hn})
    if hidden:
        # Huge inputs and cells at every step: every gate saturates, nothing overflows.
        for dtype in (np.float64, np.float32):
            x, h0, c0, params = _extreme_case(dtype)
            X = np.stack([x, x[[2, 0, 1]], x[[1, 2, 0]]], axis=1)
            got = call_student("peephole_forward", peephole_forward, X, h0, c0, *params, names=FORWARD_ARGS)
            Hs, final = unpack("peephole_forward", got, 2, "(Hs, (h_T, c_T))")
            hT, cT = unpack(_("the second value of {name}").format(name="peephole_forward"), final, 2, "(h_T, c_T)")
            want, (hn, cn), _cache = ref.peephole_forward(*_f64(X, h0, c0, *params))
            for value, got_value, want_value in (("Hs", Hs, want), ("h_T", hT, hn), ("c_T", cT, cn)):
                assert_close(_("{value} with very large inputs and cells ({dtype}; a naive exp overflows there)").format(
                    value=value, dtype=np.dtype(dtype).name), got_value, want_value)
    if hidden:
        passed(_("peephole_forward matches the torch PeepholeLSTM over a sequence (hidden cases too)"))
    else:
        passed(_("peephole_forward matches the torch PeepholeLSTM over a sequence"))



# --- exercise 3: parameter count -----------------------------------------------------------------

def check_param_count(peephole_param_count, hidden: bool = False) -> None:
    """peephole_param_count(input_size, hidden_size) -> int: one bias vector, diagonal peepholes."""
    sizes = [(3, 4), (64, 128)] + ([(1, 1), (10, 3), (300, 17)] if hidden else [])
    for D, H in sizes:
        module = models.PeepholeLSTM(D, H)
        want = sum(p.numel() for p in module.parameters())      # 4H(D + H + 1) + 3H
        got = call_student("peephole_param_count", peephole_param_count, D, H, hidden=hidden, ready_made=READY_MADE,
                           names=("input_size", "hidden_size"))
        got = assert_int("peephole_param_count", got)
        if got == want:
            continue
        lstm = 4 * H * (D + H + 1)
        diag = {
            lstm: _("You counted a plain LSTM: add the three peephole vectors p_i, p_f, p_o (H numbers each)."),
            lstm + 3 * H * H: _("You counted full H x H peephole matrices; peepholes are diagonal: H numbers per gate."),
            lstm + 4 * H * H: _("You counted four full H x H peephole matrices; there are three peephole vectors of H "
                                "numbers."),
            lstm + 4 * H: _("You counted four peephole vectors; the candidate g has none: only i, f and o peek (3H)."),
            lstm + H: _("You counted one peephole vector; each of the three gates i, f, o has its own (3H)."),
            lstm + 3: _("You counted one number per peephole; each is a vector of H numbers, one per unit."),
            lstm + 2 * H: _("You counted two peephole vectors; each of the three gates i, f and o has its own (3H)."),
            4 * H * (D + H) + 3 * H: _("You left out the bias vector (4H numbers)."),
            4 * H * (D + H + 2) + 3 * H: _("You counted two bias vectors (torch's habit); this layer has one (4H "
                                           "numbers)."),
            3 * H * (D + H + 1) + 3 * H: _("You counted 3 gate blocks; the layer still has 4 (i, f, g, o) plus the "
                                           "peepholes."),
        }
        raise CheckFailed(diag.get(int(got), _("For D={D}, H={H} you return {got}; the layer has {want} "
                                               "(4 blocks of H(D + H + 1) plus 3 peephole vectors of H).").format(
                                                   D=D, H=H, got=got, want=want)))
    if hidden:
        passed(_("peephole_param_count matches the PeepholeLSTM module (hidden cases too)"))
    else:
        passed(_("peephole_param_count matches the PeepholeLSTM module"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
