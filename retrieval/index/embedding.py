"""What the engine needs from an embedding model (the interface), whatever runs it.

Two interchangeable implementations produce the same vectors (to float rounding):

- ``torch`` (torch_embedding.py): the sentence-transformers model itself;
- ``onnx`` (onnx_embedding.py, the default): the model's transformer exported once to ONNX and
  run with onnxruntime and the model's own fast tokenizer, with the model's pooling done in
  NumPy. It skips importing torch, transformers and sentence-transformers, which is most of a
  cold start, and its forward pass is faster (see README, "Performance").

``embedders.load_embedder`` picks one from the settings.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol

import numpy as np

from ..core.errors import RebuildCancelled

# Nothing may reach a model hub at run time: models come from installed packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Embedder(Protocol):
    """What the engine needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int
    multilingual: bool  # False: trained on English only, so it only weighs English questions

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` takes, special tokens included."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """A float32 matrix with one L2-normalised row per text (a passage, a sentence)."""
        ...

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """The same for questions: models trained with a query prefix (e5) embed them apart."""
        ...


def model_slug(name: str) -> str:
    """A model name (or path) as one safe folder name, for caches of that model."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_") or "model"


CANCEL_CHECK_EVERY = 128  # texts embedded between two looks at a rebuild's cancel flag


def encode(embedder: Embedder, texts: list[str], cancel: threading.Event | None) -> np.ndarray:
    """Embed ``texts`` in slices, raising :class:`RebuildCancelled` once ``cancel`` is set."""
    parts = []
    for start in range(0, len(texts), CANCEL_CHECK_EVERY):
        if cancel is not None and cancel.is_set():
            raise RebuildCancelled("the rebuild was cancelled; the published index is unchanged")
        parts.append(embedder.encode(texts[start : start + CANCEL_CHECK_EVERY]))
    return np.concatenate(parts) if parts else embedder.encode([])
