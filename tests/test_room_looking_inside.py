"""Lesson 11's room, lstmlab.lessons.looking_inside: its tasks (Dyck-1), models (record_torch), plots,
explorer, and checks (which call the student's function through lstmlab.checking.call_student).

The textbook module lstmlab.interpret is tested in tests/test_interpret.py.
"""
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
from lstmlab.bridge import lstm_from_torch  # noqa: E402
from lstmlab.checking import CheckFailed  # noqa: E402
from lstmlab.fixtures import lstm_params  # noqa: E402
from lstmlab.lessons.looking_inside import checks, explorer, models, plots  # noqa: E402
from lstmlab.lessons.looking_inside import tasks as dyck  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- tasks: Dyck-1 ---------------------------------------------------------------------------------

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


# --- models ---------------------------------------------------------------------------------------

def test_record_torch_records_the_copied_weights():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 6, batch_first=True)
    X = dyck.one_hot(dyck.dyck1(4, 15, seed=0))
    rec = models.record_torch(lstm, X)
    same = interpret.record(lstm_from_torch(lstm, dtype=np.float64), X.astype(np.float64))
    assert all(np.array_equal(rec[q], same[q]) for q in rec)
    clamped = models.record_torch(lstm, X, clamp={2: 0.5})
    assert (clamped["h"][..., 2] == 0.5).all()
    assert not np.allclose(clamped["h"][..., 0], rec["h"][..., 0])   # the others see the change
    assert np.array_equal(clamped["h"][:, 0, 0], rec["h"][:, 0, 0])  # ... from the second step on


# --- plots ----------------------------------------------------------------------------------------

def _small_recording():
    tokens = dyck.dyck1(6, 16, max_depth=4, seed=0)
    rec = interpret.record(lstm_params(2, 5, seed=0), dyck.one_hot(tokens).astype(np.float64))
    return rec, [dyck.to_text(t) for t in tokens], dyck.depth(tokens)


def test_plots_return_what_they_drew():
    rec, texts, d = _small_recording()
    fig, data = plots.plot_heatmaps({q: rec[q][1] for q in rec}, texts[1], quantities=("h", "f"),
                                    units=[3, 0], feature=d[1])
    assert data["units"] == [3, 0] and np.array_equal(data["h"], rec["h"][1][:, [3, 0]].T)
    assert np.array_equal(data["feature"], d[1]) and fig.axes[0].get_title()
    fig, data = plots.plot_unit(rec["h"][1, :, 2], d[1], texts[1], unit=2)
    assert data["colours"].min() == 0.0 and data["colours"].max() == 1.0
    assert np.array_equal(data["values"], rec["h"][1, :, 2])
    r = interpret.unit_correlations(rec["h"], d)
    fig, data = plots.plot_correlations({"h": r})
    assert np.array_equal(data["h"], r) and fig.axes[0].get_xlabel() == "unit"
    fractions = {g: interpret.saturation(rec[g]) for g in "ifo"}
    fig, data = plots.plot_saturation(fractions, highlight=1)
    assert np.array_equal(data["f"][:, 0], fractions["f"][0]) and np.array_equal(data["f"][:, 1], fractions["f"][1])
    fig, data = plots.plot_ablation(np.linspace(0.6, 1, 5), 0.99, r=r)
    assert data["baseline"] == 0.99 and len(data["scores"]) == 5
    fig, data = plots.plot_tuning({"unit 0": rec["h"][..., 0]}, d)
    assert np.array_equal(data["unit 0"][0], np.unique(d))
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


# --- explorer -------------------------------------------------------------------------------------

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


# --- checks ---------------------------------------------------------------------------------------

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


