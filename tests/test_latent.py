"""e5's latent terms: the cache and pooling (with made-up terms), then the real model's, and
how they re-rank passages in another language than the question's."""

import dataclasses

import numpy as np
import pytest

from retrieval.index.latent import LatentTerms

QUESTION = "Когда разбился вертолёт президента?"  # "When did the president's helicopter crash?"


class CountingTerms:
    """Made-up latent terms: one term per distinct word (its length), counting the texts."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def __call__(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        self.encoded.extend(texts)
        terms = []
        for text in texts:
            words = sorted(set(text.split()))
            indices = np.array([hash(w) % 64 for w in words], np.int32)
            terms.append((indices, np.array([len(w) for w in words], np.float32)))
        return terms


def test_each_text_is_encoded_once_while_cached():
    counting = CountingTerms()
    latent = LatentTerms(counting, 64, capacity=2)
    latent.terms(["a b", "c", "a b"])
    latent.terms(["c", "a b"])
    assert counting.encoded == ["a b", "c"]
    latent.terms(["d"])  # the least recently used ("c", then "a b" was read) makes room
    latent.terms(["a b"])
    assert counting.encoded == ["a b", "c", "d"]


def test_a_passage_pools_its_sentences_terms_by_their_maximum():
    """Max-pooling, as the model pools a text's tokens: a term twice weighs once."""
    latent = LatentTerms(lambda texts: [_terms(t) for t in texts], 4)
    query = np.array([1.0, 0.0, 0.0, 0.0], np.float32)
    pooled = latent.pooled_similarity(query, ["one", "two"])
    assert pooled == pytest.approx(3 / np.linalg.norm([3, 4]))


def _terms(text: str) -> tuple[np.ndarray, np.ndarray]:
    # "one": term 0 at 3; "two": term 0 at 1 and term 1 at 4.
    if text == "one":
        return np.array([0], np.int32), np.array([3.0], np.float32)
    return np.array([0, 1], np.int32), np.array([1.0, 4.0], np.float32)


def test_a_question_has_unit_latent_terms(embedder):
    latent = embedder.latent
    assert latent is not None
    query = latent.query(QUESTION)
    assert query.shape == (latent.dimension,)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)


def test_a_question_shares_latent_terms_with_its_answer_in_another_language(embedder):
    """The Russian question's terms meet the English sentence that answers it, not others."""
    latent = embedder.latent
    query = latent.query(QUESTION)
    answer = latent.pooled_similarity(query, ["Raisi died in a helicopter crash in May."])
    others = [
        latent.pooled_similarity(query, [text])
        for text in ("Viktor Bout is an arms dealer.", "The weavers built wooden looms.")
    ]
    assert answer > 2 * max(others)


def test_passages_across_languages_gain_their_relative_latent_similarity(engine):
    """A Russian question over the English article: the crossing passages' bonuses sum to
    nothing, and the shortlist is sorted by the new scores."""
    pipeline, snapshot = engine.pipeline, engine.snapshot
    analysis, _ = pipeline.read(QUESTION, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    shortlist = pipeline.rerank(analysis, pipeline.search(snapshot, analysis, vector, None))
    reranked = pipeline.across_languages(snapshot, analysis, shortlist)
    before = {h.passage.id: h.score for h in shortlist}
    gains = [h.score - before[h.passage.id] for h in reranked]
    assert pipeline.tuning.latent_weight > 0
    assert sum(gains) == pytest.approx(0.0, abs=1e-6)
    assert any(abs(g) > 1e-3 for g in gains)
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)


def test_an_english_question_over_the_english_article_is_not_reranked(engine):
    pipeline, snapshot = engine.pipeline, engine.snapshot
    analysis, _ = pipeline.read("who died in the helicopter crash", (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    shortlist = pipeline.rerank(analysis, pipeline.search(snapshot, analysis, vector, None))
    assert pipeline.across_languages(snapshot, analysis, shortlist) == shortlist


def test_without_weight_the_shortlist_stays_as_searched(engine):
    """At weight 0 (a deployment's choice, or a model without a sparse head) the shortlist
    stays as searched."""
    pipeline, snapshot = engine.pipeline, engine.snapshot
    unweighed = dataclasses.replace(
        pipeline, tuning=dataclasses.replace(pipeline.tuning, latent_weight=0.0)
    )
    analysis, _ = pipeline.read(QUESTION, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    shortlist = pipeline.rerank(analysis, pipeline.search(snapshot, analysis, vector, None))
    assert unweighed.across_languages(snapshot, analysis, shortlist) == shortlist
