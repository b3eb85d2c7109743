"""Checks for lesson 06 (training stability), with diagnoses of the common mistakes.

Every exercise works on lists of numpy arrays (one per parameter tensor) and must be
functional: it returns new arrays and leaves its inputs untouched. Each check runs the
student's function on seeded cases and compares with PyTorch on the same numbers:
torch.nn.utils.get_total_norm / clip_grad_value_ / clip_grad_norm_, autograd of the
penalties, and torch.optim.Adam / RMSprop step by step. When a result is wrong, the
check computes what each typical mistake would return and names the one that matches.

`hidden=True` adds the held-back cases: float32, other hyperparameters, a single tensor,
all-zero gradients, exploded float32 gradients (the norm must not overflow), norms on both sides of max_norm
where its square or one tensor's norm is on the other side, resuming from a saved optimizer state, and the from-scratch rule
(calling torch's clipping or optimizers, or the library's lstmlab.optim, earns nothing).
"""
from __future__ import annotations

import inspect
import types

import numpy as np

from lstmlab import optim as ref
from lstmlab.checking import (CheckFailed, as_array, assert_close, assert_number, call_student, student_facing, is_torch_tensor,
                             matches, passed, reference_functions, tolerances)
from lstmlab.fixtures import rng
from lstmlab.i18n import N_, _

# --- shared helpers ------------------------------------------------------------------------

SHAPES = [(3, 4), (5,), (2, 2, 3)]


def _tensors(shapes, seed, dtype=np.float64, scales=None, zeros_in=None):
    """Seeded list of arrays N(0, scale^2) with the given shapes; `zeros_in` = index of a tensor with some exact zeros."""
    r = rng(seed)
    scales = scales or [1.0] * len(shapes)
    out = [(s * r.standard_normal(shape)).astype(dtype) for shape, s in zip(shapes, scales)]
    if zeros_in is not None:
        flat = out[zeros_in].reshape(-1)
        flat[::2] = 0.0
    return out


def _torch(arrays):
    import torch

    return [torch.tensor(a) for a in arrays]


def _returned_list(name: str, got, n: int, what: str | None = None) -> list[np.ndarray]:
    """The student's list of n arrays, or a diagnosis of what came back instead (what: the items, default "arrays")."""
    what = _("arrays") if what is None else what
    if got is None:
        raise CheckFailed(_("{name} returned None: did you forget to `return` the list?").format(name=name))
    if isinstance(got, np.ndarray):
        raise CheckFailed(_("{name} should return a list of {n} {what} (one per tensor), got one numpy array "
                            "of shape {shape}. Keep the tensors separate: they have different shapes.")
                          .format(name=name, n=n, what=what, shape=got.shape))
    if not isinstance(got, (list, tuple)):
        raise CheckFailed(_("{name} should return a list of {n} {what}, got {type}.")
                          .format(name=name, n=n, what=what, type=type(got).__name__))
    if len(got) != n:
        raise CheckFailed(_("{name} returned a list of {got} {what}; it was given {n} tensors and must return "
                            "one for each, in the same order.").format(name=name, got=len(got), what=what, n=n))
    for k, item in enumerate(got):
        if not isinstance(item, np.ndarray):
            kind = _("a torch tensor") if is_torch_tensor(item) else _("a {type}").format(type=type(item).__name__)
            raise CheckFailed(_("{name}: item {k} of the returned list is {kind}, not a numpy array; return numpy arrays "
                                "shaped like the tensors you were given (no .tolist(), no torch tensors).")
                              .format(name=name, k=k, kind=kind))
    return list(got)


def _exploded(shapes, seed, scales):
    """float32 gradients that exploded: entries near the scales (1e20 and more), whose squares overflow float32."""
    return _tensors(shapes, seed, np.float32, scales)


OVERFLOW = N_("these float32 gradients exploded (entries up to {top:.1e}), and their squares overflow float32 "
            "(largest float32 about 3.4e38) to inf. Accumulate the squares in float64: np.square(g, dtype=np.float64) "
            "or g.astype(np.float64) ** 2 (torch's own get_total_norm returns inf here; yours must not).")


# What call_student appends when an answer changes its input in place ("<exercise> changed its input grads
# in place; ...").
MUTATION_HINT = N_("compute new arrays (e.g. `g * coef`, `np.clip(g, ...)`) instead of `*=`, `out=` or assigning into "
                   "the inputs.")
OPTIMIZER_MUTATION_HINT = N_("compute new arrays (e.g. `g * coef`, `np.clip(g, ...)`) instead of `*=`, `out=` or assigning "
                             "into the inputs. Return new parameters and a new state dict with new lists and arrays, and "
                             "leave the old ones as they were: torch's optimizers update in place, this exercise returns "
                             "new values.")


def _returns_its_input(exercise, fn, grads, arg, names) -> list[bool]:
    """For each tensor: does fn(grads, arg) return the very array it was given (or a view of it)?

    call_student hands an answer copies of its inputs, so to see whether the answer returns its input this
    call passes the arrays as they are (may_change): the checked call before it has already shown that the
    answer leaves them untouched.
    """
    given = [g.copy() for g in grads]
    got = call_student(exercise, fn, given, arg, names=names, may_change=(names[0],))
    if not isinstance(got, (list, tuple)):
        return [False] * len(given)
    return [np.shares_memory(np.asarray(mine), g) for mine, g in zip(got, given)] + [False] * (len(given) - len(got))


def ready_made() -> list[tuple[object, str, str]]:
    """Guard targets: lstmlab.optim's references and torch's clipping and optimizers.

    torch.nn.utils.clip_grad_norm_ and friends are decorated (their wrapper is a closure), so the
    undecorated function inside is trapped; any alias (torch.nn.utils.clip_grad_norm_,
    torch.nn.utils.clip_grad.clip_grad_norm_, an imported name) reaches it.
    """
    import torch
    import torch.nn.utils.clip_grad as clip_grad
    import torch.optim.adam as adam_mod
    import torch.optim.rmsprop as rmsprop_mod

    targets = reference_functions(ref, allow=("adam_init", "rmsprop_init", "sigmoid"))
    seen: set[int] = set()
    for module, names, prefix in (
        (clip_grad, ("clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "_get_total_norm", "_clip_grads_with_norm_"),
         "torch.nn.utils"),
        (adam_mod, ("adam",), "torch.optim.adam"),
        (rmsprop_mod, ("rmsprop",), "torch.optim.rmsprop"),
    ):
        for name in names:
            fn = getattr(module, name, None)
            if fn is None:
                continue
            inner = inspect.unwrap(fn)
            if id(inner) in seen or not isinstance(inner, types.FunctionType):
                continue
            seen.add(id(inner))
            label = f"{prefix}.{name.lstrip('_')}"
            targets.append((types.SimpleNamespace(fn=inner), "fn", label))
    targets.append((torch.optim.Optimizer, "__init__", _("a torch.optim optimizer")))
    for cls in (torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop):
        targets.append((cls, "step", f"torch.optim.{cls.__name__}"))
    return targets


# --- exercise: global norm -----------------------------------------------------------------

def _torch_total_norm(grads) -> float:
    import torch

    return float(torch.nn.utils.get_total_norm(_torch(grads)))


def _norm_mistakes(grads) -> dict[str, np.ndarray]:
    sq = [float(np.sum(np.square(g, dtype=np.float64))) for g in grads]
    per = np.sqrt(sq)
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads])
    return {
        _("Your norm has no square root: that is the sum of squares. The global norm is sqrt(sum of all g^2)."):
            np.array(sum(sq)),
        _("You returned one norm per tensor; the global norm is ONE number for all tensors together: "
          "sqrt(||g_1||^2 + ||g_2||^2 + ...)."): per,
        _("You added the per-tensor norms: ||g_1|| + ||g_2|| + ... is larger than the global norm "
          "sqrt(||g_1||^2 + ||g_2||^2 + ...)."): np.array(per.sum()),
        _("You took the largest per-tensor norm; the global norm combines all tensors: sqrt(sum of all g^2)."):
            np.array(per.max()),
        _("Your norm only looks at the first tensor; sum the squares of all of them."): np.array(per[0]),
        _("You computed the L1 norm (sum of |g|); use the L2 norm sqrt(sum of g^2)."): np.array(np.abs(flat).sum()),
        _("You computed the largest |g| (the max norm); use the L2 norm sqrt(sum of g^2)."): np.array(np.abs(flat).max()),
        _("You averaged the squares (an RMS); the norm sums them: sqrt(sum of g^2), not sqrt(mean of g^2)."):
            np.array(np.sqrt(np.mean(flat ** 2))),
        _("You averaged the per-tensor norms; the global norm is sqrt(sum of their squares)."): np.array(per.mean()),
    }


