"""The one word tokenizer: lower-cased, stemmed content words in the text's language."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import simplemma
import Stemmer
from babel import Locale, UnknownLocaleError
from bm25s import stopwords
from bm25s.stopwords import STOPWORDS_EN_PLUS

from .language import ENGLISH

_TOKEN = re.compile(r"[$€£]?\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*")
# Han, kana and Hangul write words without spaces: such a run is indexed by its characters'
# bigrams, as CJK search engines do without a word segmenter.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_UNSPACED_SPLIT = re.compile(f"({_UNSPACED.pattern})")
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"does", "did", "say", "said", "article", "tell"}
# bm25s's stop-word lists for the other languages it has; the rest keep every word.
_STOPWORDS = {
    ENGLISH: STOPWORDS,
    **{
        code: frozenset(getattr(stopwords, f"STOPWORDS_{name}"))
        for code, name in (
            ("de", "GERMAN"),
            ("fr", "FRENCH"),
            ("es", "SPANISH"),
            ("it", "ITALIAN"),
            ("pt", "PORTUGUESE"),
            ("nl", "DUTCH"),
            ("ru", "RUSSIAN"),
            ("sv", "SWEDISH"),
            ("no", "NORWEGIAN"),
            ("da", "DANISH"),
            ("tr", "TURKISH"),
            ("zh", "CHINESE"),
            ("ko", "KOREAN"),
        )
    },
}
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on itself at import


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    """PyStemmer's Snowball stemmer for an ISO 639-1 code, or None when it has none (Chinese,
    Japanese, Ukrainian, ...): those words are matched as written, lower-cased."""
    try:
        name = Locale.parse(language).get_language_name("en").lower()
    except (ValueError, UnknownLocaleError):
        return None
    return Stemmer.Stemmer(name) if name in Stemmer.algorithms() else None


@lru_cache(maxsize=8192)
def stem(word: str, language: str = ENGLISH) -> str:
    """The Snowball stem of one lower-case word in ``language`` (itself when none)."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


@lru_cache(maxsize=16384)
def root(word: str, language: str = ENGLISH) -> str:
    """The stem of a lower-case word's dictionary form (simplemma's lemma): "met" and "meet",
    "began" and "begin", "men" and "man" share one, where Snowball's suffixes alone keep them
    apart. A question and a quote are matched by it. Names keep plain stems (a lemmatiser
    reads "us" as "we"), and so does BM25, whose tokens are saved with each article."""
    try:
        lemma = simplemma.lemmatize(word, lang=language).lower()
    except ValueError:  # a language simplemma has no dictionary for
        lemma = word
    return stem(lemma, language)


def words(text: str, *, cased: bool = False) -> list[str]:
    """The words of ``text``, lower-cased unless ``cased``, with ’ written as '; a number is
    one word ("$10", "1,500"), and a CJK run gives its characters' bigrams."""
    found = []
    for word in _TOKEN.findall(text if cased else text.lower()):
        for part in _UNSPACED_SPLIT.split(word):
            if _UNSPACED.fullmatch(part):
                found.extend(part[i : i + 2] for i in range(max(len(part) - 1, 1)))
            elif part:
                found.append(part.replace("’", "'"))
    return found


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` written in ``language`` (English when
    not known); numbers and amounts such as ``$10`` are kept."""
    language = language or ENGLISH
    stops = _STOPWORDS.get(language, frozenset())
    return [stem(w, language) for w in words(text) if w not in stops and len(w) > 1]
