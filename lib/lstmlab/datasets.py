"""Small real datasets shipped with the course (in lstmlab/data/), read offline with importlib.resources.

Each loader returns plain numpy arrays; SOURCES[name] says where the file came from and under
which licence (the same text as lstmlab/data/README.md).

    load_sunspots() -> years (309,) int64, sunspots (309,) float64      yearly, 1700-2008
    load_digits()   -> images (1797, 8, 8) float64 in [0, 16], labels (1797,) int64
    load_austen()   -> str: Jane Austen's *Pride and Prejudice* (1813), 684,768 characters
    load_tang300()  -> list of (title, author, lines): the 313 poems of 唐诗三百首
"""
from __future__ import annotations

import gzip
import io
from importlib import resources

import numpy as np

from .i18n import N_, Messages


SOURCES = Messages({
    "sunspots": N_(
        "Yearly sunspot numbers 1700-2008 (309 values), file sunspots.csv copied unchanged from the "
        "statsmodels package (statsmodels/datasets/sunspots, statsmodels 0.15.0, BSD-3-Clause). Original "
        "provider: NOAA National Geophysical Data Center. statsmodels' description of the dataset states: "
        "\"This data is public domain.\""
    ),
    "digits": N_(
        "The 1797 8x8 handwritten digits of scikit-learn (file digits.csv.gz copied unchanged from "
        "scikit-learn 1.9.1, sklearn/datasets/data; scikit-learn is BSD-3-Clause). Original: the test set of "
        "'Optical Recognition of Handwritten Digits', E. Alpaydin and C. Kaynak (1998), UCI Machine Learning "
        "Repository, dataset 80, https://doi.org/10.24432/C50P49 (listed there under CC BY 4.0: attribution "
        "required)."
    ),
    "austen": N_(
        "Jane Austen, Pride and Prejudice (1813), public domain: Project Gutenberg's text as carried by the "
        "R package janeaustenr (Julia Silge, MIT licence), taken from Debian's r-cran-janeaustenr 1.0.0-1 by "
        "tools/extract_corpora.py (file austen_pride_prejudice.txt.gz)."
    ),
    "tang300": N_(
        "唐诗三百首 (Three Hundred Tang Poems), compiled by 蘅塘退士 (Sun Zhu) in 1763 from poems of 618-907, "
        "public domain: the 313 poems of Debian's fortunes-zh 2.98 (file tang300; the package's GPL-3.0+ covers "
        "its packaging, not the poems), titles, authors and lines only, extracted by tools/extract_corpora.py "
        "(file tang300.txt)."
    ),
})


def _open(name: str) -> bytes:
    return resources.files("lstmlab").joinpath("data", name).read_bytes()


def load_sunspots() -> tuple[np.ndarray, np.ndarray]:
    """Yearly mean sunspot number, 1700-2008.

    Returns years (309,) int64 and sunspots (309,) float64 (the 'SUNACTIVITY' column:
    the pre-2015 'version 1' international sunspot number, 0 to 190.2).
    """
    table = np.loadtxt(io.StringIO(_open("sunspots.csv").decode("ascii")), delimiter=",", skiprows=1)
    return table[:, 0].astype(np.int64), table[:, 1].astype(np.float64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits: images (1797, 8, 8) float64, pixel values 0..16 (ink counts), labels (1797,) int64 0..9.

    images[n, r] is row r (top to bottom) of image n, 8 pixels from left to right.
    """
    text = gzip.decompress(_open("digits.csv.gz")).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",")
    return table[:, :64].reshape(-1, 8, 8).astype(np.float64), table[:, 64].astype(np.int64)


def load_austen() -> str:
    """Pride and Prejudice as one string: 684,768 characters, lines wrapped at about 70, '\\n' line ends."""
    return gzip.decompress(_open("austen_pride_prejudice.txt.gz")).decode("utf-8")


def load_tang300() -> list[tuple[str, str, list[str]]]:
    """The 313 poems of 唐诗三百首 as (title, author, lines), in the anthology's order.

    title keeps its 《》 brackets, e.g. '《感遇・其一》'; author is the name alone ('张九龄');
    lines are the poem's lines with their punctuation, e.g. '兰叶春葳蕤，桂华秋皎洁。'.
    """
    poems = []
    for block in _open("tang300.txt").decode("utf-8").strip().split("\n\n"):
        title, byline, *lines = block.split("\n")
        poems.append((title, byline.removeprefix("作者："), lines))
    return poems
