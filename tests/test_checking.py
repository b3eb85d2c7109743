"""lstmlab.checking: the from-scratch guard (re-entrant, leaves nothing behind) and the call_student harness."""
from __future__ import annotations

import traceback
import warnings

import numpy as np
import pytest
import torch

from lstmlab import lstm
from lstmlab import lstm as L
from lstmlab.checking import CheckFailed, NotAnswered, assert_close, assert_from_scratch, assert_order, call_student, ready_made_guard, reference_functions
from lstmlab.checking.guard import _TRAPS
from lstmlab.fixtures import lstm_inputs, lstm_params

PARAMS = lstm_params(3, 4, seed=0)
X, H0, C0 = lstm_inputs(2, 5, 3, 4, seed=1)


def _uses_reference(X, h0, c0, Wx, Wh, b):
    return lstm.lstm_forward(X, h0, c0, Wx, Wh, b)[0]


# --- diagnosis -------------------------------------------------------------------------------------

def test_assert_close_messages():
    with pytest.raises(CheckFailed, match="forget to `return`"):
        assert_close("h", None, np.zeros(2))
    with pytest.raises(CheckFailed, match=r"shape \(3,\), expected \(2,\)"):
        assert_close("h", np.zeros(3), np.zeros(2))
    with pytest.raises(CheckFailed, match="NaN"):
        assert_close("h", np.array([np.nan, 0]), np.zeros(2))
    with pytest.raises(CheckFailed, match="named mistake"):
        assert_close("h", np.ones(2), np.zeros(2), mistakes={"named mistake": np.ones(2)})
    assert_close("h", np.zeros(2) + 1e-12, np.zeros(2))
    with pytest.raises(CheckFailed, match="should be a numpy array, got str"):
        assert_close("h", "0.0", np.zeros(()))


def _scaled_scores(q):
    """A check's reference the NumPy 2 way: (q @ q.T, float32) / np.sqrt(D) is promoted to float64."""
    return (q.astype(np.float64) @ q.T.astype(np.float64)).astype(q.dtype) / np.sqrt(q.shape[-1])


def test_float32_case_compared_at_float32_tolerance_even_when_the_reference_was_promoted():
    q = np.random.default_rng(0).normal(size=(3, 256)).astype(np.float32)
    want = _scaled_scores(q)
    assert want.dtype == np.float64
    got = call_student("scaled", lambda q: (q * np.float32(1 / 16)) @ q.T, q)   # right, other float32 rounding
    assert not np.allclose(got, want, rtol=1e-7, atol=1e-9)
    assert_close("scores", got, want)   # float32 tolerance: the case's input was float32
    got64 = call_student("scaled", lambda q: (q @ q.T) / 16 * 1.000001, q.astype(np.float64))
    with pytest.raises(CheckFailed, match="wrong values"):   # a float64 case stays strict
        assert_close("scores", got64, _scaled_scores(q.astype(np.float64)))


def test_a_float32_result_for_a_float64_case_says_so_and_prints_distinguishable_numbers():
    x = np.random.default_rng(1).uniform(size=500)
    got = call_student("f", lambda x: np.cumsum(x.astype(np.float32)), x)   # a float32 accumulation
    with pytest.raises(CheckFailed, match="right to float32 precision only.*this case is float64"):
        assert_close("y", got, np.cumsum(x))
    with pytest.raises(CheckFailed, match=r"yours 1\.0000010*\d*, expected 1\b"):
        call_student("f", lambda x: x, x)
        assert_close("y", np.array([1.000001]), np.array([1.0]))


def test_assert_order_names_swapped_returns_and_stays_quiet_otherwise():
    h, c = np.ones((2, 3)), np.arange(6.0).reshape(2, 3)
    assert_order("step", (h, c), (h, c), ("h", "c"))
    with pytest.raises(CheckFailed, match=r"wrong order: \(c, h\) instead of \(h, c\)"):
        assert_order("step", (c, h), (h, c), ("h", "c"))
    assert_order("step", (h, h), (h, h), ("h", "c"))            # equal parts: nothing to say
    assert_order("step", (h + 1, c), (h, c), ("h", "c"))        # a wrong value is the value check's job


# --- the guard -------------------------------------------------------------------------------------

def test_nested_guards_both_hear_a_call_and_restore_everything():
    code = lstm.lstm_step_forward.__code__
    with ready_made_guard() as outer:
        with ready_made_guard(reference_functions(lstm)) as inner:
            _uses_reference(X, H0, C0, *PARAMS)
        assert "lstmlab.lstm.lstm_forward" in inner and "lstmlab.lstm.lstm_forward" in outer
        assert lstm.lstm_step_forward.__code__ is not code  # the outer guard is still armed
        n = len(outer)
        _uses_reference(X, H0, C0, *PARAMS)
        assert len(outer) > n and len(inner) == inner.count("lstmlab.lstm.lstm_forward") + inner.count(
            "lstmlab.lstm.lstm_step_forward")  # the inner list heard nothing after its guard left
    assert lstm.lstm_step_forward.__code__ is code
    assert _TRAPS not in vars(lstm) and "_TRAPS_NAME" not in vars(lstm), "a guard left a name in the module"
    np.testing.assert_allclose(_uses_reference(X, H0, C0, *PARAMS), lstm.lstm_forward(X, H0, C0, *PARAMS)[0])


