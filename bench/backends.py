"""Query embedding backends side by side: torch, ONNX and ONNX int8 (speed and same answers)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from config import Settings
from retrieval import Answer, Engine
from retrieval.index.embedding import Embedder
from retrieval.index.onnx_embedding import OnnxEmbedder, export_onnx
from retrieval.index.torch_embedding import SentenceTransformerEmbedder, resolve_model

from .stats import summary_ms, timed


def sentence_transformers_onnx(model: str) -> str:
    """Whether sentence-transformers' own ``backend="onnx"`` loads here: "ok" or the error."""
    from sentence_transformers import SentenceTransformer

    try:
        SentenceTransformer(resolve_model(model), device="cpu", backend="onnx")
    except Exception as exc:  # it raises a bare Exception when optimum is missing
        return f"unavailable: {' '.join(str(exc).split())}"
    return "ok"


def quantize(fp32: Path, int8: Path) -> None:
    """Copy an ONNX export with its model dynamically quantised to int8 (per-channel weights)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    shutil.copytree(fp32, int8, ignore=shutil.ignore_patterns("model.onnx"))
    quantize_dynamic(
        fp32 / "model.onnx", int8 / "model.onnx", per_channel=True, weight_type=QuantType.QInt8
    )


def _signature(answer: Answer) -> tuple[object, ...]:
    """What must not change when the backend does: the text and the cited passages."""
    return answer.text, answer.abstained, tuple(c.passage.id for c in answer.citations)


def compare_backends(
    settings: Settings, questions: Sequence[str], rounds: int, work: Path
) -> dict[str, Any]:
    """Encode latency, answer latency and answer identity per backend.

    Each round times every backend on all the questions, one backend after the other (their
    thread pools would slow each other down if interleaved question by question). Every engine
    serves the same persisted index (``settings.index_dir``): only the query embedding changes.
    Torch, the model as published, is the reference for identical answers.
    """
    reference = SentenceTransformerEmbedder(settings.embedding_model)
    _, export_seconds = timed(lambda: export_onnx(reference, work / "onnx"))
    _, quantize_seconds = timed(lambda: quantize(work / "onnx", work / "onnx-int8"))
    embedders: dict[str, Embedder] = {
        "torch": reference,
        "onnx": OnnxEmbedder(settings.embedding_model, work / "onnx"),
        "onnx-int8": OnnxEmbedder(settings.embedding_model, work / "onnx-int8"),
    }
    engines = {name: Engine(settings, embedder) for name, embedder in embedders.items()}
    expected = [_signature(a) for a in engines["torch"].answer_many(list(questions))]
    query_vectors = reference.encode(list(questions))
    encode: dict[str, list[float]] = {name: [] for name in engines}
    answer: dict[str, list[float]] = {name: [] for name in engines}
    for engine in engines.values():  # warm-up
        engine.answer_many(list(questions))
    for turn in range(rounds):  # backend by backend, in a rotating order: no thread pools fight
        order = list(engines)[turn % len(engines) :] + list(engines)[: turn % len(engines)]
        for name in order:
            engine = engines[name]
            for question in questions:
                encoded = timed(lambda e=engine, q=question: e.embedder.encode_queries([q]))
                encode[name].append(encoded[1])
            for question in questions:
                answer[name].append(timed(lambda e=engine, q=question: e.answer(q))[1])
    results: dict[str, Any] = {}
    for name, engine in engines.items():
        answers = [_signature(a) for a in engine.answer_many(list(questions))]
        vectors = engine.embedder.encode_queries(list(questions))
        results[name] = {
            "encode": summary_ms(encode[name]),
            "answer": summary_ms(answer[name]),
            "identical_answers": sum(a == b for a, b in zip(answers, expected, strict=True)),
            "min_cosine_to_torch": round(float(np.min(np.sum(vectors * query_vectors, 1))), 5),
        }
    torch_median = results["torch"]["encode"]["median_ms"]
    for result in results.values():
        result["encode_speedup_vs_torch"] = round(torch_median / result["encode"]["median_ms"], 2)
    return {
        "questions": len(questions),
        "rounds": rounds,
        "default_backend": settings.embedding_backend,
        "export_seconds": round(export_seconds, 2),
        "quantize_seconds": round(quantize_seconds, 2),
        "sentence_transformers_backend_onnx": sentence_transformers_onnx(settings.embedding_model),
        "backends": results,
    }