def check_global_norm(global_norm, hidden: bool = False) -> None:
    """global_norm(grads: list of arrays) -> float, the L2 norm of all entries together.

    Hidden cases: one tensor, float32, tensors on very different scales, all zeros, and exploded float32 gradients
    (entries near 1e22) whose squares overflow float32: the expected norm is the exact (float64-accumulated) one.
    """
    cases = [(SHAPES, 0, np.float64, None)]
    if hidden:
        cases += [([(7,)], 1, np.float64, None), ([(4, 3), (3,)], 2, np.float32, None),
                  ([(2, 5), (5,), (1,)], 3, np.float64, [100.0, 1e-3, 2.0]), ([(3, 3), (2,)], 4, np.float64, [0.0, 0.0]),
                  ([(4, 3), (3,)], 5, np.float32, [1e22, 3e20])]
    for shapes, seed, dtype, scales in cases:
        grads = _tensors(shapes, seed, dtype, scales)
        got = call_student("global_norm", global_norm, grads, hidden=hidden, ready_made=ready_made(), names=("grads",),
                           mutation_hint=_(MUTATION_HINT))
        # torch in float64 on the same numbers: the exact norm, also where float32 squares would overflow
        want = _torch_total_norm([g.astype(np.float64) for g in grads])
        if isinstance(got, (list, tuple)) and len(got) == len(grads) and len(grads) > 1:
            raise CheckFailed(_("You returned one norm per tensor; the global norm is ONE number for all tensors together: "
                                "sqrt(||g_1||^2 + ||g_2||^2 + ...)."))
        if isinstance(got, np.ndarray) and got.size == len(grads) and len(grads) > 1 and got.ndim == 1:
            raise CheckFailed(_("You returned one norm per tensor; the global norm is ONE number for all tensors together: "
                                "sqrt(||g_1||^2 + ||g_2||^2 + ...)."))
        value = assert_number(_("global_norm's result"), got, _("one number (a float), the norm of all tensors together"))
        top = max(float(np.abs(g).max()) for g in grads)
        if not np.isfinite(value) and np.isfinite(want):
            if top > 1e18:
                raise CheckFailed(_("Your norm is {value}: {overflow}").format(value=value,
                                                                               overflow=_(OVERFLOW).format(top=top)))
            raise CheckFailed(_("Your norm is {value}: look for a division by zero or an overflow.").format(value=value))
        rtol, atol = tolerances(*grads)
        if top > 1e18:
            hint = _("(case: tensors of shapes {shapes}, {dtype}, entries up to {top:.1e})").format(
                shapes=shapes, dtype=np.dtype(dtype).name, top=top)
        else:
            hint = _("(case: tensors of shapes {shapes}, {dtype})").format(shapes=shapes, dtype=np.dtype(dtype).name)
        assert_close(_("the global norm"), np.array(value), np.array(want), rtol=rtol, atol=atol,
                     mistakes=_norm_mistakes(grads), hint=hint)
    passed(_("global_norm matches torch.nn.utils.get_total_norm (hidden cases too)") if hidden
           else _("global_norm matches torch.nn.utils.get_total_norm"))


# --- exercise: clipping by value -----------------------------------------------------------

def check_clip_by_value(clip_by_value, hidden: bool = False) -> None:
    """clip_by_value(grads: list of arrays, clip) -> new list, every entry clamped to [-clip, clip]."""
    import torch

    cases = [(SHAPES, 10, np.float64, 0.5)]
    if hidden:
        cases += [([(6,)], 11, np.float32, 0.1), ([(2, 3), (4,)], 12, np.float64, 10.0), ([(3, 3)], 13, np.float64, 1.0)]
    for shapes, seed, dtype, clip in cases:
        grads = _tensors(shapes, seed, dtype)
        got = call_student("clip_by_value", clip_by_value, grads, clip, hidden=hidden, ready_made=ready_made(),
                           names=("grads", "clip"),
                           mutation_hint=_("{hint} torch's clip_grad_value_ works in place on .grad; this exercise "
                                           "returns new arrays.").format(hint=_(MUTATION_HINT)))
        got = _returned_list("clip_by_value", got, len(grads))
        returned_input = _returns_its_input("clip_by_value", clip_by_value, grads, clip, ("grads", "clip"))
        tg = [torch.tensor(g) for g in grads]
        params = [torch.nn.Parameter(torch.zeros_like(t)) for t in tg]
        for p, t in zip(params, tg):
            p.grad = t.clone()
        torch.nn.utils.clip_grad_value_(params, clip)
        rtol, atol = tolerances(*grads)
        for k, (g, mine, p) in enumerate(zip(grads, got, params)):
            want = p.grad.numpy()
            mistakes = {
                _("You only clip from above (np.minimum): entries below -{clip} must become -{clip} too.").format(clip=clip):
                    np.minimum(g, clip),
                _("You only clip from below: entries above {clip} must become {clip} too.").format(clip=clip):
                    np.maximum(g, -clip),
                _("Your result lies in [0, {clip}]: clip to [-clip, clip], keeping the sign of negative entries.")
                .format(clip=clip): np.clip(g, 0, clip),
                _("You rescaled the whole tensor; clipping by value clamps each entry separately and leaves the small "
                  "ones alone."): g * clip / np.abs(g).max(),
                _("You zeroed the entries beyond the threshold; they should become +-clip (clamped), not 0."):
                    np.where(np.abs(g) > clip, 0, g),
                _("You replaced every entry by +-clip (sign(g) * clip); only entries beyond the threshold are clamped."):
                    np.sign(g) * clip,
                _("You clipped by norm; this exercise clamps each entry to [-clip, clip]."):
                    g * min(1.0, clip / max(np.linalg.norm(g), 1e-300)),
                _("You lost the sign of the negative entries (np.minimum(np.abs(g), clip)): clamp g itself to "
                  "[-clip, clip], so that -5 becomes -clip, not +clip."): np.minimum(np.abs(g), clip),
                _("You squashed the entries with tanh (a soft clip, clip * tanh(g / clip)); clipping by value clamps "
                  "exactly: entries inside [-clip, clip] stay as they are."): clip * np.tanh(g / clip),
            }
            if k > 0:   # tensor 0 was right: an unchanged tensor k means it was skipped
                mistakes = {_("Your clipped tensor {k} is the input unchanged, although it has entries beyond +-{clip}: "
                              "clamp every tensor of the list, not only the first.").format(k=k, clip=clip): g, **mistakes}
            assert_close(_("clipped tensor {k}").format(k=k), mine, want, rtol=rtol, atol=atol, mistakes=mistakes,
                         hint=_("(case: clip={clip}, tensors of shapes {shapes}, {dtype})").format(
                             clip=clip, shapes=shapes, dtype=np.dtype(dtype).name))
            if returned_input[k]:
                raise CheckFailed(_("clip_by_value returned the input arrays themselves; return new arrays (np.clip "
                                    "returns one)."))
    passed(_("clip_by_value matches torch.nn.utils.clip_grad_value_ (hidden cases too)") if hidden
           else _("clip_by_value matches torch.nn.utils.clip_grad_value_"))


