"""Small frozen result types passed between the engine's stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the source, with its exact character span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """A few consecutive sentences of one paragraph: the unit that is indexed. Offsets are
    into the stored text of its article (``article_id``)."""

    id: str
    section: str | None
    paragraph: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]
    article_id: str = ""
    article_title: str = ""

    def to_record(self) -> dict[str, Any]:
        """The passage as one JSON-serialisable record."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Passage:
        """Rebuild a passage from :meth:`to_record` output."""
        sentences = tuple(Sentence(**s) for s in record["sentences"])
        return cls(**{**record, "sentences": sentences})


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found by search, with its fused score and the parts it came from."""

    passage: Passage
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Which article of the library a passage comes from."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of an answer: the passage and the sentence(s) quoted from it."""

    n: int
    passage: Passage
    quote: str
    start: int
    end: int
    score: float

    @property
    def article(self) -> ArticleRef:
        """The article the cited passage belongs to (``start``/``end`` are offsets into it)."""
        return ArticleRef(self.passage.article_id, self.passage.article_title)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the engine says to a question."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    confidence: float

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract of an answer (see README, `ask --json`)."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [
                {
                    "n": c.n,
                    "passage_id": c.passage.id,
                    "section": c.passage.section,
                    "text": c.passage.text,
                    "quote": c.quote,
                    "start": c.start,
                    "end": c.end,
                    "score": round(c.score, 4),
                    "article": {"id": c.article.id, "title": c.article.title},
                }
                for c in self.citations
            ],
            "confidence": round(self.confidence, 4),
        }
