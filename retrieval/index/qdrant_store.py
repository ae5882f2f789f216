"""The vector store in Qdrant (``VECTOR_STORE=qdrant``): a collection per build, an alias.

Each passage is one point, its id the passage's row, its payload the article id (indexed on a
server, so that a chat that picked one article filters in Qdrant). Each embedding model's
block of the stacked vector (see :class:`~retrieval.index.vectorstore.VectorLayout`) is a
named vector of its own, compared by dot product; the fused score is the sum of the blocks'
dot products plus the constant column's, which a score formula (``FormulaQuery``) adds up
over one prefetch per model. Exact (local mode, or ``QDRANT_EXACT``), every prefetch scores
every point, so the sum is FAISS's inner product and the same rows come back. On a server by
HNSW, each model's prefetch finds candidates, and every candidate is then scored by every
model before the formula sums them.

A build writes a new collection ``<alias>-<id>``; publishing moves the alias to it in one
request (atomic, like the ``current`` symlink), and drops the collections of the alias other
than the new one and the one it replaced (which answers in flight may still be reading).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import models

from ..core.errors import CollectionMissing, IndexCorrupt, IndexStale, VectorStoreMismatch
from .qdrant_connection import QdrantConnection
from .vectorstore import HNSW_EF_SEARCH, METADATA_FILE, VectorLayout

ARTICLE_FIELD = "article_id"
UPLOAD_BATCH = 512
HNSW_CANDIDATES = 400  # per model, when searching by HNSW on a server


class QdrantStore:
    """The points of one collection, read-only once published."""

    kind = "qdrant"

    def __init__(
        self,
        connection: QdrantConnection,
        alias: str,
        collection: str,
        layout: VectorLayout,
        size: int = 0,
        articles: Mapping[range, str] | None = None,
    ) -> None:
        self.connection = connection
        self.alias = alias
        self.collection = collection
        self.layout = layout
        self.dimension = layout.dimension
        self._size = size
        self._articles = dict(articles or {})

    @classmethod
    def create(
        cls, connection: QdrantConnection, alias: str, layout: VectorLayout, model: str
    ) -> QdrantStore:
        """A new, empty collection of the alias (unpublished), for vectors of ``model``."""
        collection = f"{alias}-{uuid.uuid4().hex[:12]}"
        vectors = {
            name: models.VectorParams(size=size, distance=models.Distance.DOT)
            for name, size in layout.blocks
        }
        metadata = {"model": model, "constant": layout.constant}

        def create(client: Any) -> None:
            client.create_collection(collection, vectors_config=vectors, metadata=metadata)
            if not connection.local:  # local mode scans every payload, and warns of indexes
                client.create_payload_index(
                    collection, ARTICLE_FIELD, models.PayloadSchemaType.KEYWORD
                )

        connection.call(f"collection {collection} to create", create)
        return cls(connection, alias, collection, layout)

    @property
    def size(self) -> int:
        """How many points (rows) the collection holds."""
        return self._size

    def add(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> None:
        """Upload rows after the existing ones, each with its article id (if given)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        first = self._size
        blocks = self.layout.split(vectors)
        for start in range(0, len(vectors), UPLOAD_BATCH):
            stop = min(start + UPLOAD_BATCH, len(vectors))
            points = [
                models.PointStruct(
                    id=first + i,
                    vector={name: block[i].tolist() for name, block in blocks.items()},
                    payload={ARTICLE_FIELD: article_ids[i]} if article_ids else {},
                )
                for i in range(start, stop)
            ]
            self.connection.call(
                f"collection {self.collection}",
                lambda client, points=points: client.upsert(self.collection, points, wait=True),
            )
        self._size += len(vectors)
        self._articles |= _spans(first, article_ids)

    def search(
        self, queries: np.ndarray, k: int, rows: range | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows per query (within ``rows`` when given), as FAISS gives them."""
        queries = np.asarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        within = len(rows) if rows is not None else self._size
        k = min(k, within)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        found = np.full((len(queries), k), -1, dtype=np.int64)
        for q, query in enumerate(queries):
            points = self._query(query, k, within, self._filter(rows)) if k else []
            # Equal scores in row order, as FAISS's exact index breaks ties.
            ranked = sorted((-p.score, int(p.id)) for p in points)[:k]
            scores[q, : len(ranked)] = [-score for score, _ in ranked]
            found[q, : len(ranked)] = [row for _, row in ranked]
        return scores, found

    def _query(
        self, query: np.ndarray, k: int, within: int, where: models.Filter | None
    ) -> list[models.ScoredPoint]:
        """One query: a prefetch per model whose block of ``query`` is not zero (a model
        weighed 0 adds nothing), summed with the constant column by a score formula."""
        blocks = self.layout.split(query)
        used = [(n, b[0].tolist()) for n, b in blocks.items() if b.any()] or [
            (n, b[0].tolist()) for n, b in list(blocks.items())[:1]
        ]
        exact = self.connection.exact
        depth = within if exact else min(within, max(HNSW_CANDIDATES, 4 * k))
        params = None
        if not self.connection.local:  # local mode is brute force, and warns of parameters
            params = models.SearchParams(exact=exact, hnsw_ef=None if exact else HNSW_EF_SEARCH)
        parts = [
            models.Prefetch(query=b, using=n, limit=depth, filter=where, params=params)
            for n, b in used
        ]
        if not exact and len(used) > 1:  # every candidate scored by every model
            candidates = models.Prefetch(
                prefetch=parts, query=models.FusionQuery(fusion=models.Fusion.RRF), limit=depth
            )
            parts = [
                models.Prefetch(prefetch=candidates, query=b, using=n, limit=depth)
                for n, b in used
            ]
        terms: list[models.Expression] = [f"$score[{i}]" for i in range(len(parts))]
        constant = self.layout.constant_score(query)
        if constant:
            terms.append(constant)
        formula = models.FormulaQuery(formula=models.SumExpression(sum=terms))
        response = self.connection.call(
            f"collection {self.collection}",
            lambda client: client.query_points(
                self.collection, prefetch=parts, query=formula, limit=k, with_payload=False
            ),
        )
        return response.points

    def _filter(self, rows: range | None) -> models.Filter | None:
        """One article's rows by its id in the payload; other rows by their point ids."""
        if rows is None:
            return None
        if rows in self._articles:
            match = models.MatchValue(value=self._articles[rows])
            return models.Filter(must=[models.FieldCondition(key=ARTICLE_FIELD, match=match)])
        return models.Filter(must=[models.HasIdCondition(has_id=list(rows))])

    def vectors(self, rows: range | list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of some rows, fetched from the collection and stacked again."""
        ids = [int(r) for r in rows]
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        names = [name for name, _ in self.layout.blocks]
        points = self.connection.call(
            f"collection {self.collection}",
            lambda client: client.retrieve(
                self.collection, ids, with_payload=False, with_vectors=names
            ),
        )
        by_id = {int(p.id): p.vector for p in points}
        if len(by_id) != len(set(ids)):
            raise IndexCorrupt(f"the Qdrant collection {self.collection} lacks some rows")
        blocks = {n: np.array([by_id[i][n] for i in ids], dtype=np.float32) for n in names}
        return self.layout.join(blocks)

    def copy(self) -> QdrantStore:
        """A new collection of the same points."""
        return self.extended(np.zeros((0, self.dimension), dtype=np.float32))

    def extended(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> QdrantStore:
        """A new collection of these points (copied within Qdrant's client, batch by batch:
        a published collection is never written) and ``vectors`` after them."""
        model = self._metadata().get("model", "")
        grown = QdrantStore.create(self.connection, self.alias, self.layout, model)
        for batch in self._batches():
            grown.connection.call(
                f"collection {grown.collection}",
                lambda client, batch=batch: client.upsert(grown.collection, batch, wait=True),
            )
        grown._size, grown._articles = self._size, dict(self._articles)
        grown.add(vectors, article_ids)
        return grown

    def _batches(self) -> Iterator[list[models.PointStruct]]:
        offset = None
        while True:
            points, offset = self.connection.call(
                f"collection {self.collection}",
                lambda client, offset=offset: client.scroll(
                    self.collection,
                    limit=UPLOAD_BATCH,
                    offset=offset,
                    with_payload=True,
                    with_vectors=True,
                ),
            )
            yield [models.PointStruct(id=p.id, vector=p.vector, payload=p.payload) for p in points]
            if offset is None:
                return

    def _metadata(self) -> dict[str, Any]:
        info = self.connection.call(
            f"collection {self.collection}", lambda client: client.get_collection(self.collection)
        )
        return dict(info.config.metadata or {})

    def save(self, folder: Path, metadata: dict[str, Any]) -> None:
        """Write ``vectors.json``: the collection's name, kind, dimension, size and metadata."""
        described = {
            "kind": self.kind,
            "collection": self.collection,
            "alias": self.alias,
            "dimension": self.dimension,
            "size": self._size,
        }
        (folder / METADATA_FILE).write_text(json.dumps(described | metadata, indent=2))

    def publish(self) -> None:
        """Move the alias to this collection in one request, then drop the alias's other
        collections but the one it named before."""
        before = alias_target(self.connection, self.alias)
        moves: list[models.AliasOperations] = []
        if before is not None:
            delete = models.DeleteAlias(alias_name=self.alias)
            moves.append(models.DeleteAliasOperation(delete_alias=delete))
        create = models.CreateAlias(collection_name=self.collection, alias_name=self.alias)
        moves.append(models.CreateAliasOperation(create_alias=create))
        self.connection.call(
            f"collection {self.collection} to name {self.alias}",
            lambda client: client.update_collection_aliases(moves),
        )
        names = self.connection.call(
            "collections", lambda client: [c.name for c in client.get_collections().collections]
        )
        for name in names:
            if name.startswith(f"{self.alias}-") and name not in (self.collection, before):
                self.connection.call(
                    f"collection {name}", lambda client, n=name: client.delete_collection(n)
                )


class QdrantBackend:
    """Stores in collections of one alias, for vectors of one model set and layout."""

    def __init__(
        self, connection: QdrantConnection, alias: str, layout: VectorLayout, model: str
    ) -> None:
        self.connection = connection
        self.alias = alias
        self.layout = layout
        self.model = model

    def check(self) -> None:
        """:class:`VectorStoreUnavailable` unless Qdrant answers (and takes the API key)."""
        alias_target(self.connection, self.alias)

    def build(self, vectors: np.ndarray, article_ids: Sequence[str]) -> QdrantStore:
        """A new collection of ``vectors`` (point i of article ``article_ids[i]``)."""
        store = QdrantStore.create(self.connection, self.alias, self.layout, self.model)
        store.add(vectors, article_ids)
        return store

    def load(self, folder: Path, articles: Mapping[range, str]) -> QdrantStore:
        """The collection the alias names, checked against the build folder's
        ``vectors.json``: :class:`IndexStale` for a FAISS build, :class:`CollectionMissing`
        without the alias, :class:`VectorStoreMismatch` for vectors of another model or
        dimension, :class:`IndexCorrupt` when the alias and the folder disagree."""
        try:
            saved = json.loads((folder / METADATA_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"unreadable {METADATA_FILE} in {folder}: {exc}") from exc
        if saved.get("kind") != QdrantStore.kind:
            raise IndexStale("the index was built with FAISS, and VECTOR_STORE is qdrant")
        collection = alias_target(self.connection, self.alias)
        if collection is None:
            raise CollectionMissing(f"{self.connection.where} has no alias {self.alias!r}")
        if collection != saved.get("collection"):
            raise IndexCorrupt(
                f"the Qdrant alias {self.alias!r} names {collection}, "
                f"the index in {folder} was built in {saved.get('collection')}"
            )
        info = self.connection.call(
            f"collection {collection}", lambda client: client.get_collection(collection)
        )
        self._check(collection, info)
        if info.points_count != saved.get("size"):
            raise IndexCorrupt(
                f"the Qdrant collection {collection} holds {info.points_count} points, "
                f"the index in {folder} {saved.get('size')}"
            )
        size = saved["size"]
        return QdrantStore(self.connection, self.alias, collection, self.layout, size, articles)

    def _check(self, collection: str, info: models.CollectionInfo) -> None:
        """:class:`VectorStoreMismatch` unless the collection holds this model's blocks."""
        metadata = info.config.metadata or {}
        params = info.config.params.vectors
        found = {n: p.size for n, p in params.items()} if isinstance(params, dict) else {}
        # A server older than 1.16 keeps no collection metadata: the folder's manifest still
        # names the model.
        if metadata and metadata.get("model") != self.model:
            raise VectorStoreMismatch(
                f"the Qdrant collection {collection} holds vectors of "
                f"{metadata.get('model')!r}, configured {self.model!r}"
            )
        constant = metadata.get("constant", self.layout.constant)
        if found != dict(self.layout.blocks) or constant != self.layout.constant:
            raise VectorStoreMismatch(
                f"the Qdrant collection {collection} holds vectors {_described(found)}, "
                f"the models give {_described(dict(self.layout.blocks))}"
            )


def alias_target(connection: QdrantConnection, alias: str) -> str | None:
    """The collection ``alias`` names, or None."""
    aliases = connection.call("aliases", lambda client: client.get_aliases().aliases)
    return next((a.collection_name for a in aliases if a.alias_name == alias), None)


def _spans(first: int, article_ids: Sequence[str]) -> dict[range, str]:
    """The rows of each article in a run of rows numbered from ``first``."""
    spans, start = {}, first
    for article_id, run in groupby(article_ids):
        count = sum(1 for _ in run)
        spans[range(start, start + count)] = article_id
        start += count
    return spans


def _described(blocks: Mapping[str, int]) -> str:
    return ", ".join(f"{name} of {size} dimensions" for name, size in blocks.items()) or "none"
