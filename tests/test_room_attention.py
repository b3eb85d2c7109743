"""The attention room (lstmlab.lessons.attention): the date task (seeded, correct by the standard library),
the seq2seq model (shapes, masking, parity with the numpy reference and with a packed bidirectional nn.LSTM,
training), the alignment statistic, the plots (they return what they drew), and how the checks call a
student's function (lstmlab.checking.call_student)."""
from __future__ import annotations

import datetime as dt

import matplotlib
import numpy as np
import pytest
import torch

from lstmlab import attention as A
from lstmlab.checking import CheckFailed
from lstmlab.lessons.attention import checks as check, experiments, models, plots
from lstmlab.lessons.attention import tasks as dates

matplotlib.use("Agg")


# --- the 1/sqrt(d) demo -------------------------------------------------------------------------

def test_plot_dot_product_spread_draws_the_statistic():
    spread = A.dot_product_spread([4, 64], n=400, T=8, seed=0)
    fig, data = plots.plot_dot_product_spread(spread)
    assert data is spread and len(fig.axes) == 2
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), spread["var_dot"])


# --- the date task ------------------------------------------------------------------------------

def test_dates_are_seeded_and_correct():
    a, b = dates.make_dates(300, seed=3), dates.make_dates(300, seed=3)
    assert a["source"] == b["source"] and np.array_equal(a["X"], b["X"])
    assert a["source"] != dates.make_dates(300, seed=4)["source"]
    assert set(a["format"]) == set(dates.FORMATS)
    for src, tgt, fmt, d in zip(a["source"], a["target"], a["format"], a["date"]):
        assert dates.FIRST <= d <= dates.LAST
        assert dates.parse(src, fmt) == d == dt.date.fromisoformat(tgt)
        if fmt == "dd/mm/yy":  # the %y convention the task states is Python's own
            assert dt.datetime.strptime(src, "%d/%m/%y").date() == d
        for field, (s0, s1) in dates.field_spans(d, fmt).items():
            piece = src[s0:s1]
            if field == "year":
                assert piece == (f"{d.year % 100:02d}" if fmt == "dd/mm/yy" else str(d.year))
            elif field == "day":
                assert int(piece) == d.day
            else:
                assert piece.isdigit() and int(piece) == d.month or dates.MONTHS[d.month - 1].startswith(piece)
    assert dates.decode_target(a["Y"]) == a["target"]
    X, mask = dates.encode_source(a["source"])
    assert np.array_equal(X, a["X"]) and np.array_equal(mask.sum(1), [len(s) for s in a["source"]])
    assert "".join(dates.SRC_VOCAB[k] for k in X[0, :len(a["source"][0])]) == a["source"][0]


def test_held_out_dates_are_disjoint_and_sources_fit():
    train = dates.make_dates(2000, seed=0)
    test = dates.make_dates(500, seed=1, exclude=train["date"])
    assert not set(train["date"]) & set(test["date"])
    assert len(set(train["date"])) == 2000
    longest = max(len(dates.render(dt.date(2000, m, 28), f)) for m in range(1, 13) for f in dates.FORMATS)
    assert longest == dates.MAX_SRC_LEN == len("September 28, 2000")


# --- the seq2seq model (models.py, experiments.py) --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_data():
    return dates.make_dates(64, seed=5)


