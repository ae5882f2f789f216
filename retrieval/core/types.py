"""Small frozen result types passed between the engine's stages."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

Outcome = Literal["answered", "hedged", "declined"]


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
        """The passage as one JSON-serialisable record (by hand: ``asdict`` deep-copies, which
        costs seconds when a library of tens of thousands of passages is saved)."""
        record = {f: getattr(self, f) for f in _PASSAGE_FIELDS}
        record["sentences"] = [
            {"text": s.text, "start": s.start, "end": s.end} for s in self.sentences
        ]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Passage:
        """Rebuild a passage from :meth:`to_record` output."""
        sentences = tuple(Sentence(s["text"], s["start"], s["end"]) for s in record["sentences"])
        return cls(**{**record, "sentences": sentences})


_PASSAGE_FIELDS = tuple(f.name for f in fields(Passage))


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
class ArticleFact:
    """What the library records about an article itself, for a question about the article
    rather than its text: who wrote it (``author``) or when it was published (``published``,
    an ISO date). ``value`` is None when the document did not say."""

    field: Literal["author", "published"]
    value: str | None
    article: ArticleRef


@dataclass(frozen=True, slots=True)
class Highlight:
    """The phrase of the kind the question asks for (a date, an amount...) inside the quote."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the engine measured about a question and its best quote: the features of the
    answerability model (see ``answerability.py``)."""

    fused: float
    dense: float
    lexical: float
    margin: float
    sentence: float
    focus_mean: float
    focus_weakest: float
    focus_unknown: float
    focus_absent: float
    words_quoted: float
    kind_missing: float
    loose_kind_missing: float
    strict_kind_missing: float
    strict_kind_unknown: float
    names_unquoted: float
    names_unknown: float  # the share of the question's names that the article never uses
    negation_mismatch: float
    number_missing: float
    cross_lingual: float  # the question's language is not the article's
    foreign_article: float  # the article is not in English (the English rules are silent)
    question_words: float  # the question's content words: a short one has lower cosines
    sentence_lead: float  # how far the best candidate sentence leads the next one

    def vector(self) -> list[float]:
        """The features in field order."""
        return [float(getattr(self, f.name)) for f in fields(self)]


@dataclass(frozen=True, slots=True)
class Signals:
    """The evidence behind an outcome and the two probabilities the model gave it."""

    evidence: Evidence
    relevance: float
    answerability: float


@dataclass(frozen=True, slots=True)
class Answer:
    """What the engine says to a question.

    ``text`` is the quoted sentences with their ``[n]`` markers (the closest ones, for a
    hedge; empty for a decline). Why an answer was hedged or declined is told by ``outcome``,
    ``reason`` and ``unknown_names``; the words a reader sees are the CLI's and the bot's.
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    confidence: float
    outcome: Outcome = "answered"
    reason: str | None = None
    unknown_names: tuple[str, ...] = ()
    language: str | None = None
    highlight: Highlight | None = None
    searched: str = ""
    corrections: tuple[tuple[str, str], ...] = ()
    signals: Signals | None = None
    overview: bool = False  # the article's opening, for a question about the whole of it
    fact: ArticleFact | None = None  # the article's record answered (who wrote it, when)

    def __post_init__(self) -> None:
        if not self.searched:  # nothing was rewritten or corrected: the question itself
            object.__setattr__(self, "searched", self.question)

    @property
    def abstained(self) -> bool:
        """Declined: nothing in the article answers or comes close (kept for old consumers)."""
        return self.outcome == "declined"

    @property
    def answered(self) -> bool:
        """Whether the quote is presented as the answer."""
        return self.outcome == "answered"

    def to_json(self, message: str | None = None) -> dict[str, Any]:
        """The public JSON contract of an answer (see README, `ask --json`); ``message`` is
        the reply as a reader sees it, when the caller has worded one."""
        highlight = self.highlight
        return {
            "question": self.question,
            "answer": self.text if message is None else message,
            "abstained": self.abstained,
            "outcome": self.outcome,
            "answered": self.answered,
            "searched": self.searched or self.question,
            "language": self.language,
            "highlight": (
                {"text": highlight.text, "start": highlight.start, "end": highlight.end}
                if highlight
                else None
            ),
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
            "overview": self.overview,
            "fact": (
                {
                    "field": self.fact.field,
                    "value": self.fact.value,
                    "article": {"id": self.fact.article.id, "title": self.fact.article.title},
                }
                if self.fact
                else None
            ),
        }
