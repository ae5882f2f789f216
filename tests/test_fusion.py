"""Two embedders as one: stacked document vectors scored as the fitted, calibrated mix."""

import numpy as np
import pytest

from retrieval.index.fusion import (
    FUSION_FILE,
    Calibration,
    CrossLanguage,
    FusedEmbedder,
    FusionConfig,
    load_fusion,
    save_fusion,
)


class Fixed:
    """A fake embedder returning fixed unit vectors per text (pure logic only)."""

    def __init__(self, name: str, vectors: dict[str, list[float]], multilingual: bool) -> None:
        self.name, self.multilingual, self.vectors = name, multilingual, vectors
        self.dimension, self.max_tokens, self.calls = 2, 128, 0

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = np.array([self.vectors[t] for t in texts], np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return self.encode(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


VECTORS = {"doc": [1.0, 0.0], "q": [0.6, 0.8]}


def models() -> dict[str, Fixed]:
    return {
        "e5": Fixed("e5", {"doc": [0.0, 1.0], "q": [0.8, 0.6]}, multilingual=True),
        "minilm": Fixed("minilm", VECTORS, multilingual=False),
    }


CONFIG = FusionConfig(
    weights={"minilm": 0.25, "e5": 0.75},
    calibration={"e5": Calibration(2, -1)},
    cross_language=CrossLanguage(1.5, 0.05, 0.1, 1.2, 0.2, 0.5),
)


def test_a_stacked_score_is_the_weighed_sum_of_calibrated_cosines():
    fused = FusedEmbedder(models(), CONFIG)
    score = float((fused.encode_queries(["q"], ["en"]) @ fused.encode(["doc"]).T)[0, 0])
    assert score == pytest.approx(0.25 * 0.6 + 0.75 * (2 * 0.6 - 1))


def test_a_question_in_another_language_is_weighed_by_the_multilingual_model_alone():
    parts = models()
    fused = FusedEmbedder(parts, CONFIG)
    score = float((fused.encode_queries(["q"], ["ru"]) @ fused.encode(["doc"]).T)[0, 0])
    assert score == pytest.approx(2 * 0.6 - 1)
    assert parts["minilm"].calls == 0  # a model weighed 0 for every question is not run


def test_one_model_alone_keeps_its_own_cosines_even_when_fitted_at_zero():
    minilm = Fixed("minilm", VECTORS, multilingual=False)
    fused = FusedEmbedder.of(minilm, FusionConfig(weights={"minilm": 0.0, "e5": 1.0}))
    assert np.allclose(fused.encode_queries(["q"]), minilm.encode(["q"]))
    assert np.allclose(fused.encode(["doc"]), minilm.encode(["doc"]))


def test_the_configuration_round_trips_through_json_and_the_shipped_one_loads():
    assert FusionConfig.from_json(CONFIG.to_json()) == CONFIG
    shipped = load_fusion()
    assert set(shipped.weights) == {"minilm", "e5"} and shipped.lexical_weight >= 0


def test_a_passage_in_another_language_is_scored_from_its_mapped_similarity():
    cross = CrossLanguage(scale=1.5, shift=0.05, lexical=0.1, lexical_slope=1.2, words=0.2)
    mapped = 1.5 * 0.3 + 0.05
    assert cross.score(0.3, reranked=False) == pytest.approx(mapped + 0.1 + 1.2 * mapped)
    assert cross.score(0.3, reranked=True) == pytest.approx(mapped + 0.3 + 1.2 * mapped)
    assert cross.active and not CrossLanguage().active
    assert CrossLanguage().score(0.3, reranked=True) == pytest.approx(0.3)


def test_several_weighings_come_from_one_encoding_by_each_model():
    parts = models()
    fused = FusedEmbedder(parts, CONFIG)
    as_english, as_russian = fused.encode_queries_as(["q"], [["en"], ["ru"]])
    assert [p.calls for p in parts.values()] == [1, 1]
    assert np.allclose(as_english, FusedEmbedder(models(), CONFIG).encode_queries(["q"], ["en"]))
    assert np.allclose(as_russian, FusedEmbedder(models(), CONFIG).encode_queries(["q"], ["ru"]))


def test_a_saved_configuration_loads_back_as_the_shipped_file_is_written(tmp_path):
    path = tmp_path / "fusion.json"
    save_fusion(CONFIG, path)
    assert load_fusion(path) == CONFIG
    save_fusion(load_fusion(), path)
    assert path.read_text() == FUSION_FILE.read_text()
