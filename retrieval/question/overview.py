"""Whether a question asks about the article itself rather than what it says, recognised by
meaning: "whats the article about", "summary pls", "about?" or "О чём статья?" are all near
one of a few requests for an overview; "who wrote this story?" or "кто автор?" near a question
for its author, "when was this published?" near one for its date; while "who wrote the
letter?" and "what does the article say about pizza?" are nearer questions about the text.

A question is a request of one kind when its fused similarity to the nearest prototype
(scored as a passage would be) is of that kind and reaches the kind's threshold (``tuning.json``).
``python -m tools.fit_overview`` chose the overview threshold: halfway between the highest
tuning question and the lowest of the requests written to fit it
(``tests/data/overview_requests.jsonl``). The author and date threshold is halfway between
the nearest question about the text (0.39, "who wrote the letter to Putin?") and the
farthest request of ``tests/test_about.py`` (0.54, "Когда опубликована статья?"), which
checks that no tuning or held-out question reaches it. Vague questions that lean on an
earlier answer ("when did this happen?", "who said it?") have prototypes of their own, so
that they are not taken for questions about the article.
"""

from __future__ import annotations

import threading
from typing import Literal

import numpy as np

from ..index.fusion import FusedEmbedder

Request = Literal["overview", "author", "published"]

OVERVIEW = (
    "What is this article about?",
    "Summarize the article.",
    "Give me a summary of the story.",
    "What are the main points?",
    "tl;dr",
)
AUTHOR = ("Who wrote this article?", "Who is the author of this story?")
PUBLISHED = ("When was this story published?", "What is the date of this article?")
# Questions about what the article says: the nearest of these is no request of any kind.
ABOUT_THE_TEXT = (
    "What does the article say about them?",
    "Who did the president meet?",
    "When did the talks take place?",
    "When did this happen?",
    "Who said that?",
)
# Every prototype that is no overview request.
ABOUT_THE_ARTICLE = (*AUTHOR, *PUBLISHED, *ABOUT_THE_TEXT)
KINDS: tuple[Request | None, ...] = (
    *(["overview"] * len(OVERVIEW)),
    *(["author"] * len(AUTHOR)),
    *(["published"] * len(PUBLISHED)),
    *([None] * len(ABOUT_THE_TEXT)),
)


class OverviewRecognizer:
    """The prototypes' vectors, embedded once (in the background from :meth:`warm_up`)."""

    def __init__(self, embedder: FusedEmbedder, threshold: float, fact: float) -> None:
        self._embedder = embedder
        self.threshold = threshold
        self.fact_threshold = fact
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Embed the prototypes in a background thread, before the first question. Not a
        daemon: a daemon thread still inside ONNX Runtime as the interpreter exits aborts the
        process ("terminate called without an active exception"), so a short command's exit
        waits for it (a fifth of a second)."""
        threading.Thread(target=self._prototypes, name="overview-warm-up").start()

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

    def request(self, vector: np.ndarray) -> Request | None:
        """What the question of ``vector`` asks about the article itself, if anything."""
        scores = self._prototypes() @ vector
        nearest = int(scores.argmax())
        kind = KINDS[nearest]
        threshold = self.threshold if kind == "overview" else self.fact_threshold
        return kind if kind is not None and scores[nearest] >= threshold else None

    def asks(self, vector: np.ndarray) -> bool:
        """Whether the question of ``vector`` asks for an overview of the article."""
        return self.request(vector) == "overview"
