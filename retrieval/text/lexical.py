"""Lexical matching: one tokenizer for BM25, names and answer scoring, and the BM25 index."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import bm25s
import numpy as np
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


def _words(text: str) -> list[str]:
    """The lower-cased words of ``text``; a CJK run gives its characters' bigrams."""
    words = []
    for word in _TOKEN.findall(text.lower()):
        for part in _UNSPACED_SPLIT.split(word):
            if _UNSPACED.fullmatch(part):
                words.extend(part[i : i + 2] for i in range(max(len(part) - 1, 1)))
            elif part:
                words.append(part.replace("’", "'"))
    return words


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` written in ``language`` (English when
    not known); numbers and amounts such as ``$10`` are kept."""
    language = language or ENGLISH
    stops = _STOPWORDS.get(language, frozenset())
    return [stem(w, language) for w in _words(text) if w not in stops and len(w) > 1]


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
