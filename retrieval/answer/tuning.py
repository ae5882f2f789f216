"""Every hand-chosen number of the answer path, in one file saved beside the fitted model.

The answerability model (``answerability.json``) and the fusion weights (``fusion.json``) are
fitted by their tools; the numbers here were chosen on plateaus of the tuning sets where the
figures barely move (see README, "How answers are chosen"). ``tools.fit_overview`` writes the
overview threshold back into this file.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelFileInvalid
from ..core.files import write_atomic

TUNING_FILE = Path(__file__).with_name("tuning.json")


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """How sentences are scored and chosen for the quote."""

    overlap_weight: float  # the soft word overlap beside the sentence's cosine
    rank_weight: float  # a lower passage rank costs this much per place
    kind_weight: float  # a phrase of the kind asked for adds this much
    second_ratio: float  # a second sentence is quoted if it scores this share of the first
    neighbour_ratio: float  # ... or this share, when it is the first one's neighbour
    context_discount: float  # a sentence borrows its neighbour's overlap at this discount
    max_sentences: int
    paraphrase_floor: float  # word cosines below this count no overlap in a sentence
    word_floor: float  # word cosines below this are chance resemblance, not paraphrase

    def sentence_score(self, similarity: float, overlap: float, rank: int, kind: bool) -> float:
        """A candidate sentence's score: its cosine with the question, plus its word overlap,
        less its passage's rank, plus whether it holds a phrase of the kind asked for."""
        return (
            similarity
            + self.overlap_weight * overlap
            - self.rank_weight * rank
            + self.kind_weight * kind
        )


@dataclass(frozen=True, slots=True)
class Tuning:
    """The answer policy, the re-ranking and the overview threshold."""

    answer: AnswerPolicy
    rerank_pool: int  # passages re-ranked: the fused score's top 10 hold the answer nearly always
    rerank_weight: float  # the soft coverage added to a passage's fused score
    overview_threshold: float  # the nearest overview prototype must reach this similarity
    fact_threshold: float  # ... and the nearest author or date prototype this one
    # A passage in another language than the question's, among the best: its latent terms'
    # cosine (less the mean of the others crossing) added to its score at this weight.
    latent_weight: float = 0.0

    def to_record(self) -> dict:
        """The JSON form of :func:`load_tuning`'s file."""
        return dataclasses.asdict(self)


def load_tuning(path: Path = TUNING_FILE) -> Tuning:
    """The tuning saved at ``path``."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return Tuning(**{**record, "answer": AnswerPolicy(**record["answer"])})
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelFileInvalid(f"cannot read the tuning file {path}: {exc}") from exc


def save_tuning(tuning: Tuning, path: Path = TUNING_FILE) -> None:
    """Write ``tuning`` to ``path`` (through a temp file, so a reader never sees half)."""
    write_atomic(path, (json.dumps(tuning.to_record(), indent=2) + "\n").encode("utf-8"))
