"""Peephole LSTM library: numpy reference vs the torch module (float64 to 1e-10, float32 to 1e-5), backward vs
autograd and finite differences, the ablation switches, the stacked Population, the timing tasks and the plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lstmlab.lessons.peephole import ablation as A  # noqa: E402
from lstmlab import peephole as P  # noqa: E402
from lstmlab.bridge import lstm_to_torch  # noqa: E402
from lstmlab.fixtures import lstm_inputs, lstm_params  # noqa: E402
from lstmlab.gradcheck import numerical_gradient, relative_error  # noqa: E402
from lstmlab.lstm import sigmoid  # noqa: E402
from lstmlab.lessons.peephole.tasks import reset_sum, spike_accuracy, timed_spike  # noqa: E402

TORCH = {np.float64: torch.float64, np.float32: torch.float32}


def _module(params, dtype, **options):
    D, H = params.Wx.shape[0], params.Wh.shape[0]
    return P.PeepholeLSTM(D, H, dtype=TORCH[dtype], **options).load_numpy(params)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_numpy_forward_matches_torch_module(dtype, tol):
    B, T, D, H = 3, 7, 5, 4
    params = P.peephole_params(D, H, seed=1, dtype=dtype, scale=0.7, peephole_scale=1.5)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=2, dtype=dtype)
    Hs, (hT, cT), _ = P.peephole_forward(X, h0, c0, *params)
    assert Hs.dtype == dtype and Hs.shape == (B, T, H)
    with torch.no_grad():
        out, (hn, cn) = _module(params, dtype)(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))
    for mine, theirs in ((Hs, out), (hT, hn), (cT, cn)):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=tol)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_zero_peepholes_equal_torch_lstm(dtype, tol):
    B, T, D, H = 2, 6, 3, 5
    Wx, Wh, b = lstm_params(D, H, seed=3, dtype=dtype)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=4, dtype=dtype)
    zero = np.zeros(H, dtype=dtype)
    lstm = torch.nn.LSTM(D, H, batch_first=True).to(TORCH[dtype])
    lstm_to_torch((Wx, Wh, b), lstm)
    x, h, c = (torch.from_numpy(a) for a in (X, h0, c0))
    with torch.no_grad():
        want, _ = lstm(x, (h[None], c[None]))
        for options in ({}, {"peepholes": False}):
            random_peeps = np.random.default_rng(5).standard_normal((3, H)).astype(dtype)
            peeps = random_peeps if options else (zero, zero, zero)   # peepholes=False must ignore their values
            got, _ = _module(P.PeepholeParams(Wx, Wh, b, *peeps), dtype, **options)(x, (h, c))
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=0, atol=tol)
    Hs, _, _ = P.peephole_forward(X, h0, c0, Wx, Wh, b, zero, zero, zero)
    np.testing.assert_allclose(Hs, want.numpy(), rtol=0, atol=tol)


def test_step_follows_the_equations_by_hand():
    """i, f see c_(t-1); o sees c_t; the candidate sees no cell."""
    D, H = 2, 3
    p = P.peephole_params(D, H, seed=6, peephole_scale=2.0)
    x, h, c = (np.random.default_rng(7).standard_normal(s) for s in ((4, D), (4, H), (4, H)))
    a = x @ p.Wx + h @ p.Wh + p.b
    i = sigmoid(a[:, :H] + p.p_i * c)
    f = sigmoid(a[:, H:2 * H] + p.p_f * c)
    c_new = f * c + i * np.tanh(a[:, 2 * H:3 * H])
    h_new = sigmoid(a[:, 3 * H:] + p.p_o * c_new) * np.tanh(c_new)
    got_h, got_c, _ = P.peephole_step_forward(x, h, c, *p)
    np.testing.assert_allclose(got_h, h_new, atol=1e-14)
    np.testing.assert_allclose(got_c, c_new, atol=1e-14)


def test_backward_matches_autograd_and_finite_differences():
    B, T, D, H = 2, 5, 3, 4
    params = P.peephole_params(D, H, seed=8, scale=0.8, peephole_scale=1.5)
    X, h0, c0 = lstm_inputs(B, T, D, H, seed=9)
    r = np.random.default_rng(10)
    dHs, dhT, dcT = r.standard_normal((B, T, H)), r.standard_normal((B, H)), r.standard_normal((B, H))
    _, _, cache = P.peephole_forward(X, h0, c0, *params)
    grads = P.peephole_backward(dHs, cache, dhT, dcT)
    names = ["dX", "dh0", "dc0", "dWx", "dWh", "db", "dp_i", "dp_f", "dp_o"]
    # torch autograd on the module
    module = _module(params, np.float64)
    Xt, h0t, c0t = (torch.tensor(a, requires_grad=True) for a in (X, h0, c0))
    out, (hn, cn) = module(Xt, (h0t, c0t))
    loss = (out * torch.from_numpy(dHs)).sum() + (hn * torch.from_numpy(dhT)).sum() + (cn * torch.from_numpy(dcT)).sum()
    loss.backward()
    autograd = [Xt.grad, h0t.grad, c0t.grad, module.weight_x.grad, module.weight_h.grad, module.bias.grad,
                module.p_i.grad, module.p_f.grad, module.p_o.grad]
    for name, mine, theirs in zip(names, grads, autograd):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=0, atol=1e-10, err_msg=name)
    # finite differences on the numpy forward
    def value():
        Hs, (hT, cT), _ = P.peephole_forward(X, h0, c0, *params)
        return float(np.sum(Hs * dHs) + np.sum(hT * dhT) + np.sum(cT * dcT))
    for name, analytic, array in zip(names, grads, (X, h0, c0, *params)):
        assert relative_error(analytic, numerical_gradient(value, array)) < 1e-7, name


def test_step_backward_agrees_with_sequence_backward():
    B, D, H = 2, 3, 4
    params = P.peephole_params(D, H, seed=11)
    X, h0, c0 = lstm_inputs(B, 1, D, H, seed=12)
    _, _, cache = P.peephole_step_forward(X[:, 0], h0, c0, *params)
    _, _, seq_cache = P.peephole_forward(X, h0, c0, *params)
    dh, dc = np.ones((B, H)), np.full((B, H), 0.5)
    step = P.peephole_step_backward(dh, dc, cache)
    seq = P.peephole_backward(dh[:, None], seq_cache, dcT=dc)
    for a, b in zip(step, seq):
        np.testing.assert_allclose(np.squeeze(a), np.squeeze(b), atol=1e-12)


@pytest.mark.parametrize("options", [{}, {"peepholes": False}, {"forget_gate": False}, {"output_gate": False},
                                     {"coupled": True}])
def test_torch_module_gradcheck(options):
    torch.manual_seed(0)
    module = P.PeepholeLSTM(3, 2, dtype=torch.float64, **options)
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
        P.PeepholeLSTM(3, 2, forget_gate=False, coupled=True)


def test_param_count_and_numpy_round_trip():
    for D, H in ((1, 1), (3, 4), (64, 128)):
        module = P.PeepholeLSTM(D, H)
        assert P.peephole_param_count(D, H) == sum(p.numel() for p in module.parameters()) == 4 * H * (D + H + 1) + 3 * H
    params = P.peephole_params(3, 4, seed=15)
    back = _module(params, np.float64).numpy_params()
    for a, b in zip(params, back):
        np.testing.assert_array_equal(a, b)


def test_closed_form_forget_one_input_zero_keeps_the_cell():
    D, H = 2, 3
    X, h0, c0 = lstm_inputs(2, 6, D, H, seed=16)
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -60.0, 60.0
    z = np.zeros(H)
    _, (_, cT), _ = P.peephole_forward(X, h0, c0, np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), b, z, z, np.ones(H))
    np.testing.assert_allclose(cT, c0, atol=1e-12)


# --- the stacked population ------------------------------------------------------------------------

VARIANTS = ["V", "NP", "NFG", "NOG", "CIFG"]


def test_population_members_equal_torch_modules_forward_and_gradients():
    pop = A.Population(VARIANTS, input_size=2, hidden_size=3, output_size=2, seed=0, forget_bias=0.5,
                       dtype=np.float64)
    r = np.random.default_rng(17)
    X, target = r.standard_normal((4, 6, 2)), r.standard_normal((4, 6, 2))
    Y, cache = pop.forward(X)
    losses, dY = A.mse(Y, target)
    grads = pop.backward(dY, cache)
    for m, name in enumerate(VARIANTS):
        cell, readout = pop.member(m)
        assert cell.forget_gate == A.VARIANTS[name]["forget_gate"]
        y = readout(cell(torch.from_numpy(X))[0])
        loss = ((y - torch.from_numpy(target)) ** 2).mean()
        loss.backward()
        np.testing.assert_allclose(Y[m], y.detach().numpy(), atol=1e-12, err_msg=name)
        assert abs(losses[m] - loss.item()) < 1e-12
        theirs = dict(Wx=cell.weight_x.grad, Wh=cell.weight_h.grad, b=cell.bias.grad, p_i=cell.p_i.grad,
                      p_f=cell.p_f.grad, p_o=cell.p_o.grad, Wy=readout.weight.grad.T, by=readout.bias.grad)
        for k in A.PARAM_NAMES:
            want = np.zeros_like(grads[k][m]) if theirs[k] is None else theirs[k].numpy()
            np.testing.assert_allclose(grads[k][m], want, atol=1e-12, err_msg=f"{name} {k}")


def test_population_bce_gradient_matches_finite_differences():
    pop = A.Population(["V", "CIFG"], 2, 2, seed=1, dtype=np.float64)
    X, Y, _ = timed_spike(3, steps=20, seed=2)
    X = X.astype(np.float64)
    target = Y[..., None].astype(np.float64)
    weight = 1.0 + 5.0 * target
    Yp, cache = pop.forward(X)
    _, dY = A.bce_with_logits(Yp, target, weight)
    grads = pop.backward(dY, cache)
    value = lambda: float(A.bce_with_logits(pop.forward(X)[0], target, weight)[0].sum())
    for k in ("Wx", "p_f", "p_o", "Wy"):
        assert relative_error(grads[k], numerical_gradient(value, pop.params[k])) < 1e-6, k


def test_same_seed_index_gives_same_initial_weights_across_variants():
    pop = A.Population(["V", "NP", "V", "NP"], 2, 3, seed=4)
    for k in ("Wx", "Wh", "Wy"):
        np.testing.assert_array_equal(pop.params[k][0], pop.params[k][1])
        np.testing.assert_array_equal(pop.params[k][2], pop.params[k][3])
        assert not np.array_equal(pop.params[k][0], pop.params[k][2])


def test_members_train_as_if_alone_and_training_is_seeded():
    X, Y = reset_sum(64, steps=10, seed=3)
    runs = []
    for variants in (["V", "NFG"], ["V"], ["V", "NFG"]):
        pop = A.Population(variants, 2, 3, seed=0, dtype=np.float64)
        losses, _, _ = A.train_population(pop, X, Y[..., None], A.mse, steps=15, batch_size=8, progress=False)
        runs.append((pop, losses))
    (pair, pair_losses), (alone, alone_losses), (again, again_losses) = runs
    np.testing.assert_allclose(pair_losses[:, 0], alone_losses[:, 0], rtol=1e-9)
    np.testing.assert_allclose(pair.params["Wh"][0], alone.params["Wh"][0], rtol=1e-9)
    np.testing.assert_array_equal(pair_losses, again_losses)
    assert pair_losses[-5:].mean() < pair_losses[:5].mean()          # it learns


def test_train_population_evaluates_on_schedule():
    X, Y = reset_sum(32, steps=8, seed=5)
    pop = A.Population(["NP"], 2, 2, seed=0)
    calls = []
    losses, steps, scores = A.train_population(pop, X, Y[..., None], A.mse, steps=10, batch_size=4, every=4,
                                               evaluate=lambda p: calls.append(1) or np.array([len(calls)]),
                                               progress=False)
    assert losses.shape == (10, 1)
    assert steps.tolist() == [0, 4, 8, 10] and scores.shape == (4, 1)


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

    fig, data = P.plot_traces({"c": {"a": [0, 1, 2], "b": [2, 1, 0]}}, title="t", marks=[1])
    assert fig.axes[0].get_title() == "t" and fig.axes[0].get_xlabel() == "time step t"
    np.testing.assert_array_equal(data["c"]["b"], [2, 1, 0])
    plt.close(fig)
    scores = np.array([[0.0, 0.1, 0.2, 0.3], [0.5, 0.6, 0.7, 0.8]])
    fig, data = A.plot_learning_curves([0, 10], scores, ["V", "NP", "V", "NP"], title="x", ylabel="y")
    np.testing.assert_array_equal(data["V"], [[0.0, 0.2], [0.5, 0.7]])
    assert fig.axes[0].get_ylabel() == "y" and fig.axes[0].get_xlabel()
    plt.close(fig)
    fig, data = A.plot_ablation({"task": (np.array([1.0, 2.0, 3.0]), ["V", "NP", "V"], "err", True)})
    np.testing.assert_array_equal(data["task"]["V"], [1.0, 3.0])
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_title() == "task"
    plt.close(fig)
