"""Checks for lesson 05 (deep and bidirectional LSTM), with diagnoses of the common mistakes.

Each check_* takes the student's function, runs it on seeded cases, compares with
torch.nn.LSTM on copied weights (padded batches packed with pack_padded_sequence,
enforce_sorted=False) and raises CheckFailed naming the mistake: the backward direction
not reversed back, padding leaking into the backward direction, the final state taken at
the padded end, dropout left on in evaluation, h_n in the wrong order, ...
Padded positions of every input hold large garbage values, so any leak shows.
`hidden=True` adds held-back cases (other sizes and depths, float32, a batch of one, T = 1,
an empty sequence for reverse_padded, D == H so that wrong wiring no longer fails by shape, dropout
on Y of other shapes and on 5 elements, dropout almost 1 so that every layer above the first reads
zeros) and the from-scratch rule. Final states (h_n, c_n) are checked for their order first
(assert_order), every returned array for being a numpy array.
Every call of a student's function goes through lstmlab.checking.call_student.
"""
from __future__ import annotations

import functools

import numpy as np

from lstmlab import bridge
from lstmlab import lstm as ref
from lstmlab import stacked
from lstmlab.fixtures import lstm_params, rng
from lstmlab.i18n import N_, _
from lstmlab.checking import (CheckFailed, assert_ndarray, as_array, assert_close, assert_order, call_student, student_facing, passed, reference_functions,
                              tolerances, unpack)


def _ready_made():
    """Ready-made targets beyond torch's and lstmlab.lstm's: this lesson's numpy reference."""
    return reference_functions(stacked)


def _final_states(name, final, want_h, want_c, rtol, atol):
    """Unpack (h_n, c_n): the order first (same shapes, so a swap would pass a shape check), then their types."""
    h_n, c_n = unpack(_("the second value of {name}").format(name=name), final, 2, "(h_n, c_n)")
    assert_order(_("{name}'s final state").format(name=name), (h_n, c_n), (want_h, want_c), ("h_n", "c_n"),
                 rtol=rtol, atol=atol)
    assert_ndarray(_("{name}'s {value}").format(name=name, value="h_n"), h_n)
    assert_ndarray(_("{name}'s {value}").format(name=name, value="c_n"), c_n)
    return h_n, c_n


# --- cases ------------------------------------------------------------------------------------

def _layers(D, H, L, bidirectional, seed, dtype):
    """L layers of seeded weights (scale 0.8 so that gates are far from 0.5)."""
    dirs = 2 if bidirectional else 1
    out = []
    for layer in range(L):
        d_in = D if layer == 0 else dirs * H
        ps = [lstm_params(d_in, H, seed=seed + 10 * layer + k, dtype=dtype, scale=0.8) for k in range(dirs)]
        out.append(tuple(ps) if bidirectional else ps[0])
    return out


def _case(B, T, D, H, L, bidirectional, seed, dtype, lengths=None):
    """X (B, T, D) with garbage at padded positions, lengths (B,), h0, c0 (L*dirs, B, H), layers."""
    r = rng(seed)
    dirs = 2 if bidirectional else 1
    X = r.standard_normal((B, T, D))
    lengths = np.full(B, T, dtype=np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)
    pad = ~stacked.length_mask(lengths, T)
    X[pad] = 4.0 + 3.0 * r.standard_normal((int(pad.sum()), D))      # padding that would visibly leak
    h0 = 0.5 * r.standard_normal((L * dirs, B, H))
    c0 = r.standard_normal((L * dirs, B, H))
    layers = _layers(D, H, L, bidirectional, seed + 1000, dtype)
    return X.astype(dtype), lengths, h0.astype(dtype), c0.astype(dtype), layers


def _torch(X, lengths, h0, c0, layers, bidirectional):
    """torch.nn.LSTM on the same weights, packed: (out, h_n, c_n) as numpy."""
    import torch

    dt = torch.float32 if X.dtype == np.float32 else torch.float64
    lstm = bridge.stacked_as_torch(layers, bidirectional, dtype=dt)
    return bridge.torch_packed_forward(lstm, X, lengths, h0, c0)


def _label(B, T, D, H, dtype, **more):
    extra = "".join(f", {k}={v}" for k, v in more.items())
    return _("(case {values})").format(values=f"B={B}, T={T}, D={D}, H={H}{extra}, {np.dtype(dtype).name}")


# --- one direction, with the mistakes students make -------------------------------------------

def _reference_lstm(X, h0, c0, params):
    """The textbook's plain, unmasked LSTM over X: (Hs, (hT, cT))."""
    Hs, final, _cache = ref.lstm_forward(np.ascontiguousarray(X), h0, c0, *params)
    return Hs, final


def _direction(inp, lengths, h0, c0, params, backward: bool, mode: str = "ok"):
    """One direction of a layer, correct (mode 'ok') or with a named mistake.

    Returns (Hs in input order (B, T, H), (hT, cT)).
    modes: 'end'    no masking: padded steps are processed, final state at t = T-1, outputs zeroed
           'flip'   backward direction reads inp[:, ::-1] (padding first), unmasked, flipped back
           'noback' backward outputs left in processing order (not reversed back)
    """
    T = inp.shape[1]
    valid = stacked.length_mask(lengths, T)[..., None]
    if not backward:
        if mode == "end":
            Hs, final = _reference_lstm(inp, h0, c0, params)
            return Hs * valid, final
        return stacked.masked_lstm_forward(inp, lengths, h0, c0, *params)
    if mode == "flip":
        Hr, final = _reference_lstm(inp[:, ::-1], h0, c0, params)
        return Hr[:, ::-1] * valid, final
    Hr, final = stacked.masked_lstm_forward(stacked.reverse_padded(inp, lengths), lengths, h0, c0, *params)
    return (Hr if mode == "noback" else stacked.reverse_padded(Hr, lengths)), final


def _stack(X, lengths, h0, c0, layers, bidirectional, fwd_mode="ok", bwd_mode="ok"):
    """A whole stack with the given per-direction modes: (out, h_n, c_n)."""
    inp, hs, cs = X, [], []
    for layer, params in enumerate(layers):
        if bidirectional:
            k = 2 * layer
            Hf, (hf, cf) = _direction(inp, lengths, h0[k], c0[k], params[0], False, fwd_mode)
            Hb, (hb, cb) = _direction(inp, lengths, h0[k + 1], c0[k + 1], params[1], True, bwd_mode)
            inp = np.concatenate([Hf, Hb], axis=2)
            hs += [hf, hb]
            cs += [cf, cb]
        else:
            inp, (h, c) = _direction(inp, lengths, h0[layer], c0[layer], params, False, fwd_mode)
            hs.append(h)
            cs.append(c)
    return inp, np.stack(hs), np.stack(cs)


# --- exercise 1: stacking layers --------------------------------------------------------------

