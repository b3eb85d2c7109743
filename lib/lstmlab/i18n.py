"""The course's languages: every message a student reads goes through `_()`.

The English text is the message id; its Chinese translation lives in a gettext PO catalog,
lib/lstmlab/locale/<lang>/<domain>.po (domain `core` for the textbook, checking and tooling, one per
lesson room), read with Babel. Untranslated or fuzzy entries fall back to English.

    from lstmlab.i18n import _
    raise CheckFailed(_("{name} is None: did your function forget to `return` it?").format(name=name))

Rules (tests/test_i18n.py enforces them): the argument of `_()` is one plain string literal (an
f-string cannot be looked up: its text differs on every call), placeholders are named
(`{name}`, `{got:.3g}`), and the translation keeps the same placeholders. A message defined at import
time (a module constant) is marked with `N_()` and translated where it is shown, with `_()`.

Which language: `use_language("zh")` (the first cell of every Chinese lesson calls it), else
$LSTMLAB_LANG, else English. `language("zh")` sets it for a block (and a thread), as the grader does
while it writes one student's feedback.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "中文"}
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: str | None = None          # use_language(): the kernel's or process's language
_block = contextvars.ContextVar("lstmlab_language", default=None)   # language(): this block's


def _known(lang: str) -> str:
    lang = (lang or SOURCE_LANGUAGE).lower().replace("_", "-").split("-")[0]
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: the course has {', '.join(sorted(LANGUAGES))}")
    return lang


def use_language(lang: str) -> None:
    """Show this process's messages in `lang` ("en" or "zh", "zh-CN" and "zh_CN" too); for Chinese, also
    let matplotlib draw Chinese labels (plot_fonts)."""
    global _chosen
    _chosen = _known(lang)
    if _chosen == "zh":
        plot_fonts()


# Fonts with Chinese glyphs, tried in order after DejaVu Sans (matplotlib's default, which has none):
# Debian/Ubuntu (fonts-wqy-microhei, fonts-noto-cjk), Windows, macOS.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Microsoft YaHei",
             "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB", "Arial Unicode MS")


_CJK_FILE = re.compile(r"wqy|NotoSansCJK|NotoSerifCJK|SourceHan|msyh|simhei|PingFang|STHeiti|Hiragino Sans GB|Arial Unicode", re.I)


def plot_fonts() -> list[str]:
    """Put the first installed font of CJK_FONTS behind matplotlib's font family, so a Chinese glyph falls back
    to it (matplotlib >= 3.6). Only fonts present are named: a missing one would print a warning
    at every plot. Returns the fonts used (empty: Chinese renders as boxes; install fonts-noto-cjk)."""
    import matplotlib
    from matplotlib import font_manager

    present = {f.name for f in font_manager.fontManager.ttflist}
    if not present.intersection(CJK_FONTS):
        # matplotlib's font cache predates the font's installation: add the system's CJK font files.
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        present = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in present]
    if cjk:
        # matplotlib falls back along font.family (one font per entry): Latin from the usual family, Chinese after.
        families = [f for f in matplotlib.rcParams["font.family"] if f not in cjk]
        matplotlib.rcParams["font.family"] = families + cjk[:1]
    return cjk


def current_language() -> str:
    """The language messages are shown in now: language() block, else use_language(), else $LSTMLAB_LANG, else en."""
    lang = _block.get() or _chosen
    if lang:
        return lang
    try:
        return _known(os.environ.get("LSTMLAB_LANG", SOURCE_LANGUAGE))
    except ValueError:
        return SOURCE_LANGUAGE


@contextlib.contextmanager
def language(lang: str):
    """Messages inside the block are in `lang`; the block's thread and context only."""
    token = _block.set(_known(lang))
    try:
        yield
    finally:
        _block.reset(token)


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """{English message: translation} of every domain of `lang`, without fuzzy or empty entries."""
    if lang == SOURCE_LANGUAGE:
        return {}
    from babel.messages.pofile import read_po

    table: dict[str, str] = {}
    for po in sorted((LOCALE_DIR / lang).glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
                    table[message.id] = message.string
    return table


def _(message: str) -> str:
    """`message` in the current language (English when it has no translation)."""
    lang = current_language()
    if lang == SOURCE_LANGUAGE:
        return message
    return catalog(lang).get(message, message)


def N_(message: str) -> str:
    """Mark `message` for translation without translating it (module constants); show it with _()."""
    return message


class Messages(dict):
    """{key: message marked with N_()}, read in the current language: for a table a notebook prints from its
    own code (`print(SOURCES[name])`), which is the same in both editions. As a dict it holds the English."""

    def __getitem__(self, key):
        return _(dict.__getitem__(self, key))

    def get(self, key, default=None):
        return self[key] if key in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]


class Message(str):
    """One message marked with N_() that a notebook prints from its own code (`print(AUSTEN_SOURCE)`): shown,
    or formatted, in the current language; as a str it is the English text."""

    def __str__(self):
        return _(str.__str__(self))

    def __format__(self, spec):
        return format(str(self), spec)


def edition_of(nb) -> str:
    """The edition a notebook belongs to: metadata.lstmlab.edition, written by `lstmlab build` ("en" if absent)."""
    meta = (nb.get("metadata") or {}).get("lstmlab") or {}
    try:
        return _known(str(meta.get("edition") or SOURCE_LANGUAGE))
    except ValueError:
        return SOURCE_LANGUAGE