@pytest.fixture
def one_thread():
    """Small models on a busy machine: one torch thread is faster and deterministic (restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_encoder_equals_a_packed_bidirectional_lstm(small_data):
    torch.manual_seed(0)
    model = models.DateSeq2Seq(emb=8, hidden=5).double()
    X, M = torch.as_tensor(small_data["X"]), torch.as_tensor(small_data["mask"])
    bi = torch.nn.LSTM(8, 5, batch_first=True, bidirectional=True).double()
    with torch.no_grad():
        for direction, lstm in (("", model.enc_fwd), ("_reverse", model.enc_bwd)):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(bi, f"{name}_l0{direction}").copy_(getattr(lstm, f"{name}_l0"))
        K, summary = model.encode(X, M)
        packed = torch.nn.utils.rnn.pack_padded_sequence(model.src_emb(X), M.sum(1), batch_first=True,
                                                         enforce_sorted=False)
        out, (h, _) = bi(packed)
        want, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=X.shape[1])
    real = M[..., None].expand_as(K)
    np.testing.assert_allclose(K[real].numpy(), want[real].numpy(), atol=1e-12)
    np.testing.assert_allclose(summary.numpy(), torch.cat([h[0], h[1]], -1).numpy(), atol=1e-12)


def test_model_attention_is_the_numpy_reference(small_data):
    torch.manual_seed(1)
    model = models.DateSeq2Seq(emb=8, hidden=6, attn_size=7).double()
    X, M = torch.as_tensor(small_data["X"]), torch.as_tensor(small_data["mask"])
    with torch.no_grad():
        logits, weights, seen = model(X, M, trace=True)
    assert logits.shape == (64, 10, len(dates.TGT_VOCAB)) and weights.shape == (64, 10, X.shape[1])
    w = weights.numpy()
    assert np.all(w.transpose(1, 0, 2)[:, ~small_data["mask"]] == 0), "padding gets exactly 0"
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-12)
    Wq, Wk, v = (p.detach().numpy() for p in (model.Wq.weight.T, model.Wk.weight.T, model.v.weight[0]))
    K = seen["keys"].numpy()
    for t in range(10):
        ref = A.masked_softmax(A.additive_scores(seen["queries"][:, t].numpy(), K, Wq, Wk, v), small_data["mask"])
        np.testing.assert_allclose(w[:, t], ref, atol=1e-12)
        np.testing.assert_allclose(seen["contexts"][:, t].numpy(), A.context_vector(ref, K), atol=1e-12)


def test_model_without_attention_and_training_reduce_the_loss(small_data, one_thread):
    torch.manual_seed(2)
    model = models.DateSeq2Seq(emb=8, hidden=8, attention=False)
    hist = models.train(model, small_data, steps=30, batch_size=16, lr=2e-2, eval_data=small_data, eval_every=10)
    assert len(hist["loss"]) == 30 and hist["eval_step"] == [10, 20, 30]
    assert np.mean(hist["loss"][-5:]) < hist["loss"][0]
    pred, w = models.predict(model, small_data)
    assert pred.shape == (64, 10) and np.all(w == 0)
    acc = models.accuracy(pred, small_data)
    assert acc["exact"] == pytest.approx(hist["eval_exact"][-1])
    assert 0 <= acc["exact"] <= acc["char"] <= 1


def test_accuracy_and_alignment_mass_on_known_answers(small_data):
    Y = small_data["Y"].copy()
    acc = models.accuracy(Y, small_data)
    assert acc["exact"] == acc["char"] == 1.0 and np.all(acc["by_position"] == 1)
    wrong = Y.copy()
    wrong[:32, 9] = (wrong[:32, 9] % 10) + 1          # another digit in the last position of half the dates
    acc = models.accuracy(wrong, small_data)
    assert acc["exact"] == 0.5 and acc["char"] == pytest.approx(1 - 32 / 640) and acc["by_position"][9] == 0.5
    # Perfect alignment: every output character of a field puts all its weight on the first source character of it.
    T = small_data["X"].shape[1]
    w = np.zeros((64, 10, T))
    for k, (d, fmt) in enumerate(zip(small_data["date"], small_data["format"])):
        for field, (o0, o1) in dates.TARGET_FIELDS.items():
            w[k, o0:o1, dates.field_spans(d, fmt)[field][0]] = 1.0
    mass = experiments.alignment_mass(w, small_data)
    assert all(m == 1.0 and 0 < u < 1 for m, u in mass.values())


# --- plots ---------------------------------------------------------------------------------------

def test_plots_return_what_they_drew(small_data):
    r = np.random.default_rng(0)
    w = r.random((3, 10, small_data["X"].shape[1]))
    fig, drawn = plots.plot_attention(w, small_data["source"][:3], small_data["target"][:3], ncols=2)
    assert len(drawn) == 3 and drawn[0].shape == (10, len(small_data["source"][0]))
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), drawn[0])
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel() and fig.axes[0].get_title()
    results = {"a": {"by_position": np.linspace(0, 1, 10)}, "b": {"by_position": np.ones(10)}}
    fig, data = plots.plot_by_position(results)
    assert [p.get_height() for p in fig.axes[0].patches[:10]] == pytest.approx(list(data["a"]))
    hist = {"m": {"loss": [2.0, 1.0, 0.5], "eval_step": [3], "eval_exact": [0.25]}}
    fig, data = plots.plot_training(hist)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), data["m"]["loss"])
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


# --- checks ---------------------------------------------------------------------------------------

def test_checks_pass_numpy_answers_and_let_student_exceptions_through():
    def masked_softmax(scores, mask=None):
        kept = np.where(np.ones(scores.shape, dtype=bool) if mask is None else mask, scores, -np.inf)
        top = kept.max(-1, keepdims=True)
        e = np.exp(kept - np.where(np.isfinite(top), top, 0.0))
        total = e.sum(-1, keepdims=True)
        return e / np.where(total > 0, total, 1.0)

    check.check_masked_softmax(masked_softmax, hidden=True)
    check.check_dot_scores(lambda q, K: np.einsum("bd,btd->bt", q, K), hidden=True)
    with pytest.raises(CheckFailed, match="from scratch"):
        check.check_dot_scores(lambda q, K: A.dot_scores(q, K), hidden=True)

    def unanswered(q, K):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check.check_dot_scores(unanswered)

    def broken(q, K, Wq, Wk, v):
        return np.tanh(q @ Wq + K @ Wk) @ v       # (B, A) + (B, T, A): numpy cannot broadcast it

    with pytest.raises(ValueError) as info:
        check.check_additive_scores(broken)
    assert any("give the query a time axis" in note for note in info.value.__notes__)

    def in_place(scores, mask=None):
        if mask is not None:
            scores[~mask] = -np.inf
        return A.masked_softmax(scores, mask)

    with pytest.raises(CheckFailed, match="changed its input scores in place"):
        check.check_masked_softmax(in_place)


def test_masked_softmax_maximum_must_ignore_zeroed_padding():
    def times_mask(scores, mask=None):
        mask = np.ones(scores.shape, bool) if mask is None else mask
        s = scores * mask
        e = np.exp(s - s.max(-1, keepdims=True)) * mask
        tot = e.sum(-1, keepdims=True)
        return e / np.where(tot > 0, tot, 1.0)

    with pytest.raises(CheckFailed, match="far below 0"):
        check.check_masked_softmax(times_mask, hidden=True)


def test_attention_says_wrong_order_when_context_and_weights_have_one_shape():
    def swapped(q, K, V, mask=None):
        ctx, w = A.attention(q, K, V, mask)
        return w, ctx

    with pytest.raises(CheckFailed, match="wrong order"):
        check.check_attention(swapped)


# --- decoding: the date model as a step function, batched beam search, the beam-search check ----------

from lstmlab import decoding as dec   # noqa: E402


@pytest.mark.parametrize("attention", [True, False])
def test_beam_predict_is_the_reference_search_and_k1_is_predict(small_data, one_thread, attention):
    torch.manual_seed(4)
    model = models.DateSeq2Seq(emb=6, hidden=6, attn_size=6, attention=attention)
    with torch.no_grad():
        model.out.weight.mul_(6.0)
    greedy, _ = models.predict(model, small_data)
    pred1, score1 = models.beam_predict(model, small_data, 1)
    assert np.array_equal(pred1, greedy)
    for k in (2, 4):
        pred, score = models.beam_predict(model, small_data, k, batch_size=5)   # several batches
        for row in range(6):
            step_fn, start, bos, eos = models.date_step_fn(model, small_data["X"][row], small_data["mask"][row])
            assert eos is None
            best_tokens, best_score = dec.beam_search(step_fn, start, bos, eos, k, dates.TARGET_LEN)[0]
            assert best_tokens == [int(t) for t in pred[row]]
            assert np.isclose(best_score, score[row], rtol=1e-5, atol=1e-6)
        assert np.all(score >= score1 - 1e-5)            # a wider beam never finds a worse best
    step_fn, start, bos, eos = models.date_step_fn(model, small_data["X"][0], small_data["mask"][0])
    assert dec.greedy_decode(step_fn, start, bos, eos, dates.TARGET_LEN)[0] == [int(t) for t in greedy[0]]


def test_decoding_table_counts_every_error_once(small_data, one_thread):
    torch.manual_seed(2)
    model = models.DateSeq2Seq(emb=6, hidden=6, attn_size=6, attention=False)
    models.train(model, small_data, steps=15, batch_size=16, lr=2e-2, seed=0, desc="t")
    ref_lp = experiments.reference_log_prob(model, small_data)
    # the teacher-forced log-probability is the one the step function gives along the reference
    step_fn, start, bos, _ = models.date_step_fn(model, small_data["X"][3], small_data["mask"][3])
    state, prev, total = start, bos, 0.0
    for sym in small_data["Y"][3]:
        lp, (state,) = step_fn(np.array([prev]), [state])
        total, prev = total + lp[0, sym], int(sym)
    assert np.isclose(total, ref_lp[3], rtol=1e-5)
    table = experiments.decoding_table(model, small_data, ks=(1, 3))
    for k, row in table.items():
        hyps = dates.decode_target(row["pred"])
        wrong = sum(h != r for h, r in zip(hyps, small_data["target"]))
        assert row["search_errors"] + row["model_errors"] == wrong
        assert row["exact"] == pytest.approx(1 - wrong / len(hyps))
        assert row["cer"] == pytest.approx(dec.char_error_rate(hyps, small_data["target"]))


def _reference_beam(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
    """A student's correct answer (the reference itself would trip the from-scratch guard)."""
    alive, finished = [([], 0.0, start_state)], []
    for _ in range(max_len):
        lp, new = step_fn(np.array([t[-1] if t else bos for t, _, _ in alive]), [s for _, _, s in alive])
        total = np.array([s for _, s, _ in alive])[:, None] + np.asarray(lp, dtype=float)
        nxt = []
        for flat in np.argsort(-total.ravel(), kind="stable")[:k - len(finished)]:
            i, v = divmod(int(flat), total.shape[1])
            (finished.append((alive[i][0] + [v], float(total[i, v]))) if v == eos
             else nxt.append((alive[i][0] + [v], float(total[i, v]), new[i])))
        alive = nxt
        if not alive:
            break
    finished += [(t, s) for t, s, _ in alive]
    ranked = [(t, s / ((5 + len(t)) / 6) ** length_penalty) for t, s in finished]
    return sorted(ranked, key=lambda h: -h[1])[:k]