# --- exercise: clipping by global norm -----------------------------------------------------

def _clip_norm_mistakes(grads, max_norm) -> list[dict[str, np.ndarray]]:
    """Per tensor k: {message: what tensor k would be under that mistake}."""
    sq = [float(np.sum(np.square(g, dtype=np.float64))) for g in grads]
    norm = np.sqrt(sum(sq))
    per = np.sqrt(sq)
    out = []
    for k, g in enumerate(grads):
        m = {
            _("You clipped each tensor by its own norm (per-tensor clipping, Keras's `clipnorm=`). Use ONE global norm "
              "over all tensors and the same factor for every tensor, or the direction of the gradient changes."):
                g * max_norm / max(per[k], max_norm),
            _("Your norm has no square root (you divided by the sum of squares). The global norm is sqrt(sum of all "
              "g^2)."): g * min(1.0, max_norm / max(sum(sq), 1e-300)),
            _("Your factor is upside down: multiply by max_norm / norm, not norm / max_norm."):
                g * (norm / max_norm if norm > max_norm else 1.0),
            _("You rescale to max_norm even when the norm is already smaller (or you compared the sum of squares, not "
              "the norm, with max_norm); only shrink, when the norm itself exceeds max_norm: factor min(1, max_norm / "
              "norm)."): g * max_norm / max(norm, 1e-300),
            _("You normalised the gradient to length 1 and forgot max_norm: the factor is max_norm / norm."):
                g / max(norm, 1e-300),
            _("You clipped by value; this exercise rescales all tensors by one factor based on the global norm."):
                np.clip(g, -max_norm, max_norm),
            _("Your global norm uses only the first tensor; sum the squares of all tensors."):
                g * min(1.0, max_norm / max(per[0], 1e-300)),
            _("You added the per-tensor norms instead of combining their squares: norm = sqrt(sum of all g^2)."):
                g * min(1.0, max_norm / max(per.sum(), 1e-300)),
        }
        if k == 0 and norm > max_norm:
            m = {_("Your gradients were not scaled down although their global norm {norm:.4g} exceeds max_norm "
                   "{max_norm:g}. Compare the global norm itself with max_norm: not its square (the sum of squares), "
                   "not one tensor's own norm, not the largest entry.").format(norm=norm, max_norm=max_norm): g, **m}
        if k > 0:
            m[_("You rescaled only the first tensor; every tensor gets the same factor.")] = g
        out.append(m)
    return out


def _torch_clip_norm(grads, max_norm):
    import torch

    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float32 if g.dtype == np.float32 else torch.float64))
              for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params]


def check_clip_by_global_norm(clip_by_global_norm, hidden: bool = False) -> None:
    """clip_by_global_norm(grads: list of arrays, max_norm) -> new list, all tensors rescaled by one common factor.

    Accepted: torch's factor min(1, max_norm / (norm + 1e-6)) and TensorFlow's max_norm / max(norm, max_norm).
    """
    cases = [(SHAPES, 20, np.float64, 1.0, None, None)]
    if hidden:
        cases += [([(6,)], 21, np.float32, 0.5, None, None),                  # a single tensor, float32
                  ([(2, 3), (4,)], 22, np.float64, 100.0, None, None),       # below the threshold: unchanged
                  ([(3, 3), (3,), (2,)], 23, np.float64, 2.0, [5.0, 0.01, 0.01], None),  # one tensor dominates
                  ([(2, 2), (3,)], 24, np.float64, 1.0, [0.0, 0.0], None),   # all zeros: no NaN
                  # the threshold against the quantities it is confused with: norm 0.6 > max_norm 0.5 although
                  # its square 0.36 is below; norm 3 < max_norm 4 although its square 9 is above
                  ([(2, 3), (4,)], 25, np.float64, 0.5, None, 0.6),
                  ([(3,), (2, 2)], 26, np.float64, 4.0, None, 3.0),
                  # many small tensors: the global norm 1.6 exceeds max_norm 1, but no tensor's own norm and no
                  # entry does
                  ([(12,), (12,), (12,), (12,)], 27, np.float64, 1.0, None, 1.6),
                  # exploded float32 gradients: float32 squares overflow, torch itself zeroes them
                  ([(4, 3), (3,)], 28, np.float32, 1.0, [1e22, 3e20], None)]
    for shapes, seed, dtype, max_norm, scales, target in cases:
        grads = _tensors(shapes, seed, dtype, scales)
        if target is not None:
            grads = [(g * (target / ref.global_norm(grads))).astype(dtype) for g in grads]
        got = call_student("clip_by_global_norm", clip_by_global_norm, grads, max_norm, hidden=hidden,
                           ready_made=ready_made(), names=("grads", "max_norm"),
                           mutation_hint=_("{hint} torch's clip_grad_norm_ scales .grad in place; this exercise must "
                                           "leave its input untouched.").format(hint=_(MUTATION_HINT)))
        got = _returned_list("clip_by_global_norm", got, len(grads))
        norm = ref.global_norm(grads)           # float64 accumulation: exact also for exploded float32 gradients
        top = max(float(np.abs(g).max()) for g in grads)
        want_torch = _torch_clip_norm([g.astype(np.float64) for g in grads], max_norm)
        want_torch = [w.astype(g.dtype) for w, g in zip(want_torch, grads)]
        want_tf = [g * (max_norm / max(norm, max_norm)) for g in grads]
        rtol, atol = tolerances(*grads)
        if top > 1e18 and all(np.shape(m) == g.shape and np.all(np.asarray(m, dtype=float) == 0) for m, g in zip(got, grads)):
            raise CheckFailed(_("Your clipped gradients are all 0: the global norm came out as inf, because {overflow}")
                              .format(overflow=_(OVERFLOW).format(top=top)))
        mistakes = _clip_norm_mistakes(grads, max_norm)
        for k, mine in enumerate(got):
            arr = as_array(_("clipped tensor {k}").format(k=k), mine)
            if arr.shape == want_torch[k].shape and not np.all(np.isfinite(arr)):
                if norm == 0:
                    raise CheckFailed(_("clipped tensor {k} contains NaN or inf for all-zero gradients: the norm is 0 "
                                        "there, so max_norm / norm divides by zero. Compute the factor so that it is 1 "
                                        "when the norm is small (torch adds 1e-6 to the norm; min(1, ...) after).")
                                      .format(k=k))
                if top > 1e18:
                    raise CheckFailed(_("clipped tensor {k} contains NaN or inf: {overflow}")
                                      .format(k=k, overflow=_(OVERFLOW).format(top=top)))
                raise CheckFailed(_("clipped tensor {k} contains NaN or inf.").format(k=k))
            if arr.shape == want_tf[k].shape and np.allclose(arr, want_tf[k], rtol=rtol, atol=atol):
                continue
            if not matches(arr, want_torch[k], rtol, atol):
                # Each mistake exists with and without torch's 1e-6, so match them a little more loosely.
                for message, wrong in mistakes[k].items():
                    if matches(arr, wrong, max(rtol, 1e-5), atol):
                        raise CheckFailed(message)
            assert_close(_("clipped tensor {k}").format(k=k), arr, want_torch[k], rtol=rtol, atol=atol,
                         mistakes=mistakes[k],
                         hint=_("(case: max_norm={max_norm}, global norm {norm:.4g}, tensors of shapes {shapes}, "
                                "{dtype})").format(max_norm=max_norm, norm=norm, shapes=shapes,
                                                   dtype=np.dtype(dtype).name))
        returned_input = _returns_its_input("clip_by_global_norm", clip_by_global_norm, grads, max_norm,
                                            ("grads", "max_norm"))
        for k in range(len(got)):
            if returned_input[k]:
                raise CheckFailed(_("clip_by_global_norm returned the input arrays themselves when nothing needed "
                                    "clipping; return new arrays every time (e.g. `g * coef` with coef = 1, or g.copy())."))
    passed(_("clip_by_global_norm matches torch.nn.utils.clip_grad_norm_ (hidden cases too)") if hidden
           else _("clip_by_global_norm matches torch.nn.utils.clip_grad_norm_"))


