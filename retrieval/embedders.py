"""The factory: the configured embedding backend, ONNX falling back to torch."""

from __future__ import annotations

import logging

from .embedding import Embedder, model_slug
from .errors import OnnxUnavailable
from .settings import EngineSettings, Settings
from .torch_embedding import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def load_embedder(settings: Settings | EngineSettings) -> Embedder:
    """The configured backend; ONNX falls back to torch when the model can't be exported."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model)
    from .onnx_embedding import OnnxEmbedder, export_onnx

    cache = settings.model_cache_dir / model_slug(settings.embedding_model)
    source = None
    try:
        if not OnnxEmbedder.exported(cache):
            source = SentenceTransformerEmbedder(settings.embedding_model)
            export_onnx(source, cache)
        return OnnxEmbedder(settings.embedding_model, cache)
    except OnnxUnavailable as exc:
        log.warning("ONNX backend unavailable (%s); using torch", exc)
        # The model loaded for a failed export serves as is rather than loading twice.
        return source or SentenceTransformerEmbedder(settings.embedding_model)
