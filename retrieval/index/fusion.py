"""Two embedding models as one: their vectors side by side, weighed per question.

A document (passage or sentence) is stored as the blocks of every model's unit vector, one
after another, so one inner-product search over the stacked index scores a question by

    sum_i  w_i * (scale_i * cos_i + shift_i)

when the question's vector is its models' query vectors, each multiplied by ``w_i * scale_i``
(and a constant column carries the shifts). The weights are the question's, not the
index's: an English question weighs MiniLM and e5 as fitted, a question in another language
only the multilingual model (e5), all from the same stored vectors. ``scale`` and ``shift``
put a model's cosines on the first model's scale (e5's unrelated texts score about 0.75,
MiniLM's about 0.1), so that the answerability model reads one scale whichever models weigh.

Each model keeps its own per-article vector cache (see :class:`IndexBuilder`); the stacked
vectors are derived from them at build time, never cached.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..core.errors import IndexCorrupt
from ..core.files import write_atomic
from ..text.language import english
from .embedding import Embedder
from .latent import LatentTerms
from .vectorstore import VectorLayout

FUSION_FILE = Path(__file__).with_name("fusion.json")
# ISO 639-2 "multiple languages": a question weighed by the multilingual models alone, as one
# in another language is (an English question over an article in another language).
MULTILINGUAL = "mul"


@dataclass(frozen=True, slots=True)
class Calibration:
    """An affine map of one model's cosines onto the reference scale."""

    scale: float = 1.0
    shift: float = 0.0


@dataclass(frozen=True, slots=True)
class CrossLanguage:
    """How a passage in another language than the question's is scored beside passages in
    the question's own (see ``tools/fit_cross_language.py``). e5 scores a translation lower
    than the same words, so its similarity is first mapped onto the same-language scale
    (``scale * similarity + shift``). It has no BM25 or word match to show, so it is then
    given what a passage of that similarity has on average in the question's language: a
    line for BM25's part of the score, and one for the word matches that re-rank an English
    question's shortlist. The defaults score it as any other passage."""

    scale: float = 1.0
    shift: float = 0.0
    lexical: float = 0.0
    lexical_slope: float = 0.0
    words: float = 0.0
    words_slope: float = 0.0

    @property
    def active(self) -> bool:
        """Whether passages in other languages are scored apart at all."""
        return self != CrossLanguage()

    def score(self, similarity: float, reranked: bool) -> float:
        """A passage's score from its similarity alone, on the scale of a same-language one
        (``reranked``: with the word matches an English question's shortlist adds)."""
        mapped = self.scale * similarity + self.shift
        words = self.words + self.words_slope * mapped if reranked else 0.0
        return mapped + self.lexical + self.lexical_slope * mapped + words


@dataclass(frozen=True, slots=True)
class FusionConfig:
    """The fitted weights of the signals (see ``tools/fit_fusion.py``), saved as JSON."""

    weights: Mapping[str, float] = field(default_factory=dict)  # per model key, English
    calibration: Mapping[str, Calibration] = field(default_factory=dict)
    passage_weight: float = 0.6  # whole passage against its best sentence
    lexical_weight: float = 0.6  # BM25, squashed, added to the dense similarity
    saturation: float = 2.0
    cross_language: CrossLanguage = field(default_factory=CrossLanguage)

    def weight(self, key: str, english: bool, multilingual: Mapping[str, bool]) -> float:
        """The weight of model ``key`` among the models run (``multilingual``: whether each is)
        for a question in English or not. A question in another language is searched by the
        multilingual models alone, unless none runs; weights that sum to 0 over the models
        run (MiniLM alone, fitted at 0 beside e5) become equal."""
        keys = [k for k, m in multilingual.items() if english or m] or list(multilingual)
        if key not in keys:
            return 0.0
        total = sum(self.weights.get(k, 1.0) for k in keys)
        return self.weights.get(key, 1.0) / total if total else 1 / len(keys)

    def to_json(self) -> dict[str, object]:
        """The configuration as JSON data."""
        return {
            "weights": dict(self.weights),
            "calibration": {
                k: {"scale": c.scale, "shift": c.shift} for k, c in self.calibration.items()
            },
            "passage_weight": self.passage_weight,
            "lexical_weight": self.lexical_weight,
            "saturation": self.saturation,
            "cross_language": asdict(self.cross_language),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> FusionConfig:
        """The configuration from :meth:`to_json` data."""
        calibration = data.get("calibration", {})
        if not isinstance(calibration, dict):
            raise TypeError(f"calibration should be an object, not {calibration!r}")
        default = cls()
        return cls(
            weights=dict(data.get("weights", {})),  # type: ignore[call-overload]
            calibration={k: Calibration(**v) for k, v in calibration.items()},
            passage_weight=float(data.get("passage_weight", default.passage_weight)),  # type: ignore[arg-type]
            lexical_weight=float(data.get("lexical_weight", default.lexical_weight)),  # type: ignore[arg-type]
            saturation=float(data.get("saturation", default.saturation)),  # type: ignore[arg-type]
            cross_language=CrossLanguage(**data.get("cross_language", {})),  # type: ignore[arg-type]
        )


def save_fusion(config: FusionConfig, path: Path = FUSION_FILE) -> None:
    """Write ``config`` where :func:`load_fusion` reads it (the fitting scripts' output)."""
    write_atomic(path, (json.dumps(config.to_json(), indent=2) + "\n").encode("utf-8"))


def load_fusion(path: Path = FUSION_FILE) -> FusionConfig:
    """The fitted configuration shipped beside this module."""
    try:
        return FusionConfig.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"cannot read the fusion weights {path}: {exc}") from exc