# --- exercises: L1 and L2 penalties --------------------------------------------------------

def _torch_penalty(params, lam, kind):
    import torch

    ts = [torch.tensor(p, requires_grad=True) for p in params]
    if kind == "l1":
        value = lam * sum(t.abs().sum() for t in ts)
    else:
        value = 0.5 * lam * sum((t * t).sum() for t in ts)
    value.backward()
    return float(value.detach()), [t.grad.numpy() for t in ts]


def _check_penalty(fn, kind: str, hidden: bool):
    name = f"{kind}_penalty"
    cases = [(SHAPES, 30, np.float64, 0.1)]
    if hidden:
        cases += [([(5,)], 31, np.float32, 0.01), ([(2, 3), (3,)], 32, np.float64, 2.5), ([(4,)], 33, np.float64, 0.0)]
    for shapes, seed, dtype, lam in cases:
        params = _tensors(shapes, seed, dtype, zeros_in=len(shapes) - 1)
        got = call_student(name, fn, params, lam, hidden=hidden, ready_made=ready_made(), names=("params", "lam"),
                           mutation_hint=_(MUTATION_HINT))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            if isinstance(got, (tuple, list)):
                raise CheckFailed(_("{name} should return two values (value, grads), got {type} of length {n}.")
                                  .format(name=name, type=type(got).__name__, n=len(got)))
            raise CheckFailed(_("{name} should return two values (value, grads), got {type}.")
                              .format(name=name, type=type(got).__name__))
        value, grads = got
        if isinstance(value, (list, tuple)) and not isinstance(grads, (list, tuple)):
            raise CheckFailed(_("{name} returned its values in the wrong order: (grads, value) instead of (value, grads).")
                              .format(name=name))
        grads = _returned_list(_("the gradients returned by {name}").format(name=name), grads, len(params))
        want_value, want_grads = _torch_penalty(params, lam, kind)
        rtol, atol = tolerances(*params)
        flat = np.concatenate([np.ravel(p).astype(np.float64) for p in params])
        if kind == "l2":
            value_mistakes = {
                _("Your L2 value is twice the course's: this lesson's L2 penalty is lam/2 * sum(p^2), so that its "
                  "gradient is lam * p, exactly torch's weight_decay=lam. (Keras's regularizers.L2 leaves out the 1/2.)"):
                    np.array(2 * want_value),
                _("Your L2 value uses the norm, not its square: lam/2 * sum(p^2), no square root."):
                    np.array(0.5 * lam * np.sqrt(np.sum(flat ** 2))),
                _("Your L2 value averages p^2; the penalty sums over every entry of every tensor."):
                    np.array(0.5 * lam * np.mean(flat ** 2)),
                _("Your L2 value only counts the first tensor; sum over all of them."):
                    np.array(0.5 * lam * np.sum(params[0].astype(np.float64) ** 2)),
                _("Your L2 value is the L1 penalty (|p|, not p^2)."): np.array(lam * np.abs(flat).sum()),
                _("Your L2 value forgets lam."): np.array(0.5 * np.sum(flat ** 2)),
                _("Your L2 value squares the sum of the weights; square each weight, then sum: lam/2 * sum(p^2)."):
                    np.array(0.5 * lam * np.sum(flat) ** 2),
                _("Your L2 value sums the squared per-tensor sums; square each weight, then sum: lam/2 * sum(p^2)."):
                    np.array(0.5 * lam * sum(float(np.sum(q, dtype=np.float64)) ** 2 for q in params)),
            }
        else:
            value_mistakes = {
                _("Your L1 value sums p, not |p|: positive and negative weights cancel. Use np.abs."):
                    np.array(lam * flat.sum()),
                _("Your L1 value sums p^2 (that is L2's); L1 is lam * sum(|p|)."): np.array(lam * np.sum(flat ** 2)),
                _("Your L1 value has a 1/2 that does not belong there: L1 is lam * sum(|p|)."):
                    np.array(0.5 * lam * np.abs(flat).sum()),
                _("Your L1 value averages |p|; the penalty sums over every entry of every tensor."):
                    np.array(lam * np.abs(flat).mean()),
                _("Your L1 value only counts the first tensor; sum over all of them."):
                    np.array(lam * np.abs(params[0]).sum()),
                _("Your L1 value forgets lam."): np.array(np.abs(flat).sum()),
                _("Your L1 value takes |.| of the sum, not the sum of |p|: positive and negative weights cancel before "
                  "the absolute value. Use np.sum(np.abs(p))."): np.array(lam * abs(flat.sum())),
                _("Your L1 value takes |.| of each tensor's sum, not the sum of |p| entry by entry."):
                    np.array(lam * sum(abs(float(np.sum(q, dtype=np.float64))) for q in params)),
            }
        if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.size > 1):
            if isinstance(value, np.ndarray):
                raise CheckFailed(_("The {kind} penalty value should be one number (summed over every tensor), got an "
                                    "array of shape {shape}.").format(kind=kind.upper(), shape=value.shape))
            raise CheckFailed(_("The {kind} penalty value should be one number (summed over every tensor), got a {type} "
                                "of length {n}.").format(kind=kind.upper(), type=type(value).__name__, n=len(value)))
        label = _("the {kind} penalty value").format(kind=kind.upper())
        value = np.array(assert_number(label, value, _("one number (a float), summed over every tensor")))
        assert_close(label, value, np.array(want_value), rtol=rtol, atol=atol, mistakes=value_mistakes,
                     hint=_("(case: lam={lam}, tensors of shapes {shapes})").format(lam=lam, shapes=shapes))
        for k, (p, g, want) in enumerate(zip(params, grads, want_grads)):
            arr = as_array(_("gradient {k}").format(k=k), g)
            if arr.shape == want.shape and not np.all(np.isfinite(arr)):
                raise CheckFailed(_("Your {kind} gradient {k} contains NaN where p = 0 (p / |p| divides by zero). "
                                    "Use np.sign(p): its value at 0 is 0, the subgradient torch uses for |p|.")
                                  .format(kind=kind.upper(), k=k))
            if kind == "l2":
                grad_mistakes = {
                    _("Your L2 gradient is 2 * lam * p: with the 1/2 in the penalty the gradient is lam * p."): 2 * lam * p,
                    _("Your L2 gradient has the wrong sign: d/dp (lam/2 p^2) = +lam * p (the optimizer subtracts it)."):
                        -lam * p,
                    _("Your L2 gradient is L1's (lam * sign(p)); the derivative of lam/2 p^2 is lam * p."):
                        lam * np.sign(p),
                    _("Your L2 gradient forgets lam."): p,
                    _("Your L2 gradient is lam/2 * p: the 2 from the square cancels the 1/2, leaving lam * p."):
                        0.5 * lam * p,
                    _("Your L2 gradient is lam * p^2 (the penalty's own terms); the derivative of lam/2 p^2 is lam * p."):
                        lam * p * p,
                }
            else:
                grad_mistakes = {
                    _("Your L1 gradient is lam * p (that is L2's); the derivative of lam * |p| is lam * sign(p)."):
                        lam * p,
                    _("Your L1 gradient ignores the sign: d|p|/dp is +1 for p > 0 and -1 for p < 0 (np.sign)."):
                        lam * np.ones_like(p),
                    _("Your L1 gradient has the wrong sign: it is +lam * sign(p) (the optimizer subtracts it)."):
                        -lam * np.sign(p),
                    _("Your L1 gradient forgets lam."): np.sign(p),
                    _("Your L1 gradient is +-lam at p = 0 too; use np.sign(p), which is 0 at 0 (torch's choice of "
                      "subgradient)."): lam * np.where(p >= 0, 1.0, -1.0),
                    _("Your L1 gradient is 0 for negative weights (lam * (p > 0)); d|p|/dp is -1 there: lam * np.sign(p)."):
                        lam * (p > 0),
                    _("Your L1 gradient is lam * |p|; the derivative of lam * |p| is lam * sign(p)."): lam * np.abs(p),
                }
            assert_close(_("the {kind} gradient of tensor {k}").format(kind=kind.upper(), k=k), arr, want, rtol=rtol,
                         atol=atol, mistakes=grad_mistakes, hint=_("(case: lam={lam})").format(lam=lam))
    passed(_("{name} matches torch autograd (hidden cases too)").format(name=name) if hidden
           else _("{name} matches torch autograd").format(name=name))


