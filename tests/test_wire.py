"""The sandbox wire format: what crosses, exactly, and what is refused."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from lstmlab.tooling.grading import wire
from lstmlab.tooling.grading.judge import _sync


@pytest.mark.parametrize("value", [
    None, True, 3, -2 ** 70, 1.5, float("inf"), "text", [1, [2, 3]], (1, (2.0, "a")), {"a": [1, 2], "b": None},
    np.arange(6, dtype=np.float32).reshape(2, 3), np.float64(2.5), np.int64(7), np.array(True), np.zeros((0, 3)),
])
def test_round_trip(value):
    back = wire.decode(wire.encode(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    elif isinstance(value, np.generic):
        assert type(back) is type(value) and back == value
    else:
        assert back == value and type(back) is type(value)


def test_torch_tensors_and_generators():
    t = wire.decode(wire.encode(torch.arange(4.0, requires_grad=True)))
    assert isinstance(t, torch.Tensor) and t.tolist() == [0, 1, 2, 3]
    g = np.random.default_rng(0)
    g.random(3)
    h = wire.decode(wire.encode(g))
    assert h.random() == np.random.default_rng(0).random(4)[-1]
    _sync(g, h)
    assert g.bit_generator.state == h.bit_generator.state


def test_parameters_and_tensor_subclasses_cross_as_tensors():
    """torch.nn.Parameter lives in torch.nn.parameter: recognised as a tensor all the same."""
    p = torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64))
    back = wire.decode(wire.encode(p))
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float64 and back.tolist() == [[1.0] * 3] * 2
    target = torch.zeros(2, 3, dtype=torch.float64)
    _sync(target, back)
    assert torch.equal(target, torch.ones(2, 3, dtype=torch.float64))


@pytest.mark.parametrize("value", [object(), np.array(["a"]), np.array([None], dtype=object), {1: 2}, lambda: 0])
def test_refuses_what_cannot_cross(value):
    with pytest.raises(wire.Unsupported):
        wire.encode(value)


def test_refuses_malformed_messages():
    r, w = os.pipe()
    os.write(w, (5).to_bytes(4, "big") + b"[1,2]")
    with pytest.raises(wire.ProtocolError):
        wire.receive(r)
    with pytest.raises(wire.ProtocolError):
        wire.decode({"__t": "pickle", "data": "..."})
    with pytest.raises(wire.ProtocolError):
        wire.decode({"__t": "nd", "dtype": "|O", "shape": [1], "data": ""})
    os.write(w, (wire.MAX_MESSAGE + 1).to_bytes(4, "big"))
    with pytest.raises(wire.ProtocolError):
        wire.receive(r)


def test_sync_copies_in_place_changes_back():
    a, lst, d = np.zeros(3), [np.zeros(2), 1], {"m": np.zeros(2), "t": 0}
    _sync([a, lst, d], [np.ones(3), [np.full(2, 2.0), 5], {"m": np.full(2, 3.0), "t": 1, "new": 2}])
    assert a.tolist() == [1, 1, 1] and lst[0].tolist() == [2, 2] and lst[1] == 5
    assert d["m"].tolist() == [3, 3] and d["t"] == 1 and d["new"] == 2


def test_namedtuples_keep_their_fields():
    from collections import namedtuple

    from lstmlab.lstm import LSTMParams

    p = LSTMParams(np.zeros((2, 4)), np.ones((1, 4)), np.zeros(4))
    back = wire.decode(wire.encode(p))
    assert type(back) is LSTMParams and back.Wh.shape == (1, 4)
    Point = namedtuple("Point", ["x", "y"])
    q = wire.decode(wire.encode(Point(1, 2)))
    assert q.x == 1 and q.y == 2 and q == (1, 2)
