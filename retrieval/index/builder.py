"""Building the index of one library version from per-article cached vectors.

Only articles whose text (sha256) is not in the cache are chunked and embedded, and within one
build every distinct text is embedded once: overlapping passages share sentences, and a
passage of one sentence is that sentence. The FAISS index and BM25 are then assembled from the
cached parts, which costs seconds, not minutes, for a library of a thousand articles.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..core.types import Passage, Sentence
from ..library.catalog import ArticleRecord, Library, LibraryVersion
from ..library.chunking import chunk_article
from ..text.language import article_language
from ..text.names import NameBook
from .embedding import Embedder, encode
from .fusion import FusedEmbedder
from .lexical import LexicalIndex, passage_tokens
from .sanity import sanity_check
from .segments import SegmentedMatrix
from .store import FORMAT_VERSION, IndexedArticle, Manifest, StoredIndex, article_sentence_rows
from .vectorcache import ArticleVectors, VectorCache, distinct_sentences
from .vectorstore import FaissBackend, VectorBackend, VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one build embedded (for progress lines and the benchmark)."""

    embedded: tuple[str, ...]  # sha256 of the articles embedded by this build
    texts_embedded: int
    served_rows: int = 0  # leading passages taken over from the index being served


def chunk_articles(texts: Sequence[str], embedder: Embedder) -> list[tuple[Passage, ...]]:
    """Each article cut into passages that fit the embedder (every model of a fused one)."""
    return [
        tuple(
            chunk_article(text, max_tokens=embedder.max_tokens, count_tokens=embedder.count_tokens)
        )
        for text in texts
    ]


def embed_articles(
    chunked: Sequence[tuple[Passage, ...]],
    languages: Sequence[str | None],
    embedder: Embedder,
    passages_from_sentences: bool = False,
    cancel: threading.Event | None = None,
) -> tuple[list[ArticleVectors], int]:
    """Embed chunked articles with one model, every distinct passage or sentence text once;
    the vectors of each article (BM25 tokens in its ``languages``) and how many texts were
    embedded.

    With ``passages_from_sentences``, only sentences are embedded and a passage's vector is
    the normalised mean of its sentences' vectors (see README, "Build throughput").
    """
    sentences = [distinct_sentences(passages) for passages in chunked]
    wanted = [] if passages_from_sentences else [p.text for ps in chunked for p in ps]
    wanted += [s.text for group in sentences for s in group]
    unique = list(dict.fromkeys(wanted))
    encoded = encode(embedder, unique, cancel)
    row = {text: i for i, text in enumerate(unique)}

    def passage_vectors(passages: tuple[Passage, ...]) -> np.ndarray:
        if not passages_from_sentences:
            return encoded[[row[p.text] for p in passages]]
        means = np.stack([encoded[[row[s.text] for s in p.sentences]].mean(0) for p in passages])
        return means / np.linalg.norm(means, axis=1, keepdims=True)

    vectors = [
        ArticleVectors(
            passages,
            passage_vectors(passages),
            group,
            encoded[[row[s.text] for s in group]],
            tuple(passage_tokens(p.section, p.text, language) for p in passages),
        )
        for passages, group, language in zip(chunked, sentences, languages, strict=True)
    ]
    return vectors, len(unique)


@dataclass(frozen=True, slots=True)
class _NewArticles:
    """What a build assembles, in row order: passages, sentences and their vectors."""

    articles: list[IndexedArticle]
    passages: list[Passage]
    sentences: list[Sentence]
    sentence_rows: list[np.ndarray]
    vectors: np.ndarray  # the passage vectors of the articles embedded or read by this build
    sentence_vectors: SegmentedMatrix
    tokens: list[tuple[str, ...]]
    sections: tuple[str, ...]
    texts: list[str]


@dataclass(frozen=True, slots=True)
class _Searchable:
    """The three structures a search reads: vectors, BM25 and the name book."""

    vectors: VectorStore
    lexical: LexicalIndex
    names: NameBook


def _indexed(stored: StoredIndex, report: BuildReport, kept: int) -> str:
    kept_note = f"; {kept} kept from the index served" if kept else ""
    return (
        f"indexed {len(stored.passages)} passages of {len(stored.articles)} articles "
        f"({len(report.embedded)} embedded, {report.texts_embedded} texts{kept_note})"
    )


