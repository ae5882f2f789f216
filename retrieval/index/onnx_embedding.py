"""The ONNX backend: a one-time export of the model's transformer, then onnxruntime.

The export folder holds ``model.onnx``, the model's ``tokenizer.json`` and ``embedder.json``
(pooling, sequence limit, dimension). It is written to a temporary folder and renamed into
place, like the index, so a crash never leaves half an export.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core.errors import ModelNotFound, OnnxUnavailable

if TYPE_CHECKING:
    from .torch_embedding import SentenceTransformerEmbedder

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
BATCH = 32
MIN_AGREEMENT = 0.9999
CHECK_TEXT = "Padding, truncation and pooling must match: this sentence checks all three. "


def export_onnx(source: SentenceTransformerEmbedder, folder: Path) -> None:
    """Export ``source``'s transformer and tokenizer into ``folder`` (atomically), after
    checking that the export gives the same vectors as the original."""
    model_dir = Path(source.model[0].auto_model.name_or_path)
    mode = _pooling_mode(model_dir)
    if mode is None or not (model_dir / "tokenizer.json").exists():
        raise OnnxUnavailable(f"no mean/CLS pooling or no tokenizer.json for {source.name}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        names = _export_transformer(source, staging / "model.onnx")
        shutil.copy(model_dir / "tokenizer.json", staging / "tokenizer.json")
        config = {
            "model": source.name,
            "pooling": mode,
            "inputs": names,
            "max_tokens": source.max_tokens,
            "dimension": source.dimension,
        }
        (staging / "embedder.json").write_text(json.dumps(config, indent=2))
        _check_same_vectors(source, OnnxEmbedder(source.name, staging))
    except Exception as exc:  # exporters fail in many ways; torch remains a working backend
        shutil.rmtree(staging, ignore_errors=True)
        raise OnnxUnavailable(f"export failed: {exc}") from exc
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(staging, folder)
    log.info("exported %s to ONNX in %s", source.name, folder)


def _export_transformer(source: SentenceTransformerEmbedder, path: Path) -> list[str]:
    import torch

    sample = source.model.tokenizer(
        ["a sample", "a longer sample text"], padding=True, return_tensors="pt"
    )
    names = [n for n in INPUTS if n in sample]

    class HiddenStates(torch.nn.Module):
        """The transformer called with keyword inputs, returning its last hidden states."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, inputs, strict=True))).last_hidden_state

    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about constants; the vectors are checked
        torch.onnx.export(
            HiddenStates(source.model[0].auto_model.eval()),
            tuple(sample[n] for n in names),
            str(path),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]},
            opset_version=OPSET,
            dynamo=False,
        )
    return names


def _check_same_vectors(source: SentenceTransformerEmbedder, export: OnnxEmbedder) -> None:
    """Refuse an export whose vectors differ from the original model's."""
    texts = [CHECK_TEXT, CHECK_TEXT[:40], "A short one.", CHECK_TEXT * 40]
    agreement = float(np.min(np.sum(source.encode(texts) * export.encode(texts), axis=1)))
    if agreement < MIN_AGREEMENT:
        raise OnnxUnavailable(f"ONNX vectors differ from the model's (cosine {agreement:.5f})")


def _pooling_mode(model_dir: Path) -> str | None:
    """ "mean" or "cls" from the model's Pooling module config; None when it is neither."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        path = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        config = json.loads((model_dir / path / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    enabled = {k for k, v in config.items() if k.startswith("pooling_mode_") and v is True}
    return {
        frozenset({"pooling_mode_mean_tokens"}): "mean",
        frozenset({"pooling_mode_cls_token"}): "cls",
    }.get(frozenset(enabled))


class OnnxEmbedder:
    """Encodes with onnxruntime; vectors match the sentence-transformers model's."""

    multilingual = False  # all-MiniLM-L6-v2 and most sentence-transformers models

    def __init__(self, name: str, folder: Path) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise OnnxUnavailable(f"onnxruntime or tokenizers is not installed: {exc}") from exc
        try:
            config = json.loads((folder / "embedder.json").read_text())
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = min(4, os.cpu_count() or 1)
            # Spinning workers collapse when another process holds a core (shared machines):
            # about 1 ms slower when idle, far steadier under load (bench/results.md).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self.session = ort.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a damaged export: onnxruntime raises its own types
            raise ModelNotFound(f"cannot load the ONNX export in {folder}: {exc}") from exc
        self.name = name
        self.dimension = int(config["dimension"])
        self.max_tokens = int(config["max_tokens"])
        self.pooling = config["pooling"]
        self.inputs = tuple(config["inputs"])
        # Tokenizers are shared by threads: configure them once, never per call.
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding()
        self.counter.no_truncation()
        self.counter.no_padding()
        log.info("loaded embedding model %s (onnx, dimension %d)", name, self.dimension)

    @staticmethod
    def exported(folder: Path) -> bool:
        """Whether ``folder`` holds a finished export."""
        return all(
            (folder / f).exists() for f in ("model.onnx", "tokenizer.json", "embedder.json")
        )

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` takes, special tokens included."""
        return len(self.counter.encode(text).ids)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode ``texts`` in batches into a float32 matrix of L2-normalised rows.

        Batches are cut from the texts sorted by length, so that a batch pads its short texts
        to a similar length instead of the longest text of the whole call (as
        sentence-transformers does); rows come back in the order given.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        parts = [self._encode_batch(ordered[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        vectors[order] = np.vstack(parts)
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = self.session.run(None, {n: arrays[n] for n in self.inputs})[0]
        mask = arrays["attention_mask"][..., None].astype(np.float32)
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions are embedded as any other text: the model has no query prefix."""
        return self.encode(texts)
