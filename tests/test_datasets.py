"""lstmlab.datasets: the shipped data sets load with their known values and licences."""
from __future__ import annotations

import numpy as np
import pytest

from lstmlab.datasets import SOURCES, load_digits, load_sunspots


def test_sunspots_shipped_and_known_values():
    years, s = load_sunspots()
    assert years.shape == s.shape == (309,)
    assert years[0] == 1700 and years[-1] == 2008 and np.all(np.diff(years) == 1)
    assert s[:5].tolist() == [5.0, 11.0, 16.0, 23.0, 36.0]
    assert s.max() == pytest.approx(190.2) and years[np.argmax(s)] == 1957
    assert "public domain" in SOURCES["sunspots"]


def test_digits_shipped_and_balanced():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert labels[:10].tolist() == list(range(10))
    assert "CC BY 4.0" in SOURCES["digits"]


def test_text_corpora_shipped_with_their_provenance():
    from lstmlab.datasets import load_austen, load_tang300

    text = load_austen()
    assert len(text) == 684_768 and text.startswith("PRIDE AND PREJUDICE")
    assert "It is a truth universally acknowledged, that a single man in possession" in text
    poems = load_tang300()
    assert len(poems) == 313
    assert poems[0] == ("《感遇・其一》", "张九龄", ["兰叶春葳蕤，桂华秋皎洁。", "欣欣此生意，自尔为佳节。",
                                              "谁知林栖者，闻风坐相悦。", "草木有本心，何求美人折？"])
    assert all(title.startswith("《") and author and lines for title, author, lines in poems)
    assert "\x1b" not in "".join("".join(lines) for _, _, lines in poems), "terminal colour codes were stripped"
    five = [p for p in poems if all(len(line) == 12 for line in p[2])]   # 5 + ， + 5 + 。
    assert len(five) > 100, "enough five-character poems for the classic demonstration"
    assert "public domain" in SOURCES["austen"] and "public domain" in SOURCES["tang300"]
