"""Lexical matching: one tokenizer for BM25 and answer scoring, and the BM25 index itself."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

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
        self._sorted_vocab = sorted(bm25.vocab_dict)

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