STACK_VISIBLE = [(2, 4, 4, 4, 3, 5, np.float64), (2, 5, 3, 4, 2, 0, np.float64)]
STACK_HIDDEN = [(1, 4, 4, 4, 2, 1, np.float64), (3, 6, 2, 3, 2, 2, np.float32), (2, 3, 5, 2, 1, 3, np.float64),
                (2, 5, 4, 4, 4, 4, np.float64), (2, 1, 3, 3, 2, 6, np.float64)]   # the last: T = 1


def _stack_mistakes(X, h0, c0, layers):
    """{message: (out, h_n, c_n)} of typical wrong stacks (those that run without a shape error)."""
    L, D, H = len(layers), X.shape[2], layers[0].hidden_size
    out: dict[str, tuple] = {}

    def chain(inputs_from_x=False, state=lambda l, hs, cs: (h0[l], c0[l]), residual=False, weights=lambda l: layers[l]):
        inp, hs, cs = X, [], []
        for layer in range(L):
            source = X if inputs_from_x else inp
            h_init, c_init = state(layer, hs, cs)
            Hs, (h, c) = _reference_lstm(source, h_init, c_init, weights(layer))
            if residual and source.shape[2] == H:
                Hs = Hs + source
            inp = Hs
            hs.append(h)
            cs.append(c)
        return inp, np.stack(hs), np.stack(cs)

    if D == H and L > 1:
        out[_("Every layer of yours reads X. Layer l > 0 must read the outputs of layer l - 1 (its whole "
              "sequence Hs), not the original input.")] = chain(inputs_from_x=True)
        out[_("Every layer of yours uses layer 0's weights: layer l must use layers[l].")] = chain(weights=lambda l: layers[0])
    if L > 1:
        out[_("Every layer of yours starts from h0[0] and c0[0]: layer l starts from h0[l], c0[l].")] = \
            chain(state=lambda l, hs, cs: (h0[0], c0[0]))
        out[_("Layer l > 0 of yours starts from the final state of layer l - 1; each layer starts from its own "
              "initial state h0[l], c0[l] (the states are not passed up, the output sequence is).")] = \
            chain(state=lambda l, hs, cs: (hs[-1], cs[-1]) if l else (h0[0], c0[0]))
        res = chain(residual=True)
        if not np.allclose(res[0], chain()[0]):
            out[_("You added a residual connection (output + input); torch.nn.LSTM has none: a layer's output is "
                  "its hidden states alone. (Very deep stacks such as GNMT add residuals, but that is another model.)")] = res
    zeros = np.zeros_like(h0)
    out[_("You ignored h0 and c0 (started from zeros): layer l starts from h0[l], c0[l].")] = \
        chain(state=lambda l, hs, cs: (zeros[l], zeros[l]))
    out[_("Your layers start their cell state from h0: layer l starts from h0[l] and c0[l].")] = \
        chain(state=lambda l, hs, cs: (h0[l], h0[l]))
    if D == H and L > 1:
        out[_("Your stack runs the layers last-first: layers[0] reads X, layers[l] reads the output of layers[l - 1].")] = \
            chain(weights=lambda l: layers[L - 1 - l])
    return out


def check_stacked(stacked_lstm, hidden: bool = False) -> None:
    """stacked_lstm(X (B,T,D), h0 (L,B,H), c0 (L,B,H), layers) -> (out (B,T,H), (h_n (L,B,H), c_n (L,B,H)))."""
    for B, T, D, H, L, seed, dtype in STACK_VISIBLE + (STACK_HIDDEN if hidden else []):
        X, _lengths, h0, c0, layers = _case(B, T, D, H, L, False, seed, dtype)
        got = call_student("stacked_lstm", stacked_lstm, X, h0, c0, layers, hidden=hidden, ready_made=_ready_made(),
                           names=("X", "h0", "c0", "layers"))
        out, final = unpack("stacked_lstm", got, 2, "(out, (h_n, c_n))")
        want, hw, cw = _torch(X, np.full(B, T), h0, c0, layers, False)
        rtol, atol = tolerances(X)
        h_n, c_n = _final_states("stacked_lstm", final, hw, cw, rtol, atol)
        assert_ndarray(_("{name}'s {value}").format(name="stacked_lstm", value="out"), out)
        label = _label(B, T, D, H, dtype, L=L)
        wrong = _stack_mistakes(X, h0, c0, layers)
        first_layer = _reference_lstm(X, h0[0], c0[0], layers[0])[0]
        out_mistakes = {msg: w[0] for msg, w in wrong.items()}
        out_mistakes[_("Your out is time-major (T, B, H); keep batch-first: out[:, t] is step t.")] = want.transpose(1, 0, 2)
        if L > 1:
            out_mistakes[_("Your out holds the first layer's outputs; return the last layer's.")] = first_layer
        assert_close(_("out (compared with torch.nn.LSTM(num_layers=L))"), out, want, rtol=rtol, atol=atol,
                     mistakes=out_mistakes,
                     hint=_("{label}. Feed each layer the previous layer's whole output sequence.").format(label=label))
        h_mistakes = {msg: w[1] for msg, w in wrong.items()}
        h_mistakes.update({
            _("Your h_n holds only the last layer's final state; torch stacks the final state of every layer: "
              "h_n has shape (L, B, H), h_n[l] for layer l."): hw[-1],
            _("Your h_n is c_n: return (h_n, c_n) in that order."): cw,
        })
        if L > 1:
            h_mistakes[_("Your h_n lists the layers last-first; h_n[0] is layer 0 (the one reading X).")] = hw[::-1]
            h_mistakes[_("Your h_n holds only the last layer's final state (shape (1, B, H)); torch stacks "
                         "every layer's: (L, B, H).")] = hw[-1:]
        assert_close("h_n", h_n, hw, rtol=rtol, atol=atol, mistakes=h_mistakes, hint=label)
        c_mistakes = {msg: w[2] for msg, w in wrong.items()}
        c_mistakes[_("Your c_n holds only the last layer's final cell state; torch stacks every layer's: (L, B, H).")] = cw[-1]
        c_mistakes[_("You returned h_n where c_n belongs.")] = hw
        if L > 1:
            c_mistakes[_("Your c_n lists the layers last-first; c_n[0] is layer 0.")] = cw[::-1]
        assert_close("c_n", c_n, cw, rtol=rtol, atol=atol, mistakes=c_mistakes, hint=label)
    passed(_("stacked_lstm matches torch.nn.LSTM(num_layers=L) (hidden cases too)") if hidden
           else _("stacked_lstm matches torch.nn.LSTM(num_layers=L)"))


# --- exercise 2: a bidirectional layer ----------------------------------------------------------

BI_VISIBLE = [(2, 5, 3, 4, 0, np.float64)]
BI_HIDDEN = [(1, 6, 4, 4, 1, np.float64), (3, 4, 2, 3, 2, np.float32), (2, 1, 3, 2, 3, np.float64),
             (4, 7, 3, 5, 4, np.float64)]


