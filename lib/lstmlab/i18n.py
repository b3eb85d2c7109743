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
    """Show this process's messages in `lang` ("en" or "zh", "zh-CN" and "zh_CN" too)."""
    global _chosen
    _chosen = _known(lang)


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


def edition_of(nb) -> str:
    """The edition a notebook belongs to: metadata.lstmlab.edition, written by `lstmlab build` ("en" if absent)."""
    meta = (nb.get("metadata") or {}).get("lstmlab") or {}
    try:
        return _known(str(meta.get("edition") or SOURCE_LANGUAGE))
    except ValueError:
        return SOURCE_LANGUAGE
