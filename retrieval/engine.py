"""The engine: loads or builds the index once, answers questions, rebuilds and swaps safely."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .answer.answerability import AnswerabilityModel, load_model
from .answer.combine import combine
from .answer.tuning import Tuning, load_tuning
from .core.errors import (
    ArticleEmpty,
    ArticleNotFound,
    IndexCorrupt,
    IndexStale,
    LibraryUnavailable,
    RebuildCancelled,
    ReindexInProgress,
    RetrievalError,
)
from .core.settings import EngineSettings, HasEngineSettings, engine_settings
from .core.types import Answer
from .index import store
from .index.backends import vector_backend
from .index.builder import IndexBuilder, Progress
from .index.embedders import load_embedders
from .index.embedding import Embedder, model_slug
from .index.fusion import FusedEmbedder, FusionConfig, load_fusion
from .index.sanity import SANITY_MIN_RATE
from .index.wordcache import WordCache
from .library.catalog import (
    ArticleRecord,
    Library,
    LibraryVersion,
)
from .library.chunking import article_title
from .library.server_files import current_library
from .pipeline import Pipeline
from .question.conversation import Turn
from .question.focus import WordVectors
from .question.overview import OverviewRecognizer
from .question.parts import parts_of
from .question.validate import validate_question
from .snapshot import LibraryChange, Snapshot
from .text import language

log = logging.getLogger(__name__)

# The new words a build embeds once it serves (about 1 ms each); more are embedded as answers
# meet them.
LEARNED_WORDS_PER_BUILD = 5000

__all__ = ["SANITY_MIN_RATE", "Engine"]


class Engine:
    """Question answering over a library of articles. Thread-safe: answers never wait for a
    rebuild or a change to the library, which are serialised (one at a time)."""

    def __init__(
        self,
        settings: EngineSettings | HasEngineSettings,
        embedder: Embedder | FusedEmbedder | None = None,
        model: AnswerabilityModel | None = None,
        fusion: FusionConfig | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        """``embedder`` (one model, or several fused) replaces EMBEDDERS' models, ``model``
        the fitted answerability model, ``fusion`` the fitted signal weights and ``tuning``
        the hand-chosen numbers (``tuning.json``)."""
        self.settings = engine_settings(settings)
        store.check_inputs(self.settings)
        language.warm_up(self.settings.model_cache_dir)
        fusion = fusion or load_fusion()
        self.embedder = (
            FusedEmbedder.of(embedder, fusion)
            if embedder is not None
            else load_embedders(self.settings, fusion)
        )
        words = self.embedder.words
        self.words = WordVectors(
            words.encode,
            WordCache(settings.index_dir / "vectors" / model_slug(words.name), words.dimension),
        )
        tuning = tuning or load_tuning()
        overview = OverviewRecognizer(
            self.embedder, tuning.overview_threshold, tuning.fact_threshold
        )
        overview.warm_up()
        self.pipeline = Pipeline(
            tuning, self.words, model or load_model(), self.settings.top_k, overview, self.embedder
        )
        self.library = Library(settings.library_dir, keep=settings.library_versions)
        self.vectors = vector_backend(self.settings, self.embedder.layout, self.embedder.name)
        self.builder = IndexBuilder(
            self.library, settings.index_dir / "vectors", self.embedder, vectors=self.vectors
        )
        self._words_known: dict[str, bool] = {}
        self._snapshot: Snapshot | None = None
        self._swap_lock = threading.Lock()
        self._rebuild_lock = threading.Lock()
        self._first_load_lock = threading.Lock()
        self.outdated: str | None = None  # why the index served may not match the library

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
            words = self.embedder.words
            pieces = words.count_tokens(word) - words.count_tokens("")
            self._words_known[word] = pieces == 1
        return self._words_known[word]

    @property
    def rebuilding(self) -> bool:
        """Whether a rebuild or a library change is running right now."""
        return self._rebuild_lock.locked()

    # --- the library ----------------------------------------------------------------------

    def articles(self) -> tuple[ArticleRecord, ...]:
        """The articles of the published library, in order."""
        return self.library.articles()

    def article_text(self, article_id: str) -> str:
        """The stored text of one article (citations' offsets point into it)."""
        return self.library.text(article_id)

    def add_article(
        self,
        text: str,
        *,
        source: str,
        title: str | None = None,
        added_by: int | None = None,
        extractor: str = "text",
        original: bytes | None = None,
        original_name: str | None = None,
        replace: str | None = None,
        server_path: Path | None = None,
        progress: Progress | None = None,
        author: str | None = None,
        published: str | None = None,
    ) -> LibraryChange:
        """Add an article (or, with ``replace``, a new revision of that article), build the
        index of the new library, check it and swap it in. On any failure the library and the
        serving index stay as they were.

        ``text`` is stored as given; citations' offsets point into it. ``server_path`` marks
        an article read from a file on the server: rebuilds read that file again. ``author``
        and ``published`` are what the document says about itself (see :class:`ArticleRecord`).
        """
        started = time.perf_counter()
        with self._exclusive():
            current = self._library_now()
            replaced = current.article(replace) if replace else None
            record = self.library.store(
                text,
                title=title or article_title(text),
                source=source,
                added_by=added_by,
                extractor=extractor,
                original=original,
                original_name=original_name,
                server_path=server_path,
                replaces=replaced,
                author=author,
                published=published,
            )
            change = f"{'replace' if replaced else 'add'} {record.id}"
            snapshot = self._publish_version(current.with_article(record, change), progress)
        action = "replaced" if replaced else "added"
        return LibraryChange(action, record, snapshot, time.perf_counter() - started)

    def remove_article(self, article_id: str, progress: Progress | None = None) -> LibraryChange:
        """Remove an article from the library and swap in the index without it."""
        started = time.perf_counter()
        with self._exclusive():
            current = self._library_now()
            record = current.article(article_id)
            if len(current.articles) == 1:
                raise LibraryUnavailable("the library can't be empty: add another article first")
            version = current.without(article_id, f"remove {article_id}")
            snapshot = self._publish_version(version, progress)
        return LibraryChange("removed", record, snapshot, time.perf_counter() - started)

    def rollback(self, progress: Progress | None = None) -> LibraryChange:
        """Undo the last change to the library by publishing its previous version again."""
        started = time.perf_counter()
        with self._exclusive():
            self._library_now()
            target = self.library.previous()
            snapshot = self._publish_version(target, progress, rollback=True)
        return LibraryChange("rolled back", None, snapshot, time.perf_counter() - started)

    # --- the index --------------------------------------------------------------------------

    def load_or_build(
        self, progress: Progress | None = None, serve_stale: bool = False
    ) -> Snapshot:
        """Serve the persisted index if it is the library's current one, else rebuild it.

        A missing, corrupt or stale index (other model, changed library or server file) is
        rebuilt from the cached vectors, with a log line saying why. With ``serve_stale`` (the
        bot's start-up), an index of another library version serves at once, :attr:`outdated`
        says why it may be out of date, and the caller rebuilds. With an empty library and
        ``ARTICLE_PATH`` gone or empty, a saved index this model built still serves.
        """
        with self._exclusive():
            try:
                version = self._library_now()
                stored = self._load_saved(version.fingerprint)
            except (ArticleNotFound, ArticleEmpty) as missing:
                return self._serve_saved_despite(missing)
            except (IndexCorrupt, IndexStale) as reason:
                if serve_stale and isinstance(reason, IndexStale):
                    with contextlib.suppress(IndexCorrupt, IndexStale):
                        snapshot = self._serve_saved_despite(reason)
                        self.outdated = str(reason)
                        return snapshot
                log.warning("rebuilding the index in %s: %s", self.settings.index_dir, reason)
                return self._publish_version(version, progress)
        if self.outdated:
            log.warning(
                "%s; serving the index built at %s", self.outdated, stored.manifest.built_at
            )
        return self._publish(Snapshot.of(stored, self.embedder))

    def _serve_saved_despite(self, reason: RetrievalError) -> Snapshot:
        """Serve the saved index without comparing it with the library; ``reason`` is raised
        when there is none this model can serve."""
        try:
            stored = self._load_saved(fingerprint=None)
        except (IndexCorrupt, IndexStale) as unusable:
            raise reason from unusable
        log.warning("%s; serving the index built at %s", reason, stored.manifest.built_at)
        return self._publish(Snapshot.of(stored, self.embedder))

    def _load_saved(self, fingerprint: str | None) -> store.StoredIndex:
        """The saved index if this model built it (and from this library, when given)."""
        stored = store.load(self.settings.index_dir, self.vectors)
        store.check_current(
            stored.manifest,
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            fingerprint=fingerprint,
        )
        return stored

    def rebuild(
        self, progress: Progress | None = None, cancel: threading.Event | None = None
    ) -> Snapshot:
        """Build the index of the library again (server files re-read), check it, swap it in.

        Setting ``cancel`` abandons the build at its next batch of embeddings with
        :class:`RebuildCancelled`, leaving the library and the published index as they were.
        """
        with self._exclusive():
            version = self._library_now(strict=True)
            return self._publish_version(version, progress, fresh=True, cancel=cancel)

    def build(
        self, progress: Progress, cancel: threading.Event | None = None
    ) -> store.StoredIndex:
        """The index of the published library (seeded if empty), in memory; the index folder
        is not written."""
        return self.builder.build(self._library_now(), progress, cancel)[0]

    def sanity_check(
        self,
        snapshot: Snapshot,
        fresh: tuple[str, ...] = (),
        cancel: threading.Event | None = None,
    ) -> float:
        """The share of checked passages whose opening sentence finds them (see
        :meth:`IndexBuilder.sanity_check`; ``fresh``: sha256 of articles to check in full)."""
        return self.builder.sanity_check(snapshot.stored, fresh, cancel)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the one-writer lock, or raise :class:`ReindexInProgress` at once."""
        if not self._rebuild_lock.acquire(blocking=False):
            raise ReindexInProgress("a rebuild or a library change is already running")
        try:
            yield
        finally:
            self._rebuild_lock.release()

    def _library_now(self, strict: bool = False) -> LibraryVersion:
        """The published library, seeded from ARTICLE_PATH when empty, with every article from
        a server file read again (see :func:`current_library`)."""
        current = current_library(self.library, self.settings.article_path, strict)
        if current.outdated:
            self.outdated = current.outdated
        return current.version

    def _publish_version(
        self,
        version: LibraryVersion,
        progress: Progress | None,
        *,
        rollback: bool = False,
        fresh: bool = False,
        cancel: threading.Event | None = None,
    ) -> Snapshot:
        """Build ``version``'s index, check it, then publish the library and the index."""
        progress = progress or log.info
        store.check_writable(self.settings.index_dir)
        self.vectors.check()
        previous = self._snapshot.stored if self._snapshot and not fresh else None
        stored, report = self.builder.update(version, progress, previous, cancel)
        self.builder.sanity_check(stored, report.embedded, cancel, report.served_rows)
        snapshot = Snapshot.of(stored, self.embedder)
        if cancel is not None and cancel.is_set():
            raise RebuildCancelled("the rebuild was cancelled; the published index is unchanged")
        # The library first: a crash before the index is saved leaves a stale index, which the
        # next start rebuilds from the cache.
        if rollback:
            self.library.rollback()
        elif version.number != self.library.current().number:
            self.library.publish(version)
        served = previous.manifest if previous and report.served_rows else None
        store.save(stored, self.settings.index_dir, served)
        self.outdated = None
        self._publish(snapshot)
        # Once it serves: the words of the new English articles, which the focus rules weigh.
        fresh = [
            a.rows
            for a in stored.articles
            if a.record.sha256 in report.embedded and language.english(a.record.language)
        ]
        self.words.learn(
            (stored.passages[i].text for rows in fresh for i in rows), LEARNED_WORDS_PER_BUILD
        )
        return snapshot

    def _publish(self, snapshot: Snapshot) -> Snapshot:
        with self._swap_lock:
            self._snapshot = snapshot
        return snapshot

    # --- answers ----------------------------------------------------------------------------

    def answer(
        self, question: str, history: Sequence[Turn] = (), article_id: str | None = None
    ) -> Answer:
        """Answer one question from the library (or from one article of it), as a follow-up
        of ``history`` if given."""
        return self.answer_many([question], [history], article_id=article_id)[0]

    def answer_many(
        self,
        questions: Sequence[str],
        histories: Sequence[Sequence[Turn]] | None = None,
        article_id: str | None = None,
    ) -> list[Answer]:
        """Answer several questions with one embedding call (they share the model's batch).

        ``histories`` holds each question's conversation so far (oldest turn first); a
        question that leans on it is searched as a standalone rewrite (``Answer.searched``).
        With ``article_id``, only that article's passages are searched.
        """
        questions = [validate_question(q, self.settings.max_question_chars) for q in questions]
        histories = [()] * len(questions) if histories is None else histories
        # A two-part question is answered part by part, in the same batch, then joined.
        split = [parts_of(q) for q in questions]
        answers = iter(
            self.pipeline.answer_all(
                self.snapshot,  # one snapshot for the whole batch, even if a swap happens
                [p for parts in split for p in parts],
                [h for parts, h in zip(split, histories, strict=True) for _ in parts],
                article_id,
                self.is_word,
            )
        )
        return [
            combine(q, [next(answers) for _ in parts]) if len(parts) > 1 else next(answers)
            for q, parts in zip(questions, split, strict=True)
        ]
