"""The vector store: passage vectors searched by inner product. Every FAISS call lives here.

:class:`VectorStore` is the interface the engine uses (in the manner of txtai's ANN classes:
add, search, save, load, with metadata saved beside the index); :class:`FaissStore` is the
implementation. Up to ``EXACT_SEARCH_LIMIT`` vectors the index is exact (``IndexFlatIP``);
above it, HNSW. Both keep the raw vectors in a flat FAISS storage, which the store exposes as
a read-only NumPy view (no copy): the scores of candidates found only by BM25, and a search
restricted to one article's rows, are computed from it directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from .errors import IndexCorrupt

EXACT_SEARCH_LIMIT = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FILE = "passages.faiss"
METADATA_FILE = "vectors.json"


class VectorStore(Protocol):
    """What the engine needs from a vector index of unit vectors (row i = passage i)."""

    kind: str
    dimension: int

    @property
    def size(self) -> int:
        """How many vectors are stored."""
        ...

    def add(self, vectors: np.ndarray) -> None:
        """Append rows (unit vectors, float32) after the existing ones."""
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

    def save(self, folder: Path, metadata: dict[str, Any]) -> None:
        """Write the index and ``metadata`` into ``folder``."""
        ...


class FaissStore:
    """A FAISS ``IndexFlatIP`` (exact) or ``IndexHNSWFlat`` (approximate) over unit vectors."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        self.dimension = int(index.d)

    @classmethod
    def build(cls, vectors: np.ndarray, exact_limit: int = EXACT_SEARCH_LIMIT) -> FaissStore:
        """Exact inner product up to ``exact_limit`` vectors, HNSW above it."""
        dimension = vectors.shape[1]
        if len(vectors) <= exact_limit:
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
        """How many vectors are stored."""
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        """Append rows after the existing ones."""
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(
        self, queries: np.ndarray, k: int, rows: range | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows per query, from the whole index or exactly within ``rows``."""
        queries = np.ascontiguousarray(queries.reshape(-1, self.dimension), dtype=np.float32)
        if rows is None:
            return self.index.search(queries, min(k, self.size))
        scores = queries @ self.vectors(rows).T
        k = min(k, len(rows))
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, best, axis=1), best + rows.start

    def vectors(self, rows: range | list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of some rows, read from the flat storage."""
        matrix = self._matrix()
        if isinstance(rows, range):
            return matrix[rows.start : rows.stop]
        return matrix[np.asarray(rows, dtype=np.int64)]

    def _matrix(self) -> np.ndarray:
        """All stored vectors as a read-only view of FAISS's own buffer."""
        flat = faiss.downcast_index(self.index.storage) if self.kind == "hnsw" else self.index
        if self.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        view = faiss.rev_swig_ptr(flat.get_xb(), self.size * self.dimension)
        matrix = view.reshape(self.size, self.dimension)
        matrix.flags.writeable = False
        return matrix

    def copy(self) -> FaissStore:
        """An independent copy of the index."""
        return FaissStore(faiss.clone_index(self.index))

    def save(self, folder: Path, metadata: dict[str, Any]) -> None:
        """Write ``passages.faiss`` and ``vectors.json`` (kind, dimension, size, metadata)."""
        faiss.write_index(self.index, str(folder / INDEX_FILE))
        described = {"kind": self.kind, "dimension": self.dimension, "size": self.size}
        (folder / METADATA_FILE).write_text(json.dumps(described | metadata, indent=2))

    @classmethod
    def load(cls, folder: Path) -> tuple[FaissStore, dict[str, Any]]:
        """Read a saved store and its metadata, checking that they agree."""
        try:
            index = faiss.read_index(str(folder / INDEX_FILE))
            metadata = json.loads((folder / METADATA_FILE).read_text())
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorrupt(f"unreadable vector index in {folder}: {exc}") from exc
        store = cls(index)
        if (store.kind, store.dimension, store.size) != (
            metadata.get("kind"),
            metadata.get("dimension"),
            metadata.get("size"),
        ):
            raise IndexCorrupt(f"the vector index in {folder} disagrees with {METADATA_FILE}")
        if store.kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return store, metadata
