"""The three outcomes (answered, hedged, declined), decided by two small logistic models.

- *relevance*: is the article about this at all? Below its threshold the question is declined.
- *answerability*: does the chosen quote answer it? Below its threshold the answer is hedged:
  the closest passages are shown, but not presented as the answer.

The coefficients live in ``answerability.json`` beside this module, fitted on the shared tuning
questions by ``python -m tools.fit_answerability`` (see README, "How answers are chosen").
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from ..core.errors import ModelFileInvalid
from ..core.types import Evidence, Outcome

MODEL_FILE = Path(__file__).with_name("answerability.json")
FEATURES = tuple(f.name for f in fields(Evidence))


@dataclass(frozen=True, slots=True)
class Logistic:
    """``sigmoid(coef · x + intercept)`` and the probability at which it says yes."""

    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        """The model's probability for one vector of evidence (``Evidence.vector()``)."""
        z = self.intercept + sum(c * x for c, x in zip(self.coef, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome and the two probabilities behind it."""

    outcome: Outcome
    relevance: float
    answerability: float
    bold: bool = False  # answered surely enough for the phrase asked for to be shown in bold


@dataclass(frozen=True, slots=True)
class AnswerabilityModel:
    """Relevance, then answerability: the engine's whole decision about an outcome."""

    relevance: Logistic
    answerability: Logistic
    # The answerability at which a phrase of the kind asked for is surely the answer: below
    # it, bold would turn a near miss into a confident wrong answer.
    highlight: float = 0.5

    def decide(self, features: Sequence[float]) -> Verdict:
        """Declined when not relevant, hedged when relevant but not answered, else answered;
        ``features`` is an ``Evidence.vector()``."""
        relevance = self.relevance.probability(features)
        answerability = self.answerability.probability(features)
        if relevance < self.relevance.threshold:
            outcome: Outcome = "declined"
        elif answerability < self.answerability.threshold:
            outcome = "hedged"
        else:
            outcome = "answered"
        bold = outcome == "answered" and answerability >= self.highlight
        return Verdict(outcome, relevance, answerability, bold)

    @classmethod
    def neutral(cls) -> AnswerabilityModel:
        """A model that answers everything: the fitting script collects evidence with it, so
        that it runs even when the features have changed since the last fit."""
        zeros = (0.0,) * len(FEATURES)
        return cls(Logistic(zeros, 0.0, 0.0), Logistic(zeros, 0.0, 0.0), highlight=0.0)

    def to_record(self) -> dict[str, object]:
        """The JSON form written by the fitting script."""
        return {
            "features": list(FEATURES),
            **{
                name: {
                    "coef": list(part.coef),
                    "intercept": part.intercept,
                    "threshold": part.threshold,
                }
                for name, part in (
                    ("relevance", self.relevance),
                    ("answerability", self.answerability),
                )
            },
            "highlight": self.highlight,
        }

    @classmethod
    def from_record(cls, record: dict[str, object]) -> AnswerabilityModel:
        """Rebuild the model from :meth:`to_record` output, checking its feature list."""
        if record.get("features") != list(FEATURES):
            raise ModelFileInvalid(f"expected the features {list(FEATURES)}")
        parts = []
        for name in ("relevance", "answerability"):
            part = record[name]
            assert isinstance(part, dict)
            coef = tuple(float(c) for c in part["coef"])
            if len(coef) != len(FEATURES):
                raise ModelFileInvalid(f"{name} has {len(coef)} coefficients")
            parts.append(Logistic(coef, float(part["intercept"]), float(part["threshold"])))
        return cls(*parts, highlight=float(record.get("highlight", 0.5)))  # type: ignore[arg-type]


@cache
def load_model(path: Path = MODEL_FILE) -> AnswerabilityModel:
    """The fitted model, read once."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return AnswerabilityModel.from_record(record)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise ModelFileInvalid(f"cannot read the answerability model {path}: {exc}") from exc
