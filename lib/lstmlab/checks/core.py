"""Comparison helpers that fail with a diagnosis a student can act on.

Every check raises CheckFailed (an AssertionError) whose first line says what is
wrong in the student's terms ("your forget gate ignores x_t"), never only
"arrays differ". Lesson-specific checks in this package build on three ideas:

- assert_close: type, shape, NaN and value checks with dtype-aware tolerances;
- known mistakes: compute what a typical wrong implementation would return and,
  when the student's output matches one, name that mistake;
- ready_made_guard: run the student's function while the ready implementations
  (torch.nn.LSTM, the library's reference) are booby-trapped, so calling them
  instead of writing the exercise is detected at run time, whatever it is named.
"""
from __future__ import annotations

import contextlib
import types
from typing import Callable, Iterable, Mapping

import numpy as np


class CheckFailed(AssertionError):
    """A check failed; str(exc) is the diagnosis."""


def tolerances(*arrays) -> tuple[float, float]:
    """(rtol, atol) for comparing results computed from these arrays: loose if any is float32."""
    low = any(np.asarray(a).dtype in (np.float32, np.float16) for a in arrays)
    return (1e-4, 1e-5) if low else (1e-7, 1e-9)


def as_array(name: str, got) -> np.ndarray:
    """Convert a student's return value to a numpy array, or fail saying why it can't be."""
    if got is None:
        raise CheckFailed(f"{name} is None: did your function forget to `return` it?")
    if hasattr(got, "detach") and hasattr(got, "numpy"):  # a torch tensor
        got = got.detach().cpu().numpy()
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"{name} should be a numpy array, got {type(got).__name__} ({exc})") from None
    return arr


def matches(got, want, rtol: float, atol: float) -> bool:
    """True when got has want's shape and equal values within tolerance."""
    got, want = np.asarray(got), np.asarray(want)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol))


def assert_close(name: str, got, want, *, rtol: float | None = None, atol: float | None = None,
                 mistakes: Mapping[str, np.ndarray] | None = None, hint: str = "") -> np.ndarray:
    """Fail with a diagnosis unless `got` equals `want` within tolerance.

    name:     how to call the value in the message ("h_t", "your forget gate")
    want:     the reference array
    mistakes: {message: array a known wrong implementation returns}; checked first
              when values differ, so the message names the mistake
    hint:     appended to a generic value mismatch
    Returns got as an array.
    """
    want = np.asarray(want)
    if rtol is None or atol is None:
        rtol, atol = tolerances(want)
    arr = as_array(name, got)
    if arr.shape != want.shape:
        for message, wrong in (mistakes or {}).items():
            if matches(arr, wrong, rtol, atol):
                raise CheckFailed(message)
        raise CheckFailed(f"{name} has shape {arr.shape}, expected {want.shape}. {hint}".strip())
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"{name} contains NaN or inf: look for an overflowing exp or a division by zero.")
    if np.allclose(arr, want, rtol=rtol, atol=atol):
        return arr
    for message, wrong in (mistakes or {}).items():
        if matches(arr, wrong, rtol, atol):
            raise CheckFailed(message)
    err = np.abs(arr - want)
    where = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    raise CheckFailed(
        f"{name} has the right shape {want.shape} but wrong values: largest error {float(err.max()):.3g} "
        f"at index {tuple(int(k) for k in where)} (yours {float(arr[where]):.6g}, expected {float(want[where]):.6g}). "
        f"{hint}".strip()
    )


def unpack(name: str, got, n: int, what: str) -> tuple:
    """Check that a function returned an n-tuple; `what` names the parts, e.g. '(h, c)'."""
    if not isinstance(got, (tuple, list)) or len(got) != n:
        kind = f"a {type(got).__name__}" + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        raise CheckFailed(f"{name} should return {n} values {what}, got {kind}.")
    return tuple(got)


def passed(message: str) -> None:
    """Print one tidy success line (stdout, so a grader counts it as a pass)."""
    print(f"✔ {message}")


# --- ready-made implementations ------------------------------------------------------------

def _ready_made_targets() -> list[tuple[object, str, str]]:
    """(owner, attribute, human name) for every ready implementation a from-scratch exercise must not call."""
    import torch

    from .. import lstm as ref

    targets: list[tuple[object, str, str]] = []
    for cls in (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN, torch.nn.LSTMCell, torch.nn.GRUCell, torch.nn.RNNCell):
        # Building one counts too (asking torch for a parameter count is not counting).
        targets.append((cls, "__init__", f"torch.nn.{cls.__name__}"))
        targets.append((cls, "forward", f"torch.nn.{cls.__name__}"))
    for fn in ("lstm", "gru", "lstm_cell", "gru_cell", "rnn_tanh"):
        if hasattr(torch, fn):
            targets.append((torch, fn, f"torch.{fn}"))
    for fn in ("lstm_step_forward", "lstm_forward", "lstm_step_backward", "lstm_backward", "lstm_param_count"):
        targets.append((ref, fn, f"lstmlab.lstm.{fn}"))
    return targets


def _TorchRecorder(names: dict[str, str], called: list[str]):
    """A torch function mode that appends the label of every listed torch function called."""
    from torch.overrides import TorchFunctionMode

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            label = names.get(getattr(func, "__name__", ""))
            if label is not None:
                called.append(label)
            return func(*args, **(kwargs or {}))

    return Recorder()


_TRAPS = "__lstmlab_ready_made_traps__"


def _trap(*args, **kwargs):
    # Runs with the trapped function's globals; finds its own entry by the code's name.
    import sys
    original, called, label = globals()[_TRAPS_NAME][sys._getframe().f_code.co_name]
    called.append(label)
    return original(*args, **kwargs)


