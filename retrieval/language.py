"""Whether a question is in English, the one language the engine's model and article share.

A question in Russian or Persian would otherwise get a random English sentence with three
source buttons. Other scripts are told by their letters; other Latin-script languages by their
function words (bm25s ships stop-word lists for them).
"""

from __future__ import annotations

import re
import unicodedata

from bm25s import stopwords

ENGLISH = frozenset(stopwords.STOPWORDS_EN_PLUS) | {"what", "who", "how", "why", "when", "is"}
_OTHERS = {
    "French": stopwords.STOPWORDS_FRENCH,
    "German": stopwords.STOPWORDS_GERMAN,
    "Spanish": stopwords.STOPWORDS_SPANISH,
    "Italian": stopwords.STOPWORDS_ITALIAN,
    "Portuguese": stopwords.STOPWORDS_PORTUGUESE,
    "Dutch": stopwords.STOPWORDS_DUTCH,
    "Swedish": stopwords.STOPWORDS_SWEDISH,
    "Danish": stopwords.STOPWORDS_DANISH,
    "Norwegian": stopwords.STOPWORDS_NORWEGIAN,
    "Turkish": stopwords.STOPWORDS_TURKISH,
}
_FOREIGN_ONLY = {
    name: frozenset(words) - ENGLISH - {"a", "i", "o", "e", "me", "so", "de"}
    for name, words in _OTHERS.items()
}
_SCRIPTS = {
    "CYRILLIC": "Russian",
    "ARABIC": "Persian or Arabic",
    "HEBREW": "Hebrew",
    "GREEK": "Greek",
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "DEVANAGARI": "Hindi",
    "THAI": "Thai",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
}
_WORD = re.compile(r"[^\W\d_]+")


def other_language(question: str) -> str | None:
    """The language (or script) the question is written in when it is not English."""
    letters = [c for c in question if c.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for char in letters:
        name = unicodedata.name(char, "")
        script = next((s for s in _SCRIPTS if name.startswith(s)), None)
        if script:
            scripts[script] = scripts.get(script, 0) + 1
    if scripts:
        script, count = max(scripts.items(), key=lambda item: item[1])
        if count >= len(letters) / 2:
            return _SCRIPTS[script]
    return _latin_language([w.lower() for w in _WORD.findall(question)])


def _latin_language(words: list[str]) -> str | None:
    """Another Latin-script language: two or more of its function words and no English ones."""
    if len(words) < 3 or any(w in ENGLISH for w in words):
        return None
    votes = {name: sum(w in only for w in words) for name, only in _FOREIGN_ONLY.items()}
    name, count = max(votes.items(), key=lambda item: item[1])
    return name if count >= 2 else None