def check_l1_penalty(l1_penalty, hidden: bool = False) -> None:
    """l1_penalty(params, lam) -> (lam * sum |p|, [lam * sign(p)])."""
    _check_penalty(l1_penalty, "l1", hidden)


def check_l2_penalty(l2_penalty, hidden: bool = False) -> None:
    """l2_penalty(params, lam) -> (lam/2 * sum p^2, [lam * p])."""
    _check_penalty(l2_penalty, "l2", hidden)


# --- exercises: Adam and RMSprop -----------------------------------------------------------

def _adam_variant(params, grads_seq, lr, betas, eps, variant=None, state=None):
    """Trajectory [(params, m, v), ...] of Adam or of one of its typical wrong versions."""
    b1, b2 = betas
    t = 0 if state is None else state["t"]
    m = [np.zeros_like(p, dtype=np.float64) for p in params] if state is None else [x.astype(np.float64) for x in state["m"]]
    v = [np.zeros_like(p, dtype=np.float64) for p in params] if state is None else [x.astype(np.float64) for x in state["v"]]
    p = [x.astype(np.float64) for x in params]
    out = []
    with np.errstate(all="ignore"):
        for grads in grads_seq:
            t = 1 if variant == "t_stuck" else t + 1
            tc = t - 1 if variant == "t_before_increment" else t
            new_p, new_m, new_v = [], [], []
            for pk, g, mk, vk in zip(p, grads, m, v):
                g = g.astype(np.float64)
                if variant == "betas_swapped":
                    mk = b2 * mk + (1 - b2) * g
                    vk = b1 * vk + (1 - b1) * g * g
                elif variant == "m_no_one_minus":
                    mk = b1 * mk + g
                    vk = b2 * vk + (1 - b2) * g * g
                elif variant == "v_not_squared":
                    mk = b1 * mk + (1 - b1) * g
                    vk = b2 * vk + (1 - b2) * g
                elif variant == "moments_not_carried":
                    mk = (1 - b1) * g
                    vk = (1 - b2) * g * g
                elif variant == "v_abs":
                    mk = b1 * mk + (1 - b1) * g
                    vk = b2 * vk + (1 - b2) * np.abs(g)
                else:
                    mk = b1 * mk + (1 - b1) * g
                    vk = b2 * vk + (1 - b2) * g * g
                bc1 = 1 - b1 ** tc
                bc2 = 1 - b2 ** tc
                if variant == "no_bias_correction":
                    bc1 = bc2 = 1.0
                elif variant == "bc_m_only":
                    bc2 = 1.0
                elif variant == "bc_v_only":
                    bc1 = 1.0
                elif variant == "bc_power":
                    bc1, bc2 = (1 - b1) ** tc, (1 - b2) ** tc
                m_hat, v_hat = mk / bc1, vk / bc2
                if variant == "eps_inside":
                    step = m_hat / np.sqrt(v_hat + eps)
                elif variant == "eps_keras":
                    step = m_hat / (np.sqrt(v_hat) + eps / np.sqrt(bc2))
                elif variant == "no_sqrt":
                    step = m_hat / (v_hat + eps)
                elif variant == "grad_not_m":
                    step = g / (np.sqrt(v_hat) + eps)
                elif variant == "eps_outside":
                    step = m_hat / np.sqrt(v_hat) + eps
                elif variant == "eps_to_param":
                    step = m_hat / np.sqrt(v_hat)
                else:
                    step = m_hat / (np.sqrt(v_hat) + eps)
                new_p.append(pk + lr * step if variant == "ascent" else pk - lr * step + eps if variant == "eps_to_param"
                             else pk - lr * step)
                new_m.append(mk)
                new_v.append(vk)
            p, m, v = new_p, new_m, new_v
            out.append((p, m, v))
    return out


