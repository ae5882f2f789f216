"""Synthetic corpora of sentence embeddings, shaped like the model's real ones.

Uniform random 384-d unit vectors have no neighbourhood structure: every point is nearly
orthogonal to every other, the worst case for any approximate index and nothing like text.
Instead each synthetic vector mixes two real embeddings of the article's text (word windows
of several lengths, its sentences and the dev questions) and adds Gaussian noise drawn with
the covariance of those real embeddings (their top principal components), then normalises:

    v = normalise(real_i + u * real_j + NOISE * noise),  u ~ U(0, 0.5)

Queries are made the same way from independent draws. With NOISE = 1 a query's nearest
neighbour has a cosine of about 0.75-0.8 at 100k-1M vectors, like a paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from retrieval.index.embedding import Embedder

WINDOWS = (8, 16, 32)
WINDOW_STEP = 3
COMPONENTS = 128
NOISE = 1.0
CHUNK = 100_000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def seed_texts(article: str, questions: Sequence[str]) -> list[str]:
    """Real text to embed: overlapping word windows, every sentence and the dev questions."""
    words = article.split()
    windows = [
        " ".join(words[start : start + width])
        for width in WINDOWS
        for start in range(0, max(1, len(words) - width), WINDOW_STEP)
    ]
    sentences = [s for s in _SENTENCE.split(article) if s.strip()]
    return list(dict.fromkeys([*windows, *sentences, *questions]))


class SyntheticCorpus:
    """Draws unit vectors around real embeddings (see the module's docstring)."""

    def __init__(self, real: np.ndarray, seed: int = 0) -> None:
        self.real = real.astype(np.float32)
        self.rng = np.random.default_rng(seed)
        centred = self.real - self.real.mean(axis=0)
        _, singular, axes = np.linalg.svd(centred, full_matrices=False)
        rank = min(COMPONENTS, len(singular))
        scale = singular[:rank, None] / np.sqrt(len(self.real))
        self.noise_basis = (scale * axes[:rank]).astype(np.float32)

    @classmethod
    def from_text(
        cls, embedder: Embedder, article: str, questions: Sequence[str]
    ) -> SyntheticCorpus:
        """Embed the article's seed texts with ``embedder`` and draw around them."""
        return cls(embedder.encode(seed_texts(article, questions)))

    def draw(self, count: int) -> np.ndarray:
        """``count`` fresh unit vectors, float32, built in chunks to bound temporary memory."""
        out = np.empty((count, self.real.shape[1]), dtype=np.float32)
        for start in range(0, count, CHUNK):
            n = min(CHUNK, count - start)
            first = self.rng.integers(len(self.real), size=n)
            second = self.rng.integers(len(self.real), size=n)
            weight = self.rng.uniform(0.0, 0.5, size=(n, 1)).astype(np.float32)
            gaussian = self.rng.standard_normal((n, len(self.noise_basis)), dtype=np.float32)
            mixed = self.real[first] + weight * self.real[second]
            mixed += NOISE * (gaussian @ self.noise_basis)
            out[start : start + n] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
        return out
