"""Lexical matching: one tokenizer for BM25, names and answer scoring, and the BM25 index."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_TOKEN = re.compile(r"[$€£]?\d+(?:[.,]\d+)*%?|\w+(?:['’-]\w+)*")
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"does", "did", "say", "said", "article", "tell"}
_STEMMER = Stemmer.Stemmer("english")
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on itself at import


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball stem of one lower-case word."""
    return _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words; numbers and amounts such as ``$10`` are kept."""
    words = (w.replace("’", "'") for w in _TOKEN.findall(text.lower()))
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


class LexicalIndex:
    """A BM25 index (bm25s) over passage texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._bm25 = bm25s.BM25()
        self._bm25.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return self._bm25.get_scores(known).astype(np.float32)