def test_correlation_case_has_the_documented_roles():
    A, feature, roles = checks.correlation_case(4, 20, 6, 0)
    r = interpret.unit_correlations(A, feature)
    assert r[roles["down"]] < -0.7 and r[roles["up"]] > 0.3
    assert int(np.argmax(A.reshape(-1, 6).var(0))) == roles["loud"]
    A, feature, roles = checks.correlation_case(3, 24, 6, 0)
    unit, r = interpret.tracking_unit(A, feature)
    assert unit == roles["down"] and r < -0.8
    A, feature, roles = checks.correlation_case(3, 24, 6, 4, constant=True)
    assert (A[..., roles["constant"]] == 0.25).all() and interpret.unit_correlations(A, feature)[roles["constant"]] == 0.0


def test_a_warning_never_fails_a_check_and_is_not_printed(capsys):
    def unit_correlations(A, feature):            # right values, but 0/0 warnings for a constant unit
        X = np.asarray(A, dtype=np.float64).reshape(-1, np.shape(A)[-1])
        y = np.asarray(feature, dtype=np.float64).reshape(-1)
        warnings.warn("a student's own warning", UserWarning)
        return np.nan_to_num(np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])]))

    checks.check_unit_correlations(unit_correlations, hidden=True)
    out = capsys.readouterr()
    assert out.out.count("✔") == 1 and out.err == ""


def test_a_nan_for_a_constant_unit_or_feature_is_named():
    def keeps_nan(A, feature):
        X = np.asarray(A, dtype=np.float64).reshape(-1, np.shape(A)[-1])
        y = np.asarray(feature, dtype=np.float64).reshape(-1)
        return np.array([np.corrcoef(X[:, u], y)[0, 1] for u in range(X.shape[1])])

    with pytest.raises(CheckFailed, match="which never changes"):
        checks.check_unit_correlations(keeps_nan)

    def nan_for_a_constant_feature(A, feature):   # handles a constant unit, divides by the feature's std
        X = np.asarray(A, dtype=np.float64).reshape(-1, np.shape(A)[-1])
        y = np.asarray(feature, dtype=np.float64).reshape(-1)
        Xc, yc = X - X.mean(0), y - y.mean()
        sx = np.sqrt((Xc ** 2).sum(0))
        r = np.zeros(X.shape[1])
        r[sx > 0] = (Xc.T @ yc)[sx > 0] / (sx[sx > 0] * np.sqrt((yc ** 2).sum()))
        return r

    checks.check_unit_correlations(nan_for_a_constant_feature)     # the visible cases pass
    with pytest.raises(CheckFailed, match="feature that never changes"):
        checks.check_unit_correlations(nan_for_a_constant_feature, hidden=True)


def test_an_input_changed_in_place_is_named_with_the_advice():
    def centres_in_place(A, feature):
        A -= A.mean(axis=tuple(range(A.ndim - 1)))
        return _copy(interpret.unit_correlations)(A, feature)

    with pytest.raises(CheckFailed, match=r"unit_correlations changed its input A in place; work on new arrays"):
        checks.check_unit_correlations(centres_in_place)


def test_unanswered_and_student_exceptions_propagate():
    def unanswered(gate, low=0.1, high=0.9):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check_saturation(unanswered, hidden=True)
    with pytest.raises(ZeroDivisionError):
        checks.check_tracking_unit(lambda A, feature: 1 / 0)


def test_unit_correlations_must_centre_first_and_return_float64():
    def one_pass(A, feature):
        X = np.asarray(A, dtype=np.float64).reshape(-1, A.shape[-1])
        y = np.asarray(feature, dtype=np.float64).reshape(-1)
        cov = (X * y[:, None]).mean(0) - X.mean(0) * y.mean()
        var = (X * X).mean(0) - X.mean(0) ** 2
        return cov / np.sqrt(np.maximum(var, 1e-300) * ((y * y).mean() - y.mean() ** 2))

    checks.check_unit_correlations(one_pass)                         # the visible case sits near 0
    with pytest.raises(CheckFailed, match="far from 0"):
        checks.check_unit_correlations(one_pass, hidden=True)
    with pytest.raises(CheckFailed, match="float64"):
        checks.check_unit_correlations(lambda A, f: interpret.unit_correlations(A, f).astype(np.float32))