class FusedEmbedder:
    """Several embedders (keyed ``"minilm"``, ``"e5"``) behind the one-embedder interface."""

    def __init__(self, parts: Mapping[str, Embedder], config: FusionConfig | None = None) -> None:
        if not parts:
            raise ValueError("at least one embedding model is needed")
        self.parts: dict[str, Embedder] = dict(parts)
        self.config = config or FusionConfig()
        self.multilingual_of = {
            k: bool(getattr(p, "multilingual", False)) for k, p in parts.items()
        }
        self.multilingual = any(self.multilingual_of.values())
        self._calibration = {k: self.config.calibration.get(k, Calibration()) for k in parts}
        self._shifted = any(c.shift for c in self._calibration.values())
        self._blocks = len(parts) + self._shifted
        self.name = "+".join(p.name for p in parts.values())
        self.dimension = sum(p.dimension for p in parts.values()) + self._shifted
        self.max_tokens = min(p.max_tokens for p in parts.values())
        # Words (focus words, "is this a common English word?") are the English model's job.
        english_only = [k for k, multilingual in self.multilingual_of.items() if not multilingual]
        self.words = self.parts[(english_only or list(self.parts))[0]]
        # The latent terms of the first model that ships them (e5's): evidence across
        # languages, cached for the engine's lifetime.
        self.latent = next(
            (
                LatentTerms(p.latent_terms, p.latent_dimension)
                for p in self.parts.values()
                if getattr(p, "latent_dimension", 0)
            ),
            None,
        )

    def count_tokens(self, text: str) -> int:
        """The most tokens any model takes for ``text``: a passage must fit every model."""
        return max(p.count_tokens(text) for p in self.parts.values())

    def stack(self, blocks: Sequence[np.ndarray]) -> np.ndarray:
        """Documents' stored vectors from each model's unit vectors (in ``parts`` order)."""
        rows = len(blocks[0])
        columns = list(blocks) + ([np.ones((rows, 1), np.float32)] if self._shifted else [])
        stacked = np.hstack(columns) if len(columns) > 1 else columns[0]
        return np.ascontiguousarray(stacked / math.sqrt(self._blocks), dtype=np.float32)

    @property
    def layout(self) -> VectorLayout:
        """The blocks of a stacked vector, one per model (keyed as ``parts``), and the value
        :meth:`stack` gives its constant column (taken from it, so that it is the same float)."""
        constant = None
        if self._shifted:
            zeros = [np.zeros((1, p.dimension), np.float32) for p in self.parts.values()]
            constant = float(self.stack(zeros)[0, -1])
        return VectorLayout(tuple((k, p.dimension) for k, p in self.parts.items()), constant)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Documents embedded by every model, stacked."""
        return self.stack([p.encode(texts) for p in self.parts.values()])

    def encode_queries(
        self, texts: list[str], languages: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Questions' vectors, each weighed by its language (None or "en": English). A model
        whose weight is 0 for every question is not run."""
        return self.encode_queries_as(texts, [languages or [None] * len(texts)])[0]

    def encode_queries_as(
        self, texts: list[str], weighings: Sequence[Sequence[str | None]]
    ) -> list[np.ndarray]:
        """The questions' vectors once for each of ``weighings`` (each question's language
        it is weighed as), from one encoding by each model: the same question may be
        searched as one in another language and recognised as one in its own."""
        weights_of = [
            {
                key: np.array(
                    [
                        self.config.weight(key, english(lang), self.multilingual_of)
                        for lang in languages
                    ],
                    np.float32,
                )
                for key in self.parts
            }
            for languages in weighings
        ]
        used_of = {
            key: np.flatnonzero(np.any([w[key] != 0 for w in weights_of], axis=0))
            for key in self.parts
        }
        # One model after the other: each already uses both cores, and side by side they
        # measured slower (bench.multilingual's query_encoding figures).
        encoding = {}
        for key, used in used_of.items():
            block = np.zeros((len(texts), self.parts[key].dimension), np.float32)
            if len(used):
                block[used] = self.parts[key].encode_queries([texts[i] for i in used])
            encoding[key] = block
        return [self._stacked(encoding, weights, len(texts)) for weights in weights_of]

    def _stacked(
        self, encoding: Mapping[str, np.ndarray], weights_of: Mapping[str, np.ndarray], rows: int
    ) -> np.ndarray:
        """Query vectors from each model's encodings, weighed and calibrated per question."""
        columns = []
        shift = np.zeros((rows, 1), np.float32)
        for key in self.parts:
            weights, calibration = weights_of[key], self._calibration[key]
            columns.append(encoding[key] * (weights * calibration.scale)[:, None])
            shift[:, 0] += weights * calibration.shift
        if self._shifted:
            columns.append(shift)
        stacked = np.hstack(columns) if len(columns) > 1 else columns[0]
        return np.ascontiguousarray(stacked * math.sqrt(self._blocks), dtype=np.float32)

    @classmethod
    def of(cls, embedder: Embedder | FusedEmbedder, config: FusionConfig | None) -> FusedEmbedder:
        """``embedder`` as a fused one (a single model is one part, vectors unchanged)."""
        if isinstance(embedder, FusedEmbedder):
            return embedder
        key = "e5" if getattr(embedder, "multilingual", False) else "minilm"
        return cls({key: embedder}, config)
