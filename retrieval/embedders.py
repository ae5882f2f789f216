"""The factory: the configured embedding models (EMBEDDERS), fused; MiniLM's backend ONNX
falling back to torch."""

from __future__ import annotations

import logging

from .e5_embedding import E5Embedder
from .embedding import Embedder, model_slug
from .errors import OnnxUnavailable
from .fusion import FusedEmbedder, FusionConfig, load_fusion
from .settings import EngineSettings, Settings
from .torch_embedding import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def load_embedders(
    settings: Settings | EngineSettings, config: FusionConfig | None = None
) -> FusedEmbedder:
    """The models of EMBEDDERS (e5 first), weighed by ``config`` (the fitted one by default)."""
    loaders = {"e5": E5Embedder, "minilm": lambda: load_embedder(settings)}
    keys = [k for k in ("e5", "minilm") if k in settings.embedders]
    return FusedEmbedder({k: loaders[k]() for k in keys}, config or load_fusion())


def load_embedder(settings: Settings | EngineSettings) -> Embedder:
    """The sentence-transformers model; ONNX falls back to torch when it can't be exported."""
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
