"""lstmlab.decoding: greedy decoding, beam search (against exhaustive search, with its stated rules), and the
metrics (edit distance against a brute-force definition, exact match, corpus-level CER)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from lstmlab import decoding as D


class Tree:
    """A seeded random model whose state is the tuple of tokens read so far (bos first)."""

    def __init__(self, V, eos, seed, scale=1.5, eos_bias=0.0, table=None):
        self.V, self.eos, self.seed, self.scale, self.eos_bias = V, eos, seed, scale, eos_bias
        self.table = table or {}
        self.calls = []

    def log_probs(self, context):
        if context in self.table:
            p = np.asarray(self.table[context], dtype=float)
            return np.log(p / p.sum())
        z = self.scale * np.random.default_rng([self.seed, *context]).standard_normal(self.V)
        if self.eos is not None:
            z[self.eos] += self.eos_bias
        return z - np.log(np.exp(z - z.max()).sum()) - z.max()

    def step(self, tokens, states):
        self.calls.append((list(tokens), list(states)))
        new = [tuple(s) + (int(t),) for t, s in zip(tokens, states)]
        return np.array([self.log_probs(c) for c in new]), new

    def score(self, bos, toks):
        ctx, total = (bos,), 0.0
        for t in toks:
            total += self.log_probs(ctx)[t]
            ctx += (t,)
        return total


def exhaustive(model, bos, eos, max_len, alpha=0.0):
    """Every output a search can return: sequences ending at their first eos, or of max_len tokens without eos."""
    outs = []
    for n in range(1, max_len + 1):
        for seq in itertools.product(range(model.V), repeat=n):
            if eos is not None and eos in seq[:-1]:
                continue
            if (eos is not None and seq[-1] == eos) or n == max_len:
                s = model.score(bos, seq)
                outs.append((list(seq), s / D.length_penalty(n, alpha)))
    return sorted(outs, key=lambda h: -h[1])


@pytest.mark.parametrize("seed", range(6))
def test_k1_is_greedy(seed):
    m = Tree(5, 4, seed, eos_bias=0.5)
    toks, score = D.greedy_decode(m.step, (), 0, 4, 8)
    ((btoks, bscore),) = D.beam_search(m.step, (), 0, 4, 1, 8)
    assert toks == btoks and np.isclose(score, bscore)
    assert np.isclose(score, m.score(0, toks))


@pytest.mark.parametrize("seed, eos, alpha", [(0, 3, 0.0), (1, 3, 0.0), (2, None, 0.0), (3, 3, 1.0), (4, 3, 0.6)])
def test_a_wide_beam_is_exhaustive_search(seed, eos, alpha):
    V, L = 4, 4
    m = Tree(V, eos, seed, eos_bias=0.4)
    k = V ** L                                    # room for every hypothesis: nothing is pruned
    got = D.beam_search(m.step, (), 0, eos, k, L, length_penalty=alpha)
    want = exhaustive(m, 0, eos, L, alpha)
    assert [t for t, _ in got] == [t for t, _ in want][:k]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want][:k])


def test_greedy_misses_what_beam_finds():
    table = {(0,): [0.001, 0.5, 0.4, 0.099], (0, 1): [0.001, 0.3, 0.3, 0.399], (0, 2): [0.001, 0.05, 0.05, 0.9]}
    m = Tree(4, 3, 0, table=table)
    assert D.greedy_decode(m.step, (), 0, 3, 5)[0] == [1, 3]
    got = D.beam_search(m.step, (), 0, 3, 2, 5)
    assert [t for t, _ in got] == [[2, 3], [1, 3]]
    np.testing.assert_allclose([np.exp(s) for _, s in got], [0.4 * 0.9 / 1.0, 0.5 * 0.399], rtol=1e-3)


def test_finished_hypotheses_are_never_extended_and_the_beam_shrinks():
    m = Tree(5, 4, 7, eos_bias=1.5)
    k = 3
    got = D.beam_search(m.step, (), 0, 4, k, 6)
    for tokens, states in m.calls:
        assert 4 not in tokens and all(4 not in s for s in states)
    finished_so_far = 0
    for tokens, states in m.calls:
        assert len(tokens) <= k - finished_so_far or finished_so_far == 0
    assert len(got) <= k
    assert all(t[-1] == 4 or len(t) == 6 for t, _ in got)
    assert [s for _, s in got] == sorted([s for _, s in got], reverse=True)


def test_ties_go_to_the_smaller_token_and_the_better_hypothesis():
    m = Tree(5, 4, 3, table={(0,): [0.02, 0.3, 0.3, 0.3, 0.08]})
    got = D.beam_search(m.step, (), 0, 4, 2, 1)       # one step: the three tied tokens compete for two slots
    assert [t for t, _ in got] == [[1], [2]]


def test_max_len_counts_tokens_eos_included():
    m = Tree(4, None, 1)
    for L in (1, 2, 5):
        got = D.beam_search(m.step, (), 0, None, 3, L)
        assert all(len(t) == L for t, _ in got)
        assert D.greedy_decode(m.step, (), 0, None, L)[0].__len__() == L


def test_length_penalty_changes_only_the_final_ranking():
    assert D.length_penalty(7, 0.0) == 1.0
    assert np.isclose(D.length_penalty(1, 0.7), 1.0)
    assert np.isclose(D.length_penalty(7, 1.0), 2.0)
    m = Tree(5, 4, 11, eos_bias=0.8)
    plain = D.beam_search(m.step, (), 0, 4, 4, 8)
    pen = D.beam_search(m.step, (), 0, 4, 4, 8, length_penalty=1.0)
    assert sorted(map(tuple, (t for t, _ in plain))) == sorted(map(tuple, (t for t, _ in pen)))
    for t, s in pen:
        assert np.isclose(s, m.score(0, t) / D.length_penalty(len(t), 1.0))
    # with the penalty, the longer hypotheses move up
    assert np.mean([len(t) for t, _ in pen[:2]]) >= np.mean([len(t) for t, _ in plain[:2]])


def test_long_outputs_do_not_underflow():
    m = Tree(300, None, 5, scale=0.3)
    ((toks, score),) = D.beam_search(m.step, (), 0, None, 1, 170)[:1]
    assert np.isfinite(score) and score < -745          # a product of these probabilities is 0.0 in float64
    assert np.exp(score) == 0.0


def test_step_fn_shape_is_checked():
    with pytest.raises(ValueError, match="expected"):
        D.beam_search(lambda t, s: (np.zeros(3), s), (), 0, None, 2, 3)


@pytest.mark.parametrize("a, b, d", [("", "", 0), ("abc", "", 3), ("", "ab", 2), ("kitten", "sitting", 3),
                                     ("2021-03-03", "2021-03-03", 0), ("2021-03-03", "2021-30-03", 2),
                                     ("flaw", "lawn", 2), ([1, 2, 3], [1, 3], 1)])
def test_edit_distance_known_cases(a, b, d):
    assert D.edit_distance(a, b) == d == D.edit_distance(b, a)


def _brute_edit(a, b):
    """The definition, by recursion (small inputs only)."""
    if not a or not b:
        return len(a) + len(b)
    return min(_brute_edit(a[1:], b) + 1, _brute_edit(a, b[1:]) + 1, _brute_edit(a[1:], b[1:]) + (a[0] != b[0]))


def test_edit_distance_matches_its_definition():
    r = np.random.default_rng(0)
    for _ in range(60):
        a = "".join(r.choice(list("ab-1"), r.integers(0, 6)))
        b = "".join(r.choice(list("ab-1"), r.integers(0, 6)))
        assert D.edit_distance(a, b) == _brute_edit(a, b)


def test_exact_match_and_cer():
    refs = ["2021-03-03", "1999-12-31", "2000-01-01"]
    hyps = ["2021-03-03", "1999-12-13", "2000-01-0"]
    assert D.exact_match(hyps, refs) == pytest.approx(1 / 3)
    assert D.char_error_rate(hyps, refs) == pytest.approx((0 + 2 + 1) / 30)     # corpus level: summed over summed
    assert D.char_error_rate(refs, refs) == 0.0
    assert D.char_error_rate(["x" * 25], ["ab"]) > 1                          # insertions: CER can exceed 1
    with pytest.raises(ValueError):
        D.exact_match(hyps[:2], refs)
    with pytest.raises(ValueError):
        D.char_error_rate([""], [""])
