"""BM25 over the library's passages (bm25s), saved as token ids, extended in place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from ..text.words import tokenize

EMPTY_DOCUMENT = "\u2205"  # bm25s needs a token in every document


def passage_tokens(section: str | None, text: str, language: str | None = None) -> tuple[str, ...]:
    """The BM25 tokens of one passage: its section title and its text."""
    return tuple(tokenize(f"{section or ''} {text}", language))


DOCUMENTS_FILE = "documents.npy"  # every document's token ids, one after another
LENGTHS_FILE = "lengths.npy"  # how many ids each document has


def _bm25_of(ids: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]) -> bm25s.BM25:
    """A bm25s index of the documents ``ids`` (one after another, ``lengths`` long each).

    The score matrix is what ``bm25s.BM25.index`` computes (Lucene's BM25, float32 scores,
    the same operations in the same order, so bit for bit the same: tested), made with NumPy
    over all documents at once instead of a Python loop over them (0.15 s instead of 1.3 s
    for 73k passages). Scoring, saving and loading are bm25s's own.
    """
    bm25 = bm25s.BM25()
    k1, b, count = bm25.k1, bm25.b, len(lengths)
    documents = np.repeat(np.arange(count, dtype=np.int64), lengths)
    pairs, frequency = np.unique((ids.astype(np.int64) << 32) | documents, return_counts=True)
    tokens, rows = (pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32)
    df = np.bincount(tokens, minlength=len(vocab))
    values, inverse = np.unique(df, return_inverse=True)
    idf = np.array(  # bm25s computes it with math.log, per token
        [math.log(1 + (count - v + 0.5) / (v + 0.5)) if v else 0.0 for v in values.tolist()]
    )[inverse].astype(np.float32)
    tf = frequency.astype(np.float32)
    tfc = tf / (k1 * ((1 - b) + b * lengths[rows] / lengths.mean()) + tf)
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    data = (idf[tokens] * tfc).astype(np.float32)
    bm25.scores = {"data": data, "indices": rows, "indptr": indptr, "num_docs": count}
    bm25.vocab_dict = vocab
    bm25.unique_token_ids_set = set(vocab.values())
    bm25.nonoccurrence_array = None  # only BM25L and BM25+ have one
    return bm25


class LexicalIndex:
    """A BM25 index (bm25s) over passage texts, saved and loaded without pickle.

    It keeps its documents as token ids (a flat int32 array and the documents' lengths), so
    that adding an article indexes the library again without reading any other article.
    BM25 weighs a term by its frequency in the whole library, so every document's scores
    change with an add: the score matrix is built again, from ids (about 0.15 s for 73k
    passages).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._index([tokenize(t) for t in texts], {}, np.zeros(0, np.int32), np.zeros(0, np.int64))

    def _index(
        self,
        documents: Sequence[Sequence[str]],
        vocab: dict[str, int],
        ids: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """Index the documents already held (``ids``, ``lengths``) and ``documents`` after
        them; ``vocab`` (token -> id) gains the new tokens."""
        vocab = dict(vocab)
        new_ids: list[int] = []
        new_lengths = []
        for document in documents:
            tokens = list(document) or [EMPTY_DOCUMENT]
            new_ids.extend(vocab.setdefault(token, len(vocab)) for token in tokens)
            new_lengths.append(len(tokens))
        vocab.setdefault("", len(vocab))  # bm25s keeps an empty token in every vocabulary
        self._ids = np.concatenate([ids, np.asarray(new_ids, dtype=np.int32)])
        self._lengths = np.concatenate([lengths, np.asarray(new_lengths, dtype=np.int64)])
        self._bm25 = _bm25_of(self._ids, self._lengths, vocab)

    @classmethod
    def from_tokens(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index documents already tokenized by :func:`tokenize` (see :func:`passage_tokens`)."""
        index = cls.__new__(cls)
        index._index(documents, {}, np.zeros(0, np.int32), np.zeros(0, np.int64))
        return index

    def extended(self, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        """A new index of this one's documents and ``documents`` after them."""
        index = LexicalIndex.__new__(LexicalIndex)
        index._index(documents, self._bm25.vocab_dict, self._ids, self._lengths)
        return index

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index written by :meth:`save` (memory-mapped)."""
        index = cls.__new__(cls)
        index._bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        index._ids = np.load(folder / DOCUMENTS_FILE, mmap_mode="r", allow_pickle=False)
        index._lengths = np.load(folder / LENGTHS_FILE, allow_pickle=False)
        if index._lengths.sum() != len(index._ids) or len(index._lengths) != index.size:
            raise ValueError(f"the BM25 documents in {folder} disagree with its index")
        return index

    def save(self, folder: Path) -> None:
        """Write the index and its documents as NumPy arrays and JSON."""
        self._bm25.save(str(folder), show_progress=False)
        np.save(folder / DOCUMENTS_FILE, self._ids, allow_pickle=False)
        np.save(folder / LENGTHS_FILE, self._lengths, allow_pickle=False)

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

    def article_scores(
        self, query_tokens: list[str], documents: Sequence[int], rows: range
    ) -> np.ndarray:
        """BM25 of ``documents`` (rows of one article) with the statistics of that article's
        passages (``rows``) alone, as if it were the whole library: the same scores, to a
        float's rounding, when it is. A term's weight in the library depends on the other
        articles held ("Chatham" is rarer among five articles than in one), which must not
        change how well a quote is judged to answer.
        """
        k1, b = self._bm25.k1, self._bm25.b
        postings, starts = self._bm25.scores["indices"], self._bm25.scores["indptr"]
        lengths = self._lengths[rows.start : rows.stop]
        count, mean_length = len(lengths), float(lengths.mean())
        ends = self._document_ends
        held = [self._ids[ends[d] - self._lengths[d] : ends[d]] for d in documents]
        norms = [k1 * ((1 - b) + b * self._lengths[d] / mean_length) for d in documents]
        scores = np.zeros(len(documents), dtype=np.float32)
        for token in query_tokens:
            column = self._bm25.vocab_dict.get(token)
            if column is None:
                continue
            holders = postings[starts[column] : starts[column + 1]]  # sorted document rows
            df = int(np.searchsorted(holders, rows.stop) - np.searchsorted(holders, rows.start))
            if not df:
                continue
            idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
            for i, (ids, norm) in enumerate(zip(held, norms, strict=True)):
                tf = float(np.count_nonzero(ids == column))
                scores[i] += np.float32(idf * tf / (norm + tf))
        return scores

    @cached_property
    def _document_ends(self) -> np.ndarray:
        return np.cumsum(self._lengths)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when nothing matches)."""
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return self._bm25.get_scores(known).astype(np.float32)