def check_bidirectional(bidirectional_lstm, hidden: bool = False) -> None:
    """bidirectional_lstm(X (B,T,D), h0 (2,B,H), c0 (2,B,H), fwd, bwd) -> (out (B,T,2H), (h_n (2,B,H), c_n (2,B,H)))."""
    for B, T, D, H, seed, dtype in BI_VISIBLE + (BI_HIDDEN if hidden else []):
        X, lengths, h0, c0, layers = _case(B, T, D, H, 1, True, seed, dtype)
        fwd, bwd = layers[0]
        got = call_student("bidirectional_lstm", bidirectional_lstm, X, h0, c0, fwd, bwd, hidden=hidden,
                           ready_made=_ready_made(), names=("X", "h0", "c0", "fwd", "bwd"))
        out, final = unpack("bidirectional_lstm", got, 2, "(out, (h_n, c_n))")
        want, hw, cw = _torch(X, lengths, h0, c0, layers, True)
        rtol, atol = tolerances(X)
        h_n, c_n = _final_states("bidirectional_lstm", final, hw, cw, rtol, atol)
        assert_ndarray(_("{name}'s {value}").format(name="bidirectional_lstm", value="out"), out)
        label = _label(B, T, D, H, dtype)
        Hf, (hf, cf) = _reference_lstm(X, h0[0], c0[0], fwd)
        Hb_rev, (hb, cb) = _reference_lstm(X[:, ::-1], h0[1], c0[1], bwd)
        Hb = Hb_rev[:, ::-1]
        cat = lambda a, b: np.concatenate([a, b], axis=2)
        out_mistakes = {
            _("Your backward features are not reversed back: the backward direction reads x_(T-1), ..., x_0, so its "
              "k-th output belongs to position T-1-k. Flip its outputs back along time before concatenating."):
                cat(Hf, Hb_rev),
            _("Your backward direction reads the sequence forwards: run it on X reversed in time (X[:, ::-1])."):
                cat(Hf, _reference_lstm(X, h0[1], c0[1], bwd)[0]),
            _("Your out has the backward features first; torch puts the forward direction in out[..., :H] and the "
              "backward one in out[..., H:]."): cat(Hb, Hf),
            _("Your backward direction uses the forward weights: use bwd for it."):
                cat(Hf, _reference_lstm(X[:, ::-1], h0[1], c0[1], fwd)[0][:, ::-1]),
            _("Both of your directions start from h0[0], c0[0]: the backward one starts from h0[1], c0[1]."):
                cat(Hf, _reference_lstm(X[:, ::-1], h0[0], c0[0], bwd)[0][:, ::-1]),
            _("Your out stacks the directions on a new axis (B, T, 2, H); concatenate them along the features: (B, T, 2H)."):
                np.stack([Hf, Hb], axis=2),
            _("Your out is (2, B, T, H); concatenate the two directions along the last axis: (B, T, 2H)."):
                np.stack([Hf, Hb]),
        }
        if B > 1:
            Hb_batch = _reference_lstm(X[::-1], h0[1], c0[1], bwd)[0][::-1]
            out_mistakes[_("Your backward direction reverses the batch axis (X[::-1]): reverse time, X[:, ::-1], "
                           "and flip its outputs back along time.")] = cat(Hf, Hb_batch)
        assert_close(_("out (compared with torch.nn.LSTM(bidirectional=True))"), out, want, rtol=rtol, atol=atol,
                     mistakes=out_mistakes, hint=label)
        h_mistakes = {
            _("Your backward final state is taken at t = T-1, after it read a single step. The backward direction "
              "ends at t = 0: its final state is its state after reading x_0 (out[:, 0, H:])."): np.stack([hf, Hb[:, -1]]),
            _("Your h_n is ordered (backward, forward); torch's order is h_n[0] forward, h_n[1] backward."): hw[::-1],
            _("Your h_n concatenates the directions (B, 2H); torch stacks them: (2, B, H)."): np.concatenate([hf, hb], axis=1),
            _("Your h_n is c_n: return (h_n, c_n) in that order."): cw,
        }
        assert_close("h_n", h_n, hw, rtol=rtol, atol=atol, mistakes=h_mistakes, hint=label)
        c_mistakes = {
            _("Your c_n is ordered (backward, forward); torch's order is forward first."): cw[::-1],
            _("Your c_n concatenates the directions (B, 2H); torch stacks them: (2, B, H)."): np.concatenate([cf, cb], axis=1),
            _("You returned h_n where c_n belongs."): hw,
        }
        assert_close("c_n", c_n, cw, rtol=rtol, atol=atol, mistakes=c_mistakes, hint=label)
    passed(_("bidirectional_lstm matches torch.nn.LSTM(bidirectional=True) (hidden cases too)") if hidden
           else _("bidirectional_lstm matches torch.nn.LSTM(bidirectional=True)"))


# --- exercise 3: reversing padded sequences -----------------------------------------------------

def check_reverse_padded(reverse_padded, hidden: bool = False) -> None:
    """reverse_padded(X (B, T, ...), lengths (B,)) -> same shape, each sequence reversed within its length."""
    r = rng(50)
    cases = [(np.arange(3 * 5 * 2, dtype=np.float64).reshape(3, 5, 2), np.array([5, 2, 3]))]
    if hidden:
        cases += [
            (r.standard_normal((4, 6)), np.array([1, 6, 3, 4])),                      # 2-D (B, T)
            (r.standard_normal((2, 4, 3)).astype(np.float32), np.array([4, 4])),     # no padding
            (r.standard_normal((1, 5, 2, 2)), np.array([2])),                         # batch of one, (B, T, 2, 2)
            (r.standard_normal((3, 7, 1)), np.array([7, 1, 5])),
            (r.standard_normal((3, 4, 2)), np.array([0, 4, 1])),                     # an empty sequence: nothing moves
        ]
    call = functools.partial(call_student, "reverse_padded", reverse_padded, hidden=hidden, ready_made=_ready_made(),
                             names=("X", "lengths"))
    for X, lengths in cases:
        got = call(X, lengths)
        assert_ndarray(_("{name}'s result").format(name="reverse_padded"), got, floats=False)
        want = stacked.reverse_padded(X, lengths)
        T = X.shape[1]
        valid = stacked.length_mask(lengths, T).reshape(X.shape[:2] + (1,) * (X.ndim - 2))
        t = np.arange(T)[None, :]
        shifted = np.where(t < lengths[:, None], np.clip(lengths[:, None] - t, 0, T - 1), t)
        mistakes = {
            _("You reversed each whole padded row (X[:, ::-1]): the padding moved to the front, so a backward LSTM "
              "would read padding before the sequence. Reverse only the first lengths[b] steps and leave the padding "
              "where it is."): X[:, ::-1],
            _("Your padded positions changed: leave X[b, t] for t >= lengths[b] as it is (only the valid part is "
              "reversed)."): want * valid,
            _("Off by one: position t must receive step lengths[b] - 1 - t, not lengths[b] - t."):
                X[np.arange(X.shape[0])[:, None], shifted],
            _("You returned X unchanged: reverse the first lengths[b] steps of each sequence."): X,
        }
        if X.ndim > 2:
            flipped = np.stack([np.concatenate([np.flip(X[b, :L]), X[b, L:]]) for b, L in enumerate(lengths)])
            mistakes[_("You flipped every axis of the valid part (np.flip without axis): reverse time only, "
                       "np.flip(X[b, :L], axis=0) or X[b, :L][::-1]; the features stay in their order.")] = flipped
        if (lengths == 0).any():
            whole = np.stack([X[b, ::-1] if L == 0 else want[b] for b, L in enumerate(lengths)])
            mistakes[_("Your reversal of an empty sequence (lengths[b] = 0) moved its padding: X[b, L - 1::-1] with L = 0 "
                       "is X[b, -1::-1], the whole row reversed. A sequence of length 0 has nothing to reverse.")] = whole
        assert_close(_("reverse_padded for lengths {lengths}").format(lengths=lengths.tolist()), got, want, rtol=0, atol=0,
                     mistakes=mistakes,
                     hint=_("(X of shape {shape}) Y[b, t] = X[b, lengths[b]-1-t] for t < lengths[b], "
                            "else X[b, t].").format(shape=X.shape))
        twice = call(np.asarray(got).astype(X.dtype), lengths)
        assert_close(_("reverse_padded applied twice (must give X back)"), twice, X, rtol=0, atol=0)
    passed(_("reverse_padded reverses each sequence within its own length (hidden cases too)") if hidden
           else _("reverse_padded reverses each sequence within its own length"))


