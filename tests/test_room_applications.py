"""Lesson 10's room, lstmlab.lessons.applications: its checks, tasks, models and plots."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lstmlab import anomaly as A
from lstmlab import series as S
from lstmlab.bridge import lstm_from_torch
from lstmlab.checking import CheckFailed
from lstmlab.fixtures import lstm_params, rng
from lstmlab.lessons.applications import checks as check
from lstmlab.lessons.applications import plots, tasks
from lstmlab.lessons.applications.models import RowLSTMClassifier, classify_rows


# --- tasks ------------------------------------------------------------------------------------

def test_signal_and_injection_are_seeded_and_labelled():
    x1, x2 = tasks.periodic_signal(1000, seed=3), tasks.periodic_signal(1000, seed=3)
    np.testing.assert_array_equal(x1, x2)
    y, truth, kinds = tasks.inject_anomalies(x1, n_events=8, seed=4)
    assert len(kinds) == 8 and {k for _, _, k in kinds} == set(tasks.ANOMALY_KINDS)
    assert np.array_equal(y != x1, truth & (y != x1))               # changes only inside labelled events
    for start, stop, kind in kinds:
        assert truth[start:stop].all()
        if kind == "stuck sensor":
            assert np.all(y[start:stop] == x1[start])
        if kind == "spike":
            assert stop - start == 1 and abs(y[start] - x1[start]) >= 0.8
    assert [(a, b) for a, b, _ in kinds] == A.events(truth)          # events are separate runs


# --- models -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_classify_rows_matches_torch(dtype, tol):
    torch.manual_seed(0)
    model = RowLSTMClassifier(row_size=8, hidden_size=6, n_classes=10)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    model = model.to(tdt)
    images = rng(5).uniform(0, 1, (4, 8, 8)).astype(dtype)
    with torch.no_grad():
        want = model(torch.as_tensor(images)).numpy()
    params = lstm_from_torch(model.lstm, dtype=dtype)
    W_out = model.readout.weight.detach().numpy().T
    b_out = model.readout.bias.detach().numpy()
    np.testing.assert_allclose(classify_rows(images, params, W_out, b_out), want, rtol=tol, atol=tol)


def test_classify_rows_reads_rows_in_order():
    p = lstm_params(8, 4, seed=1, scale=0.9)
    images = rng(6).uniform(0, 1, (3, 8, 8))
    W_out, b_out = rng(7).standard_normal((4, 3)), np.zeros(3)
    a = classify_rows(images, p, W_out, b_out)
    b = classify_rows(images[:, ::-1], p, W_out, b_out)
    assert not np.allclose(a, b)


# --- plots --------------------------------------------------------------------------------------

def test_plot_forecasts_returns_what_it_drew():
    t = np.arange(5)
    fig, data = plots.plot_forecasts(t, t * 2.0, {"a": t * 1.0}, title="x", xlabel="year", ylabel="count")
    assert set(data) == {"time", "actual", "a"}
    np.testing.assert_array_equal(data["actual"], t * 2.0)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    matplotlib.pyplot.close(fig)


def test_plot_image_as_sequence():
    image = rng(8).uniform(0, 1, (8, 8))
    fig, data = plots.plot_image_as_sequence(image, 3)
    np.testing.assert_array_equal(data["steps"], image)
    assert all(ax.get_xlabel() for ax in fig.axes[:1]) and fig.axes[1].get_ylabel()
    matplotlib.pyplot.close(fig)


def test_plot_precision_recall_and_detections():
    scores = np.array([0.1, 0.5, 2.0, 3.0])
    truth = np.array([0, 0, 1, 1], bool)
    rec, prec = A.precision_recall_curve(scores, truth, [0.0, 1.0, 2.5, 10.0])
    fig, data = plots.plot_precision_recall({"d": (rec, prec)}, {"d at tau": (1.0, 1.0)})
    assert data["curves"]["d"][0] is rec and fig.axes[0].get_xlabel()
    matplotlib.pyplot.close(fig)
    fig, data = plots.plot_detections(np.arange(4), scores, scores, 1.0, truth, scores > 1.0, title="t")
    assert data["flags"].tolist() == [False, False, True, True]
    matplotlib.pyplot.close(fig)


# --- checks -------------------------------------------------------------------------------------

def test_checks_accept_the_references_and_name_a_leak():
    check.check_make_windows(S.make_windows)             # visible cases: no from-scratch rule
    check.check_time_split(S.time_split)
    check.check_standardize(S.standardize)
    with pytest.raises(CheckFailed, match="whole series"):
        check.check_standardize(lambda s, n: S.standardize(s, len(s)))
    with pytest.raises(CheckFailed, match="must be written from scratch"):
        check.check_make_windows(S.make_windows, hidden=True)


def test_checks_name_an_input_changed_in_place():
    def sorting_threshold(clean_scores, false_alarm_rate):
        clean_scores.sort()
        return A.threshold(clean_scores, false_alarm_rate)

    with pytest.raises(CheckFailed, match="threshold changed its input clean_scores in place; work on new arrays"):
        check.check_threshold(sorting_threshold)


def test_classify_rows_may_build_on_an_lstm_but_not_on_the_ready_classifier():
    from lstmlab.lstm import lstm_forward

    def own(images, params, W_out, b_out):
        zeros = np.zeros((images.shape[0], params.Wh.shape[0]), dtype=images.dtype)
        _, (h_T, _), _ = lstm_forward(images, zeros, zeros, *params)
        return h_T @ W_out + b_out

    check.check_classify_rows(own, hidden=True)
    with pytest.raises(CheckFailed, match="lstmlab.lessons.applications.models.classify_rows"):
        check.check_classify_rows(classify_rows, hidden=True)


def test_a_student_exception_propagates_with_the_hint_as_a_note():
    def too_far_back(X, horizon=1, period=1):
        return X[:, X.shape[1] - 1 + horizon - period]

    with pytest.raises(IndexError) as info:
        check.check_naive_forecast(too_far_back, hidden=True)
    assert any("ceil(h/m)" in note for note in info.value.__notes__)


def test_checks_hold_the_text_to_its_word_ddof_and_rounding():
    def ddof1(series, n_fit):
        s = np.asarray(series, dtype=float)
        return (s - s[:n_fit].mean()) / s[:n_fit].std(ddof=1), float(s[:n_fit].mean()), float(s[:n_fit].std(ddof=1))

    with pytest.raises(CheckFailed, match="ddof=1"):
        check.check_standardize(ddof1)

    def truncating(X, y, val_fraction):
        k = len(X) - int(val_fraction * len(X))
        return X[:k], y[:k], X[k:], y[k:]

    with pytest.raises(CheckFailed, match="truncated"):
        check.check_time_split(truncating, hidden=True)

    def count_from_the_end(clean_scores, false_alarm_rate):      # s[-0] is the smallest score when M * rate < 1
        return float(np.sort(clean_scores)[-int(len(clean_scores) * false_alarm_rate)])

    with pytest.raises(CheckFailed):
        check.check_threshold(count_from_the_end, hidden=True)


# --- text: data, padding, pooling, the sentence classifier ---------------------------------------

def test_austen_sentences_ship_labelled_and_balanced():
    texts, labels, titles = tasks.load_austen_sentences()
    assert len(texts) == len(labels) == 6000 and len(titles) == 6
    assert titles[1] == "Pride and Prejudice" and np.bincount(labels).tolist() == [1000] * 6
    lengths = [len(t.split()) for t in texts]
    assert min(lengths) >= 6 and max(lengths) <= 30
    assert "\t" not in "".join(texts) and all(t == t.strip() for t in texts)
    assert tasks.AUSTEN_SOURCE.startswith("austen_sentences.tsv.gz") and "Public domain" in tasks.AUSTEN_SOURCE


def test_tokenize_vocab_encode():
    assert tasks.tokenize('"Don\'t," said Emma.') == ['"', "don't", ",", '"', "said", "emma", "."]
    vocab = tasks.build_vocab([["a", "b", "a"], ["b", "c"]], min_count=2)
    assert vocab == ["<pad>", "<unk>", "a", "b"]
    index = {w: k for k, w in enumerate(vocab)}
    assert tasks.encode(["a", "c", "b"], index) == [2, tasks.UNK, 3]


def test_pad_batch_reference():
    from lstmlab.lessons.applications.models import pad_batch

    ids, mask, lengths = pad_batch([[5, 3], [7], [2, 9, 4]], pad_id=0)
    np.testing.assert_array_equal(ids, [[5, 3, 0], [7, 0, 0], [2, 9, 4]])
    np.testing.assert_array_equal(mask, [[True, True, False], [True, False, False], [True, True, True]])
    np.testing.assert_array_equal(lengths, [2, 1, 3])
    assert ids.dtype.kind == "i" and mask.dtype == bool and lengths.dtype.kind == "i"


def test_pooling_references_ignore_extra_padding():
    from lstmlab.lessons.applications.models import last_valid, masked_mean

    r = rng(3)
    H = r.standard_normal((3, 5, 4))
    lengths = np.array([5, 2, 3])
    mask = np.arange(5)[None, :] < lengths[:, None]
    H2 = np.concatenate([H, r.standard_normal((3, 4, 4)) + 9.0], axis=1)
    mask2 = np.concatenate([mask, np.zeros((3, 4), bool)], axis=1)
    np.testing.assert_allclose(masked_mean(H2, mask2), masked_mean(H, mask))
    np.testing.assert_allclose(masked_mean(H, mask)[1], H[1, :2].mean(0))
    np.testing.assert_allclose(last_valid(H2, lengths), last_valid(H, lengths))
    np.testing.assert_allclose(last_valid(H, lengths)[1], H[1, 1])


@pytest.mark.parametrize("pool", ["mean", "last"])
def test_sentence_lstm_prediction_does_not_depend_on_padding(pool):
    from lstmlab.lessons.applications.models import SentenceLSTM, pad_batch

    torch.manual_seed(0)
    net = SentenceLSTM(vocab_size=20, n_classes=3, embed=8, hidden=6, pool=pool)
    seqs = [[3, 4, 5, 6], [7, 8], [9]]
    ids, mask, _ = pad_batch(seqs)
    with torch.no_grad():
        logits = net(ids, mask)
        logits_more = net(np.pad(ids, ((0, 0), (0, 7))), np.pad(mask, ((0, 0), (0, 7))))
        alone = torch.cat([net(*pad_batch([s])[:2]) for s in seqs])
    torch.testing.assert_close(logits_more, logits)
    torch.testing.assert_close(alone, logits)
    assert torch.all(net.embedding.weight[0] == 0)                  # padding_idx=0: the pad vector is zero


def test_naive_bayes_baseline_learns_telling_words():
    from lstmlab.lessons.applications.models import fit_naive_bayes, naive_bayes_predict

    seqs = [[2, 2, 4], [2, 5], [3, 3, 4], [3, 5, 5]]
    labels = np.array([0, 0, 1, 1])
    log_prior, log_lik = fit_naive_bayes(seqs, labels, vocab_size=6, n_classes=2)
    np.testing.assert_allclose(np.exp(log_lik).sum(1), 1.0)
    np.testing.assert_allclose(np.exp(log_prior), [0.5, 0.5])
    np.testing.assert_array_equal(naive_bayes_predict([[2], [3], [2, 2, 3]], log_prior, log_lik), [0, 1, 0])


def test_text_checks_accept_correct_answers_and_name_mistakes():
    def pad_batch(sequences, pad_id=0):
        lengths = np.array([len(s) for s in sequences])
        ids = np.full((len(sequences), lengths.max()), pad_id)
        for b, s in enumerate(sequences):
            ids[b, :len(s)] = s
        return ids, np.arange(lengths.max()) < lengths[:, None], lengths

    check.check_pad_batch(pad_batch, hidden=True)
    check.check_masked_mean(lambda H, m: (H * m[..., None]).sum(1) / m.sum(1)[:, None], hidden=True)
    check.check_last_valid(lambda H, L: H[np.arange(len(L)), L - 1], hidden=True)
    with pytest.raises(CheckFailed, match="counts the padding"):
        check.check_masked_mean(lambda H, m: H.mean(1))
    with pytest.raises(CheckFailed, match="last column"):
        check.check_last_valid(lambda H, L: H[:, -1])
    def left_padded(sequences, pad_id=0):
        T = max(len(s) for s in sequences)
        ids = np.array([[pad_id] * (T - len(s)) + list(s) for s in sequences])
        return ids, ids != pad_id, np.array([len(s) for s in sequences])

    with pytest.raises(CheckFailed, match="padded on the left"):
        check.check_pad_batch(left_padded)
    from lstmlab.lessons.applications.models import pad_batch as ready

    with pytest.raises(CheckFailed, match="must be written from scratch"):
        check.check_pad_batch(ready, hidden=True)
