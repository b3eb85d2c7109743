"""lstmlab.text: the character vocabulary, its specials and <unk>, windows, padded batches and the split."""
from __future__ import annotations

import numpy as np
import pytest

from lstmlab import text
from lstmlab.datasets import load_austen, load_tang300


def test_vocabulary_round_trip_specials_and_order():
    v = text.Vocabulary.from_text("abracadabra")
    assert v.tokens[:4] == list(text.SPECIALS)
    assert v.tokens[4:] == ["a", "b", "r", "c", "d"]          # most frequent first, ties by first appearance
    assert len(v) == 9 and "a" in v and "z" not in v
    ids = v.encode("abrac")
    assert ids.dtype == np.int64 and ids.tolist() == [4, 5, 6, 4, 7]
    assert v.decode(ids) == "abrac"
    assert v.encode("ab", bos=True, eos=True).tolist() == [v.bos_id, 4, 5, v.eos_id]
    assert v.decode([v.pad_id, v.bos_id, 4, v.eos_id, v.pad_id]) == "a"


def test_unknown_characters_min_count_and_max_size():
    v = text.Vocabulary.from_text(["aaab", "bc"], min_count=2)
    assert v.tokens[4:] == ["a", "b"]
    assert v.encode("abcz").tolist() == [4, 5, v.unk_id, v.unk_id]
    assert v.decode(v.encode("abcz")) == "ab□□"
    assert len(text.Vocabulary.from_text("abcdef", max_size=6)) == 6
    with pytest.raises(ValueError):
        text.Vocabulary(["a", "b"])


def test_random_windows_are_shifted_by_one():
    ids = np.arange(100)
    x, y, m = text.random_windows(ids, 5, 10, np.random.default_rng(0))
    assert x.shape == y.shape == m.shape == (5, 10) and m.all()
    np.testing.assert_array_equal(y, x + 1)
    x2, _, _ = text.random_windows(ids, 5, 10, np.random.default_rng(0))
    np.testing.assert_array_equal(x, x2)


def test_consecutive_windows_cover_every_character_once():
    ids = np.arange(23)
    x, y, m = text.consecutive_windows(ids, 5)
    assert x.shape == (5, 5) and int(m.sum()) == 22
    np.testing.assert_array_equal(y[m], np.arange(1, 23))
    np.testing.assert_array_equal(x[m], np.arange(0, 22))
    assert not m[-1, 2:].any() and (x[~m] == 0).all()


def test_pad_batch_masks_the_padding():
    seqs = [np.array([2, 5, 6, 3]), np.array([2, 7, 3])]
    x, y, m = text.pad_batch(seqs)
    assert x.tolist() == [[2, 5, 6], [2, 7, 0]]
    assert y.tolist() == [[5, 6, 3], [7, 3, 0]]
    assert m.tolist() == [[True, True, True], [True, True, False]]


def test_split_is_contiguous():
    tr, va = text.split(np.arange(10), 0.8)
    assert tr.tolist() == list(range(8)) and va.tolist() == [8, 9]


def test_the_lesson_corpora_encode():
    austen = load_austen()
    v = text.Vocabulary.from_text(austen)
    assert v.decode(v.encode(austen[:1000])) == austen[:1000]
    five = [p for p in load_tang300() if all(len(line) == 12 for line in p[2])]
    assert len(five) == 155            # the count lesson 08 states
    zh = text.Vocabulary.from_text(["".join(p[2]) for p in five], min_count=2)
    assert len(zh) < 1424 + 4