class IndexBuilder:
    """Builds and checks indexes of library versions for one set of embedding models, each
    with its own per-article vector cache in ``cache_folder``, their vector stores in
    ``vectors`` (FAISS unless given). The models keyed in ``passages_from_sentences`` embed
    sentences only (see :func:`embed_articles`)."""

    def __init__(
        self,
        library: Library,
        cache_folder: Path,
        embedder: FusedEmbedder,
        passages_from_sentences: Collection[str] = (),
        vectors: VectorBackend | None = None,
    ) -> None:
        self.library = library
        self.embedder = embedder
        self.vectors = vectors or FaissBackend()
        # An entry's passages are cut to fit every model of the set: the set is part of its key.
        self.caches = {
            key: VectorCache(cache_folder, part.name, part.dimension, chunked_for=embedder.name)
            for key, part in embedder.parts.items()
        }
        self.passages_from_sentences = frozenset(passages_from_sentences)

    def update(
        self,
        version: LibraryVersion,
        progress: Progress,
        previous: StoredIndex | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[StoredIndex, BuildReport]:
        """The index of ``version``: :meth:`extend` ``previous`` when it indexed a prefix of
        its articles (an add), else :meth:`build` afresh."""
        kept = _shared_prefix(previous, version.articles) if previous else 0
        if previous is not None and kept:
            return self.extend(previous, kept, version, progress, cancel)
        return self.build(version, progress, cancel)

    def build(
        self, version: LibraryVersion, progress: Progress, cancel: threading.Event | None = None
    ) -> tuple[StoredIndex, BuildReport]:
        """The index of every article of ``version``, from the cache or embedded now."""
        started = time.perf_counter()
        new, report = self._new_articles(version.articles, 0, 0, progress, cancel)
        stored = self._stored(
            version,
            new,
            _Searchable(
                self.vectors.build(new.vectors, [p.article_id for p in new.passages]),
                LexicalIndex.from_tokens(new.tokens),
                NameBook(new.texts, new.sections),
            ),
            started,
            report,
        )
        progress(_indexed(stored, report, kept=0))
        return stored, report

    def extend(
        self,
        base: StoredIndex,
        kept: int,
        version: LibraryVersion,
        progress: Progress,
        cancel: threading.Event | None = None,
    ) -> tuple[StoredIndex, BuildReport]:
        """``base``, whose articles are the first ``kept`` of ``version``'s, extended by the
        others only: their vectors are appended to a copy of its vector store, their tokens to
        its BM25 documents, their words to its names; nothing of ``base``'s articles is read
        or derived again."""
        started = time.perf_counter()
        rows = base.manifest.passages
        new, report = self._new_articles(
            version.articles[kept:], rows, len(base.sentences), progress, cancel
        )
        extended = _NewArticles(
            articles=[*base.articles, *new.articles],
            passages=[*base.passages, *new.passages],
            sentences=[*base.sentences, *new.sentences],
            sentence_rows=[base.sentence_rows, *new.sentence_rows],
            vectors=new.vectors,
            sentence_vectors=base.sentence_vectors.appended(np.asarray(new.sentence_vectors)),
            tokens=new.tokens,
            sections=tuple(dict.fromkeys((*base.manifest.sections, *new.sections))),
            texts=new.texts,
        )
        searchable = _Searchable(
            base.vectors.extended(new.vectors, [p.article_id for p in new.passages]),
            base.lexical.extended(new.tokens),
            base.names.extended(new.texts, new.sections),
        )
        stored = self._stored(version, extended, searchable, started, report)
        progress(_indexed(stored, report, kept))
        return stored, dataclasses.replace(report, served_rows=rows)

    def _new_articles(
        self,
        records: Sequence[ArticleRecord],
        first_row: int,
        first_sentence: int,
        progress: Progress,
        cancel: threading.Event | None,
    ) -> tuple[_NewArticles, BuildReport]:
        """The passages, sentences and vectors of ``records``, numbered from ``first_row``
        and ``first_sentence`` on."""
        parts, report = self._article_vectors(records, progress, cancel)
        articles, passages, sentences, sentence_rows = [], [], [], []
        rows = first_row
        for record, vectors in zip(records, parts, strict=True):
            span = range(rows, rows + len(vectors.passages))
            articles.append(IndexedArticle(record, span))
            passages += [_owned(p, record.id, record.title) for p in vectors.passages]
            sentences += vectors.sentences
            sentence_rows.append(article_sentence_rows(vectors.passages, first_sentence))
            rows, first_sentence = span.stop, first_sentence + len(vectors.sentences)
        new = _NewArticles(
            articles=articles,
            passages=passages,
            sentences=sentences,
            sentence_rows=sentence_rows,
            vectors=_stack([v.passage_vectors for v in parts], self.embedder.dimension),
            sentence_vectors=SegmentedMatrix.of(
                _stack([v.sentence_vectors for v in parts], self.embedder.dimension)
            ),
            tokens=[t for v in parts for t in v.tokens],
            sections=tuple(dict.fromkeys(p.section for p in passages if p.section)),
            texts=[p.text for p in passages],
        )
        return new, report

    def _stored(
        self,
        version: LibraryVersion,
        index: _NewArticles,
        searchable: _Searchable,
        started: float,
        report: BuildReport,
    ) -> StoredIndex:
        """The index of ``version`` from its parts, with its manifest."""
        titles = [a.title for a in version.articles]
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            build_id=uuid.uuid4().hex[:8],
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            passages=len(index.passages),
            sentences=len(index.sentences),
            index_type=searchable.vectors.kind,
            library_version=version.number,
            library_fingerprint=version.fingerprint,
            articles=len(index.articles),
            title=titles[0] if len(titles) == 1 else f"{len(titles)} articles",
            sections=index.sections,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
            embedded_texts=report.texts_embedded,
        )
        return StoredIndex(
            manifest,
            tuple(index.articles),
            tuple(index.passages),
            searchable.vectors,
            tuple(index.sentences),
            index.sentence_vectors,
            searchable.lexical,
            searchable.names,
            np.concatenate(index.sentence_rows) if index.sentence_rows else np.zeros(0, np.int64),
        )

    def _article_vectors(
        self,
        records: Sequence[ArticleRecord],
        progress: Progress,
        cancel: threading.Event | None,
    ) -> tuple[list[ArticleVectors], BuildReport]:
        """Each article's vectors: every model's from its cache or embedded now (and then
        cached), stacked (see :meth:`FusedEmbedder.stack`)."""
        distinct = list({a.sha256: a for a in records}.values())
        found = {
            key: {a.sha256: cache.get(a.sha256) for a in distinct}
            for key, cache in self.caches.items()
        }
        missing = [a for a in distinct if any(found[key][a.sha256] is None for key in found)]
        embedded = 0
        if missing:
            progress(f"embedding {len(missing)} of {len(records)} articles")
            texts = [self.library.stored_text(a) for a in missing]
            chunked = chunk_articles(texts, self.embedder)
            languages = [
                a.language or article_language(t) for a, t in zip(missing, texts, strict=True)
            ]
            for key, part in self.embedder.parts.items():
                wanted = [i for i, a in enumerate(missing) if found[key][a.sha256] is None]
                vectors, count = embed_articles(
                    [chunked[i] for i in wanted],
                    [languages[i] for i in wanted],
                    part,
                    key in self.passages_from_sentences,
                    cancel,
                )
                embedded += count
                for i, article in zip(wanted, vectors, strict=True):
                    self.caches[key].put(missing[i].sha256, article)
                    found[key][missing[i].sha256] = article
        parts = [self._stacked([found[key][a.sha256] for key in found]) for a in records]
        return parts, BuildReport(tuple(a.sha256 for a in missing), embedded)

    def _stacked(self, per_model: list[ArticleVectors | None]) -> ArticleVectors:
        """One article's vectors of every model as one (its passages are the first model's)."""
        first = per_model[0]
        assert first is not None and all(v is not None for v in per_model)
        return dataclasses.replace(
            first,
            passage_vectors=self.embedder.stack([v.passage_vectors for v in per_model]),
            sentence_vectors=self.embedder.stack([v.sentence_vectors for v in per_model]),
        )

    def sanity_check(
        self,
        stored: StoredIndex,
        fresh: Sequence[str] = (),
        cancel: threading.Event | None = None,
        served_rows: int = 0,
    ) -> float:
        """The build's gate: see :func:`~retrieval.index.sanity.sanity_check`."""
        return sanity_check(self.embedder, stored, fresh, cancel, served_rows)


def _owned(passage: Passage, article_id: str, title: str) -> Passage:
    """A cached passage as part of one article: its id prefixed, the article named."""
    return dataclasses.replace(
        passage, id=f"{article_id}-{passage.id}", article_id=article_id, article_title=title
    )


def _shared_prefix(previous: StoredIndex, articles: Sequence[ArticleRecord]) -> int:
    """How many leading articles ``previous`` indexed identically (all of its own, or 0)."""
    before = [(a.record.id, a.record.sha256) for a in previous.articles]
    after = [(a.id, a.sha256) for a in articles[: len(before)]]
    return len(before) if before == after and len(articles) > len(before) else 0


def _stack(parts: list[np.ndarray], dimension: int) -> np.ndarray:
    if not parts:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)
