"""Lexical matching: one tokenizer for BM25, names and answer scoring, and the BM25 index."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

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


EMPTY_DOCUMENT = "\u2205"  # bm25s needs a token in every document


def passage_tokens(section: str | None, text: str) -> tuple[str, ...]:
    """The BM25 tokens of one passage: its section title and its text."""
    return tuple(tokenize(f"{section or ''} {text}"))


def _indexed(documents: Sequence[Sequence[str]]) -> bm25s.BM25:
    bm25 = bm25s.BM25()
    bm25.index([list(d) or [EMPTY_DOCUMENT] for d in documents], show_progress=False)
    return bm25


class LexicalIndex:
    """A BM25 index (bm25s) over passage texts, saved and loaded without pickle."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._use(_indexed([tokenize(t) for t in texts]))

    def _use(self, bm25: bm25s.BM25) -> None:
        self._bm25 = bm25

    @classmethod
    def from_tokens(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index documents already tokenized by :func:`tokenize` (see :func:`passage_tokens`)."""
        index = cls.__new__(cls)
        index._use(_indexed(documents))
        return index

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index written by :meth:`save` (memory-mapped)."""
        index = cls.__new__(cls)
        index._use(bm25s.BM25.load(str(folder), mmap=True, show_progress=False))
        return index

    def save(self, folder: Path) -> None:
        """Write the index as NumPy arrays and JSON."""
        self._bm25.save(str(folder), show_progress=False)

    @property
    def size(self) -> int:
        """How many documents are indexed."""
        return int(self._bm25.scores["num_docs"])

    def unused(self, words: Sequence[str], rows: range) -> tuple[str, ...]:
        """The words no passage in ``rows`` (one article's) holds in any form. In a library,
        "married" may be another article's word and still be foreign to this one."""
        postings, starts = self._bm25.scores["indices"], self._bm25.scores["indptr"]

        def used(token: str) -> bool:
            column = self._bm25.vocab_dict.get(token)
            if column is None:
                return False
            documents = postings[starts[column] : starts[column + 1]]
            return bool(np.any((documents >= rows.start) & (documents < rows.stop)))

        return tuple(w for w in words if not all(used(t) for t in tokenize(w)))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return self._bm25.get_scores(known).astype(np.float32)
