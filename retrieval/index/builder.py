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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..core.errors import RebuildCancelled, SanityCheckFailed
from ..core.types import Passage
from ..library.catalog import ArticleRecord, Library, LibraryVersion
from ..library.chunking import chunk_article
from ..text.language import article_language
from ..text.names import NameBook
from .embedding import Embedder
from .fusion import FusedEmbedder
from .lexical import LexicalIndex, passage_tokens
from .store import FORMAT_VERSION, IndexedArticle, Manifest, StoredIndex, article_sentence_rows
from .vectorcache import ArticleVectors, VectorCache, distinct_sentences
from .vectorstore import FaissStore, VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
CANCEL_CHECK_EVERY = 128  # texts embedded between two looks at a rebuild's cancel flag
SANITY_TOP = 3
SANITY_MIN_RATE = 0.85
SANITY_SAMPLE = 200  # passages of articles embedded before, checked again
SANITY_MAX_DEPTH = 1024  # deepest search when passages repeat across articles
SANITY_FRESH = 2000  # passages of articles embedded now: all of them, up to this many


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one build embedded (for progress lines and the benchmark)."""

    embedded: tuple[str, ...]  # sha256 of the articles embedded by this build
    texts_embedded: int
    served_rows: int = 0  # leading passages taken over from the index being served


def encode(embedder: Embedder, texts: list[str], cancel: threading.Event | None) -> np.ndarray:
    """Embed ``texts`` in slices, raising :class:`RebuildCancelled` once ``cancel`` is set."""
    parts = []
    for start in range(0, len(texts), CANCEL_CHECK_EVERY):
        if cancel is not None and cancel.is_set():
            raise RebuildCancelled("the rebuild was cancelled; the published index is unchanged")
        parts.append(embedder.encode(texts[start : start + CANCEL_CHECK_EVERY]))
    return np.concatenate(parts) if parts else embedder.encode([])


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


class IndexBuilder:
    """Builds and checks indexes of library versions for one set of embedding models, each
    with its own per-article vector cache in ``cache_folder``."""

    def __init__(
        self,
        library: Library,
        cache_folder: Path,
        embedder: FusedEmbedder,
        passages_from_sentences: bool = False,
    ) -> None:
        self.library = library
        self.embedder = embedder
        # An entry's passages are cut to fit every model of the set: the set is part of its key.
        self.caches = {
            key: VectorCache(cache_folder, part.name, part.dimension, chunked_for=embedder.name)
            for key, part in embedder.parts.items()
        }
        self.passages_from_sentences = passages_from_sentences

    def build(
        self,
        version: LibraryVersion,
        progress: Progress,
        previous: StoredIndex | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[StoredIndex, BuildReport]:
        """The index of ``version``. When ``previous`` indexed a prefix of its articles (an add),
        it is extended by the new articles only: their vectors are appended to a copy of its
        vector store, their tokens to its BM25 documents, their words to its names; nothing
        of the other articles is read or derived again."""
        started = time.perf_counter()
        kept = _shared_prefix(previous, version.articles) if previous else 0
        base = previous if kept else None
        records = version.articles[kept:]
        parts, report = self._article_vectors(records, progress, cancel)
        report = dataclasses.replace(report, served_rows=base.manifest.passages if base else 0)
        articles = list(base.articles) if base else []
        rows = base.manifest.passages if base else 0
        first_sentence = len(base.sentences) if base else 0
        passages, sentences, sentence_rows = [], [], []
        for record, vectors in zip(records, parts, strict=True):
            span = range(rows, rows + len(vectors.passages))
            articles.append(IndexedArticle(record, span))
            passages += [_owned(p, record.id, record.title) for p in vectors.passages]
            sentences += vectors.sentences
            sentence_rows.append(article_sentence_rows(vectors.passages, first_sentence))
            rows, first_sentence = span.stop, first_sentence + len(vectors.sentences)
        new_vectors = _stack([v.passage_vectors for v in parts], self.embedder.dimension)
        tokens = [t for v in parts for t in v.tokens]
        new_sections = tuple(dict.fromkeys(p.section for p in passages if p.section))
        texts = [p.text for p in passages]
        if base is None:
            store: VectorStore = FaissStore.build(new_vectors)
            lexical = LexicalIndex.from_tokens(tokens)
            names = NameBook(texts, new_sections)
            sections: tuple[str, ...] = new_sections
        else:
            store = base.vectors.extended(new_vectors)
            lexical = base.lexical.extended(tokens)
            names = base.names.extended(texts, new_sections)
            sections = tuple(dict.fromkeys((*base.manifest.sections, *new_sections)))
            passages = [*base.passages, *passages]
            sentences = [*base.sentences, *sentences]
            sentence_rows.insert(0, base.sentence_rows)
        kept_vectors = [base.sentence_vectors] if base else []
        sentence_vectors = _stack(
            kept_vectors + [v.sentence_vectors for v in parts], self.embedder.dimension
        )
        titles = [a.title for a in version.articles]
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            build_id=uuid.uuid4().hex[:8],
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            passages=len(passages),
            sentences=len(sentences),
            index_type=store.kind,
            library_version=version.number,
            library_fingerprint=version.fingerprint,
            articles=len(articles),
            title=titles[0] if len(titles) == 1 else f"{len(titles)} articles",
            sections=sections,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
            embedded_texts=report.texts_embedded,
        )
        kept_note = f"; {kept} kept from the index served" if kept else ""
        progress(
            f"indexed {len(passages)} passages of {len(articles)} articles "
            f"({len(report.embedded)} embedded, {report.texts_embedded} texts{kept_note})"
        )
        stored = StoredIndex(
            manifest,
            tuple(articles),
            tuple(passages),
            store,
            tuple(sentences),
            sentence_vectors,
            lexical,
            names,
            np.concatenate(sentence_rows) if sentence_rows else np.zeros(0, np.int64),
        )
        return stored, report

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
                    self.passages_from_sentences,
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
        """Check that nearly every checked passage's opening sentence finds that passage in the
        top 3. Checked: the passages of the articles whose sha256 is in ``fresh`` (those just
        embedded; a sample when there are very many) and a sample of the others, so that the
        check stays cheap for a large library.

        The search is dense only: BM25 would find the passages on its own, hiding vectors that
        are wrong or mapped to the wrong passages. The opening sentences of passages read from
        the cache are embedded again, which checks the cached vectors against the model. The
        others' sentence vectors are read from the index: a fresh article's were embedded by
        this build a moment ago (embedding them again gives the same vectors), and the first
        ``served_rows`` passages come from the index being served, which passed this check
        when it was published; what is checked for them is that they still find their rows.
        """
        rng = np.random.default_rng(0)
        new = [i for a in stored.articles if a.record.sha256 in fresh for i in a.rows]
        others = np.setdiff1d(np.arange(len(stored.passages)), new)
        checked = {
            *rng.permutation(new)[:SANITY_FRESH].tolist(),
            *rng.permutation(others)[:SANITY_SAMPLE].tolist(),
        }
        known = set(new)
        cached = sorted(i for i in checked if i >= served_rows and i not in known)
        rows = cached + sorted(checked.difference(cached))
        openings = [stored.passages[i].sentences[0].text for i in cached]
        counts = (len(p.sentences) for p in stored.passages)
        first = np.concatenate([[0], np.cumsum(np.fromiter(counts, np.int64))])
        read = stored.sentence_vectors[stored.sentence_rows[first[rows[len(cached) :]]]]
        queries = np.vstack([encode(self.embedder, openings, cancel), read])
        texts = [p.text for p in stored.passages]
        owner = np.zeros(len(texts), dtype=np.int64)
        for number, article in enumerate(stored.articles):
            owner[article.rows.start : article.rows.stop] = number
        # A passage repeated in other articles has the same vector, and its copies can fill
        # the top 3: look deep enough, let the copies in other articles count as one result
        # (and as a find), but not copies within the passage's own article.
        copies = max(Counter(texts).values())
        depth = min(SANITY_TOP * copies, SANITY_MAX_DEPTH, len(texts))
        _, found = stored.vectors.search(queries, depth)
        hits = 0
        for row, top in zip(rows, found.tolist(), strict=True):
            keys = [(texts[i], i if owner[i] == owner[row] else -1) for i in top if i >= 0]
            best = list(dict.fromkeys(keys))[:SANITY_TOP]
            hits += (texts[row], row) in best or (texts[row], -1) in best
        rate = hits / max(1, len(rows))
        if rate < SANITY_MIN_RATE:
            raise SanityCheckFailed(
                f"only {rate:.0%} of passages find themselves in the top {SANITY_TOP}"
            )
        return rate


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