# --- exercise 4: one masked direction -------------------------------------------------------------

MASK_VISIBLE = [(3, 5, 3, 4, [5, 2, 4], 0, np.float64)]
MASK_HIDDEN = [(1, 4, 2, 3, [2], 1, np.float64), (4, 6, 4, 4, [1, 6, 3, 6], 2, np.float32),
               (3, 5, 3, 2, [3, 4, 2], 3, np.float64), (2, 3, 2, 2, [3, 3], 4, np.float64)]


FINAL_AT_END = N_("steps past a sequence's end must not change its state, so its final state is the one after "
                  "step lengths[b] - 1.")
FINAL_AT_END_C = N_("steps past a sequence's end must not change its state, so its final state is the one after "
                    "step lengths[b] - 1. Freeze c as well as h.")
BACKWARD_LEAK = N_("padding leaks into the backward direction: for a sequence shorter than T it must start at the "
                   "sequence's own last valid step lengths[b] - 1 (reverse with reverse_padded), not at T-1.")


def _matches(got, want, rtol, atol) -> bool:
    """True when got converts to an array of want's shape and equal values."""
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return arr.shape == np.shape(want) and bool(np.allclose(arr, want, rtol=rtol, atol=atol))


def _named_mistake(got, want, mistakes, rtol, atol) -> None:
    """If got is wrong and equals one of the known mistakes, fail with that mistake's message."""
    if not _matches(got, want, rtol, atol):
        for message, wrong in mistakes.items():
            if _matches(got, wrong, rtol, atol):
                raise CheckFailed(message)


def _final_diagnosis(name, got, want, lengths, rtol, atol, T, why=None):
    """Name the mistake when the full-length sequences' final states are right and all shorter ones wrong.

    why: the cause, already translated (default: FINAL_AT_END)."""
    why = _(FINAL_AT_END) if why is None else why
    got = as_array(name, got)
    if got.shape != want.shape or np.allclose(got, want, rtol=rtol, atol=atol):
        return
    ok = np.array([np.allclose(got[b], want[b], rtol=rtol, atol=atol) for b in range(len(lengths))])
    short = lengths < T
    if short.any() and ok[~short].all() and not ok[short].any():
        raise CheckFailed(_("Your {name} is right for the sequences of full length and wrong for the shorter ones "
                            "(lengths {lengths}): {why}").format(name=name, lengths=lengths.tolist(), why=why))


def _state_reset_diagnosis(h_n, c_n, hw, cw, h0, c0, lengths, T, rtol, atol) -> None:
    """Tell apart the mistakes that leave the short sequences' final states at zero (or at h0, c0).

    A step that resets the state at padded positions and h_n read from Hs[:, -1] both give h_n = 0 for every
    sequence shorter than T; only the reset also zeroes c_n. Fails with the mistake it sees, or does nothing.
    """
    h, c = as_array("h_n", h_n), as_array("c_n", c_n)
    short = np.asarray(lengths) < T
    if h.shape != hw.shape or c.shape != cw.shape or not short.any():
        return
    close = lambda a, b: bool(np.allclose(a, b, rtol=rtol, atol=atol))
    full_ok = close(h[~short], hw[~short]) and close(c[~short], cw[~short])
    if not full_ok:
        return
    for what, h_at, c_at in (("zero", np.zeros_like(hw[short]), np.zeros_like(cw[short])),
                             ("h0 and c0", h0[short], c0[short])):
        if close(h[short], h_at) and not close(hw[short], h_at):
            if close(c[short], c_at):
                raise CheckFailed(
                    _("Your final states are zero for every sequence shorter than T and right for the full-length ones: "
                      "your loop sets the state to zero at padded steps. Past a sequence's end keep its last valid "
                      "state: h = np.where(valid, h_new, h), and the same for c (outputs at padded steps are zero, "
                      "the state is not).") if what == "zero" else
                    _("Your final states are h0 and c0 for every sequence shorter than T and right for the full-length "
                      "ones: your loop puts the state back to h0, c0 at padded steps. Past a sequence's end keep its "
                      "last valid state: h = np.where(valid, h_new, h), and the same for c (outputs at padded steps "
                      "are zero, the state is not)."))
            if what == "zero" and close(c[short], cw[short]):
                raise CheckFailed(
                    _("Your h_n is zero for the sequences shorter than T while c_n is right: you read h_n from Hs[:, -1], "
                      "which is padding (zero) for them. Take each sequence's state at its own last valid step "
                      "t = lengths[b] - 1 (the state your loop carries)."))
            raise CheckFailed(
                _("Your h_n and c_n are zero (h_n) for the sequences shorter than T: either your step resets the state "
                  "at padded steps, or you read the final states at the padded end. Keep each sequence's last valid "
                  "state (h = np.where(valid, h_new, h), the same for c).") if what == "zero" else
                _("Your h_n and c_n are h0 and c0 (h_n) for the sequences shorter than T: either your step resets the "
                  "state at padded steps, or you read the final states at the padded end. Keep each sequence's last "
                  "valid state (h = np.where(valid, h_new, h), the same for c)."))


