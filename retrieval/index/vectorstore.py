"""The vector store: passage vectors searched by inner product. Every FAISS call lives here.

:class:`VectorStore` is the interface the engine uses (in the manner of txtai's ANN classes:
add, search, save, load, with metadata saved beside the index), and :class:`VectorBackend`
where stores are built and loaded from. :class:`FaissStore` is the embedded implementation;
``qdrant_store.py`` holds the other (``VECTOR_STORE=qdrant``).

Up to ``EXACT_SEARCH_LIMIT`` vectors the index is exact (``IndexFlatIP``);
above it, HNSW. Both keep the raw vectors in a flat FAISS storage, which the store exposes as
a read-only NumPy view (no copy): the scores of candidates found only by BM25, and a search
restricted to one article's rows, are computed from it directly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from ..core.errors import IndexCorrupt, IndexStale

EXACT_SEARCH_LIMIT = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FILE = "passages.faiss"
METADATA_FILE = "vectors.json"
ROWS_FILE = "rows.npy"


@dataclass(frozen=True, slots=True)
class VectorLayout:
    """How a stored vector splits into one block per embedding model (named, in order), and
    the value of its constant last column if it has one (see
    :class:`~retrieval.index.fusion.FusedEmbedder`): the inner product of two stacked vectors
    is the sum of their blocks' inner products, plus the constant columns' product."""

    blocks: tuple[tuple[str, int], ...]
    constant: float | None = None

    @property
    def dimension(self) -> int:
        """The length of a stacked vector."""
        return sum(size for _, size in self.blocks) + (self.constant is not None)

    def split(self, vectors: np.ndarray) -> dict[str, np.ndarray]:
        """Each block of some stacked vectors (rows), by name; the constant column left out."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        blocks, start = {}, 0
        for name, size in self.blocks:
            blocks[name] = np.ascontiguousarray(vectors[:, start : start + size])
            start += size
        return blocks

    def join(self, blocks: Mapping[str, np.ndarray]) -> np.ndarray:
        """Stacked vectors from their blocks (the inverse of :meth:`split`)."""
        columns = [np.asarray(blocks[name], dtype=np.float32) for name, _ in self.blocks]
        if self.constant is not None:
            columns.append(np.full((len(columns[0]), 1), self.constant, dtype=np.float32))
        return np.hstack(columns) if len(columns) > 1 else columns[0]

    def scores_and_windows(
        self, vectors: np.ndarray, query: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The score for ``query`` (one vector, or one per column of the results) of each row
        of ``vectors``, and of each row read together with the row before it (-inf for the
        first row): as if each model's block were the sum of the two rows' blocks, brought back
        to the later row's length (for unit vectors, their normalised mean), and the constant
        column the later row's. The sums are never built: each block's products with the query
        (which make the rows' own scores too) and of the two rows give the same score at a
        fraction of the work."""
        alone: np.ndarray | float = 0.0
        paired: np.ndarray | float = 0.0
        start = 0
        for _, size in self.blocks:
            block = vectors[:, start : start + size]
            scores = block @ query[..., start : start + size].T
            squares = np.einsum("ij,ij->i", block, block)
            crossed = np.einsum("ij,ij->i", block[1:], block[:-1])
            summed = np.maximum(squares[1:] + squares[:-1] + 2 * crossed, 1e-24)
            scale = np.sqrt(squares[1:] / summed).reshape(-1, *([1] * (scores.ndim - 1)))
            alone = alone + scores
            paired = paired + (scores[1:] + scores[:-1]) * scale
            start += size
        if self.constant is not None:
            alone = alone + query[..., -1] * np.float32(self.constant)
            paired = paired + query[..., -1] * np.float32(self.constant)
        first = np.full((1, *np.shape(paired)[1:]), -np.inf, dtype=np.float32)
        windows = np.concatenate([first, np.asarray(paired, dtype=np.float32)])
        return np.asarray(alone, dtype=np.float32), windows

    def constant_score(self, query: np.ndarray) -> float:
        """What the constant column adds to every stored vector's score for ``query``."""
        if self.constant is None:
            return 0.0
        return float(np.float32(query.reshape(-1)[-1]) * np.float32(self.constant))


class VectorStore(Protocol):
    """What the engine needs from a vector index of unit vectors (row i = passage i)."""

    kind: str
    dimension: int

    @property
    def size(self) -> int:
        """How many vectors are stored."""
        ...

    def add(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> None:
        """Append rows (unit vectors, float32) after the existing ones, each of the article
        given (a store that can filter by article keeps it)."""
        ...

    def search(
        self, queries: np.ndarray, k: int, rows: range | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row numbers of the ``k`` best rows per query (-1 pads a short result);
        with ``rows``, only those rows are searched, and only they are read."""
        ...

    def vectors(self, rows: range | list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of some rows."""
        ...

    def copy(self) -> VectorStore:
        """An independent copy (a published store is never mutated)."""
        ...

    def extended(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> VectorStore:
        """A new store of these rows and ``vectors`` after them (this one is unchanged)."""
        ...

    def save(self, folder: Path, metadata: dict[str, Any]) -> None:
        """Write the index (or where to find it) and ``metadata`` into ``folder``."""
        ...

    def publish(self) -> None:
        """Make this store the one that loading finds, as its build folder is published."""
        ...


class VectorBackend(Protocol):
    """Where vector stores are built, and loaded back from a build folder."""

    def check(self) -> None:
        """Fail in milliseconds, before minutes of embedding, when the store can't be used."""
        ...

    def build(self, vectors: np.ndarray, article_ids: Sequence[str]) -> VectorStore:
        """A new store of ``vectors`` (row i of article ``article_ids[i]``), not yet published."""
        ...

    def load(self, folder: Path, articles: Mapping[range, str]) -> VectorStore:
        """The store a build folder saved (``articles``: the article id of each span of rows)."""
        ...


class FaissBackend:
    """FAISS stores, saved as files of the build folder."""

    def check(self) -> None:
        """Nothing to reach: the index folder is checked by :func:`store.check_writable`."""

    def build(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> FaissStore:
        """An exact or HNSW FAISS index of ``vectors`` (FAISS keeps no article ids)."""
        return FaissStore.build(vectors)

    def load(self, folder: Path, articles: Mapping[range, str]) -> FaissStore:
        """The FAISS index saved in ``folder``; :class:`IndexStale` if the build used Qdrant."""
        return FaissStore.load(folder)[0]


class FaissStore:
    """A FAISS ``IndexFlatIP`` (exact) or ``IndexHNSWFlat`` (approximate) over unit vectors.

    Equal vectors (a paragraph repeated in several articles) are stored once and map back to
    every row that has them: HNSW links a point to its nearest neighbours, and a cluster of
    identical copies would link only to itself and cut itself off from the graph.
    """

    def __init__(self, index: faiss.Index, distinct_of_row: np.ndarray | None = None) -> None:
        self.index = index
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        self.dimension = int(index.d)
        count = int(index.ntotal)
        rows = np.arange(count) if distinct_of_row is None else distinct_of_row
        self._distinct_of_row = np.asarray(rows, dtype=np.int64)
        self._rows_of: list[list[int]] = [[] for _ in range(count)]
        for row, distinct in enumerate(self._distinct_of_row.tolist()):
            self._rows_of[distinct].append(row)
        matrix = self._matrix()
        self._seen = {_key(matrix[i]): i for i in range(count)}

    @classmethod
    def build(cls, vectors: np.ndarray, exact_limit: int = EXACT_SEARCH_LIMIT) -> FaissStore:
        """Exact inner product up to ``exact_limit`` distinct vectors, HNSW above it."""
        dimension = vectors.shape[1]
        distinct = len({_key(v) for v in np.ascontiguousarray(vectors, dtype=np.float32)})
        if distinct <= exact_limit:
            index = faiss.IndexFlatIP(dimension)
        else:
            index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        store = cls(index)
        store.add(vectors)
        return store

    @property
    def size(self) -> int:
        """How many rows are stored."""
        return len(self._distinct_of_row)

    @property
    def distinct(self) -> int:
        """How many distinct vectors the FAISS index holds."""
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray, article_ids: Sequence[str] = ()) -> None:
        """Append rows after the existing ones (a vector already stored is not added again)."""
        fresh: list[np.ndarray] = []
        mapped = []
        for vector in np.ascontiguousarray(vectors, dtype=np.float32):
            key = _key(vector)
            if key not in self._seen:
                self._seen[key] = self.distinct + len(fresh)
                self._rows_of.append([])
                fresh.append(vector)
            mapped.append(self._seen[key])
        for offset, distinct in enumerate(mapped):
            self._rows_of[distinct].append(self.size + offset)
        self._distinct_of_row = np.concatenate(
            [self._distinct_of_row, np.asarray(mapped, dtype=np.int64)]
        )
        if fresh:
            self.index.add(np.stack(fresh))

    def search(
        self, queries: np.ndarray, k: int, rows: range | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows per query, from the whole index or exactly within ``rows``."""
        queries = np.ascontiguousarray(queries.reshape(-1, self.dimension), dtype=np.float32)
        if rows is not None:
            scores = queries @ self.vectors(rows).T
            k = min(k, len(rows))
            best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            return np.take_along_axis(scores, best, axis=1), best + rows.start
        k = min(k, self.size)
        scores, found = self.index.search(queries, min(k, self.distinct))
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_rows = np.full((len(queries), k), -1, dtype=np.int64)
        for q, (row_scores, distinct) in enumerate(zip(scores, found, strict=True)):
            column = 0
            for score, d in zip(row_scores.tolist(), distinct.tolist(), strict=True):
                if d < 0 or column == k:
                    break
                rows_of = self._rows_of[d][: k - column]  # a vector shared by many rows
                out_scores[q, column : column + len(rows_of)] = score
                out_rows[q, column : column + len(rows_of)] = rows_of
                column += len(rows_of)
        return out_scores, out_rows

    def vectors(self, rows: range | list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of some rows, read from the flat storage."""
        if isinstance(rows, range):
            rows = np.arange(rows.start, rows.stop)
        return self._matrix()[self._distinct_of_row[np.asarray(rows, dtype=np.int64)]]

    def _matrix(self) -> np.ndarray:
        """All distinct vectors as a read-only view of FAISS's own buffer."""
        flat = faiss.downcast_index(self.index.storage) if self.kind == "hnsw" else self.index
        if self.distinct == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        view = faiss.rev_swig_ptr(flat.get_xb(), self.distinct * self.dimension)
        matrix = view.reshape(self.distinct, self.dimension)
        matrix.flags.writeable = False
        return matrix

    def copy(self) -> FaissStore:
        """An independent copy of the index."""
        return FaissStore(faiss.clone_index(self.index), self._distinct_of_row.copy())

    def extended(
        self,
        vectors: np.ndarray,
        article_ids: Sequence[str] = (),
        exact_limit: int = EXACT_SEARCH_LIMIT,
    ) -> FaissStore:
        """A new store of these rows and ``vectors`` after them: a copy of the index, appended
        to, unless the exact index would then pass ``exact_limit`` (built again as HNSW)."""
        if self.kind == "flat" and self.distinct + len(vectors) > exact_limit:
            every = np.vstack([self.vectors(range(self.size)), vectors])
            return FaissStore.build(every, exact_limit)
        store = self.copy()
        store.add(vectors)
        return store

    def save(self, folder: Path, metadata: dict[str, Any]) -> None:
        """Write ``passages.faiss``, ``rows.npy`` (row → distinct vector) and ``vectors.json``
        (kind, dimension, rows, distinct vectors, metadata)."""
        faiss.write_index(self.index, str(folder / INDEX_FILE))
        np.save(folder / ROWS_FILE, self._distinct_of_row, allow_pickle=False)
        described = {
            "kind": self.kind,
            "dimension": self.dimension,
            "size": self.size,
            "distinct": self.distinct,
        }
        (folder / METADATA_FILE).write_text(json.dumps(described | metadata, indent=2))

    def publish(self) -> None:
        """Nothing to do: the index is a file of the build folder, published with it."""

    @classmethod
    def load(cls, folder: Path) -> tuple[FaissStore, dict[str, Any]]:
        """Read a saved store and its metadata, checking that they agree."""
        try:
            metadata = json.loads((folder / METADATA_FILE).read_text())
            if metadata.get("kind") == "qdrant":
                raise IndexStale("the index was built in Qdrant, and VECTOR_STORE is faiss")
            index = faiss.read_index(str(folder / INDEX_FILE))
            rows = np.load(folder / ROWS_FILE, allow_pickle=False)
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"unreadable vector index in {folder}: {exc}") from exc
        if rows.ndim != 1 or (len(rows) and not 0 <= rows.min() <= rows.max() < index.ntotal):
            raise IndexCorrupt(f"the rows of the vector index in {folder} are out of range")
        store = cls(index, rows)
        described = (store.kind, store.dimension, store.size, store.distinct)
        expected = tuple(metadata.get(k) for k in ("kind", "dimension", "size", "distinct"))
        if described != expected:
            raise IndexCorrupt(f"the vector index in {folder} disagrees with {METADATA_FILE}")
        if store.kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return store, metadata


def _key(vector: np.ndarray) -> bytes:
    """A 16-byte digest of a vector: equal vectors share it. Keeping each vector's bytes as its
    key instead would hold a second copy of every vector in memory."""
    return hashlib.blake2b(vector.tobytes(), digest_size=16).digest()
