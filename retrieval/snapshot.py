"""A loaded index with its search structures, and the outcome of a change to the library."""

from __future__ import annotations

from dataclasses import dataclass

from . import store
from .entities import EntityLexicon
from .errors import ArticleUnknown
from .library import ArticleRecord
from .names import NameBook
from .search import HybridSearcher
from .types import Passage


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded index, never mutated: swapping snapshots is how a change goes live."""

    stored: store.StoredIndex
    searcher: HybridSearcher
    names: NameBook
    by_id: dict[str, Passage]
    entities: EntityLexicon
    rows: dict[str, range]

    @classmethod
    def of(cls, stored: store.StoredIndex) -> Snapshot:
        """Wrap a stored index with its search structures."""
        searcher = HybridSearcher(
            stored.passages,
            stored.vectors,
            stored.sentence_vectors,
            stored.sentence_rows,
            stored.lexical,
        )
        rows = {a.record.id: a.rows for a in stored.articles}
        by_id = {p.id: p for p in stored.passages}
        entities = EntityLexicon(stored.passages)
        return cls(stored, searcher, stored.names, by_id, entities, rows)

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