def test_guard_traps_a_reference_reached_under_another_name_and_torch_layers():
    alias = lstm.lstm_forward
    with ready_made_guard() as called:
        alias(X, H0, C0, *PARAMS)
        torch.nn.LSTM(3, 4)
    assert called[0] == "lstmlab.lstm.lstm_forward" and "torch.nn.LSTM" in called


def test_a_function_listed_twice_is_trapped_once():
    twice = reference_functions(lstm) + reference_functions(lstm)
    with ready_made_guard(twice) as called:
        lstm.lstm_param_count(3, 4)
    assert called == ["lstmlab.lstm.lstm_param_count"]


def test_ready_made_guard_catches_aliases_and_restores_everything():
    from lstmlab.lstm import lstm_step_forward as alias

    original_code = L.lstm_step_forward.__code__
    original_forward = torch.nn.LSTM.forward
    p = lstm_params(2, 3)
    X, h0, c0 = lstm_inputs(1, 1, 2, 3)

    def sneaky():
        return alias(X[:, 0], h0, c0, *p)[0]

    with pytest.raises(CheckFailed, match="lstm_step_forward"):
        assert_from_scratch("sneaky", sneaky)
    with ready_made_guard() as called:
        torch.nn.LSTM(2, 3)
    assert called == ["torch.nn.LSTM"]
    assert L.lstm_step_forward.__code__ is original_code and torch.nn.LSTM.forward is original_forward
    # still works normally afterwards, with its default arguments intact
    assert np.allclose(sneaky(), L.lstm_step_forward(X[:, 0], h0, c0, *p)[0])
    assert L.lstm_param_count(3, 4) == 4 * (12 + 16 + 4)


def test_reference_functions_trap_a_whole_module_once():
    from lstmlab.checking import reference_functions

    targets = reference_functions(L)
    names = {t[1] for t in targets}
    assert "lstm_forward" in names and "sigmoid" not in names
    p = lstm_params(2, 3)
    X, h0, c0 = lstm_inputs(1, 2, 2, 3)
    # Listed twice (defaults + extra): trapped once, no recursion, restored after.
    with pytest.raises(CheckFailed, match="lstmlab.lstm.lstm_forward"):
        assert_from_scratch("x", lambda: L.lstm_forward(X, h0, c0, *p), extra=targets)
    assert L.lstm_forward(X, h0, c0, *p)[0].shape == (1, 2, 3)


def test_guard_sees_torch_functions_imported_under_another_name():
    from torch.nn.functional import softmax as sm

    t = torch.ones(2, 3)
    with pytest.raises(CheckFailed, match="torch.nn.functional.softmax"):
        assert_from_scratch("x", lambda: sm(t, dim=-1), extra=[(torch.nn.functional, "softmax", "torch.nn.functional.softmax")])
    assert torch.nn.functional.softmax(t, dim=-1).shape == (2, 3)


# --- the harness -----------------------------------------------------------------------------------

def test_inputs_are_copies_and_an_in_place_change_is_named():
    def scales_in_place(x, scale):
        x *= scale
        return x

    a = np.ones(3)
    with pytest.raises(CheckFailed, match="changed its input x in place"):
        call_student("scale", scales_in_place, a, 2.0, names=("x", "scale"))
    assert np.array_equal(a, np.ones(3)), "the caller's array must survive"


def test_arrays_inside_lists_and_dicts_are_protected_too_unless_the_exercise_updates_them():
    def clears(grads, state):
        grads[0][:] = 0
        state["m"] += 1
        return grads

    grads, state = [np.ones(2)], {"m": np.zeros(2)}
    with pytest.raises(CheckFailed, match="grads"):
        call_student("clip", clears, grads, state, names=("grads", "state"))
    call_student("step", lambda g, s: s.update(m=s["m"] + 1), grads, state, names=("grads", "state"),
                 may_change=("state",))
    assert np.array_equal(grads[0], np.ones(2)) and np.array_equal(state["m"], np.ones(2))


def test_warnings_never_decide_and_never_reach_stderr(capfd):
    def noisy(x):
        warnings.warn("deprecated thing", DeprecationWarning)
        return np.where(x == 0, 0.0, x / x)  # 0/0 computed, then discarded: correct

    got = call_student("noisy", noisy, np.array([0.0, 2.0]))
    assert np.array_equal(got, [0.0, 1.0]) and capfd.readouterr().err == ""


