"""Whether a question asks what the whole article is about, recognised by meaning: "whats
the article about", "summary pls", "about?" or "О чём статья?" are all near one of a few
requests for an overview, while "who wrote this story?" and "what does the article say about
pizza?" are nearer questions about the article or one of its topics.

A question is an overview request when its fused similarity to the nearest overview
prototype (scored as a passage would be) reaches the threshold (``tuning.json``) and no other
prototype is nearer. ``python -m tools.fit_overview`` chose the threshold: halfway between
the highest tuning question and the lowest of the requests written to fit it
(``tests/data/overview_requests.jsonl``).
"""

from __future__ import annotations

import threading

import numpy as np

from ..index.fusion import FusedEmbedder

OVERVIEW = (
    "What is this article about?",
    "Summarize the article.",
    "Give me a summary of the story.",
    "What are the main points?",
    "tl;dr",
)
# Questions about the article rather than its subject: the nearest of these is no request.
ABOUT_THE_ARTICLE = (
    "Who wrote this article?",
    "When was this story published?",
    "What does the article say about them?",
)


class OverviewRecognizer:
    """The prototypes' vectors, embedded once (in the background from :meth:`warm_up`)."""

    def __init__(self, embedder: FusedEmbedder, threshold: float) -> None:
        self._embedder = embedder
        self.threshold = threshold
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Embed the prototypes in a background thread, before the first question."""
        threading.Thread(target=self._prototypes, name="overview-warm-up", daemon=True).start()

    def _prototypes(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                self._vectors = self._embedder.encode([*OVERVIEW, *ABOUT_THE_ARTICLE])
            return self._vectors

    def similarity(self, vector: np.ndarray) -> tuple[float, float]:
        """The question's (``vector``'s) best similarity to an overview prototype, and to a
        question about the article."""
        scores = self._prototypes() @ vector
        return float(scores[: len(OVERVIEW)].max()), float(scores[len(OVERVIEW) :].max())

    def asks(self, vector: np.ndarray) -> bool:
        """Whether the question of ``vector`` asks for an overview of the article."""
        overview, other = self.similarity(vector)
        return overview >= self.threshold and overview > other
