"""Lexical matching: one tokenizer for BM25 and answer scoring, and the BM25 index itself."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

from .chunking import ABBREVIATIONS

_TOKEN = re.compile(r"[$€£]?\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"does", "did", "say", "said", "article", "tell"}
_STEMMER = Stemmer.Stemmer("english")
MIN_STEM = 4  # shortest shared stem that makes two words forms of one name
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on itself at import
_NAME = r"[A-Z][\w'’-]*"
_CAPITALISED = re.compile(rf"(?<![.!?]\s)(?<!^)\b{_NAME}(?:\s+{_NAME})*")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words; numbers and amounts such as ``$10`` are kept."""
    words = (w.replace("’", "'") for w in _TOKEN.findall(text.lower()))
    return [_stem(w) for w in words if w not in _STOPWORDS and len(w) > 1]


class LexicalIndex:
    """A BM25 index (bm25s) over passage texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._bm25 = bm25s.BM25()
        self._bm25.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)
        self._sorted_vocab = sorted(self._bm25.vocab_dict)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return self._bm25.get_scores(known).astype(np.float32)

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (capitalised words past its start) that the corpus never uses.

        A name cannot be paraphrased the way other words can, so "the president of France"
        asked of an article that never mentions France is not covered, however close the rest
        of the question is. Title Case questions are skipped: there capitals mark no names.
        """
        words = question.split()[1:]
        if sum(w[:1].isupper() for w in words) > len(words) / 2:
            return []
        names = (m.group() for m in _CAPITALISED.finditer(question.strip()))
        names = (n for n in names if n.lower() not in ABBREVIATIONS)
        return [n for n in names if not all(self._knows(t) for t in tokenize(n))]

    def _knows(self, term: str) -> bool:
        """Whether the corpus uses ``term`` or a form of it ("Syria"/"Syrian", "Yemeni")."""
        vocab = self._bm25.vocab_dict
        if term in vocab:
            return True
        if len(term) < MIN_STEM:
            return False
        words = self._sorted_vocab
        following = bisect.bisect_left(words, term)
        longer = following < len(words) and words[following].startswith(term)
        return longer or any(term[:end] in vocab for end in range(MIN_STEM, len(term)))