def test_student_exceptions_propagate_with_the_hint_as_a_note():
    def broken(x):
        return x @ np.ones((5, 5))

    with pytest.raises(ValueError) as info:
        call_student("broken", broken, np.ones((2, 3)), on_error="Wx is (D, 4H): write x @ Wx.", names=("x",))
    # First which exercise and call it was, then the usual cause.
    assert info.value.__notes__ == ["while checking broken, the check called broken(x: float64 (2, 3))",
                                    "Wx is (D, 4H): write x @ Wx."]
    # The traceback starts at the student's code (the harness's own re-raising frame aside).
    assert [f.name for f in traceback.extract_tb(info.value.__traceback__)][-2:] == ["call_student", "broken"]
    with pytest.raises(NotImplementedError) as info:
        call_student("todo", lambda: (_ for _ in ()).throw(NotImplementedError()))
    assert isinstance(info.value, NotAnswered) and str(info.value) == "not answered yet: todo still raises NotImplementedError"


def test_the_call_line_describes_each_argument_briefly():
    def broken(*args, **kwargs):
        raise ValueError("no")

    with pytest.raises(ValueError) as info:
        call_student("ex", broken, np.ones((2, 3), np.float32), torch.zeros(4), 3, [1, 2], PARAMS, len,
                     names=("a", "t", "n", "xs", "params"), hidden=True, rng=np.random.default_rng(0))
    assert info.value.__notes__ == ["while checking ex (a hidden test), the check called broken(a: float32 (2, 3), "
                                    "t: torch float32 (4,), n: 3, xs: a list of 2, params: LSTMParams, a function, "
                                    "rng=a Generator)"]


def test_a_not_implemented_error_from_the_sandbox_is_unanswered_too():
    class StudentCodeError(Exception):   # what lstmlab grade's judge raises for the worker's exception
        ename = "NotImplementedError"

    def remote(*args):
        raise StudentCodeError('Traceback (most recent call last):\n  File "<lstm_step>", line 2, in lstm_gates\n'
                               "NotImplementedError")

    remote.__name__ = "lstm_step"
    with pytest.raises(NotAnswered, match=r"^not answered yet: lstm_step still raises NotImplementedError \(in lstm_gates\)$"):
        call_student("lstm_step", remote)


def test_hidden_calls_run_under_the_from_scratch_guard():
    with pytest.raises(CheckFailed, match="must be written from scratch, but it called lstmlab.lstm.lstm_forward"):
        call_student("lstm_forward", _uses_reference, X, H0, C0, *PARAMS, hidden=True)
    assert call_student("lstm_forward", _uses_reference, X, H0, C0, *PARAMS, hidden=False).shape == (2, 5, 4)


def test_a_number_changed_inside_a_state_dict_and_weights_inside_a_namedtuple_are_caught():
    def counts_in_place(state):
        state["t"] += 1
        return state["t"]

    with pytest.raises(CheckFailed, match="changed its input state in place"):
        call_student("adam_step", counts_in_place, {"t": 0, "m": np.zeros(2)}, names=("state",))

    def scales_weights(params):
        params.Wx[...] *= 2
        return params.Wx

    p = lstm_params(3, 4, seed=0)
    before = p.Wx.copy()
    with pytest.raises(CheckFailed, match="changed its input params in place"):
        call_student("lstm", scales_weights, p, names=("params",))
    assert np.array_equal(p.Wx, before)
    got = call_student("lstm", lambda params: params.input_size, p, names=("params",))
    assert got == 3, "a namedtuple keeps its type (and properties) through the copy"


def test_assert_ndarray_and_assert_number_say_what_came_back():
    from lstmlab.checking import assert_ndarray, assert_number

    a = np.zeros(3)
    assert assert_ndarray("h", a) is a
    for got, said in [([0.0, 0.0], "got a list of length 2"), (torch.zeros(2), "got a torch tensor"),
                      (np.zeros(2, dtype=int), "float array, got an array of dtype int64"), (None, "forget to `return`"),
                      ("0", "got str")]:
        with pytest.raises(CheckFailed, match=said):
            assert_ndarray("h", got)
    assert assert_ndarray("mask", np.zeros(2, dtype=bool), floats=False).dtype == bool
    with pytest.raises(CheckFailed, match="the exercise returns float64"):
        assert_ndarray("r", np.zeros(2, dtype=np.float32), float64=True)
    assert assert_number("n", np.float32(2.5)) == 2.5 and assert_number("n", np.array(3)) == 3.0
    for got, said in [(True, "got a bool"), (np.array([1.0]), "take the number out"), ([1.0], "got a list of length 1"),
                      (torch.tensor(1.0), "torch tensor")]:
        with pytest.raises(CheckFailed, match=said):
            assert_number("n", got)
