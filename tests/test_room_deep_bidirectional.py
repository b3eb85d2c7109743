"""Lesson 05's room (lstmlab.lessons.deep_bidirectional): its checks (they pass the reference, refuse it as
ready-made in hidden mode, name the mistakes, go through call_student), the sign-XOR and look-ahead tasks and the plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lstmlab import stacked as S
from lstmlab.checking import CheckFailed
from lstmlab.lessons.deep_bidirectional import checks
from lstmlab.lessons.deep_bidirectional.plots import plot_accuracy_by_position, plot_depth, plot_padding_leak
from lstmlab.lessons.deep_bidirectional.tasks import IGNORE, look_ahead, sign_xor


def test_sign_xor_is_seeded_and_correct():
    X, Y = sign_xor(50, steps=9, window=3, seed=4)
    X2, Y2 = sign_xor(50, steps=9, window=3, seed=4)
    np.testing.assert_array_equal(X, X2)
    assert X.dtype == np.float32 and X.shape == (50, 9, 2) and Y.dtype == np.int64
    e = (X[..., 0] * X[..., 1] > 0).astype(int)
    for t in range(9):
        np.testing.assert_array_equal(Y[:, t], e[:, max(0, t - 2):t + 1].sum(1) % 2)
    assert 0.4 < Y.mean() < 0.6


def test_look_ahead_is_seeded_and_correct():
    X, lengths, Y = look_ahead(40, steps=8, n_symbols=4, ahead=2, min_length=3, seed=1)
    X2, _, _ = look_ahead(40, steps=8, n_symbols=4, ahead=2, min_length=3, seed=1)
    np.testing.assert_array_equal(X, X2)
    assert lengths.min() >= 3 and lengths.max() <= 8 and len(set(lengths.tolist())) > 1
    sym = X.argmax(-1)
    for b in range(40):
        n = lengths[b]
        assert np.all(X[b, n:] == 0) and np.all(Y[b, n:] == IGNORE)
        for t in range(n):
            assert Y[b, t] == (sym[b, t + 2] if t + 2 < n else 4)
    _, full, _ = look_ahead(5, steps=6, seed=0)
    assert np.all(full == 6)


def test_plots_return_what_they_draw():
    d = np.random.default_rng(0).random((3, 4))
    d[1, 2:] = np.nan
    fig, data = plot_padding_leak(d, d * 2, [4, 2, 4])
    assert data["backward"] is not None and list(data["lengths"]) == [4, 2, 4]
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel() and fig.axes[0].get_title()
    fig, data = plot_depth(["1 x 14", "2 x 8"], [0.7, 0.97], [1.0, 1.5], [1038, 978])
    np.testing.assert_array_equal(data["accuracy"], [0.7, 0.97])
    assert fig.axes[1].get_ylabel().endswith("(ms)")
    fig, data = plot_accuracy_by_position({"a": [0.2, 0.3]}, chance=0.25)
    np.testing.assert_array_equal(data["a"], [0.2, 0.3])
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_title()
    matplotlib.pyplot.close("all")


# --- the lesson's checks accept correct code, refuse the library's own answers in hidden mode -------

def _correct():
    def stacked(X, h0, c0, layers):
        return S.stacked_lstm_forward(X, h0, c0, layers)

    def bidirectional(X, h0, c0, fwd, bwd):
        return S.bidirectional_forward(X, None, h0, c0, fwd, bwd)

    def masked(X, lengths, h0, c0, Wx, Wh, b):
        return S.masked_lstm_forward(X, lengths, h0, c0, Wx, Wh, b)

    def dropout(Y, p, training, rng):
        return S.dropout_forward(Y, p, training, rng)[0]

    def deep(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
        return S.stacked_lstm_forward(X, h0, c0, layers, lengths, True, dropout, training, rng)

    return {"check_stacked": stacked, "check_bidirectional": bidirectional, "check_reverse_padded": S.reverse_padded,
            "check_masked_layer": masked, "check_dropout": dropout, "check_deep_bidirectional": deep}


@pytest.mark.parametrize("name", list(_correct()))
def test_checks_pass_the_reference_and_catch_it_as_ready_made(name, capsys):
    fn = _correct()[name]
    getattr(checks, name)(fn)
    assert capsys.readouterr().out.startswith("✔")
    with pytest.raises(CheckFailed, match="from scratch"):
        getattr(checks, name)(fn, hidden=True)


def test_check_names_a_backward_direction_not_reversed_back():
    def wrong(X, h0, c0, fwd, bwd):
        out, final = S.bidirectional_forward(X, None, h0, c0, fwd, bwd)
        H = h0.shape[2]
        return np.concatenate([out[..., :H], out[:, ::-1, H:]], axis=2), final

    with pytest.raises(CheckFailed, match="not reversed back"):
        checks.check_bidirectional(wrong)


def test_check_names_the_argument_changed_in_place():
    def in_place(X, lengths):
        for b, n in enumerate(lengths):
            X[b, :n] = X[b, :n][::-1].copy()
        return X

    with pytest.raises(CheckFailed, match="reverse_padded changed its input X in place"):
        checks.check_reverse_padded(in_place)


def test_student_exceptions_and_unanswered_exercises_propagate():
    def unanswered(Y, p, training, rng):
        raise NotImplementedError

    def broken(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
        return X[lengths]                                  # IndexError: lengths are not positions

    with pytest.raises(NotImplementedError):
        checks.check_dropout(unanswered)
    with pytest.raises(IndexError):
        checks.check_deep_bidirectional(broken, hidden=True)



def _masked_with(hold):
    """A masked layer that, past a sequence's end, holds hold(h_new, h, h0) instead of the old state."""
    def masked(X, lengths, h0, c0, Wx, Wh, b):
        from lstmlab.lstm import lstm_step_forward

        T = X.shape[1]
        valid = S.length_mask(lengths, T)
        h, c, Hs = h0, c0, np.zeros(X.shape[:2] + h0.shape[1:])
        for t in range(T):
            hn, cn, _ = lstm_step_forward(X[:, t], h, c, Wx, Wh, b)
            keep = valid[:, t:t + 1]
            h, c = np.where(keep, hn, hold(h, h0)), np.where(keep, cn, hold(c, c0))
            Hs[:, t] = np.where(keep, hn, 0)
        return Hs, (h, c)
    return masked


