"""The factory: the configured embedding models (EMBEDDERS), fused; MiniLM's backend ONNX
falling back to torch."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from ..core.errors import OnnxUnavailable
from ..core.settings import EngineSettings, HasEngineSettings
from .e5_embedding import E5Embedder
from .embedding import Embedder, model_slug
from .fusion import FusedEmbedder, FusionConfig, load_fusion
from .torch_embedding import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def load_embedders(
    settings: EngineSettings | HasEngineSettings, config: FusionConfig | None = None
) -> FusedEmbedder:
    """The models of EMBEDDERS (e5 first), weighed by ``config`` (the fitted one by default)."""
    loaders = {"e5": E5Embedder, "minilm": lambda: load_embedder(settings)}
    keys = [k for k in ("e5", "minilm") if k in settings.embedders]
    # Side by side: both load in C (ctypes, onnxruntime) with the GIL released.
    with ThreadPoolExecutor(max_workers=len(keys), thread_name_prefix="load-model") as pool:
        loading = {k: pool.submit(loaders[k]) for k in keys}
        parts = {k: future.result() for k, future in loading.items()}
    return FusedEmbedder(parts, config or load_fusion())


def load_embedder(settings: EngineSettings | HasEngineSettings) -> Embedder:
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