def check_masked_layer(masked_lstm_layer, hidden: bool = False) -> None:
    """masked_lstm_layer(X (B,T,D), lengths (B,), h0 (B,H), c0 (B,H), Wx, Wh, b) -> (Hs (B,T,H), (h_n, c_n) each (B,H))."""
    for B, T, D, H, lengths, seed, dtype in MASK_VISIBLE + (MASK_HIDDEN if hidden else []):
        X, lengths, h0, c0, layers = _case(B, T, D, H, 1, False, seed, dtype, lengths)
        params = layers[0]
        got = call_student("masked_lstm_layer", masked_lstm_layer, X, lengths, h0[0], c0[0], *params, hidden=hidden,
                           ready_made=_ready_made(), names=("X", "lengths", "h0", "c0", "Wx", "Wh", "b"))
        Hs, final = unpack("masked_lstm_layer", got, 2, "(Hs, (h_n, c_n))")
        want, hw, cw = _torch(X, lengths, h0[:1], c0[:1], layers, False)
        want, hw, cw = want, hw[0], cw[0]
        rtol, atol = tolerances(X)
        h_n, c_n = _final_states("masked_lstm_layer", final, hw, cw, rtol, atol)
        assert_ndarray(_("{name}'s {value}").format(name="masked_lstm_layer", value="Hs"), Hs)
        label = _label(B, T, D, H, dtype, lengths=lengths.tolist())
        H_un, (h_end, c_end) = _reference_lstm(X, h0[0], c0[0], params)
        valid = stacked.length_mask(lengths, T)[..., None]
        Hs_arr = as_array("Hs", Hs)
        if Hs_arr.shape == want.shape and np.allclose(Hs_arr * valid, want, rtol=rtol, atol=atol) \
                and not np.allclose(Hs_arr, want, rtol=rtol, atol=atol):
            at_end = stacked.length_mask(np.minimum(lengths + 1, T), T)[..., None] & ~valid
            if np.allclose(Hs_arr * ~at_end, want, rtol=rtol, atol=atol):
                raise CheckFailed(_("Off by one: your Hs is non-zero at t = lengths[b], the first padded step. Step t is "
                                    "valid when t < lengths[b] (not <=): a sequence of length L has steps 0, ..., L-1."))
            raise CheckFailed(_("Your Hs is right at the valid positions but not zero at the padded ones: outputs at "
                                "t >= lengths[b] must be 0 (that is what pad_packed_sequence returns)."))
        short_mask = stacked.masked_lstm_forward(X, np.maximum(lengths - 1, 0), h0[0], c0[0], *params)
        assert_close(_("Hs (compared with torch.nn.LSTM on a packed batch)"), Hs, want, rtol=rtol, atol=atol,
                     mistakes={_("Your Hs is time-major (T, B, H); keep batch-first."): want.transpose(1, 0, 2),
                               _("Your loop stops one step early: step lengths[b] - 1 is the last valid one (t < lengths[b], "
                                 "not t < lengths[b] - 1)."): short_mask[0]}, hint=label)
        _state_reset_diagnosis(h_n, c_n, hw, cw, h0[0], c0[0], lengths, T, rtol, atol)
        idx = np.arange(B)
        after = np.minimum(lengths, T - 1)
        h_mistakes = {
            _("Your h_n is the state at the padded end t = T-1: steps past a sequence's end must not change its "
              "state, so the final state of a sequence of length L is the one after step L-1."): h_end,
            _("Your h_n is one step too far: it includes the first padded step. The last valid step is lengths[b] - 1."):
                np.where((lengths < T)[:, None], H_un[idx, after], hw),
            _("Your h_n is c_n: return (h_n, c_n) in that order."): cw,
        }
        _named_mistake(h_n, hw, h_mistakes, rtol, atol)
        _final_diagnosis("h_n", h_n, hw, lengths, rtol, atol, T)
        assert_close("h_n", h_n, hw, rtol=rtol, atol=atol, hint=label)
        c_mistakes = {_("Your c_n is the state at the padded end t = T-1: steps past a sequence's end must not change "
                        "its state, so the final state of a sequence of length L is the one after step L-1. Freeze c "
                        "as well as h."): c_end,
                      _("You returned h_n where c_n belongs."): hw}
        _named_mistake(c_n, cw, c_mistakes, rtol, atol)
        _final_diagnosis("c_n", c_n, cw, lengths, rtol, atol, T, _(FINAL_AT_END_C))
        assert_close("c_n", c_n, cw, rtol=rtol, atol=atol, hint=label)
    passed(_("masked_lstm_layer matches torch.nn.LSTM on packed sequences (hidden cases too)") if hidden
           else _("masked_lstm_layer matches torch.nn.LSTM on packed sequences"))


# --- exercise 5: dropout between layers ----------------------------------------------------------

def _dropout_values(Y, out, p, where):
    """Diagnose a training-mode dropout output: every element is 0 or Y / (1 - p), a fraction p of zeros."""
    arr = as_array(_("{name}'s output").format(name="layer_dropout"), out)
    if arr.shape != Y.shape:
        raise CheckFailed(_("layer_dropout's output has shape {got}, expected {want} (the shape of Y).").format(
            got=arr.shape, want=Y.shape))
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(_("layer_dropout's output contains NaN or inf."))
    zero = arr == 0
    frac = float(zero.mean())
    kept = ~zero
    scale_tol = dict(rtol=1e-5, atol=1e-6)
    if frac == 0.0 and np.allclose(arr, Y, **scale_tol):
        raise CheckFailed(_("In training with p={p} your layer_dropout returned Y unchanged: drop each element with "
                            "probability p (and scale the kept ones by 1/(1-p)).").format(p=p))
    if abs(frac - (1 - p)) < 0.02 and abs(p - 0.5) > 0.1:
        raise CheckFailed(_("Your layer_dropout zeroes a fraction {frac:.2f} of the elements, about 1 - p: p is the "
                            "probability of dropping, so keep an element when rng.random() >= p.").format(frac=frac))
    if not np.allclose(arr[kept], Y[kept] / (1 - p), **scale_tol):
        if np.allclose(arr[kept], Y[kept], **scale_tol):
            raise CheckFailed(_("Your kept values are not rescaled. Inverted dropout divides them by (1 - p), so that "
                                "the expected output equals Y and evaluation needs no change."))
        if np.allclose(arr[kept], Y[kept] / p, **scale_tol):
            raise CheckFailed(_("Your kept values are divided by p; divide by the keep probability (1 - p)."))
        if np.allclose(arr[kept], Y[kept] * (1 - p), **scale_tol):
            raise CheckFailed(_("Your kept values are multiplied by (1 - p); inverted dropout divides them by (1 - p)."))
        raise CheckFailed(_("{where}: each element must be either 0 (dropped) or Y / (1 - p) (kept); "
                            "yours are not.").format(where=where))
    n = Y.size
    if abs(frac - p) > max(0.02, 6 * np.sqrt(p * (1 - p) / n)):
        raise CheckFailed(_("{where}: you dropped a fraction {frac:.3f} of the elements, expected about p = {p}. "
                            "Drop each element independently with probability p.").format(where=where, frac=frac, p=p))
    # Independent elements: a mask repeated along an axis (one mask for all time steps, as variational dropout
    # does, or one draw per row) shows as identical slices. Checked only where slices hold >= 200 elements, so
    # that an independent mask repeats by chance with negligible probability.
    if Y.ndim >= 2 and 0 < frac < 1:
        for axis in range(Y.ndim):
            if Y.shape[axis] >= 2 and Y.size // Y.shape[axis] >= 200 and \
                    np.array_equal(zero, np.broadcast_to(zero.take([0], axis=axis), zero.shape)):
                raise CheckFailed(_("{where}: your dropout mask is the same at every index of axis {axis} (one mask "
                                    "broadcast along it, like variational dropout's one mask for all time steps). "
                                    "torch.nn.LSTM's dropout draws every element independently: "
                                    "rng.random(Y.shape).").format(where=where, axis=axis))


