"""Library tests for lesson 09: the Dyck-1 generator, recording, interpretability statistics, plots, explorer."""
from __future__ import annotations

import types
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lstmlab import interpret  # noqa: E402
from lstmlab.lessons.looking_inside import explorer  # noqa: E402
from lstmlab.lessons.looking_inside import tasks as dyck  # noqa: E402
from lstmlab.bridge import lstm_as_torch  # noqa: E402
from lstmlab.lessons.looking_inside import checks as checks  # noqa: E402
from lstmlab.checking import CheckFailed  # noqa: E402
from lstmlab.fixtures import lstm_params, rng  # noqa: E402
from lstmlab.lstm import lstm_step_forward  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- dyck ------------------------------------------------------------------------------------------

def test_dyck1_is_seeded_and_stays_within_bounds():
    a = dyck.dyck1(50, 40, max_depth=4, seed=3)
    assert a.shape == (50, 40) and a.dtype == np.int64
    assert np.array_equal(a, dyck.dyck1(50, 40, max_depth=4, seed=3))
    assert not np.array_equal(a, dyck.dyck1(50, 40, max_depth=4, seed=4))
    d = dyck.depth(a)
    assert d.min() >= 0 and d.max() == 4
    assert (a[:, 0] == dyck.OPEN).all()
    # Both brackets occur wherever both are allowed, roughly half and half.
    free = dyck.allowed_next(a[:, :-1], 4).all(-1)
    assert 0.4 < (a[:, 1:][free] == dyck.OPEN).mean() < 0.6


def test_depth_text_round_trip_and_allowed_next():
    tokens = dyck.from_text("(()(()))(")
    assert dyck.to_text(tokens) == "(()(()))("
    assert dyck.depth(tokens).tolist() == [1, 2, 1, 2, 3, 2, 1, 0, 1]
    mask = dyck.allowed_next(tokens, max_depth=3)
    assert mask[4].tolist() == [False, True]       # at the maximum depth only ")" may follow
    assert mask[7].tolist() == [True, False]       # at depth 0 only "(" may follow
    assert mask[0].tolist() == [True, True]
    with pytest.raises(ValueError):
        dyck.from_text("(a)")
    with pytest.raises(ValueError):
        dyck.dyck1(2, 5, max_depth=0)


def test_tasks_shapes_and_targets():
    X, Y, tokens = dyck.next_token_task(7, 20, max_depth=3, seed=1)
    assert X.shape == (7, 19, 2) and X.dtype == np.float32 and Y.shape == (7, 19)
    assert np.array_equal(X.argmax(-1), tokens[:, :-1]) and np.array_equal(Y, tokens[:, 1:])
    X, Y, tokens = dyck.depth_task(5, 12, max_depth=3, seed=2)
    assert X.shape == (5, 12, 2) and np.array_equal(Y, dyck.depth(tokens))
    assert dyck.one_hot(np.array([0, 1])).tolist() == [[1, 0], [0, 1]]


def test_p_open_extremes():
    up = dyck.dyck1(3, 10, max_depth=4, p_open=1.0, seed=0)
    assert dyck.to_text(up[0]) == "(((()()()("      # up to the maximum, then forced down and up again
    assert dyck.depth(up).max() == 4 and (dyck.depth(up)[:, 3] == 4).all()
    down = dyck.dyck1(3, 10, max_depth=4, p_open=0.0, seed=0)
    assert dyck.to_text(down[0]) == "()" * 5


# --- recording -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_record_matches_torch(dtype, tol):
    params = lstm_params(3, 5, seed=0, dtype=dtype, scale=0.8)
    X = rng(1).standard_normal((4, 9, 3)).astype(dtype)
    rec = interpret.record(params, X)
    assert set(rec) == set(interpret.QUANTITIES)
    assert all(v.shape == (4, 9, 5) and v.dtype == dtype for v in rec.values())
    lstm = lstm_as_torch(params, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    with torch.no_grad():
        out, (hn, cn) = lstm(torch.as_tensor(X))
    np.testing.assert_allclose(rec["h"], out.numpy(), atol=tol, rtol=tol)
    np.testing.assert_allclose(rec["c"][:, -1], cn[0].numpy(), atol=tol, rtol=tol)


def test_record_gates_equal_the_reference_step():
    params = lstm_params(2, 4, seed=5, scale=0.9)
    X = rng(6).standard_normal((3, 6, 2))
    h0, c0 = rng(7).standard_normal((3, 4)), rng(8).standard_normal((3, 4))
    rec = interpret.record(params, X, h0, c0)
    h, c = h0, c0
    for t in range(6):
        h, c, cache = lstm_step_forward(X[:, t], h, c, *params)
        i, f, g, o = cache[5:9]
        for name, want in zip("ifgoch", (i, f, g, o, c, h)):
            np.testing.assert_allclose(rec[name][:, t], want, atol=1e-12)


def test_record_clamp_and_record_torch():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 6, batch_first=True)
    X = dyck.one_hot(dyck.dyck1(4, 15, seed=0))
    rec = interpret.record_torch(lstm, X)
    from lstmlab.bridge import lstm_from_torch
    same = interpret.record(lstm_from_torch(lstm, dtype=np.float64), X.astype(np.float64))
    assert all(np.array_equal(rec[q], same[q]) for q in rec)
    clamped = interpret.record_torch(lstm, X, clamp={2: 0.5})
    assert (clamped["h"][..., 2] == 0.5).all()
    assert not np.allclose(clamped["h"][..., 0], rec["h"][..., 0])   # the others see the change
    assert np.array_equal(clamped["h"][:, 0, 0], rec["h"][:, 0, 0])  # ... from the second step on


