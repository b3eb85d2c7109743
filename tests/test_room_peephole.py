"""Lesson 04's room (lstmlab.lessons.peephole): the torch PeepholeLSTM against the numpy reference, autograd and
torch.nn.LSTM, its ablation switches, the stacked Population, its training, the timing tasks, the plots and
the checks' harness wiring."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lstmlab import peephole as P  # noqa: E402
from lstmlab.checking import CheckFailed  # noqa: E402
from lstmlab.fixtures import lstm_inputs  # noqa: E402
from lstmlab.gradcheck import numerical_gradient, relative_error  # noqa: E402
from lstmlab.lessons.peephole import checks, experiments as E, models as M, plots  # noqa: E402
from lstmlab.lessons.peephole.tasks import reset_sum, spike_accuracy, timed_spike  # noqa: E402

TORCH = {np.float64: torch.float64, np.float32: torch.float32}


def _module(params, dtype, **options):
    D, H = params.Wx.shape[0], params.Wh.shape[0]
    return M.PeepholeLSTM(D, H, dtype=TORCH[dtype], **options).load_numpy(params)


# --- the torch module --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_numpy_forward_matches_torch_module(dtype, tol):
    B, T, D, H = 3, 7, 5, 4
    params = P.peephole_params(D, H, seed=1, dtype=dtype, scale=0.7, peephole_scale=1.5)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=2, dtype=dtype)
    Hs, (hT, cT), _ = P.peephole_forward(X, h0, c0, *params)
    with torch.no_grad():
        out, (hn, cn) = _module(params, dtype)(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))
    for mine, theirs in ((Hs, out), (hT, hn), (cT, cn)):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=tol)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_module_without_peepholes_equals_torch_lstm(dtype, tol):
    from test_peephole import plain_lstm_case  # the textbook test's case: torch.nn.LSTM on the same weights

    (Wx, Wh, b), X, h0, c0, want = plain_lstm_case(dtype)
    H = Wh.shape[0]
    zero = np.zeros(H, dtype=dtype)
    x, h, c = (torch.from_numpy(a) for a in (X, h0, c0))
    with torch.no_grad():
        for options in ({}, {"peepholes": False}):
            random_peeps = np.random.default_rng(5).standard_normal((3, H)).astype(dtype)
            peeps = random_peeps if options else (zero, zero, zero)   # peepholes=False must ignore their values
            got, _ = _module(P.PeepholeParams(Wx, Wh, b, *peeps), dtype, **options)(x, (h, c))
            np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=tol)


def test_numpy_backward_matches_the_module_autograd():
    from test_peephole import backward_case  # the textbook test's case: the same numbers, checked twice over

    params, X, h0, c0, dHs, dhT, dcT, grads = backward_case()
    module = _module(params, np.float64)
    Xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (X, h0, c0))
    out, (hn, cn) = module(Xt, (h0t, c0t))
    loss = (out * torch.from_numpy(dHs)).sum() + (hn * torch.from_numpy(dhT)).sum() + (cn * torch.from_numpy(dcT)).sum()
    loss.backward()
    autograd = [Xt.grad, h0t.grad, c0t.grad, module.weight_x.grad, module.weight_h.grad, module.bias.grad,
                module.p_i.grad, module.p_f.grad, module.p_o.grad]
    for (name, mine), theirs in zip(grads.items(), autograd):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("options", [{}, {"peepholes": False}, {"forget_gate": False}, {"output_gate": False},
                                     {"coupled": True}])
def test_torch_module_gradcheck(options):
    torch.manual_seed(0)
    module = M.PeepholeLSTM(3, 2, dtype=torch.float64, **options)
    x = torch.randn(2, 4, 3, dtype=torch.float64, requires_grad=True)
    weights = list(module.parameters())
    assert torch.autograd.gradcheck(lambda x, *w: module(x)[0], (x, *weights))


def test_ablation_switches_do_what_they_say():
    B, T, D, H = 2, 4, 3, 2
    params = P.peephole_params(D, H, seed=13, peephole_scale=1.0)
    X = torch.from_numpy(lstm_inputs(B, T, D, H, seed=14)[0])
    Wx, Wh, b, p_i, p_f, p_o = (torch.from_numpy(a) for a in params)
    for options in ({"forget_gate": False}, {"output_gate": False}, {"coupled": True}):
        with torch.no_grad():
            out, _ = _module(params, np.float64, **options)(X)
        h, c, outs = torch.zeros(B, H, dtype=torch.float64), torch.zeros(B, H, dtype=torch.float64), []
        for t in range(T):
            a = X[:, t] @ Wx + h @ Wh + b
            f = torch.ones_like(c) if "forget_gate" in options else torch.sigmoid(a[:, H:2 * H] + p_f * c)
            i = 1 - f if "coupled" in options else torch.sigmoid(a[:, :H] + p_i * c)
            c = f * c + i * torch.tanh(a[:, 2 * H:3 * H])
            o = 1.0 if "output_gate" in options else torch.sigmoid(a[:, 3 * H:] + p_o * c)
            h = o * torch.tanh(c)
            outs.append(h)
        np.testing.assert_allclose(out.numpy(), torch.stack(outs, 1).numpy(), atol=1e-12, err_msg=str(options))
    with pytest.raises(ValueError):
        M.PeepholeLSTM(3, 2, forget_gate=False, coupled=True)


def test_module_param_count_and_numpy_round_trip():
    for D, H in ((1, 1), (3, 4), (64, 128)):
        module = M.PeepholeLSTM(D, H)
        assert P.peephole_param_count(D, H) == sum(p.numel() for p in module.parameters())
    params = P.peephole_params(3, 4, seed=15)
    back = _module(params, np.float64).numpy_params()
    assert isinstance(back, P.PeepholeParams)
    for a, b in zip(params, back):
        np.testing.assert_array_equal(a, b)


# --- the stacked population and its training -------------------------------------------------------

VARIANTS = ["V", "NP", "NFG", "NOG", "CIFG"]


def test_population_members_equal_torch_modules_forward_and_gradients():
    pop = M.Population(VARIANTS, input_size=2, hidden_size=3, output_size=2, seed=0, forget_bias=0.5,
                       dtype=np.float64)
    r = np.random.default_rng(17)
    X, target = r.standard_normal((4, 6, 2)), r.standard_normal((4, 6, 2))
    Y, cache = pop.forward(X)
    losses, dY = E.mse(Y, target)
    grads = pop.backward(dY, cache)
    for m, name in enumerate(VARIANTS):
        cell, readout = pop.member(m)
        assert cell.forget_gate == M.VARIANTS[name]["forget_gate"]
        y = readout(cell(torch.from_numpy(X))[0])
        loss = ((y - torch.from_numpy(target)) ** 2).mean()
        loss.backward()
        np.testing.assert_allclose(Y[m], y.detach().numpy(), atol=1e-12, err_msg=name)
        assert abs(losses[m] - loss.item()) < 1e-12
        theirs = dict(Wx=cell.weight_x.grad, Wh=cell.weight_h.grad, b=cell.bias.grad, p_i=cell.p_i.grad,
                      p_f=cell.p_f.grad, p_o=cell.p_o.grad, Wy=readout.weight.grad.T, by=readout.bias.grad)
        for k in M.PARAM_NAMES:
            want = np.zeros_like(grads[k][m]) if theirs[k] is None else theirs[k].numpy()
            np.testing.assert_allclose(grads[k][m], want, atol=1e-12, err_msg=f"{name} {k}")


def test_population_bce_gradient_matches_finite_differences():
    pop = M.Population(["V", "CIFG"], 2, 2, seed=1, dtype=np.float64)
    X, Y, _ = timed_spike(3, steps=20, seed=2)
    X = X.astype(np.float64)
    target = Y[..., None].astype(np.float64)
    weight = 1.0 + 5.0 * target
    Yp, cache = pop.forward(X)
    _, dY = E.bce_with_logits(Yp, target, weight)
    grads = pop.backward(dY, cache)
    value = lambda: float(E.bce_with_logits(pop.forward(X)[0], target, weight)[0].sum())
    for k in ("Wx", "p_f", "p_o", "Wy"):
        assert relative_error(grads[k], numerical_gradient(value, pop.params[k])) < 1e-6, k


def test_same_seed_index_gives_same_initial_weights_across_variants():
    pop = M.Population(["V", "NP", "V", "NP"], 2, 3, seed=4)
    for k in ("Wx", "Wh", "Wy"):
        np.testing.assert_array_equal(pop.params[k][0], pop.params[k][1])
        np.testing.assert_array_equal(pop.params[k][2], pop.params[k][3])
        assert not np.array_equal(pop.params[k][0], pop.params[k][2])


def test_members_train_as_if_alone_and_training_is_seeded():
    X, Y = reset_sum(64, steps=10, seed=3)
    runs = []
    for variants in (["V", "NFG"], ["V"], ["V", "NFG"]):
        pop = M.Population(variants, 2, 3, seed=0, dtype=np.float64)
        losses, _, _ = E.train_population(pop, X, Y[..., None], E.mse, steps=15, batch_size=8, progress=False)
        runs.append((pop, losses))
    (pair, pair_losses), (alone, alone_losses), (again, again_losses) = runs
    np.testing.assert_allclose(pair_losses[:, 0], alone_losses[:, 0], rtol=1e-9)
    np.testing.assert_allclose(pair.params["Wh"][0], alone.params["Wh"][0], rtol=1e-9)
    np.testing.assert_array_equal(pair_losses, again_losses)
    assert pair_losses[-5:].mean() < pair_losses[:5].mean()          # it learns


def test_train_population_evaluates_on_schedule():
    X, Y = reset_sum(32, steps=8, seed=5)
    pop = M.Population(["NP"], 2, 2, seed=0)
    calls = []
    losses, steps, scores = E.train_population(pop, X, Y[..., None], E.mse, steps=10, batch_size=4, every=4,
                                               evaluate=lambda p: calls.append(1) or np.array([len(calls)]),
                                               progress=False)
    assert losses.shape == (10, 1)
    assert steps.tolist() == [0, 4, 8, 10] and scores.shape == (4, 1)


def test_by_variant_groups_in_first_seen_order():
    groups = E.by_variant(np.arange(5), ["NP", "V", "NP", "CIFG", "V"])
    assert list(groups) == ["NP", "V", "CIFG"]
    np.testing.assert_array_equal(groups["NP"], [0, 2])
    np.testing.assert_array_equal(groups["V"], [1, 4])


# --- tasks -----------------------------------------------------------------------------------------

def test_timed_spike_is_seeded_and_correct():
    X, Y, fire = timed_spike(50, steps=30, delays=(4, 8, 12, 16), seed=0)
    X2, Y2, fire2 = timed_spike(50, steps=30, delays=(4, 8, 12, 16), seed=0)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2) and np.array_equal(fire, fire2)
    assert X.shape == (50, 30, 2) and Y.shape == (50, 30) and X.dtype == Y.dtype == np.float32
    assert (Y.sum(axis=1) == 1).all() and (X[..., 0].sum(axis=1) == 1).all()
    start = X[..., 0].argmax(axis=1)
    delay = np.rint(X[np.arange(50), start, 1] * 16).astype(int)
    assert set(delay) <= {4, 8, 12, 16} and len(set(delay)) > 1
    assert np.array_equal(start + delay, fire) and np.array_equal(Y.argmax(axis=1), fire)
    assert not np.array_equal(X, timed_spike(50, seed=1)[0])
    with pytest.raises(ValueError):
        timed_spike(2, steps=16, delays=(16,))


def test_spike_accuracy():
    _, Y, fire = timed_spike(20, seed=3)
    perfect = np.where(Y > 0.5, 3.0, -3.0)
    late = np.roll(perfect, 1, axis=1)
    assert spike_accuracy(perfect, Y) == 1.0 and spike_accuracy(late, Y) == 0.0
    np.testing.assert_array_equal(spike_accuracy(np.stack([perfect, late]), Y), [1.0, 0.0])
    extra = perfect.copy()
    extra[:10, 0] = np.where(fire[:10] == 0, extra[:10, 0], 1.0)   # a false spike in half of them
    assert spike_accuracy(extra, Y) == 0.5


def test_reset_sum_is_the_running_sum_since_the_last_reset():
    X, Y = reset_sum(5, steps=40, p_reset=0.2, scale=0.5, seed=6)
    assert X.shape == (5, 40, 2) and Y.shape == (5, 40)
    for n in range(5):
        total = 0.0
        for t in range(40):
            total = (0.0 if X[n, t, 1] > 0 else total) + float(X[n, t, 0])
            assert abs(Y[n, t] - 0.5 * total) < 1e-5
    assert np.array_equal(Y, reset_sum(5, steps=40, p_reset=0.2, scale=0.5, seed=6)[1])


# --- plots return what they drew -------------------------------------------------------------------

def test_plots_return_their_data():
    import matplotlib.pyplot as plt

    fig, data = plots.plot_traces({"c": {"a": [0, 1, 2], "b": [2, 1, 0]}}, title="t", marks=[1])
    assert fig.axes[0].get_title() == "t" and fig.axes[0].get_xlabel() == "time step t"
    np.testing.assert_array_equal(data["c"]["b"], [2, 1, 0])
    plt.close(fig)
    scores = np.array([[0.0, 0.1, 0.2, 0.3], [0.5, 0.6, 0.7, 0.8]])
    fig, data = plots.plot_learning_curves([0, 10], scores, ["V", "NP", "V", "NP"], title="x", ylabel="y")
    np.testing.assert_array_equal(data["V"], [[0.0, 0.2], [0.5, 0.7]])
    assert fig.axes[0].get_ylabel() == "y" and fig.axes[0].get_xlabel()
    plt.close(fig)
    fig, data = plots.plot_ablation({"task": (np.array([1.0, 2.0, 3.0]), ["V", "NP", "V"], "err", True)})
    np.testing.assert_array_equal(data["task"]["V"], [1.0, 3.0])
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_title() == "task"
    plt.close(fig)


# --- the checks go through the one harness ---------------------------------------------------------

def _reference_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
    return P.peephole_step_forward(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o)[:2]


def test_checks_pass_the_reference_and_guard_it_in_hidden_tests(capsys):
    checks.check_step(_reference_step)
    checks.check_param_count(P.peephole_param_count)
    assert capsys.readouterr().out.count("✔") == 2
    with pytest.raises(CheckFailed, match="called lstmlab.peephole.peephole_step_forward"):
        checks.check_step(_reference_step, hidden=True)
    with pytest.raises(CheckFailed, match="called lstmlab.lessons.peephole.models.PeepholeLSTM"):
        checks.check_param_count(lambda D, H: sum(p.numel() for p in M.PeepholeLSTM(D, H).parameters()), hidden=True)


def test_check_step_names_the_argument_changed_in_place_and_lets_exceptions_through():
    def in_place(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
        h, c = _reference_step(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o)
        c_prev[...] = c
        return h, c

    with pytest.raises(CheckFailed, match="peephole_step changed its input c_prev in place"):
        checks.check_step(in_place)

    def unanswered(*args):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check_step(unanswered)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_case_overflows_a_naive_exp_in_every_gate_both_signs(dtype):
    x, h, c, params = checks._extreme_case(dtype)
    assert x.dtype == dtype and params.p_i.dtype == dtype
    x, h, c = (np.asarray(v, np.float64) for v in (x, h, c))
    Wx, Wh, b, p_i, p_f, p_o = (np.asarray(v, np.float64) for v in params)
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    _, c_new, _ = P.peephole_step_forward(x, h, c, Wx, Wh, b, p_i, p_f, p_o)
    pre = {"i": a[:, :H] + p_i * c, "f": a[:, H:2 * H] + p_f * c, "g": a[:, 2 * H:3 * H], "o": a[:, 3 * H:] + p_o * c_new}
    for name, v in pre.items():
        assert v.max() > checks.OVERFLOW[dtype] and v.min() < -checks.OVERFLOW[dtype], name


def test_a_naive_sigmoid_fails_the_hidden_cases_and_swaps_are_named():
    def naive(x, h_prev, c_prev, Wx, Wh, b, p_i, p_f, p_o):
        H = h_prev.shape[1]
        s = lambda z: np.exp(z) / (1 + np.exp(z))
        a = x @ Wx + h_prev @ Wh + b
        i, f = s(a[:, :H] + p_i * c_prev), s(a[:, H:2 * H] + p_f * c_prev)
        c = f * c_prev + i * np.tanh(a[:, 2 * H:3 * H])
        return s(a[:, 3 * H:] + p_o * c) * np.tanh(c), c

    checks.check_step(naive)
    with pytest.raises(CheckFailed, match="NaN or inf"):
        checks.check_step(naive, hidden=True)
    with pytest.raises(CheckFailed, match=r"wrong order: \(c, h\) instead of \(h, c\)"):
        checks.check_step(lambda *args: _reference_step(*args)[::-1])
    with pytest.raises(CheckFailed, match="should be a numpy array, got a list"):
        checks.check_step(lambda *args: [a.tolist() for a in _reference_step(*args)])
