"""The bot's own words in the reader's language, from the gettext catalogs in ``locales/``.

English is the source language: the msgids are the English texts, and a language without a
catalog gets them unchanged. ``pybabel extract -F babel.cfg`` finds every text marked with
:func:`N_` (``babel.cfg`` has the commands that update and compile the catalogs).
"""

from __future__ import annotations

import functools
import gettext
import re
from pathlib import Path

from babel import Locale

from .direction import LRI, PDI, is_rtl, isolate, mark_lines

DOMAIN = "bot"
LOCALES = Path(__file__).parent / "locales"
SOURCE_LANGUAGE = "en"
_COMMAND = re.compile(r"(?<![\w/])/[a-z]\w*")  # "/help": a slash would drift to its right


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated when said, in the reader's language."""
    return message


def primary_language(code: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased ("ru-RU" → "ru"); None when empty."""
    primary = (code or "").replace("_", "-").split("-")[0].strip().lower()
    return primary or None


def reply_language(question: str | None, user: str | None) -> str:
    """The language to reply in: the question's when identified, else the user's (Telegram's
    ``language_code``), else English."""
    return primary_language(question) or primary_language(user) or SOURCE_LANGUAGE


@functools.cache
def translated_languages() -> frozenset[str]:
    """The languages with a compiled catalog."""
    return frozenset(mo.parents[1].name for mo in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


def catalog_language(language: str | None) -> str:
    """The language the bot's words come out in for ``language``: its own, else English."""
    primary = primary_language(language)
    return primary if primary in translated_languages() else SOURCE_LANGUAGE


def translator(language: str | None) -> gettext.NullTranslations:
    """The catalog for ``language`` ("fa", "ru-RU"...): English for None or an unknown one."""
    return _translator(catalog_language(language))


@functools.cache
def _translator(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALES, languages=[language], fallback=True)


def right_to_left(language: str | None) -> bool:
    """Whether the bot's words for ``language`` read right to left."""
    return is_rtl(catalog_language(language))


def embed(text: str, language: str | None) -> str:
    """Text from elsewhere (the article, the question) set into the bot's words: isolated in
    a right-to-left reply, so it keeps its own order; unchanged otherwise."""
    return isolate(text) if right_to_left(language) else text


def translate(language: str | None, message: str, **fields: object) -> str:
    """``message`` in ``language`` with ``fields`` filled in; in a right-to-left language
    each text field and /command is isolated (numbers need not be, and keep their specs)."""
    text = translator(language).gettext(message)
    if right_to_left(language):
        text = _COMMAND.sub(lambda command: f"{LRI}{command[0]}{PDI}", text)
        fields = {k: isolate(v) if isinstance(v, str) else v for k, v in fields.items()}
    return text.format(**fields)


def say(language: str | None, message: str, **fields: object) -> str:
    """A whole plain-text message: :func:`translate`, then :func:`mark`."""
    return mark(translate(language, message, **fields), language)


def mark(text: str, language: str | None) -> str:
    """A plain-text message of the bot's words in ``language``: each line marked right to
    left when the language is, unchanged otherwise."""
    return mark_lines(text) if right_to_left(language) else text


def language_name(code: str, language: str | None) -> str:
    """The name of the language ``code`` in the bot's words for ``language`` ("ru" is
    "Russian" in English, "русский" in Russian); the code itself when Babel has no name."""
    names = Locale.parse(catalog_language(language)).languages
    return names.get(primary_language(code) or code, code)