def test_masked_layer_tells_a_state_reset_from_reading_the_padding():
    checks.check_masked_layer(_masked_with(lambda old, initial: old))
    with pytest.raises(CheckFailed, match="sets the state to zero at padded steps"):
        checks.check_masked_layer(_masked_with(lambda old, initial: 0 * old))
    with pytest.raises(CheckFailed, match="back to h0, c0"):
        checks.check_masked_layer(_masked_with(lambda old, initial: initial))

    def reads_padding(X, lengths, h0, c0, Wx, Wh, b):
        Hs, (h, c) = S.masked_lstm_forward(X, lengths, h0, c0, Wx, Wh, b)
        return Hs, (Hs[:, -1], c)

    with pytest.raises(CheckFailed, match="you read h_n from Hs\\[:, -1\\]"):
        checks.check_masked_layer(reads_padding)


@pytest.mark.parametrize("draw", ["random", "binomial", "uniform_lt", "flat"])
def test_dropout_checks_accept_independent_masks_drawn_any_way(draw):
    def dropout(Y, p, training, rng):
        if not training:
            return Y
        keep = {"random": lambda: rng.random(Y.shape) >= p,
                "binomial": lambda: rng.binomial(1, 1 - p, Y.shape).astype(bool),
                "uniform_lt": lambda: rng.uniform(size=Y.shape) < 1 - p,
                "flat": lambda: (rng.random(Y.size) >= p).reshape(Y.shape)}[draw]()
        return Y * keep / (1 - p)

    checks.check_dropout(dropout, hidden=True)


def test_dropout_checks_refuse_shared_masks_and_counts_that_round_to_zero():
    def shared_over_time(Y, p, training, rng):
        if not training:
            return Y
        shape = (Y.shape[0], 1) + Y.shape[2:] if Y.ndim > 2 else Y.shape
        return Y * (rng.random(shape) >= p) / (1 - p)

    def exact_count(Y, p, training, rng):
        if not training:
            return Y
        keep = np.ones(Y.size, dtype=bool)
        keep[rng.choice(Y.size, int(p * Y.size), replace=False)] = False
        return Y * keep.reshape(Y.shape) / (1 - p)

    with pytest.raises(CheckFailed, match="same at every index of axis 1"):
        checks.check_dropout(shared_over_time)
    with pytest.raises(CheckFailed, match="never dropped anything"):
        checks.check_dropout(exact_count, hidden=True)


def test_deep_check_finds_a_layer_whose_input_was_not_dropped():
    def deep(skip):
        def run(X, lengths, h0, c0, layers, dropout=0.0, training=False, rng=None):
            inp, hs, cs = X, [], []
            for l, (fwd, bwd) in enumerate(layers):
                Hf, (hf, cf) = S.masked_lstm_forward(inp, lengths, h0[2 * l], c0[2 * l], *fwd)
                Hb, (hb, cb) = S.masked_lstm_forward(S.reverse_padded(inp, lengths), lengths, h0[2 * l + 1],
                                                     c0[2 * l + 1], *bwd)
                inp = np.concatenate([Hf, S.reverse_padded(Hb, lengths)], axis=2)
                hs += [hf, hb]
                cs += [cf, cb]
                if l < len(layers) - 1 and l != skip:
                    inp = S.dropout_forward(inp, dropout, training, rng)[0]
            return inp, (np.stack(hs), np.stack(cs))
        return run

    checks.check_deep_bidirectional(deep(skip=None))
    _deep_three_layers(deep(skip=None))
    with pytest.raises(CheckFailed, match="layer 1's final states are those of evaluation"):
        _deep_three_layers(deep(skip=0))
    with pytest.raises(CheckFailed, match="layer 2 must read zeros"):
        _deep_three_layers(deep(skip=1))


def _deep_three_layers(fn):
    """Run the deep check on its three-layer hidden case only (the visible case has two layers)."""
    X, lengths, h0, c0, layers = checks._case(2, 7, 2, 3, 3, True, 2, np.float64, [4, 7])
    want, hw, cw = checks._torch(X, lengths, h0, c0, layers, True)
    call = lambda *args, **kwargs: fn(*args, **kwargs)
    checks._check_deep_dropout(call, X, lengths, h0, c0, layers, want, hw, cw, 1e-7, 1e-9, "(three layers)")