ADAM_MISTAKES = {
    "no_bias_correction": N_("Your Adam has no bias correction: m and v start at 0, so divide them by (1 - beta1**t) and "
                             "(1 - beta2**t) before the update (without it the first steps are about 3x too large)."),
    "bc_m_only": N_("You bias-corrected m but not v: v_hat = v / (1 - beta2**t) too."),
    "bc_v_only": N_("You bias-corrected v but not m: m_hat = m / (1 - beta1**t) too."),
    "eps_inside": N_("Your epsilon is inside the square root, sqrt(v_hat + eps); torch's Adam adds it after the root: "
                     "m_hat / (sqrt(v_hat) + eps). It matters when gradients are tiny."),
    "eps_keras": N_("You added eps to sqrt(v) before the bias correction (Keras/TF's 'epsilon hat' form, "
                    "lr*sqrt(1-beta2^t)/(1-beta1^t) * m/(sqrt(v)+eps)); torch adds eps to sqrt(v_hat), after correcting v."),
    "t_before_increment": N_("Your bias correction uses the step count before incrementing it (t = 0 at the first step "
                             "divides by 1 - beta**0 = 0). Increment t first: the first step has t = 1."),
    "t_stuck": N_("Your step count t does not advance: it must be read from the state, incremented, and stored in the "
                  "new state (t = 1, 2, 3, ... at successive steps)."),
    "betas_swapped": N_("You swapped the betas: m uses beta1 (0.9), v uses beta2 (0.999)."),
    "m_no_one_minus": N_("Your m forgets the (1 - beta1) factor: m = beta1 * m + (1 - beta1) * g."),
    "v_not_squared": N_("Your v averages g instead of g^2: v = beta2 * v + (1 - beta2) * g**2."),
    "no_sqrt": N_("Your update divides by v_hat, not by its square root: m_hat / (sqrt(v_hat) + eps)."),
    "grad_not_m": N_("Your update uses the raw gradient g where the bias-corrected first moment m_hat belongs."),
    "moments_not_carried": N_("Your m and v do not carry over from step to step (they restart from 0 every step): start "
                              "from state['m'] and state['v'] and return the updated ones in the new state."),
    "bc_power": N_("Your bias correction divides by (1 - beta)**t; it is 1 - beta**t: m_hat = m / (1 - beta1**t), "
                   "v_hat = v / (1 - beta2**t)."),
    "eps_outside": N_("Your eps is not in the denominator (it is added to the ratio m_hat / sqrt(v_hat), or to the "
                      "parameter): check the parentheses, p - lr * m_hat / (sqrt(v_hat) + eps)."),
    "eps_to_param": N_("Your eps is not in the denominator (it is added to the ratio m_hat / sqrt(v_hat), or to the "
                       "parameter): check the parentheses, p - lr * m_hat / (sqrt(v_hat) + eps)."),
    "v_abs": N_("Your v averages |g|; Adam's second moment averages g**2: v = beta2 * v + (1 - beta2) * g**2."),
    "ascent": N_("Your update goes uphill: p_new = p - lr * m_hat / (sqrt(v_hat) + eps), with a minus."),
}


def _rmsprop_variant(params, grads_seq, lr, alpha, eps, variant=None, state=None):
    v = [np.zeros_like(p, dtype=np.float64) for p in params] if state is None else [x.astype(np.float64) for x in state["v"]]
    p = [x.astype(np.float64) for x in params]
    out = []
    with np.errstate(all="ignore"):
        for t, grads in enumerate(grads_seq, start=1):
            new_p, new_v = [], []
            for pk, g, vk in zip(p, grads, v):
                g = g.astype(np.float64)
                if variant == "decay_swapped":
                    vk = (1 - alpha) * vk + alpha * g * g
                elif variant == "no_one_minus":
                    vk = alpha * vk + g * g
                elif variant == "v_not_carried":
                    vk = (1 - alpha) * g * g
                elif variant == "g_not_squared":
                    vk = alpha * vk + (1 - alpha) * g
                elif variant == "v_abs":
                    vk = alpha * vk + (1 - alpha) * np.abs(g)
                else:
                    vk = alpha * vk + (1 - alpha) * g * g
                v_prev = v[len(new_v)]
                if variant == "eps_inside":
                    step = g / np.sqrt(vk + eps)
                elif variant == "eps_outside":
                    step = g / np.sqrt(vk) + eps
                elif variant == "eps_to_param":
                    step = g / np.sqrt(vk)
                elif variant == "v_old":
                    step = g / (np.sqrt(v_prev) + eps)
                elif variant == "no_sqrt":
                    step = g / (vk + eps)
                elif variant == "bias_corrected":
                    step = g / (np.sqrt(vk / (1 - alpha ** t)) + eps)
                else:
                    step = g / (np.sqrt(vk) + eps)
                new_p.append(pk + lr * step if variant == "ascent" else pk - lr * step + eps if variant == "eps_to_param"
                             else pk - lr * step)
                new_v.append(vk)
            p, v = new_p, new_v
            out.append((p, v))
    return out


RMSPROP_MISTAKES = {
    "decay_swapped": N_("Your decay is applied to the wrong term: RMSprop keeps alpha of the OLD average, "
                        "v = alpha * v + (1 - alpha) * g**2 (alpha = 0.99), not (1 - alpha) * v + alpha * g**2."),
    "no_one_minus": N_("Your v adds the whole g**2: v = alpha * v + (1 - alpha) * g**2."),
    "v_not_carried": N_("Your v does not carry over from step to step: start from state['v'] and return the updated v "
                        "in the new state."),
    "g_not_squared": N_("Your v averages g instead of g**2."),
    "eps_inside": N_("Your epsilon is inside the square root, g / sqrt(v + eps): that is Keras's RMSprop. torch's is "
                     "g / (sqrt(v) + eps), eps after the root."),
    "no_sqrt": N_("Your update divides by v, not by its square root: g / (sqrt(v) + eps)."),
    "bias_corrected": N_("torch's RMSprop has no bias correction (that is Adam's): divide by sqrt(v) + eps directly."),
    "ascent": N_("Your update goes uphill: p_new = p - lr * g / (sqrt(v) + eps), with a minus."),
    "eps_outside": N_("Your eps is not in the denominator (it is added to the ratio g / sqrt(v), or to the parameter): "
                      "check the parentheses, p - lr * g / (sqrt(v) + eps)."),
    "eps_to_param": N_("Your eps is not in the denominator (it is added to the ratio g / sqrt(v), or to the parameter): "
                       "check the parentheses, p - lr * g / (sqrt(v) + eps)."),
    "v_abs": N_("Your v averages |g|; RMSprop averages g**2: v = alpha * v + (1 - alpha) * g**2."),
    "v_old": N_("Your update divides by the OLD v (the state you were given); update v first, with this step's g**2, "
                "then divide by sqrt of the new v."),
}


