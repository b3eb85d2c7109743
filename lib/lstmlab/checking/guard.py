"""The from-scratch guard: detect, at run time, a student function that calls a ready implementation.

An exercise such as "write the LSTM step" earns nothing when the answer calls torch.nn.LSTM or
the library's own reference. `ready_made_guard` booby-traps those implementations while the
student's function runs, so a call is recorded whatever name it is reached under (an alias, a
closure, `from lstmlab.lstm import lstm_forward as f`):

- a plain Python function is trapped by swapping its __code__ for a trap that records the call
  and then runs a clone of the original, so every reference to the function object is trapped;
- anything else (a class's method, a builtin, a decorated function's wrapper) is replaced on its
  owner, and torch functions are also recorded by name through a torch function mode, which sees
  every call torch dispatches, under any name.

Guards nest: a function trapped by an outer guard is shared, not trapped twice, and every active
guard hears each call; when the last guard leaves, the function and its module are exactly as
before (no name is left in the module's globals).
"""
from __future__ import annotations

import contextlib
import types
from typing import Callable, Iterable

from lstmlab.i18n import N_, _

from .diagnosis import CheckFailed

Target = tuple[object, str, str]  # (owner, attribute, label shown to the student)

# The last sentence of a from-scratch failure unless the check gives its own (shown with _() at call time).
DEFAULT_ADVICE = N_("Use numpy operations (and the sigmoid helper) instead.")

# Lives in a trapped function's module globals only while at least one guard traps a function
# there: {function name: _Trap}. The trap's code finds its entry by its own name.
_TRAPS = "__lstmlab_ready_made_traps__"


class _Trap:
    """A trapped function: its original code and the guards listening to it."""

    def __init__(self, func: types.FunctionType):
        self.func = func
        self.saved = (func.__code__, func.__defaults__, func.__kwdefaults__)
        self.clone = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__,
                                        func.__closure__)
        self.clone.__kwdefaults__ = func.__kwdefaults__
        self.listeners: list[tuple[list[str], str]] = []   # (a guard's `called` list, label)

    def arm(self) -> None:
        self.func.__globals__.setdefault(_TRAPS, {})[self.func.__name__] = self
        self.func.__code__ = _trap.__code__.replace(co_name=self.func.__name__)
        self.func.__defaults__ = self.func.__kwdefaults__ = None

    def disarm(self) -> None:
        self.func.__code__, self.func.__defaults__, self.func.__kwdefaults__ = self.saved
        traps = self.func.__globals__.get(_TRAPS, {})
        traps.pop(self.func.__name__, None)
        if not traps:
            self.func.__globals__.pop(_TRAPS, None)


_ARMED: dict[int, _Trap] = {}  # id(function) -> its trap, while any guard is active on it


def _trap(*args, **kwargs):
    # Runs as the trapped function, with its module's globals: the string below is a constant of
    # this code, so the trap needs no other global name.
    import sys

    __tracebackhide__ = True   # noqa: F841 (IPython hides this frame)
    trap = globals()["__lstmlab_ready_made_traps__"][sys._getframe().f_code.co_name]
    for called, label in trap.listeners:
        called.append(label)
    return trap.clone(*args, **kwargs)


def _ready_made_targets() -> list[Target]:
    """Every ready implementation no from-scratch exercise may call: torch's recurrent layers and the
    library's LSTM reference."""
    import torch

    from .. import lstm as ref

    targets: list[Target] = []
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


def _torch_recorder(names: dict[str, str], called: list[str]):
    """A torch function mode that appends the label of every listed torch function called."""
    from torch.overrides import TorchFunctionMode

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            label = names.get(getattr(func, "__name__", ""))
            if label is not None:
                called.append(label)
            return func(*args, **(kwargs or {}))

    return Recorder()


