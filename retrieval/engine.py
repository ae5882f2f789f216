"""The engine: loads or builds the index once, answers questions, rebuilds and swaps safely."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from . import store
from .analysis import Analysis, analyse
from .answer import AnswerPolicy, asks_for_overview, compose, overview
from .answerability import load_model
from .chunking import article_title, chunk_article, read_article, source_hash
from .conversation import Turn
from .embedding import Embedder, load_embedder
from .entities import EntityLexicon
from .errors import (
    ArticleEmpty,
    ArticleNotFound,
    IndexCorrupt,
    IndexStale,
    IndexUnavailable,
    InvalidQuestion,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
    SanityCheckFailed,
)
from .focus import WordVectors, content_words
from .followup import Rewrite, rewrite
from .names import NameBook
from .questions import normalize_question
from .rerank import POOL, rerank
from .search import HybridSearcher
from .settings import Settings
from .types import Answer, Passage

log = logging.getLogger(__name__)

SANITY_TOP = 3
SANITY_MIN_RATE = 0.85
CANCEL_CHECK_EVERY = 128  # texts embedded between two looks at a rebuild's cancel flag
Progress = Callable[[str], None]


def validate_question(question: str, max_chars: int) -> str:
    """The question cleaned by :func:`normalize_question`, or :class:`InvalidQuestion`."""
    question = normalize_question(question)
    if not question:
        raise InvalidQuestion("the question is empty")
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"the question is {len(question)} characters long; the limit is {max_chars}"
        )
    return question


def check_inputs(settings: Settings) -> None:
    """Fail in milliseconds, before the model loads (or is exported), when the index folder
    is not a folder, or when there is neither an article nor a saved index to serve."""
    index_dir = settings.index_dir
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUnavailable(f"the index folder {index_dir} is not a folder")
    try:
        store.read_manifest(index_dir)
    except IndexCorrupt:
        read_article(settings.article_path)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded index, never mutated: swapping snapshots is how a rebuild goes live."""

    stored: store.StoredIndex
    searcher: HybridSearcher
    names: NameBook
    by_id: dict[str, Passage]
    entities: EntityLexicon

    @classmethod
    def of(cls, stored: store.StoredIndex) -> Snapshot:
        """Wrap a stored index with its search structures."""
        searcher = HybridSearcher(
            stored.passages, stored.vectors, stored.sentences, stored.sentence_vectors
        )
        names = NameBook([*(p.text for p in stored.passages), *stored.manifest.sections])
        by_id = {p.id: p for p in stored.passages}
        return cls(stored, searcher, names, by_id, EntityLexicon(stored.passages))

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id in this index, if there is one."""
        return self.by_id.get(passage_id)

    @property
    def manifest(self) -> store.Manifest:
        """The manifest of this index."""
        return self.stored.manifest


class Engine:
    """Question answering over one article. Thread-safe: answers never wait for a rebuild."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        check_inputs(settings)
        self.embedder = embedder or load_embedder(settings)
        self.policy = AnswerPolicy()
        self.model = load_model()
        self.words = WordVectors(self.embedder.encode)
        self._words_known: dict[str, bool] = {}
        self._snapshot: Snapshot | None = None
        self._swap_lock = threading.Lock()
        self._rebuild_lock = threading.Lock()
        self._first_load_lock = threading.Lock()
        self.outdated: str | None = None  # why the index served may not match the article

    @property
    def loaded(self) -> bool:
        """Whether an index is serving already."""
        return self._snapshot is not None

    @property
    def snapshot(self) -> Snapshot:
        """The index currently serving answers, loaded (or built) on first use."""
        if self._snapshot is None:
            with self._first_load_lock:  # two first askers must not both load or build
                if self._snapshot is None:
                    self.load_or_build()
        assert self._snapshot is not None
        return self._snapshot

    def is_word(self, word: str) -> bool:
        """Whether the model's vocabulary holds ``word`` whole: a common English word, which a
        near-miss of a name ("price" for "Prime") must not be corrected from."""
        if word not in self._words_known:
            pieces = self.embedder.count_tokens(word) - self.embedder.count_tokens("")
            self._words_known[word] = pieces == 1
        return self._words_known[word]

    @property
    def rebuilding(self) -> bool:
        """Whether a rebuild is running right now."""
        return self._rebuild_lock.locked()

    def load_or_build(
        self, progress: Progress | None = None, serve_stale: bool = False
    ) -> Snapshot:
        """Serve the persisted index if it is current, else rebuild it and say why.

        With the article gone, a persisted index built by this model still serves, with a
        warning: losing the source file should not take the bot down. With ``serve_stale``
        (the bot's start-up), so does one whose article changed or became empty: it serves at
        once, :attr:`outdated` says why it may be out of date, and the caller rebuilds.
        """
        try:
            source_sha256 = source_hash(read_article(self.settings.article_path))
            stored = self._load_saved(source_sha256)
        except ArticleNotFound as missing:
            return self._serve_saved_despite(missing)
        except (ArticleEmpty, IndexCorrupt, IndexStale) as reason:
            if serve_stale and not isinstance(reason, IndexCorrupt):
                with contextlib.suppress(IndexCorrupt, IndexStale):
                    snapshot = self._serve_saved_despite(reason)
                    self.outdated = str(reason)
                    return snapshot
            if isinstance(reason, ArticleEmpty):
                raise
            log.warning("rebuilding the index in %s: %s", self.settings.index_dir, reason)
            return self.rebuild(progress)
        return self._publish(Snapshot.of(stored))

    def _serve_saved_despite(self, reason: RetrievalError) -> Snapshot:
        """Serve the saved index without comparing it with the article (gone, empty, changed);
        ``reason`` is raised when there is none this model can serve."""
        try:
            stored = self._load_saved(source_sha256=None)
        except (IndexCorrupt, IndexStale) as unusable:
            raise reason from unusable
        log.warning("%s; serving the index built at %s", reason, stored.manifest.built_at)
        return self._publish(Snapshot.of(stored))

    def _load_saved(self, source_sha256: str | None) -> store.StoredIndex:
        """The saved index if this model built it (and from this source, when given)."""
        stored = store.load(self.settings.index_dir)
        store.check_current(
            stored.manifest,
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            source_sha256=source_sha256,
        )
        return stored

    def rebuild(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> Snapshot:
        """Build a new index from the article, check it, persist it and swap it in.

        Setting ``cancel`` abandons the build at its next batch of embeddings with
        :class:`RebuildCancelled`, leaving the published index as it was.
        """
        if not self._rebuild_lock.acquire(blocking=False):
            raise ReindexInProgress("a rebuild is already running")
        cancel = cancel or threading.Event()
        try:
            store.check_writable(self.settings.index_dir)
            snapshot = Snapshot.of(self.build(progress or log.info, cancel))
            self.sanity_check(snapshot, cancel)
            _raise_if_cancelled(cancel)
            store.save(snapshot.stored, self.settings.index_dir)
            self.outdated = None
            return self._publish(snapshot)
        finally:
            self._rebuild_lock.release()

    def _encode(self, texts: list[str], cancel: threading.Event | None) -> np.ndarray:
        """Embed ``texts`` in slices, looking at ``cancel`` before each."""
        parts = []
        for start in range(0, len(texts), CANCEL_CHECK_EVERY):
            if cancel is not None:
                _raise_if_cancelled(cancel)
            parts.append(self.embedder.encode(texts[start : start + CANCEL_CHECK_EVERY]))
        return np.concatenate(parts) if parts else self.embedder.encode([])

    def build(
        self, progress: Progress, cancel: threading.Event | None = None
    ) -> store.StoredIndex:
        """Read, chunk and embed the article into an in-memory index."""
        started = time.perf_counter()
        path = self.settings.article_path
        source = read_article(path)
        passages = tuple(
            chunk_article(
                source,
                max_tokens=self.embedder.max_tokens,
                count_tokens=self.embedder.count_tokens,
            )
        )
        progress(f"read {path}: {len(passages)} passages")
        vectors = self._encode([p.text for p in passages], cancel)
        sentences = store.distinct_sentences(passages)
        sentence_vectors = self._encode([s.text for s in sentences], cancel)
        progress(f"embedded {len(passages)} passages and {len(sentences)} sentences")
        index = store.make_vector_index(vectors)
        sections = tuple(dict.fromkeys(p.section for p in passages if p.section))
        manifest = store.Manifest(
            format_version=store.FORMAT_VERSION,
            build_id=uuid.uuid4().hex[:8],
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            passages=len(passages),
            sentences=len(sentences),
            index_type=store.index_type_name(index),
            source_sha256=source_hash(source),
            source_path=str(path),
            title=article_title(source),
            sections=sections,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
        )
        return store.StoredIndex(manifest, passages, index, sentences, sentence_vectors)

    def sanity_check(self, snapshot: Snapshot, cancel: threading.Event | None = None) -> float:
        """Check that nearly every passage's opening sentence finds that passage in the top 3.

        The search is dense only: BM25 is rebuilt from the passages and would find them on its
        own, hiding vectors that are wrong or mapped to the wrong passages.
        """
        passages = snapshot.stored.passages
        vectors = self._encode([p.sentences[0].text for p in passages], cancel)
        _, ids = snapshot.stored.vectors.search(vectors, min(SANITY_TOP, len(passages)))
        rate = sum(i in row for i, row in enumerate(ids.tolist())) / len(passages)
        if rate < SANITY_MIN_RATE:
            raise SanityCheckFailed(
                f"only {rate:.0%} of passages find themselves in the top {SANITY_TOP}"
            )
        return rate

    def _publish(self, snapshot: Snapshot) -> Snapshot:
        with self._swap_lock:
            self._snapshot = snapshot
        return snapshot

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """Answer one question from the article, as a follow-up of ``history`` if given."""
        return self.answer_many([question], [history])[0]

    def answer_many(
        self, questions: Sequence[str], histories: Sequence[Sequence[Turn]] | None = None
    ) -> list[Answer]:
        """Answer several questions with one embedding call (they share the model's batch).

        ``histories`` holds each question's conversation so far (oldest turn first); a
        question that leans on it is searched as a standalone rewrite (``Answer.searched``).
        """
        questions = [validate_question(q, self.settings.max_question_chars) for q in questions]
        histories = [()] * len(questions) if histories is None else histories
        snapshot = self.snapshot  # one snapshot for the whole batch, even if a swap happens
        read = [
            _read(q, h, snapshot, self.is_word) for q, h in zip(questions, histories, strict=True)
        ]
        analyses = [analysis for analysis, _ in read]
        # The focus words not seen before ride along in the questions' model call.
        new_words = [
            w for w in dict.fromkeys(w for a in analyses for w in a.focus) if w not in self.words
        ]
        vectors = self.embedder.encode([a.searched for a in analyses] + new_words)
        self.words.known(dict(zip(new_words, vectors[len(analyses) :], strict=True)))
        return [self._answer(snapshot, a, f, v) for (a, f), v in zip(read, vectors, strict=False)]

    def _answer(
        self, snapshot: Snapshot, analysis: Analysis, followup: Rewrite, vector: np.ndarray
    ) -> Answer:
        if asks_for_overview(analysis.question):
            return overview(analysis.question, snapshot.stored.passages[0])
        searcher = snapshot.searcher
        shortlist = searcher.search(vector, analysis.searched, max(POOL, self.settings.top_k))
        asked = content_words(analysis.searched)
        return compose(
            analysis,
            vector,
            rerank(shortlist, asked, self.words, self.settings.top_k),
            searcher.sentence_vector,
            self.policy,
            self.words,
            self.model,
            avoid=followup.avoid,
        )


def _raise_if_cancelled(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise RebuildCancelled("the rebuild was cancelled; the published index is unchanged")


def _read(
    question: str, history: Sequence[Turn], snapshot: Snapshot, is_word: Callable[[str], bool]
) -> tuple[Analysis, Rewrite]:
    """The analysis of the question, or of its standalone rewrite when it is a follow-up."""
    analysis = analyse(question, snapshot.names, is_word)
    if not history or analysis.language is not None or asks_for_overview(question):
        return analysis, Rewrite(analysis.searched)
    followup = rewrite(analysis.searched, history, snapshot.entities)
    if followup.query == analysis.searched:
        return analysis, followup
    again = analyse(followup.query, snapshot.names, is_word)
    corrections = (*analysis.corrections, *again.corrections)
    return replace(again, question=question, corrections=corrections), followup