def check_dropout(layer_dropout, hidden: bool = False) -> None:
    """layer_dropout(Y, p, training, rng) -> array like Y: inverted dropout in training, identity in evaluation."""
    r = rng(60)
    Y = r.uniform(0.5, 1.5, (200, 10, 20)) * r.choice([-1.0, 1.0], (200, 10, 20))
    cases = [(Y, 0.3)]
    if hidden:
        cases += [(Y.astype(np.float32), 0.5), (Y[:50], 0.1), (Y[:100], 0.8),
                  (Y[:, 0], 0.3), (Y[:40].reshape(-1), 0.5)]          # any shape: 2-D (200, 20) and 1-D (8000,)

    def call(Y, p, training, seed):
        return call_student("layer_dropout", layer_dropout, Y, p, training, np.random.default_rng(seed), hidden=hidden,
                            ready_made=_ready_made(), names=("Y", "p", "training", "rng"))

    for Yc, p in cases:
        where = _("(Y of shape {shape}, p={p}, {dtype})").format(shape=Yc.shape, p=p, dtype=Yc.dtype.name)
        output = _("{name}'s output").format(name="layer_dropout")
        # evaluation: the identity
        got = call(Yc, p, False, 0)
        arr = assert_ndarray(_("layer_dropout's output in evaluation"), got)
        if arr.shape == Yc.shape and not np.allclose(arr, Yc):
            if np.allclose(arr, Yc / (1 - p)):
                raise CheckFailed(_("In evaluation your layer_dropout divides by (1 - p): with inverted dropout the "
                                    "rescaling happens in training only (kept elements / (1 - p)); evaluation returns Y."))
            if np.allclose(arr, Yc * (1 - p)):
                raise CheckFailed(_("In evaluation your layer_dropout multiplies by (1 - p): that is the old, "
                                    "non-inverted dropout. With inverted dropout (scale by 1/(1-p) in training) "
                                    "evaluation is the identity: return Y."))
            if (arr == 0).mean() > p / 2:
                raise CheckFailed(_("Dropout is left on in evaluation: with training=False return Y unchanged "
                                    "(model.eval() in torch turns dropout off)."))
        assert_close(_("layer_dropout with training=False {where}").format(where=where), got, Yc,
                     hint=_("With training=False dropout does nothing: return Y."))
        # training: values, fraction, reproducibility
        got = call(Yc, p, True, 1)
        assert_ndarray(_("layer_dropout's output in training"), got)
        _dropout_values(Yc, got, p, where)
        again = call(Yc, p, True, 1)
        if not np.array_equal(as_array(output, again), as_array(output, got)):
            raise CheckFailed(_("Two calls with generators seeded alike gave different masks: draw the mask from the "
                                "rng argument (e.g. rng.random(Y.shape) >= p), not from np.random, so runs repeat."))
        other = as_array(output, call(Yc, p, True, 2))
        if np.array_equal(other, as_array(output, got)):
            raise CheckFailed(_("Generators with different seeds gave the same mask: draw the mask from rng."))
    if hidden:
        got = call(Y, 0.0, True, 3)
        assert_close(_("layer_dropout with p=0 in training (must return Y)"), got, Y)
        # Less than one expected drop per call (5 elements, p = 0.1): every element still drops with probability p,
        # so over 40 seeds some must drop (a correct answer drops none with probability 0.9**200, about 1e-9).
        tiny, dropped = Y[0, 0, :5], 0
        for seed in range(40):
            arr = assert_ndarray(_("layer_dropout's output in training"), call(tiny, 0.1, True, 100 + seed))
            if arr.shape != tiny.shape or not np.all((arr == 0) | np.isclose(arr, tiny / 0.9, rtol=1e-5, atol=1e-6)):
                raise CheckFailed(_("With Y of 5 elements and p=0.1, each element of your output must be 0 (dropped) or "
                                    "Y / (1 - p) (kept)."))
            dropped += int((arr == 0).sum())
        if dropped == 0:
            raise CheckFailed(_("With Y of 5 elements and p=0.1 your layer_dropout never dropped anything in 40 calls: "
                                "a number of drops computed as int(p * Y.size) rounds to zero. Drop each element "
                                "independently with probability p (rng.random(Y.shape) >= p keeps it)."))
    passed(_("layer_dropout: inverted dropout in training, identity in evaluation (hidden cases too)") if hidden
           else _("layer_dropout: inverted dropout in training, identity in evaluation"))


# --- exercise 6: the whole thing -------------------------------------------------------------------

DEEP_VISIBLE = [(4, 6, 3, 4, 2, [6, 2, 4, 1], 0, np.float64)]
DEEP_HIDDEN = [(3, 5, 4, 4, 1, [3, 5, 2], 1, np.float64), (2, 7, 2, 3, 3, [4, 7], 2, np.float64),
               (5, 4, 3, 2, 2, [2, 4, 1, 3, 4], 3, np.float32), (1, 5, 2, 3, 2, [3], 4, np.float64),
               (3, 4, 3, 3, 2, [4, 4, 4], 5, np.float64)]


def _deep_mistakes(X, lengths, h0, c0, layers):
    """{message: (out, h_n, c_n)} for the named mistakes of a deep bidirectional masked stack."""
    T = X.shape[1]
    out = {}
    if (np.asarray(lengths) < T).any():
        out[_("Padding leaks into your backward direction: you reversed the whole padded row (X[:, ::-1]), so for a "
              "sequence shorter than T the backward pass reads padding first. It must start at the sequence's own last "
              "valid step lengths[b] - 1: reverse with reverse_padded.")] = \
            _stack(X, lengths, h0, c0, layers, True, bwd_mode="flip")
        out[_("Your forward final state is taken at the padded end t = T-1: use a masked layer, so that steps past a "
              "sequence's end do not change its state.")] = _stack(X, lengths, h0, c0, layers, True, fwd_mode="end")
        out[_("Your layers ignore lengths (no masking): padded steps change the states of both directions. Use your "
              "masked_lstm_layer with reverse_padded.")] = _stack(X, lengths, h0, c0, layers, True, "end", "flip")
    L = len(layers)
    if L > 1:
        perm = [d * L + l for l in range(L) for d in range(2)]     # h0[2l + d] read from index d*L + l
        out[_("Your layers read their initial states in the wrong order: h0[2l + d] is layer l, direction d "
              "(l0-fwd, l0-bwd, l1-fwd, ...), the same order as h_n.")] = _stack(X, lengths, h0[perm], c0[perm], layers, True)
    out[_("Your backward features are not reversed back: after running on the reversed sequences, reverse its outputs "
          "again (reverse_padded) so that out[b, t, H:] belongs to input position t.")] = \
        _stack(X, lengths, h0, c0, layers, True, bwd_mode="noback")
    return out