def _grads_seq(shapes, n_steps, seed, dtype, scales):
    r = rng(seed)
    return [[(s * r.standard_normal(shape)).astype(dtype) for shape, s in zip(shapes, scales)] for _step in range(n_steps)]


def _optimizer_case(case, init, step):
    """(params, grads sequence, starting state) of one optimizer case. A case with resume=n starts where the
    reference is after n steps, its parameters and state cast to the case's dtype."""
    dtype = case["dtype"]
    params = _tensors(case["shapes"], case["seed"], dtype)
    seq = _grads_seq(case["shapes"], case["resume"] + case["steps"], case["seed"] + 1, dtype, case["scales"])
    state = init(params)
    if case["resume"]:
        for grads in seq[:case["resume"]]:
            params, state = step(params, grads, state, **case["hyper"])
        params = [p.astype(dtype) for p in params]
        state = {k: [x.astype(dtype) for x in v] if isinstance(v, list) else v for k, v in state.items()}
    return params, seq[case["resume"]:], state


def _torch_optimizer_run(kind, params, grads_seq, hyper, state=None):
    """Run torch.optim.Adam / RMSprop on copies of params; returns [(params, state arrays...)] per step."""
    import torch

    ts = [torch.nn.Parameter(torch.tensor(p)) for p in params]
    if kind == "adam":
        opt = torch.optim.Adam(ts, lr=hyper["lr"], betas=hyper["betas"], eps=hyper["eps"])
    else:
        opt = torch.optim.RMSprop(ts, lr=hyper["lr"], alpha=hyper["alpha"], eps=hyper["eps"])
    if state is not None:  # resume: load the given state into torch
        for k, t in enumerate(ts):
            if kind == "adam":
                opt.state[t] = {"step": torch.tensor(float(state["t"]), dtype=torch.float32),
                                "exp_avg": torch.tensor(state["m"][k]), "exp_avg_sq": torch.tensor(state["v"][k])}
            else:
                opt.state[t] = {"step": torch.tensor(0.0), "square_avg": torch.tensor(state["v"][k])}
    out = []
    for grads in grads_seq:
        for t, g in zip(ts, grads):
            t.grad = torch.tensor(g)
        opt.step()
        ps = [t.detach().numpy().copy() for t in ts]
        if kind == "adam":
            out.append((ps, [opt.state[t]["exp_avg"].numpy().copy() for t in ts],
                        [opt.state[t]["exp_avg_sq"].numpy().copy() for t in ts], int(opt.state[ts[0]]["step"])))
        else:
            out.append((ps, [opt.state[t]["square_avg"].numpy().copy() for t in ts]))
    return out


def _run_optimizer(name, fn, kind, params, grads_seq, hyper, state, hidden):
    """Call the student's step function len(grads_seq) times, feeding back its state; call_student checks that
    params, grads and state (the arrays and lists inside it too) are left as they were, each time."""
    trajectory = []
    cur_params, cur_state = params, state
    for step, grads in enumerate(grads_seq, start=1):
        got = call_student(name, fn, cur_params, grads, cur_state, hidden=hidden, ready_made=ready_made(),
                           names=("params", "grads", "state"), mutation_hint=_(OPTIMIZER_MUTATION_HINT), **hyper)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise CheckFailed(_("{name} should return two values (new_params, new_state), got {type}.")
                              .format(name=name, type=type(got).__name__))
        new_params, new_state = got
        new_params = _returned_list(_("the new parameters from {name}").format(name=name), new_params, len(params))
        if not isinstance(new_state, dict):
            raise CheckFailed(_("{name} should return its new state as a dict like the one it was given, got {type}.")
                              .format(name=name, type=type(new_state).__name__))
        missing = [k for k in state if k not in new_state]
        if missing:
            raise CheckFailed(_("The new state returned by {name} lacks the key(s) {missing}; keep the same keys as the "
                                "state you were given ({keys}).").format(name=name, missing=missing, keys=sorted(state)))
        trajectory.append((new_params, new_state))
        cur_params, cur_state = [np.asarray(p) for p in new_params], new_state
    return trajectory


def _whole_trajectory_mistake(got, wrong_trajectories, messages, rtol, atol) -> str | None:
    """The message of the first mistake whose parameters equal the student's at every step (NaN where theirs are)."""
    for variant, traj in wrong_trajectories.items():
        ok = True
        for (mine_p, _state), (wrong_p, *_rest) in zip(got, traj):
            for mine, wrong in zip(mine_p, wrong_p):
                arr = np.asarray(mine, dtype=float)
                fin = np.isfinite(wrong)
                if (arr.shape != wrong.shape or not np.array_equal(np.isfinite(arr), fin)
                        or not np.allclose(arr[fin], wrong[fin], rtol=rtol, atol=atol)):
                    ok = False
                    break
            if not ok:
                break
        if ok:
            return _(messages[variant])
    return None


def _diagnose_step(name, k, step, mine, want, dtype_args, wrong_trajectories, messages, what, hint, got=None):
    rtol, atol = tolerances(*dtype_args)
    arr0 = np.asarray(mine, dtype=float) if np.shape(mine) == want.shape else None
    if got is not None and (arr0 is None or not np.allclose(arr0, want, rtol=rtol, atol=atol)):
        whole = _whole_trajectory_mistake(got, wrong_trajectories, messages, rtol, atol)
        if whole is not None:
            raise CheckFailed(whole)
    mistakes = {}
    for variant, traj in wrong_trajectories.items():
        if len(traj) >= step:
            mistakes[_(messages[variant])] = traj[step - 1][0][k]
    arr = as_array(_("{what} {k} after step {step}").format(what=what, k=k, step=step), mine)
    if arr.shape == want.shape and not np.all(np.isfinite(arr)):
        # NaN/inf: name the mistake whose non-finite entries are exactly the student's.
        for variant in ("t_before_increment", "v_not_squared", "g_not_squared"):
            if variant in messages and variant in wrong_trajectories:
                traj = wrong_trajectories[variant]
                if len(traj) >= step and np.array_equal(np.isfinite(traj[step - 1][0][k]), np.isfinite(arr)):
                    raise CheckFailed(_("{message} (your parameters are NaN or inf after step {step}.)")
                                      .format(message=_(messages[variant]), step=step))
    assert_close(_("{what} {k} after step {step} (compared with torch.optim.{name})").format(what=what, k=k, step=step,
                                                                                               name=name),
                 arr, want, rtol=rtol, atol=atol, mistakes=mistakes, hint=hint)


ADAM_CASES_VISIBLE = [dict(shapes=SHAPES, steps=5, seed=40, dtype=np.float64, scales=[1.0, 1e-3, 1e-8],
                           hyper=dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8), resume=0)]
ADAM_CASES_HIDDEN = [
    dict(shapes=[(4,), (2, 3)], steps=12, seed=41, dtype=np.float64, scales=[0.5, 2e-4],
         hyper=dict(lr=0.1, betas=(0.8, 0.99), eps=1e-3), resume=0),
    dict(shapes=[(3, 2)], steps=6, seed=42, dtype=np.float32, scales=[1.0],
         hyper=dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-6), resume=0),
    dict(shapes=[(5,), (2,)], steps=4, seed=43, dtype=np.float64, scales=[1.0, 1e-6],
         hyper=dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8), resume=3),   # resume from a saved state at t = 3
]