@contextlib.contextmanager
def ready_made_guard(extra: Iterable[Target] = (), defaults: bool = True):
    """While active, calling a ready implementation appends its label to the yielded list.

    extra:    more (owner, attribute, label) targets, e.g. reference_functions(lstmlab.gru).
    defaults: also trap the default targets (torch's recurrent layers, lstmlab.lstm); False for an
              exercise that may build on them (a classifier written on top of lstm_forward).
    A function that is itself a closure (a decorator's wrapper) cannot take the trap's code: it is
    replaced on its owner only (pass the undecorated function inside, found through __wrapped__,
    to trap its aliases too).
    """
    called: list[str] = []
    restore: list[Callable[[], None]] = []
    torch_names: dict[str, str] = {}  # torch functions (builtins too) by name -> label, for the recorder
    try:
        seen_owners, seen_funcs = set(), set()
        for owner, attr, label in [*(_ready_made_targets() if defaults else ()), *extra]:
            if (id(owner), attr) in seen_owners:
                continue
            seen_owners.add((id(owner), attr))
            func = getattr(owner, attr)
            if isinstance(func, types.FunctionType) and not isinstance(owner, type) and not func.__closure__:
                if id(func) in seen_funcs:  # the same function under two owners: one listener is enough
                    continue
                seen_funcs.add(id(func))
                trap = _ARMED.get(id(func))
                if trap is None:            # not trapped by an outer guard yet
                    trap = _ARMED[id(func)] = _Trap(func)
                    trap.arm()
                listener = (called, label)
                trap.listeners.append(listener)

                def undo(trap=trap, listener=listener):
                    # by identity: two guards' lists may be equal in content
                    trap.listeners[:] = [ln for ln in trap.listeners if ln is not listener]
                    if not trap.listeners:
                        trap.disarm()
                        _ARMED.pop(id(trap.func), None)
                restore.append(undo)
            else:
                if not isinstance(owner, type) and str(getattr(func, "__module__", "") or "").startswith("torch"):
                    torch_names[getattr(func, "__name__", attr)] = label

                def wrapper(*args, _orig=func, _label=label, **kwargs):
                    called.append(_label)
                    return _orig(*args, **kwargs)
                own = isinstance(owner, type) and attr in vars(owner)
                setattr(owner, attr, wrapper)
                if isinstance(owner, type) and not own:  # inherited: remove our override again
                    restore.append(lambda o=owner, a=attr: delattr(o, a))
                else:
                    restore.append(lambda o=owner, a=attr, v=func: setattr(o, a, v))
        # A torch function imported under another name escapes the setattr above; torch's own
        # dispatch still sees every call, so record those by name as well.
        with (_torch_recorder(torch_names, called) if torch_names else contextlib.nullcontext()):
            yield called
    finally:
        for undo in reversed(restore):
            undo()


def reference_functions(module, allow: Iterable[str] = ("sigmoid",)) -> list[Target]:
    """Guard targets for every public function defined in `module` (a library reference module),
    except the helpers students are told to use (`allow`).

    E.g. reference_functions(lstmlab.gru) makes the GRU reference a ready-made implementation in
    the GRU lesson.
    """
    return [(module, name, f"{module.__name__}.{name}") for name, obj in vars(module).items()
            if isinstance(obj, types.FunctionType) and obj.__module__ == module.__name__
            and not name.startswith("_") and name not in set(allow)]


def torch_softmax_and_attention() -> list[Target]:
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


def assert_from_scratch(exercise: str, fn: Callable, *args, extra: Iterable[Target] = (),
                        advice: str | None = None, defaults: bool = True, **kwargs):
    """Call fn(*args, **kwargs) and fail if it used a ready-made implementation. Returns fn's result.

    extra:    more (owner, attribute, label) targets, e.g. reference_functions(lstmlab.gru).
    advice:   the last sentence of the failure message (default DEFAULT_ADVICE; a marked N_() constant
              is shown in the student's language).
    defaults: also forbid the default targets (see ready_made_guard).
    """
    __tracebackhide__ = True   # noqa: F841 (IPython hides this frame; call_student trims it for the rest)
    remote = getattr(fn, "__lstmlab_remote_call__", None)
    if remote is not None:
        # Graded in a sandbox (lstmlab grade): the guard runs where the student's code runs.
        result, called = remote(args, kwargs, list(extra), defaults)
    else:
        with ready_made_guard(extra, defaults) as called:
            result = fn(*args, **kwargs)
    if called:
        names = ", ".join(dict.fromkeys(called))  # in the order they were called
        advice = _(DEFAULT_ADVICE) if advice is None else _(advice)
        raise CheckFailed(_("{exercise} must be written from scratch, but it called {names}. {advice}").format(
            exercise=exercise, names=names, advice=advice))
    return result