def _halves_diagnosis(out, want, H, lengths, rtol, atol):
    """After the named mistakes: say which direction and which sequences are off."""
    arr = as_array("out", out)
    if arr.shape != want.shape:
        return
    fwd_ok = np.allclose(arr[..., :H], want[..., :H], rtol=rtol, atol=atol)
    bwd_ok = np.allclose(arr[..., H:], want[..., H:], rtol=rtol, atol=atol)
    T = want.shape[1]
    valid = stacked.length_mask(lengths, T)[..., None]
    if np.allclose(arr * valid, want, rtol=rtol, atol=atol):
        raise CheckFailed(_("Your out is right at the valid positions but not zero at the padded ones: outputs at "
                            "t >= lengths[b] must be 0, as pad_packed_sequence returns."))
    if not bwd_ok:
        rows = [np.allclose(arr[b, ..., H:], want[b, ..., H:], rtol=rtol, atol=atol) for b in range(len(lengths))]
        full = np.asarray(lengths) == T
        if all(r for r, f in zip(rows, full) if f) and not any(r for r, f in zip(rows, full) if not f) and (~full).any():
            raise CheckFailed(_("Your backward features are right for the full-length sequences and wrong for the "
                                "shorter ones: padding leaks into the backward direction. It must start at each "
                                "sequence's own last valid step lengths[b] - 1 (reverse_padded) and be masked."))
    if fwd_ok and not bwd_ok:
        raise CheckFailed(_("Your forward features out[..., :H] match torch but the backward ones out[..., H:] do not."))
    if bwd_ok and not fwd_ok:
        raise CheckFailed(_("Your backward features out[..., H:] match torch but the forward ones out[..., :H] do not."))


