"""The one sentence splitter: a paragraph into sentences, each with its span in the source."""

from __future__ import annotations

import re

from ..core.types import Sentence

# Words before a full stop that does not end a sentence (also titles, for name matching).
ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "no",
        "gen",
        "col",
        "lt",
        "sgt",
        "gov",
        "sen",
        "rep",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "approx",
    }
)
# A sentence ends at . ! ? … (and Arabic-script ؟, Devanagari ।) before a space and a word
# that does not start in lower case, so that scripts without case (Arabic, Persian) split too;
# and at a full-width 。！？ with or without a space. Closing quotes stay with their sentence.
_SENTENCE_END = re.compile(
    r"[.!?…؟।]+[\"'”’“»)\]]*(?=\s+[\"'“‘«„(\[]?(\w))|[。！？]+[」』”’）)]*(?=\s*(\S))"
)
_INITIALISM = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]?$")
_FIRST_WORD = re.compile(r"\w")


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split one paragraph into sentences, keeping each sentence's span in the source."""
    sentences: list[Sentence] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        following = match.group(1) or match.group(2)
        if following.islower() or _is_abbreviation(text[begin : match.start() + 1]):
            continue
        sentences.append(_sentence(text, begin, match.end(), offset))
        begin = match.end()
    if text[begin:].strip():
        sentences.append(_sentence(text, begin, len(text), offset))
    return sentences


def _is_abbreviation(fragment: str) -> bool:
    last = fragment.split()[-1] if fragment.split() else ""
    if not last.endswith("."):
        return False
    bare = last.rstrip(".").lstrip("\"'“‘(")
    # A lone capital is a person's initial ("W. E. B. Du Bois"), not the end of a sentence.
    initial = len(bare) == 1 and bare.isupper()
    return initial or bare.lower() in ABBREVIATIONS or bool(_INITIALISM.search(last.rstrip(".")))


def _sentence(text: str, begin: int, end: int, offset: int) -> Sentence:
    chunk = text[begin:end]
    lead = len(chunk) - len(chunk.lstrip())
    body = chunk.strip()
    return Sentence(body, offset + begin + lead, offset + begin + lead + len(body))


def sentence_openings(text: str) -> frozenset[int]:
    """Where the first word of each sentence of ``text`` starts (after any quote or emoji),
    so that a capital there marks the sentence, not a name."""
    openings = set()
    for sentence in split_sentences(text):
        first_word = _FIRST_WORD.search(sentence.text)
        if first_word:
            openings.add(sentence.start + first_word.start())
    return frozenset(openings)
