"""The search's sentence windows: a passage's sentence also scored with the one before it
(made-up vectors for the arithmetic, then the real models on a made-up article)."""

import numpy as np
import pytest

from retrieval.core.types import Passage, Sentence
from retrieval.index.segments import SegmentedMatrix
from retrieval.index.vectorstore import FaissStore
from retrieval.search.hybrid import HybridSearcher

RAILWAY = """The Marrow Valley Railway

The Marrow Valley Railway was laid out by the engineer Ida Brann in 1874. It climbs eleven \
hundred metres through forty tunnels before it reaches the pass.

The valley's farmers grow barley and keep goats on the higher meadows. Their cheese is sold \
at the market in Lenz every Saturday, and it keeps through the winter.

A museum at the lower station shows the first locomotive. Visitors may ride in its cab on \
summer weekends, when the volunteers light the boiler.
"""


def windowed_searcher(sentence_vectors: np.ndarray) -> HybridSearcher:
    """Two passages of made-up text, sentences 0 and 1, then 2, with these vectors."""
    sentences = [Sentence(f"s{i}", 3 * i, 3 * i + 2) for i in range(3)]
    passages = [
        Passage("p0", None, 0, 0, 5, "s0 s1", tuple(sentences[:2])),
        Passage("p1", None, 1, 6, 8, "s2", (sentences[2],)),
    ]
    store = FaissStore.build(np.eye(2, 3, dtype=np.float32))
    return HybridSearcher(passages, store, SegmentedMatrix.of(sentence_vectors), np.arange(3))


def test_a_sentence_is_also_scored_with_the_one_before_it_in_its_passage_alone():
    """The second sentence's window is the two sentences' normalised mean, which beats
    either alone for a query between them; a passage's first sentence has no window, even
    though the row before it is the previous passage's last."""
    query = np.array([0, 1, 1], dtype=np.float32) / np.sqrt(2)
    vectors = np.eye(3, dtype=np.float32)
    assert windowed_searcher(vectors)._best_sentence_scores([1], query)[0] == pytest.approx(
        1 / np.sqrt(2)  # s2 alone: s1 and s2 are in two passages, so they are no window
    )
    query = np.array([1, 1, 0], dtype=np.float32) / np.sqrt(2)
    assert windowed_searcher(vectors)._best_sentence_scores([0], query)[0] == pytest.approx(1)


def test_a_fact_whose_subject_is_named_the_sentence_before_scores_as_the_pair(
    engine_factory, tmp_path
):
    """A sentence that names no railway ("It climbs … through forty tunnels"), read with the
    one before it, scores its passage above any one of its sentences, by both models."""
    path = tmp_path / "railway.txt"
    path.write_text(RAILWAY, encoding="utf-8")
    engine = engine_factory(article_path=path)
    engine.load_or_build()
    question = "How many tunnels does the Marrow Valley Railway go through?"
    searcher = engine.snapshot.searcher
    vector = engine.embedder.encode_queries([question])[0]
    [top] = searcher.search(vector, question, 1)
    assert "forty tunnels" in top.passage.text
    row = searcher.passages.index(top.passage)
    alone = searcher.sentence_vectors_of([top])
    best_alone = max(float(alone(s) @ vector) for s in top.passage.sentences)
    assert searcher._best_sentence_scores([row], vector)[0] > best_alone + 0.01
