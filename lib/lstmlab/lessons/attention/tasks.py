"""Date normalisation: a seeded sequence-to-sequence task built with the standard library.

Source: a date written in one of several human formats; target: the same date in ISO 8601.

    "3 March 2021"   "03/03/21"   "March 3, 2021"   "3 Mar 2021"   "03.03.2021"   "3/3/2021"
                                        -> "2021-03-03"

Conventions (stated, so the task is unambiguous): numeric formats are day first (dd/mm, as in most of
the world); two-digit years follow POSIX / Python's strptime %y rule (69-99 -> 1969-1999, 00-68 ->
2000-2068), and dates are drawn from 1969-01-01 to 2068-12-31 so that rule is always right. Month
names are English, spelled out here (not taken from the locale).

Every target is 10 characters, so a decoder emits exactly 10 symbols and needs no end token.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

# Each format writes a date as a list of (field, text) pieces; field is "day", "month", "year" or None.
_M = lambda d: MONTHS[d.month - 1]
FORMATS = {
    "d Month yyyy": lambda d: [("day", f"{d.day}"), (None, " "), ("month", _M(d)), (None, " "), ("year", f"{d.year}")],
    "dd/mm/yy": lambda d: [("day", f"{d.day:02d}"), (None, "/"), ("month", f"{d.month:02d}"), (None, "/"),
                           ("year", f"{d.year % 100:02d}")],
    "Month d, yyyy": lambda d: [("month", _M(d)), (None, " "), ("day", f"{d.day}"), (None, ", "), ("year", f"{d.year}")],
    "d Mon yyyy": lambda d: [("day", f"{d.day}"), (None, " "), ("month", _M(d)[:3]), (None, " "), ("year", f"{d.year}")],
    "dd.mm.yyyy": lambda d: [("day", f"{d.day:02d}"), (None, "."), ("month", f"{d.month:02d}"), (None, "."),
                             ("year", f"{d.year}")],
    "d/m/yyyy": lambda d: [("day", f"{d.day}"), (None, "/"), ("month", f"{d.month}"), (None, "/"), ("year", f"{d.year}")],
}

FIRST, LAST = dt.date(1969, 1, 1), dt.date(2068, 12, 31)
TARGET_LEN = 10

PAD = "_"      # source padding, index 0
START = "^"    # the decoder's first input, index 0 of the target vocabulary
SRC_VOCAB = PAD + "".join(sorted(set(" ,./0123456789" + "".join(MONTHS))))
TGT_VOCAB = START + "0123456789-"
SRC_INDEX = {ch: k for k, ch in enumerate(SRC_VOCAB)}
TGT_INDEX = {ch: k for k, ch in enumerate(TGT_VOCAB)}
MAX_SRC_LEN = 18   # the longest source, e.g. "September 30, 2000"


def render(date: dt.date, fmt: str) -> str:
    """The date written in format `fmt` (a key of FORMATS), e.g. render(date(2021, 3, 3), "dd/mm/yy") == "03/03/21"."""
    return "".join(text for _, text in FORMATS[fmt](date))


def field_spans(date: dt.date, fmt: str) -> dict[str, tuple[int, int]]:
    """Where each field sits in render(date, fmt): {"day"|"month"|"year": (start, stop)} character positions."""
    spans, pos = {}, 0
    for field, text in FORMATS[fmt](date):
        if field is not None:
            spans[field] = (pos, pos + len(text))
        pos += len(text)
    return spans


# Output positions of each field in the ISO target "yyyy-mm-dd".
TARGET_FIELDS = {"year": (0, 4), "month": (5, 7), "day": (8, 10)}


def parse(text: str, fmt: str) -> dt.date:
    """Inverse of render, with the standard library only (used by the tests to prove the task is right)."""
    if fmt in ("dd/mm/yy", "dd.mm.yyyy"):
        return dt.datetime.strptime(text, {"dd/mm/yy": "%d/%m/%y", "dd.mm.yyyy": "%d.%m.%Y"}[fmt]).date()
    if fmt == "d/m/yyyy":
        d, m, y = map(int, text.split("/"))
        return dt.date(y, m, d)
    words = text.replace(",", "").split()
    names = [m[:3] for m in MONTHS]
    if fmt == "Month d, yyyy":
        month, day, year = words
    else:
        day, month, year = words
    return dt.date(int(year), names.index(month[:3]) + 1, int(day))


def random_dates(n: int, seed: int = 0, exclude=()) -> list[dt.date]:
    """n distinct dates drawn uniformly from FIRST..LAST, none of them in `exclude`."""
    r = np.random.default_rng(seed)
    span = (LAST - FIRST).days + 1
    banned = {(d - FIRST).days for d in exclude}
    if n > span - len(banned):
        raise ValueError(f"only {span - len(banned)} dates are available, asked for {n}")
    chosen: list[int] = []
    seen = set(banned)
    while len(chosen) < n:
        for k in r.integers(0, span, size=2 * (n - len(chosen))):
            if int(k) not in seen:
                seen.add(int(k))
                chosen.append(int(k))
                if len(chosen) == n:
                    break
    return [FIRST + dt.timedelta(days=k) for k in chosen]


def encode_source(texts, length: int = MAX_SRC_LEN) -> tuple[np.ndarray, np.ndarray]:
    """Source strings -> (X (N, length) int64 indices into SRC_VOCAB, padded with 0 on the right;
    mask (N, length) bool, True at real characters)."""
    X = np.zeros((len(texts), length), dtype=np.int64)
    for i, text in enumerate(texts):
        X[i, :len(text)] = [SRC_INDEX[ch] for ch in text]
    return X, X != 0


def encode_target(texts) -> np.ndarray:
    """ISO dates -> Y (N, 10) int64 indices into TGT_VOCAB."""
    return np.array([[TGT_INDEX[ch] for ch in text] for text in texts], dtype=np.int64)


def decode_target(Y) -> list[str]:
    """Y (N, 10) indices -> strings."""
    return ["".join(TGT_VOCAB[int(k)] for k in row) for row in np.asarray(Y)]


def make_dates(n: int, seed: int = 0, exclude=(), formats=None) -> dict:
    """n examples of the task, each date in a format drawn uniformly from `formats` (default: all).

    Returns a dict:
            "source" list[str], "target" list[str], "format" list[str], "date" list[datetime.date],
        "X" (n, MAX_SRC_LEN) int64, "mask" (n, MAX_SRC_LEN) bool, "Y" (n, 10) int64.
    Dates are distinct and avoid `exclude` (pass the training dates to build a held-out set).
    """
    formats = list(FORMATS) if formats is None else list(formats)
    r = np.random.default_rng(seed + 1_000_003)
    dates = random_dates(n, seed, exclude)
    fmts = [formats[k] for k in r.integers(0, len(formats), size=n)]
    source = [render(d, f) for d, f in zip(dates, fmts)]
    target = [d.isoformat() for d in dates]
    X, mask = encode_source(source)
    return {"source": source, "target": target, "format": fmts, "date": dates,
            "X": X, "mask": mask, "Y": encode_target(target)}
