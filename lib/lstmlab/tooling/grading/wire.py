"""The message format between the judge (trusted) and a submission's worker (untrusted).

A message is a 4-byte big-endian length and a JSON document. Values cross as JSON with
tagged objects; numpy arrays travel as base64 of their raw bytes with dtype and shape.
Nothing is ever unpickled: the judge decodes only these plain types, so a hostile worker
can send wrong values but never code.

Value encoding (decode(encode(v)) == v for the supported types):
    None, bool, int, float, str          as JSON (non-finite floats tagged)
    list, dict (str keys)                as JSON containers of encoded values
    tuple                                {"__t": "tuple", "items": [...]}
    numpy array / scalar                 {"__t": "nd", "dtype": "<f8", "shape": [..], "data": b64}
    numpy random Generator               {"__t": "rng", "state": <bit generator state>}   (state copied back)
    torch tensor                         {"__t": "torch", "nd": <nd>}     (re-created without grad)
    callable in the judge                {"__t": "callback", "id": n}    (the worker calls back)
    callable in the worker               {"__t": "remote", "name": str}  (the judge calls it)
"""
from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time

import numpy as np

from lstmlab.checking.diagnosis import is_torch_tensor

MAX_MESSAGE = 64 * 1024 * 1024   # a message larger than this is a protocol error, not a grade
# JSON containers and items a message may hold: decoding allocates a Python object per item, so a
# message of small numbers would grow the judge by ~50 times its size. Arrays travel as one base64
# string each and count once; with both caps decoding stays within a few times MAX_MESSAGE.
MAX_ITEMS = 1_000_000
ND_KINDS = "biufc"               # bool, int, uint, float, complex: no object or string arrays
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


class Unsupported(TypeError):
    """A value of a type that cannot cross the wire."""


class TimedOut(Exception):
    """No complete message arrived (or could be sent) before the deadline."""


def send(fd: int, message: dict, deadline: float | None = None) -> None:
    """Write one message. With a deadline (time.monotonic()) and a non-blocking fd, a reader that stops
    reading raises TimedOut instead of blocking the writer forever."""
    data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    payload = struct.pack(">I", len(data)) + data
    view = memoryview(payload)
    while view:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                raise TimedOut()
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimedOut()
        try:
            chunk = os.read(fd, min(n - got, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(fd: int, deadline: float | None = None) -> dict:
    """Read one message; deadline (time.monotonic()) raises TimedOut, a closed channel EOFError."""
    (length,) = struct.unpack(">I", _read_exact(fd, 4, deadline))
    if length > MAX_MESSAGE:
        raise ProtocolError(f"message of {length} bytes is over the limit")
    data = _read_exact(fd, length, deadline)
    if data.count(b",") + data.count(b"[") + data.count(b"{") > MAX_ITEMS:
        raise ProtocolError(f"message holds more than {MAX_ITEMS} values")
    try:
        message = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message


def _encode_nd(a: np.ndarray) -> dict:
    if a.dtype.kind not in ND_KINDS:
        raise Unsupported(f"numpy array of dtype {a.dtype} cannot be sent")
    # tobytes(order="C") copes with any layout and keeps 0-d arrays 0-d (ascontiguousarray would not).
    return {"__t": "nd", "dtype": a.dtype.str, "shape": list(a.shape), "data": base64.b64encode(a.tobytes(order="C")).decode()}


def encode(value, callables=None, depth: int = 0):
    """Encode value. callables(fn) -> tagged dict, for functions (None: functions are Unsupported)."""
    if depth > 50:
        raise Unsupported("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 2 ** 63 else {"__t": "bigint", "v": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__t": "float", "v": repr(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        out = _encode_nd(np.asarray(value))
        if isinstance(value, np.generic):
            out["scalar"] = True
        return out
    if is_torch_tensor(value):  # torch.nn.Parameter too
        return {"__t": "torch", "nd": _encode_nd(value.detach().cpu().numpy())}
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in BIT_GENERATORS:
            raise Unsupported(f"random generator {state.get('bit_generator')} cannot be sent")
        return {"__t": "rng", "state": encode(state, None, depth + 1)}
    if isinstance(value, tuple):
        out = {"__t": "tuple", "items": [encode(v, callables, depth + 1) for v in value]}
        if hasattr(type(value), "_fields"):  # a namedtuple, e.g. lstmlab.lstm.LSTMParams
            out["named"] = [type(value).__module__, type(value).__name__, list(type(value)._fields)]
        return out
    if isinstance(value, list):
        return [encode(v, callables, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unsupported("only dicts with string keys can be sent")
        if "__t" in value:
            raise Unsupported("a dict with the key '__t' cannot be sent")
        return {k: encode(v, callables, depth + 1) for k, v in value.items()}
    if callable(value) and callables is not None:
        return callables(value)
    raise Unsupported(f"a value of type {type(value).__name__} cannot be sent")


def _decode_nd(d: dict) -> np.ndarray:
    try:
        dtype = np.dtype(d["dtype"])
        shape = tuple(int(s) for s in d["shape"])
        if dtype.kind not in ND_KINDS or any(s < 0 for s in shape):
            raise ProtocolError(f"bad array header {d['dtype']} {shape}")
        raw = base64.b64decode(d["data"], validate=True)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad array: {exc}") from None


def _named(spec, items: tuple):
    """Rebuild a namedtuple: the library's own class when it is one, else an equivalent namedtuple."""
    import collections
    import importlib

    try:
        module, name, fields = str(spec[0]), str(spec[1]), [str(f) for f in spec[2]]
    except (TypeError, IndexError, KeyError):
        raise ProtocolError("bad namedtuple header") from None
    if not name.isidentifier() or not all(f.isidentifier() for f in fields) or len(fields) != len(items):
        raise ProtocolError("bad namedtuple header")
    if module == "lstmlab" or module.startswith("lstmlab."):
        try:
            cls = getattr(importlib.import_module(module), name)
            if isinstance(cls, type) and issubclass(cls, tuple) and list(getattr(cls, "_fields", ())) == fields:
                return cls(*items)
        except (ImportError, AttributeError):
            pass
    return collections.namedtuple(name, fields)(*items)


def decode(value, resolve=None, depth: int = 0):
    """Decode a value; resolve(tagged dict) builds callbacks/remote functions (None: refuse them)."""
    if depth > 60:
        raise ProtocolError("value nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(v, resolve, depth + 1) for v in value]
    if not isinstance(value, dict):
        raise ProtocolError(f"unexpected JSON value {type(value).__name__}")
    tag = value.get("__t")
    if tag is None:
        return {k: decode(v, resolve, depth + 1) for k, v in value.items()}
    if tag == "nd":
        a = _decode_nd(value)
        return a[()] if value.get("scalar") else a
    if tag == "tuple":
        items = tuple(decode(v, resolve, depth + 1) for v in value.get("items", []))
        return _named(value["named"], items) if "named" in value else items
    if tag == "torch":
        import torch

        return torch.from_numpy(_decode_nd(value["nd"]))
    if tag == "rng":
        state = decode(value.get("state"), None, depth + 1)
        if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
            raise ProtocolError("bad random generator state")
        bitgen = getattr(np.random, state["bit_generator"])()
        try:
            bitgen.state = state
        except (TypeError, ValueError, KeyError) as exc:
            raise ProtocolError(f"bad random generator state: {exc}") from None
        return np.random.Generator(bitgen)
    if tag == "float":
        return float(value["v"])
    if tag == "bigint":
        return int(value["v"])
    if tag in ("callback", "remote") and resolve is not None:
        return resolve(value)
    raise ProtocolError(f"unknown tag {tag!r}")
