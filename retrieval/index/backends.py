"""The vector store VECTOR_STORE names: FAISS files (the default) or Qdrant collections."""

from __future__ import annotations

from ..core.settings import EngineSettings
from .vectorstore import FaissBackend, VectorBackend, VectorLayout


def vector_backend(settings: EngineSettings, layout: VectorLayout, model: str) -> VectorBackend:
    """The backend VECTOR_STORE names, for vectors of ``model`` laid out as ``layout``."""
    if settings.vector_store == "faiss":
        return FaissBackend()
    # qdrant-client takes a second and a half to import, which a FAISS bot need not pay.
    from .qdrant_connection import connect
    from .qdrant_store import QdrantBackend

    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    connection = connect(settings.qdrant_url, key, settings.qdrant_folder, settings.qdrant_exact)
    return QdrantBackend(connection, settings.qdrant_collection, layout, model)