# --- statistics ------------------------------------------------------------------------------------

def test_unit_correlations_against_corrcoef():
    A, feature, roles = checks.correlation_case(4, 20, 6, 0)
    r = interpret.unit_correlations(A, feature)
    X, y = A.reshape(-1, 6), feature.reshape(-1)
    want = [np.corrcoef(X[:, u], y)[0, 1] for u in range(6)]
    np.testing.assert_allclose(r, want, atol=1e-12)
    assert r[roles["down"]] < -0.7 and r[roles["up"]] > 0.3
    # One sequence (T, U) works too, and equals pooling that sequence alone.
    np.testing.assert_allclose(interpret.unit_correlations(A[1], feature[1]),
                               [np.corrcoef(A[1][:, u], feature[1])[0, 1] for u in range(6)], atol=1e-12)
    with pytest.raises(ValueError):
        interpret.unit_correlations(A, feature.T)


def test_constant_units_and_features_give_zero_without_warnings():
    A, feature, roles = checks.correlation_case(3, 24, 6, 4, constant=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = interpret.unit_correlations(A, feature)
        assert r[roles["constant"]] == 0.0 and np.isfinite(r).all()
        assert (interpret.unit_correlations(A, np.ones_like(feature)) == 0).all()
    f = np.arange(10.0)
    lin = np.stack([3 * f + 1, -2 * f], axis=-1)
    np.testing.assert_allclose(interpret.unit_correlations(lin, f), [1.0, -1.0])


def test_tracking_unit_uses_absolute_r_and_keeps_the_sign():
    A, feature, roles = checks.correlation_case(3, 24, 6, 0)
    unit, r = interpret.tracking_unit(A, feature)
    assert isinstance(unit, int) and isinstance(r, float)
    assert unit == roles["down"] and r < -0.8


def test_saturation_is_strict_and_per_unit():
    G = np.array([[0.1, 0.05, 0.9], [0.95, 0.5, 0.9], [0.0, 1.0, 0.2], [0.5, 0.5, 0.5]])  # (T=4, U=3)
    left, right = interpret.saturation(G)
    np.testing.assert_allclose(left, [0.25, 0.25, 0.0])
    np.testing.assert_allclose(right, [0.25, 0.25, 0.0])   # 0.9 itself is not right-saturated
    left, right = interpret.saturation(np.stack([G, G]), low=0.2, high=0.6)
    np.testing.assert_allclose(left, [0.5, 0.25, 0.0])
    np.testing.assert_allclose(right, [0.25, 0.25, 0.5])


def test_select_units_and_match_ranges():
    A = np.zeros((2, 10, 3))
    A[0, 3:6, 0] = 1.0           # unit 0 on at steps 3..5 of string 0
    A[0, 2:6, 1] = 1.0           # unit 1 already on before the selection
    A[1, 6:9, 0] = 1.0           # unit 0 on again in string 1
    A[0, 3:6, 2] = 1.0
    A[1, 6:8, 2] = 1.0
    sel = interpret.select_units(A[0], 3, 6, threshold=0.5)
    assert sel.tolist() == [0, 2]
    assert interpret.match_ranges(A, sel, threshold=0.5) == [(0, 3, 6), (1, 6, 8)]
    assert interpret.match_ranges(A, sel, threshold=0.5, min_length=3) == [(0, 3, 6)]
    assert interpret.match_ranges(A, [], threshold=0.5) == []


def test_tuning_curve():
    feature = np.array([0, 1, 1, 2, 2, 2])
    values = np.array([0.0, 1.0, 3.0, 4.0, 4.0, 4.0])
    levels, mean, std = interpret.tuning(values, feature)
    assert levels.tolist() == [0, 1, 2] and mean.tolist() == [0.0, 2.0, 4.0] and std.tolist() == [0.0, 1.0, 0.0]


# --- plots -----------------------------------------------------------------------------------------

def _small_recording():
    tokens = dyck.dyck1(6, 16, max_depth=4, seed=0)
    rec = interpret.record(lstm_params(2, 5, seed=0), dyck.one_hot(tokens).astype(np.float64))
    return rec, [dyck.to_text(t) for t in tokens], dyck.depth(tokens)


def test_plots_return_what_they_drew():
    rec, texts, d = _small_recording()
    fig, data = interpret.plot_heatmaps({q: rec[q][1] for q in rec}, texts[1], quantities=("h", "f"),
                                        units=[3, 0], feature=d[1])
    assert data["units"] == [3, 0] and np.array_equal(data["h"], rec["h"][1][:, [3, 0]].T)
    assert np.array_equal(data["feature"], d[1]) and fig.axes[0].get_title()
    fig, data = interpret.plot_unit(rec["h"][1, :, 2], d[1], texts[1], unit=2)
    assert data["colours"].min() == 0.0 and data["colours"].max() == 1.0
    assert np.array_equal(data["values"], rec["h"][1, :, 2])
    r = interpret.unit_correlations(rec["h"], d)
    fig, data = interpret.plot_correlations({"h": r})
    assert np.array_equal(data["h"], r) and fig.axes[0].get_xlabel() == "unit"
    fractions = {g: interpret.saturation(rec[g]) for g in "ifo"}
    fig, data = interpret.plot_saturation(fractions, highlight=1)
    assert np.array_equal(data["f"][:, 0], fractions["f"][0]) and np.array_equal(data["f"][:, 1], fractions["f"][1])
    fig, data = interpret.plot_ablation(np.linspace(0.6, 1, 5), 0.99, r=r)
    assert data["baseline"] == 0.99 and len(data["scores"]) == 5
    fig, data = interpret.plot_tuning({"unit 0": rec["h"][..., 0]}, d)
    assert np.array_equal(data["unit 0"][0], np.unique(d))
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


# --- explorer --------------------------------------------------------------------------------------

def test_explorer_functions_return_arrays():
    rec, texts, d = _small_recording()
    choices = explorer.unit_choices(rec, d, "c")
    r = interpret.unit_correlations(rec["c"], d)
    assert [u for _, u in choices] == list(np.argsort(-np.abs(r), kind="stable"))
    assert choices[0][0].startswith(f"unit {choices[0][1]} (r = ")
    view = explorer.explorer_view(rec, texts, d, sequence=2, unit=4, quantity="f", top=3)
    assert np.array_equal(view["values"], rec["f"][2, :, 4]) and np.array_equal(view["feature"], d[2])
    assert view["heat"].shape == (3, 16) and view["units"] == [u for _, u in explorer.unit_choices(rec, d, "f")][:3]
    assert view["r"] == pytest.approx(interpret.unit_correlations(rec["f"], d)[4])
    fig, data = explorer.draw_view(view)
    assert np.array_equal(data["heat"], view["heat"]) and fig.axes[0].get_title()
    assert explorer.render_png(fig).startswith(b"\x89PNG")


def test_explorer_widget_redraws_and_has_a_stable_text_form():
    rec, texts, d = _small_recording()
    ex = explorer.explorer(rec, texts, d)
    best = explorer.unit_choices(rec, d, "h")[0][1]
    assert ex.view["unit"] == best and ex.view["quantity"] == "h"
    first = bytes(ex.image.value)
    assert first.startswith(b"\x89PNG")
    ex.sequence.value = 3
    assert ex.view["sequence"] == 3 and bytes(ex.image.value) != first
    other = (best + 1) % 5
    ex.unit.value = other
    ex.quantity.value = "f"
    assert ex.view["unit"] == other and ex.view["quantity"] == "f"   # the unit survives a change of quantity
    text = ex._repr_mimebundle_()["text/plain"]
    assert text == repr(ex) == ex.summary()
    assert text.startswith("LSTM explorer: 6 strings, 5 units; showing forget gate f unit")
    assert "model_id" not in text and "PNG" not in text
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


# --- checks ----------------------------------------------------------------------------------------

def _copy(fn):
    """A copy of a reference function (so the from-scratch guard does not see the library's own)."""
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_copy", fn.__defaults__)


def test_checks_accept_the_reference_and_reject_a_mistake(capsys):
    corr = _copy(interpret.unit_correlations)
    checks.check_unit_correlations(corr, hidden=True)
    ns = {"unit_correlations": corr}

    def tracking_unit(A, feature):
        r = ns["unit_correlations"](A, feature)
        u = int(np.argmax(np.abs(r)))
        return u, float(r[u])

    checks.check_tracking_unit(tracking_unit, hidden=True)
    checks.check_saturation(_copy(interpret.saturation), hidden=True)
    assert capsys.readouterr().out.count("✔") == 3
    with pytest.raises(CheckFailed, match="must be written from scratch"):
        checks.check_saturation(interpret.saturation, hidden=True)
    with pytest.raises(CheckFailed, match="equal to low"):
        checks.check_saturation(lambda g, low=0.1, high=0.9: ((np.asarray(g) <= low).reshape(-1, g.shape[-1]).mean(0),
                                                              (np.asarray(g) >= high).reshape(-1, g.shape[-1]).mean(0)))