def check_deep_bidirectional(deep_bidirectional_lstm, hidden: bool = False) -> None:
    """deep_bidirectional_lstm(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None)
    -> (out (B,T,2H), (h_n (2L,B,H), c_n (2L,B,H))), torch's order, masked by lengths."""
    call = functools.partial(call_student, "deep_bidirectional_lstm", deep_bidirectional_lstm, hidden=hidden,
                             ready_made=_ready_made(), names=("X", "lengths", "h0", "c0", "layers"))
    for B, T, D, H, L, lengths, seed, dtype in DEEP_VISIBLE + (DEEP_HIDDEN if hidden else []):
        X, lengths, h0, c0, layers = _case(B, T, D, H, L, True, seed, dtype, lengths)
        label = _label(B, T, D, H, dtype, L=L, lengths=lengths.tolist())
        got = call(X, lengths, h0, c0, layers)
        out, final = unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")
        want, hw, cw = _torch(X, lengths, h0, c0, layers, True)
        rtol, atol = tolerances(X)
        h_n, c_n = _final_states("deep_bidirectional_lstm", final, hw, cw, rtol, atol)
        assert_ndarray(_("{name}'s {value}").format(name="deep_bidirectional_lstm", value="out"), out)
        wrong = _deep_mistakes(X, lengths, h0, c0, layers)
        # h_n first: it tells which layer and direction goes wrong.
        order = np.concatenate([hw[0::2], hw[1::2]])
        h_mistakes = {msg: w[1] for msg, w in wrong.items()}
        if L > 1:
            h_mistakes[_("Your h_n lists all forward directions, then all backward ones. torch's order is by layer: "
                         "l0-forward, l0-backward, l1-forward, l1-backward, ... (h_n[2l + d]).")] = order
        h_mistakes.update({
            _("Your h_n keeps only the last layer's two directions; torch stacks every layer's: (2L, B, H)."): hw[-2:],
            _("Your h_n concatenates the two directions (L, B, 2H); torch stacks them: (2L, B, H), index 2l + d."):
                np.concatenate([hw[0::2], hw[1::2]], axis=2),
            _("Your h_n is c_n: return (h_n, c_n) in that order."): cw,
        })
        _named_mistake(h_n, hw, h_mistakes, rtol, atol)
        h_arr = as_array("h_n", h_n)
        if h_arr.shape == hw.shape and not np.allclose(h_arr, hw, rtol=rtol, atol=atol):
            for k in range(2 * L):
                if not np.allclose(h_arr[k], hw[k], rtol=rtol, atol=atol):
                    forward = k % 2 == 0
                    which = (_("h_n[{k}] (layer {layer}, forward)") if forward
                             else _("h_n[{k}] (layer {layer}, backward)")).format(k=k, layer=k // 2)
                    _final_diagnosis(which, h_arr[k], hw[k], lengths, rtol, atol,
                                     T, _(FINAL_AT_END) if forward else _(BACKWARD_LEAK))
                    raise CheckFailed((_("h_n[{k}] (layer {layer}, forward direction) is the first wrong final state "
                                         "{label}. h_n[2l + d] is layer l, direction d (0 forward, 1 backward).")
                                       if forward else
                                       _("h_n[{k}] (layer {layer}, backward direction) is the first wrong final state "
                                         "{label}. h_n[2l + d] is layer l, direction d (0 forward, 1 backward)."))
                                      .format(k=k, layer=k // 2, label=label))
        assert_close("h_n", h_n, hw, rtol=rtol, atol=atol, mistakes=h_mistakes, hint=label)
        out_mistakes = {msg: w[0] for msg, w in wrong.items()}
        out_mistakes[_("Your out has the backward features first; torch's out[..., :H] is forward, out[..., H:] backward.")] = \
            np.concatenate([want[..., H:], want[..., :H]], axis=2)
        _named_mistake(out, want, out_mistakes, rtol, atol)
        if not _matches(out, want, rtol, atol):
            _halves_diagnosis(out, want, H, lengths, rtol, atol)
        assert_close(_("out (compared with torch.nn.LSTM(num_layers=L, bidirectional=True) on a packed batch)"), out, want,
                     rtol=rtol, atol=atol, hint=label)
        assert_close("c_n", c_n, cw, rtol=rtol, atol=atol,
                     mistakes={_("You returned h_n where c_n belongs."): hw, **{m: w[2] for m, w in wrong.items()}},
                     hint=label)
        _check_deep_dropout(call, X, lengths, h0, c0, layers, want, hw, cw, rtol, atol, label)
    passed(_("deep_bidirectional_lstm matches torch.nn.LSTM(num_layers=L, bidirectional=True) on packed sequences "
             "(hidden cases too)") if hidden
           else _("deep_bidirectional_lstm matches torch.nn.LSTM(num_layers=L, bidirectional=True) on packed sequences"))


def _check_deep_dropout(call, X, lengths, h0, c0, layers, want, hw, cw, rtol, atol, label):
    """Dropout acts between layers, only in training, reproducibly, never on X nor on the last layer's output.

    call(X, lengths, h0, c0, layers, **kwargs) calls the student's deep_bidirectional_lstm through call_student.
    """
    L = len(layers)
    got = call(X, lengths, h0, c0, layers, training=True, rng=np.random.default_rng(3))
    out = unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")[0]
    if not np.allclose(as_array("out", out), want, rtol=rtol, atol=atol):
        raise CheckFailed(_("With training=True and the default dropout your output changes: the default is dropout=0.0 "
                            "(no dropout), as in torch.nn.LSTM and the signature deep_bidirectional_lstm(..., dropout=0.0, "
                            "training=False, rng=None). {label}").format(label=label))
    got = call(X, lengths, h0, c0, layers, dropout=0.5, training=False, rng=np.random.default_rng(0))
    out, (h_n, c_n) = unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")
    if not np.allclose(as_array("out", out), want, rtol=rtol, atol=atol):
        raise CheckFailed(_("With dropout=0.5 and training=False your output changes: dropout is left on in "
                            "evaluation. Pass `training` to layer_dropout (it must do nothing when False). "
                            "{label}").format(label=label))
    got = call(X, lengths, h0, c0, layers, dropout=0.5, training=True, rng=np.random.default_rng(1))
    out, (h_n, c_n) = unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")
    out, h_n, c_n = (as_array(n, v) for n, v in (("out", out), ("h_n", h_n), ("c_n", c_n)))
    if out.shape != want.shape or h_n.shape != hw.shape:
        raise CheckFailed(_("With dropout in training your output has another shape than without."))
    if not (np.allclose(h_n[:2], hw[:2], rtol=rtol, atol=atol) and np.allclose(c_n[:2], cw[:2], rtol=rtol, atol=atol)):
        raise CheckFailed(_("With dropout in training, layer 0's final states changed: dropout acts only between layers, "
                            "on the sequence a layer passes up, never on X or inside a layer's recurrence."))
    valid = stacked.length_mask(lengths, X.shape[1])
    zeros = float((out[valid] == 0).mean())
    if zeros > 0.25:
        raise CheckFailed(_("With dropout=0.5 in training, {zeros:.0%} of your final outputs are exactly 0: you applied "
                            "dropout after the last layer too. torch applies it between layers only (not after the "
                            "last).").format(zeros=zeros))
    if L > 1 and np.allclose(out, want, rtol=rtol, atol=atol):
        raise CheckFailed(_("With dropout=0.5 and training=True your output equals the evaluation output: apply "
                            "layer_dropout to the output of every layer but the last."))
    for layer in range(1, L):
        k = slice(2 * layer, 2 * layer + 2)
        if np.allclose(h_n[k], hw[k], rtol=rtol, atol=atol) and np.allclose(c_n[k], cw[k], rtol=rtol, atol=atol):
            raise CheckFailed(_("With dropout=0.5 in training, layer {layer}'s final states are those of evaluation: the "
                                "output of layer {below} was not dropped before layer {layer} read it. Apply "
                                "layer_dropout between every two consecutive layers (to the output of every layer but "
                                "the last). {label}").format(layer=layer, below=layer - 1, label=label))
    if L == 1 and not np.allclose(out, want, rtol=rtol, atol=atol):
        raise CheckFailed(_("With a single layer there is no 'between layers': dropout must change nothing, as in torch."))
    if L > 1:
        # Dropout (almost) 1: every element passed up is dropped, so each layer l > 0 reads only zeros. Its final
        # states are then known exactly; a layer that still sees its predecessor's output was not given dropout.
        p_all = 1 - 1e-12
        got = call(X, lengths, h0, c0, layers, dropout=p_all, training=True, rng=np.random.default_rng(4))
        _out, final = unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")
        h_all = as_array("h_n", unpack(_("the second value of {name}").format(name="deep_bidirectional_lstm"), final, 2,
                                       "(h_n, c_n)")[0])
        zeros_in = np.zeros(X.shape[:2] + (2 * hw.shape[2],), dtype=np.float64)
        for layer in range(1, L):
            fwd, bwd = layers[layer]
            hf = stacked.masked_lstm_forward(zeros_in, lengths, h0[2 * layer], c0[2 * layer], *fwd)[1][0]
            hb = stacked.masked_lstm_forward(zeros_in, lengths, h0[2 * layer + 1], c0[2 * layer + 1], *bwd)[1][0]
            if h_all.shape == hw.shape and not np.allclose(h_all[2 * layer:2 * layer + 2], np.stack([hf, hb]),
                                                           rtol=rtol, atol=atol):
                raise CheckFailed(_("With dropout={p} in training every element passed up is dropped, so layer "
                                    "{layer} must read zeros; your layer {layer}'s final states say it read layer "
                                    "{below}'s output undropped. Apply layer_dropout to the output of every layer "
                                    "but the last, before the next layer reads it. {label}").format(
                                        p=p_all, layer=layer, below=layer - 1, label=label))
    again = call(X, lengths, h0, c0, layers, dropout=0.5, training=True, rng=np.random.default_rng(1))
    if not np.array_equal(as_array("out", unpack("deep_bidirectional_lstm", again, 2, "(out, (h_n, c_n))")[0]), out):
        raise CheckFailed(_("Two runs with generators seeded alike gave different outputs: draw every dropout mask from "
                            "the rng argument (pass it on to layer_dropout)."))
    # rng=None while training means what the exercise says: a fresh, unseeded generator (np.random.default_rng()).
    # A function that crashes here shows the student's own error with this call (no rng) under it; it is not
    # caught, so the sandbox's own failures still reach the grader as they are.
    got = call(X, lengths, h0, c0, layers, dropout=0.5, training=True)
    out_none = as_array("out", unpack("deep_bidirectional_lstm", got, 2, "(out, (h_n, c_n))")[0])
    if out_none.shape != want.shape:
        raise CheckFailed(_("With rng=None in training your output has another shape than with a generator."))
    if L > 1:
        other = call(X, lengths, h0, c0, layers, dropout=0.5, training=True, rng=np.random.default_rng(2))
        if np.array_equal(as_array("out", unpack("deep_bidirectional_lstm", other, 2, "(out, (h_n, c_n))")[0]), out):
            raise CheckFailed(_("Generators with different seeds gave the same output: your dropout masks do not come "
                                "from the rng argument (a generator of your own, seeded inside?). Pass rng on to "
                                "layer_dropout."))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