def check_adam_step(adam_step, hidden: bool = False) -> None:
    """adam_step(params, grads, state, lr, betas, eps) -> (new_params, new_state); state = {"t", "m", "v"}."""
    cases = ADAM_CASES_VISIBLE + (ADAM_CASES_HIDDEN if hidden else [])
    for case in cases:
        dtype, hyper = case["dtype"], case["hyper"]
        params, seq, state = _optimizer_case(case, ref.adam_init, ref.adam_step)
        got = _run_optimizer("adam_step", adam_step, "adam", params, seq, hyper, state, hidden)
        want = _torch_optimizer_run("adam", params, seq, hyper, state if case["resume"] else None)
        wrong = {v: _adam_variant(params, seq, hyper["lr"], hyper["betas"], hyper["eps"], v,
                                  state if case["resume"] else None) for v in ADAM_MISTAKES}
        if case["resume"]:
            hint = _("(case: lr={lr}, betas={betas}, eps={eps}, {dtype}, resuming from a state with t={t})").format(
                lr=hyper["lr"], betas=hyper["betas"], eps=hyper["eps"], dtype=np.dtype(dtype).name, t=case["resume"])
        else:
            hint = _("(case: lr={lr}, betas={betas}, eps={eps}, {dtype})").format(
                lr=hyper["lr"], betas=hyper["betas"], eps=hyper["eps"], dtype=np.dtype(dtype).name)
        rtol, atol = tolerances(*params)
        for step, ((mine_p, mine_s), (want_p, want_m, want_v, want_t)) in enumerate(zip(got, want), start=1):
            for k in range(len(params)):
                _diagnose_step("Adam", k, step, mine_p[k], want_p[k], params, wrong, ADAM_MISTAKES, _("parameter"), hint,
                               got)
            b1, b2 = hyper["betas"]
            for key, want_list, label, beta in (("m", want_m, _("first moment m"), b1),
                                                ("v", want_v, _("second moment v"), b2)):
                mine_list = _returned_list(f"new_state['{key}']", mine_s[key], len(params))
                for k in range(len(params)):
                    stored_hat = {_("You stored the bias-corrected {key}_hat in the state; store the raw {key} (the "
                                    "correction 1 - beta**t is recomputed from t at every step).").format(key=key):
                                  want_list[k].astype(np.float64) / (1 - beta ** want_t)}
                    assert_close(_("state['{key}'][{k}] ({label}) after step {step}").format(key=key, k=k, label=label,
                                                                                              step=step),
                                 mine_list[k], want_list[k], rtol=rtol, atol=atol, hint=hint, mistakes=stored_hat)
            if isinstance(mine_s["t"], (bool, np.bool_)) or not isinstance(mine_s["t"], (int, np.integer)):
                raise CheckFailed(_("new_state['t'] after step {step} should be an int (the number of steps taken), got "
                                    "{type} {value!r:.40}: t = state['t'] + 1.")
                                  .format(step=step, type=type(mine_s["t"]).__name__, value=mine_s["t"]))
            if int(mine_s["t"]) != want_t:
                raise CheckFailed(_("new_state['t'] after step {step} is {got!r}; it should be {want} (the number of "
                                    "steps taken). {advice}").format(step=step, got=mine_s["t"], want=want_t,
                                                                      advice=_(ADAM_MISTAKES["t_stuck"])))
    passed(_("adam_step matches torch.optim.Adam step by step (hidden cases too)") if hidden
           else _("adam_step matches torch.optim.Adam step by step"))


RMSPROP_CASES_VISIBLE = [dict(shapes=SHAPES, steps=5, seed=50, dtype=np.float64, scales=[1.0, 1e-3, 1e-8],
                              hyper=dict(lr=1e-2, alpha=0.99, eps=1e-8), resume=0)]
RMSPROP_CASES_HIDDEN = [
    dict(shapes=[(4,), (2, 3)], steps=10, seed=51, dtype=np.float64, scales=[0.5, 2e-4],
         hyper=dict(lr=0.05, alpha=0.9, eps=1e-3), resume=0),
    dict(shapes=[(3, 2)], steps=6, seed=52, dtype=np.float32, scales=[1.0],
         hyper=dict(lr=1e-3, alpha=0.99, eps=1e-6), resume=0),
    dict(shapes=[(5,)], steps=4, seed=53, dtype=np.float64, scales=[1.0],
         hyper=dict(lr=1e-2, alpha=0.99, eps=1e-8), resume=3),
]


def check_rmsprop_step(rmsprop_step, hidden: bool = False) -> None:
    """rmsprop_step(params, grads, state, lr, alpha, eps) -> (new_params, new_state); state = {"v"}."""
    cases = RMSPROP_CASES_VISIBLE + (RMSPROP_CASES_HIDDEN if hidden else [])
    for case in cases:
        dtype, hyper = case["dtype"], case["hyper"]
        params, seq, state = _optimizer_case(case, ref.rmsprop_init, ref.rmsprop_step)
        got = _run_optimizer("rmsprop_step", rmsprop_step, "rmsprop", params, seq, hyper, state, hidden)
        want = _torch_optimizer_run("rmsprop", params, seq, hyper, state if case["resume"] else None)
        wrong = {v: _rmsprop_variant(params, seq, hyper["lr"], hyper["alpha"], hyper["eps"], v,
                                     state if case["resume"] else None) for v in RMSPROP_MISTAKES}
        if case["resume"]:
            hint = _("(case: lr={lr}, alpha={alpha}, eps={eps}, {dtype}, resuming from a saved state)").format(
                lr=hyper["lr"], alpha=hyper["alpha"], eps=hyper["eps"], dtype=np.dtype(dtype).name)
        else:
            hint = _("(case: lr={lr}, alpha={alpha}, eps={eps}, {dtype})").format(
                lr=hyper["lr"], alpha=hyper["alpha"], eps=hyper["eps"], dtype=np.dtype(dtype).name)
        rtol, atol = tolerances(*params)
        for step, ((mine_p, mine_s), (want_p, want_v)) in enumerate(zip(got, want), start=1):
            for k in range(len(params)):
                _diagnose_step("RMSprop", k, step, mine_p[k], want_p[k], params, wrong, RMSPROP_MISTAKES, _("parameter"),
                               hint, got)
            mine_list = _returned_list("new_state['v']", mine_s["v"], len(params))
            for k in range(len(params)):
                assert_close(_("state['v'][{k}] (running average of g^2) after step {step}").format(k=k, step=step),
                             mine_list[k], want_v[k], rtol=rtol, atol=atol, hint=hint, mistakes={
                                 _("You stored sqrt(v) (the RMS) in the state; store v itself, the running average of "
                                   "g**2, and take the square root only in the update."):
                                     np.sqrt(want_v[k].astype(np.float64))})
    passed(_("rmsprop_step matches torch.optim.RMSprop step by step (hidden cases too)") if hidden
           else _("rmsprop_step matches torch.optim.RMSprop step by step"))


# A student's exception out of any check_* shows the student's frames only (lstmlab.checking.harness).
student_facing(globals())
