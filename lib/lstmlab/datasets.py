"""Small real datasets shipped with the course (in lstmlab/data/), read offline with importlib.resources.

Each loader returns plain numpy arrays; SOURCES[name] says where the file came from and under
which licence (the same text as lstmlab/data/README.md).

    load_sunspots() -> years (309,) int64, sunspots (309,) float64      yearly, 1700-2008
    load_digits()   -> images (1797, 8, 8) float64 in [0, 16], labels (1797,) int64
"""
from __future__ import annotations

import gzip
import io
from importlib import resources

import numpy as np

SOURCES = {
    "sunspots": (
        "Yearly sunspot numbers 1700-2008 (309 values), file sunspots.csv copied unchanged from the "
        "statsmodels package (statsmodels/datasets/sunspots, statsmodels 0.15.0, BSD-3-Clause). Original "
        "provider: NOAA National Geophysical Data Center. statsmodels' description of the dataset states: "
        "\"This data is public domain.\""
    ),
    "digits": (
        "The 1797 8x8 handwritten digits of scikit-learn (file digits.csv.gz copied unchanged from "
        "scikit-learn 1.9.1, sklearn/datasets/data; scikit-learn is BSD-3-Clause). Original: the test set of "
        "'Optical Recognition of Handwritten Digits', E. Alpaydin and C. Kaynak (1998), UCI Machine Learning "
        "Repository, dataset 80, https://doi.org/10.24432/C50P49 (listed there under CC BY 4.0: attribution "
        "required)."
    ),
}


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
