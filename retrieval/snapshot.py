"""A loaded index with its search structures, and the outcome of a change to the library."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .core.errors import ArticleUnknown
from .core.types import Passage
from .index import store
from .index.fusion import FusedEmbedder, FusionConfig
from .library.catalog import ArticleRecord
from .question.entities import EntityLexicon
from .search.hybrid import HybridSearcher
from .text.language import article_language, english
from .text.names import NameBook


class BackgroundLexicon:
    """The follow-up name lexicon of a snapshot, built in a thread of its own as the snapshot
    is made, and waited for only by the first follow-up that needs it before it is done: over
    73k distinct passages it takes seconds, which neither the start-up nor an add should wait
    for (the name book, which every question needs, is saved with the index instead)."""

    def __init__(self, build: Callable[[], EntityLexicon]) -> None:
        self._build = build
        self._value: EntityLexicon | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self.get, name="entity-lexicon", daemon=True).start()

    def get(self) -> EntityLexicon:
        """The lexicon, built on the first call (later calls wait for it, then share it)."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> BackgroundLexicon:
        """The lexicon of these passages, building from now."""
        return cls(lambda: EntityLexicon(passages))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded index, never mutated: swapping snapshots is how a change goes live."""

    stored: store.StoredIndex
    searcher: HybridSearcher
    names: NameBook
    by_id: dict[str, Passage]
    lexicon: BackgroundLexicon
    rows: dict[str, range]
    english_library: bool  # every article is recorded in English (or with no language)
    languages: dict[str, str | None] = field(default_factory=dict)  # filled by language_of

    @classmethod
    def of(cls, stored: store.StoredIndex, embedder: FusedEmbedder | None = None) -> Snapshot:
        """Wrap a stored index with its search structures, weighed and its vectors laid out as
        ``embedder``'s (the default fusion's, one block, when not given)."""
        fusion = embedder.config if embedder else FusionConfig()
        searcher = HybridSearcher(
            stored.passages,
            stored.vectors,
            stored.sentence_vectors,
            stored.sentence_rows,
            stored.lexical,
            passage_weight=fusion.passage_weight,
            lexical_weight=fusion.lexical_weight,
            saturation=fusion.saturation,
            languages=[(a.rows, a.record.language) for a in stored.articles],
            cross_language=fusion.cross_language,
            layout=embedder.layout if embedder else None,
        )
        rows = {a.record.id: a.rows for a in stored.articles}
        by_id = {p.id: p for p in stored.passages}
        english_library = all(english(a.record.language) for a in stored.articles)
        lexicon = BackgroundLexicon.of(stored.passages)
        return cls(stored, searcher, stored.names, by_id, lexicon, rows, english_library)

    @property
    def entities(self) -> EntityLexicon:
        """The names of the library's articles, for follow-ups (built in the background)."""
        return self.lexicon.get()

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id in this index, if there is one."""
        return self.by_id.get(passage_id)

    @property
    def manifest(self) -> store.Manifest:
        """The manifest of this index."""
        return self.stored.manifest

    @property
    def articles(self) -> tuple[ArticleRecord, ...]:
        """The articles this index answers from, in library order."""
        return tuple(a.record for a in self.stored.articles)

    def article(self, article_id: str) -> ArticleRecord | None:
        """The record of one article of this index, if it has that article."""
        return next((a for a in self.articles if a.id == article_id), None)

    def article_at(self, rows: range | None) -> ArticleRecord:
        """The article whose passages are ``rows`` (None: the library's first article)."""
        if rows is None:
            return self.articles[0]
        return next(a.record for a in self.stored.articles if a.rows == rows)

    def language_of(self, article_id: str) -> str | None:
        """The ISO 639-1 code of one article's language: as recorded, or (for an article
        recorded before languages were) identified from its passages once, on first use."""
        if article_id not in self.languages:
            record = self.article(article_id)
            language = record.language if record else None
            if record is not None and language is None:
                rows = self.rows[article_id]
                opening = " ".join(
                    p.text for p in self.stored.passages[rows.start : rows.stop][:20]
                )
                language = article_language(opening)
            self.languages[article_id] = language
        return self.languages[article_id]

    def in_english(self, article_id: str | None) -> bool:
        """Whether the article searched (None: every article) is in English, where the English
        model's similarity fits every passage."""
        return english(self.language_of(article_id)) if article_id else self.english_library

    def article_rows(self, article_id: str | None) -> range | None:
        """The passage rows of one article (None: the whole library), or
        :class:`ArticleUnknown` when this index has no such article."""
        if article_id is None:
            return None
        if article_id not in self.rows:
            raise ArticleUnknown(f"no article with id {article_id!r}")
        return self.rows[article_id]


@dataclass(frozen=True, slots=True)
class LibraryChange:
    """The outcome of a change to the library, once its index is serving."""

    action: str  # "added", "replaced", "removed", "rolled back", "rebuilt"
    article: ArticleRecord | None
    snapshot: Snapshot
    seconds: float