def test_beam_check_passes_a_right_answer_and_every_named_mistake_can_fire(capsys):
    check.check_beam_search(_reference_beam)
    check.check_beam_search(_reference_beam, hidden=True)
    assert "✔ beam_search" in capsys.readouterr().out
    from lstmlab.lessons.attention.checks import (ALL_MISTAKES, BEAM_MISTAKES, PENALTY_MISTAKES, _same, _variant,
                                                  beam_cases)
    fired = set()
    for desc, model, bos, eos, k, max_len, alpha in beam_cases(hidden=True):
        want = dec.beam_search(model.step_fn(record=False), (), bos, eos, k, max_len, alpha or 0.0)
        for name in (PENALTY_MISTAKES if alpha else ALL_MISTAKES):
            if not _same(_variant(model, bos, eos, k, max_len, alpha or 0.0, name), want):
                fired.add(name)
    assert fired == set(BEAM_MISTAKES)
    # the visible cases alone tell greedy from beam search and separate the main mistakes
    visible = set()
    for desc, model, bos, eos, k, max_len, alpha in beam_cases(hidden=False):
        want = dec.beam_search(model.step_fn(record=False), (), bos, eos, k, max_len)
        visible |= {n for n in ALL_MISTAKES if not _same(_variant(model, bos, eos, k, max_len, 0.0, n), want)}
    assert {"product", "average", "drop_finished", "per_beam", "last_beam", "unsorted", "max_len-1"} <= visible
    model = beam_cases(hidden=False)[0][1]
    assert dec.greedy_decode(model.step_fn(record=False), (), 0, 3, 5)[0] != \
        dec.beam_search(model.step_fn(record=False), (), 0, 3, 2, 5)[0][0]


def test_beam_check_diagnoses_and_guards():
    with pytest.raises(CheckFailed, match="from scratch"):
        check.check_beam_search(lambda *a, **kw: dec.beam_search(*a, **kw), hidden=True)

    def extends_finished(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
        return _reference_beam(step_fn, start_state, bos, None, k, max_len)

    with pytest.raises(CheckFailed, match="extends a finished hypothesis"):
        check.check_beam_search(extends_finished)

    def swapped(*args, **kwargs):
        return [(s, t) for t, s in _reference_beam(*args, **kwargs)]

    with pytest.raises(CheckFailed, match="wrong order"):
        check.check_beam_search(swapped)

    def unanswered(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check.check_beam_search(unanswered)


def test_beam_check_says_when_bos_is_returned():
    def with_bos(step_fn, start_state, bos, eos, k, max_len, length_penalty=0.0):
        return [([bos] + t, s) for t, s in _reference_beam(step_fn, start_state, bos, eos, k, max_len, length_penalty)]

    with pytest.raises(CheckFailed, match="start with bos"):
        check.check_beam_search(with_bos)