@contextlib.contextmanager
def ready_made_guard(extra: Iterable[tuple[object, str, str]] = ()):
    """While active, calling a ready implementation appends its name to the yielded list.

    Plain Python functions are trapped by swapping their __code__, so a reference the
    student imported under another name, or stored in a closure, is trapped too;
    torch modules are trapped through their class's forward. A function that is itself a
    closure (a decorator's wrapper) cannot take the trap's code: it is replaced on its owner
    only (pass the undecorated function inside, found through __wrapped__, to trap aliases).
    """
    called: list[str] = []
    restore: list[Callable[[], None]] = []
    torch_names: dict[str, str] = {}  # torch functions (builtins too) by name -> label, for the recorder
    try:
        seen = set()
        for owner, attr, label in [*_ready_made_targets(), *extra]:
            if (id(owner), attr) in seen:  # trapping twice would make the trap call itself
                continue
            seen.add((id(owner), attr))
            func = getattr(owner, attr)
            if isinstance(func, types.FunctionType) and not isinstance(owner, type) and not func.__closure__:
                clone = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
                clone.__kwdefaults__ = func.__kwdefaults__
                func.__globals__.setdefault(_TRAPS, {})[func.__name__] = (clone, called, label)
                func.__globals__["_TRAPS_NAME"] = _TRAPS
                saved = (func.__code__, func.__defaults__, func.__kwdefaults__)
                func.__code__ = _trap.__code__.replace(co_name=func.__name__)
                func.__defaults__ = func.__kwdefaults__ = None

                def undo(func=func, saved=saved):
                    func.__code__, func.__defaults__, func.__kwdefaults__ = saved
                    func.__globals__.get(_TRAPS, {}).pop(func.__name__, None)
                restore.append(undo)
            else:
                if not isinstance(owner, type) and str(getattr(func, "__module__", "") or "").startswith("torch"):
                    torch_names[getattr(func, "__name__", attr)] = label

                def trap(*args, _orig=func, _label=label, **kwargs):
                    called.append(_label)
                    return _orig(*args, **kwargs)
                own = isinstance(owner, type) and attr in vars(owner)
                setattr(owner, attr, trap)
                if isinstance(owner, type) and not own:  # inherited: remove our override again
                    restore.append(lambda o=owner, a=attr: delattr(o, a))
                else:
                    restore.append(lambda o=owner, a=attr, v=func: setattr(o, a, v))
        # A torch function imported under another name escapes the setattr above; torch's own
        # dispatch still sees every call, so record those by name as well.
        with (_TorchRecorder(torch_names, called) if torch_names else contextlib.nullcontext()):
            yield called
    finally:
        for undo in reversed(restore):
            undo()


def reference_functions(module, allow: Iterable[str] = ("sigmoid",)) -> list[tuple[object, str, str]]:
    """Guard targets for every public function defined in `module` (a library reference module),
    except the helpers students are told to use (`allow`).

    Pass the result as `extra` to assert_from_scratch so that, e.g., lstmlab.gru's reference
    counts as a ready-made implementation in the GRU lesson.
    """
    return [(module, name, f"{module.__name__}.{name}") for name, obj in vars(module).items()
            if isinstance(obj, types.FunctionType) and obj.__module__ == module.__name__
            and not name.startswith("_") and name not in set(allow)]


def torch_softmax_and_attention() -> list[tuple[object, str, str]]:
    """Guard targets for torch's softmax and attention, for lessons whose exercise is one of them.

    The guard's torch function mode records these by name, so an alias (`from torch import softmax
    as f`, `x.softmax(-1)`) is caught too.
    """
    import torch
    import torch.nn.functional as F

    candidates = [
        (F, "scaled_dot_product_attention", "torch.nn.functional.scaled_dot_product_attention"),
        (F, "softmax", "torch.nn.functional.softmax"),
        (F, "log_softmax", "torch.nn.functional.log_softmax"),
        (F, "softmin", "torch.nn.functional.softmin"),
        (F, "multi_head_attention_forward", "torch.nn.functional.multi_head_attention_forward"),
        (torch, "softmax", "torch.softmax"),
        (torch, "log_softmax", "torch.log_softmax"),
        (torch, "_softmax", "torch._softmax"),
        (torch, "_safe_softmax", "torch._safe_softmax"),
        (torch, "_native_multi_head_attention", "torch._native_multi_head_attention"),
        (torch.special, "softmax", "torch.special.softmax"),
        (torch.Tensor, "softmax", "torch.Tensor.softmax"),
        (torch.nn.MultiheadAttention, "__init__", "torch.nn.MultiheadAttention"),
        (torch.nn.MultiheadAttention, "forward", "torch.nn.MultiheadAttention"),
    ]
    return [(owner, attr, label) for owner, attr, label in candidates if hasattr(owner, attr)]


def assert_from_scratch(exercise: str, fn: Callable, *args, extra: Iterable[tuple[object, str, str]] = (),
                        advice: str = "Use numpy operations (and the sigmoid helper) instead.", **kwargs):
    """Call fn(*args, **kwargs) and fail if it used a ready-made implementation. Returns fn's result.

    extra:  more (owner, attribute, label) targets, e.g. reference_functions(lstmlab.gru).
    advice: the last sentence of the failure message.
    """
    remote = getattr(fn, "__lstmlab_remote_call__", None)
    if remote is not None:
        # Graded in a sandbox (lstmlab.grading): the guard runs where the student's code runs.
        result, called = remote(args, kwargs, list(extra))
    else:
        with ready_made_guard(extra) as called:
            result = fn(*args, **kwargs)
    if called:
        names = ", ".join(dict.fromkeys(called))  # in the order they were called
        raise CheckFailed(f"{exercise} must be written from scratch, but it called {names}. {advice}")
    return result
