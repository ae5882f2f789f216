"""Running the engine's library and search tests on both vector stores."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from retrieval import Engine
from retrieval.index import store
from retrieval.index.backends import vector_backend

# ``pytestmark = BOTH`` runs a module's tests on FAISS and on Qdrant's local mode (see the
# ``vector_store`` fixture).
BOTH = pytest.mark.parametrize("vector_store", ["faiss", "qdrant"], indirect=True, scope="session")


def load(engine: Engine, index_dir: Path | None = None) -> store.StoredIndex:
    """The index saved in ``index_dir`` (the engine's own by default), its vectors read from
    the store the engine's settings name (for Qdrant's local mode, the one under that
    folder)."""
    settings = engine.settings
    if index_dir is not None:
        settings = settings.model_copy(update={"index_dir": index_dir, "qdrant_path": None})
    backend = vector_backend(settings, engine.embedder.layout, engine.embedder.name)
    return store.load(index_dir or settings.index_dir, backend)


@contextlib.contextmanager
def qdrant_lost(engine: Engine) -> Iterator[None]:
    """Qdrant gone from under a running engine on local mode: its client closed, and the
    folder held by another client (as another process would) until the block ends, so that
    the engine can't open it again before then."""
    connection = engine.vectors.connection
    connection.close()
    rival = QdrantClient(path=str(connection.path))
    try:
        yield
    finally:
        rival.close()
