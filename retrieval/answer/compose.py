"""Extractive answers: pick the sentences that best answer the question and cite them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..core.types import Answer, Citation, Evidence, Highlight, Hit, Passage, Sentence, Signals
from ..question.analysis import Analysis
from ..question.focus import WordVectors, coverage, matches
from ..question.phrases import Phrase, phrases
from ..text.names import is_form, words_of
from ..text.words import root
from .answerability import AnswerabilityModel
from .rerank import soft
from .tuning import AnswerPolicy

_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|without|neither|nor|least|fewest|lowest|smallest"
    r"|cannot|unable|fails?|failed|failing|lacks?|lacked|lacking)\b|n['’]t\b",
    re.IGNORECASE,
)
# "whether or not", "may or may not": both ways at once, which negates nothing.
_BOTH_WAYS = re.compile(r"\bor\s+(?:\w+\s+)?not\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b[IVX]{2,}\b")  # digits, and regnal numbers ("Henry III")
_SPELLED = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_NUMBER_WORD = re.compile(rf"\b(?:{'|'.join(_SPELLED)})\b", re.IGNORECASE)
# Why an answer was declined or hedged; the CLI and the bot word them for the reader.
UNKNOWN_NAMES = "unknown_names"
NOT_COVERED = "not_covered"
NOT_ANSWERED = "not_answered"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One sentence of the shortlist as a possible quote, with what its score weighs."""

    sentence: Sentence
    passage: Passage
    hit_rank: int
    similarity: float  # the sentence's cosine with the question
    overlap: float  # its soft coverage of the question's words (a neighbour's discounted)
    phrases: tuple[Phrase, ...]  # its phrases of the kind asked for
    score: float
    own_score: float  # the score without the overlap it borrows from the sentence before


def overview(question: str, lead: Passage, language: str | None = None) -> Answer:
    """The article's opening sentences, which for a news piece say what it is about."""
    sentences = lead.sentences[:2]
    start, end = sentences[0].start, sentences[-1].end
    quote = lead.text[start - lead.start : end - lead.start]
    text = " ".join(f"{sentence.text} [1]" for sentence in sentences)
    citation = Citation(1, lead, quote, start, end, 1.0)
    return Answer(question, text, (citation,), 1.0, overview=True, language=language)


def decline(analysis: Analysis, reason: str, confidence: float = 0.0) -> Answer:
    """No answer and no citations, with the reason (and the names the article never uses)."""
    return Answer(
        analysis.question,
        "",
        (),
        confidence,
        outcome="declined",
        reason=reason,
        unknown_names=analysis.unknown_names,
        language=analysis.language,
        searched=analysis.searched,
        corrections=tuple((c.typed, c.corrected) for c in analysis.corrections),
    )


def compose(
    analysis: Analysis,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentence_vector: Callable[[Sentence], np.ndarray],
    policy: AnswerPolicy,
    words: WordVectors,
    model: AnswerabilityModel,
    avoid: Sequence[str] = (),
    weighed: Sequence[Hit] = (),
    known_name: Callable[[str], bool] = lambda _: False,
    earns_place: Callable[[Hit], bool] | None = None,
) -> Answer:
    """Quote the best one or two sentences of ``hits`` and let the answerability model say
    whether they answer the question (answered), only come close (hedged), or whether the
    article is not about it at all (declined). Sentences inside an ``avoid`` quote are not
    quoted again while others remain: "and before that?" asks for something new.

    ``weighed`` holds the hits of the top passage's article, top first, scored as the model
    weighs them (see :meth:`HybridSearcher.within_article`); ``hits`` when not given.
    ``known_name`` tells the article's names (see :func:`phrases.phrases`). A hit of another
    article than the top passage's stays only if ``earns_place`` says it would be relevant on
    its own (see :func:`relevant_alone`): a source must earn its place."""
    if hits and earns_place is not None:
        top = hits[0].passage.article_id
        hits = [h for h in hits if h.passage.article_id == top or earns_place(h)]
    if not hits:
        return decline(analysis, NOT_COVERED)
    candidates = sentence_candidates(
        analysis, query_vector, hits, sentence_vector, words, policy, known_name
    )
    fresh = [c for c in candidates if not any(c.sentence.text in quote for quote in avoid)]
    pool = fresh or candidates
    chosen = _choose(pool, policy)
    evidence = _evidence(
        analysis, query_vector, weighed or hits, pool, chosen, sentence_vector, words, policy
    )
    verdict = model.decide(evidence.vector())
    signals = Signals(evidence, verdict.relevance, verdict.answerability)
    if verdict.outcome == "declined":
        # A name the article never uses is evidence the model weighed, and the likeliest
        # reason to give the reader.
        reason = UNKNOWN_NAMES if analysis.unknown_names else NOT_COVERED
        return dataclasses.replace(decline(analysis, reason, hits[0].score), signals=signals)
    answer = _cite(analysis.question, chosen, hits, query_vector, sentence_vector, hits[0].score)
    return dataclasses.replace(
        answer,
        outcome=verdict.outcome,
        reason=None if verdict.outcome == "answered" else NOT_ANSWERED,
        # A hedge says the article doesn't answer, and a near miss is not surely the answer:
        # a phrase in bold would say it is.
        highlight=_highlight(chosen) if verdict.bold else None,
        searched=analysis.searched,
        corrections=tuple((c.typed, c.corrected) for c in analysis.corrections),
        signals=signals,
        language=analysis.language,
        unknown_names=analysis.unknown_names,
    )


def relevant_alone(
    analysis: Analysis,
    query_vector: np.ndarray,
    hit: Hit,
    weighed: Sequence[Hit],
    sentence_vector: Callable[[Sentence], np.ndarray],
    policy: AnswerPolicy,
    words: WordVectors,
    model: AnswerabilityModel,
    known_name: Callable[[str], bool] = lambda _: False,
) -> bool:
    """Whether the relevance model would find ``hit``'s article about the question, were the
    hit its best passage (``weighed``: the hits of its article, scored as the model weighs
    them): the bar a source from another article clears before it is cited."""
    candidates = sentence_candidates(
        analysis, query_vector, [hit], sentence_vector, words, policy, known_name
    )
    chosen = _choose(candidates, policy)
    evidence = _evidence(
        analysis, query_vector, weighed, candidates, chosen, sentence_vector, words, policy
    )
    return model.decide(evidence.vector()).outcome != "declined"


def _evidence(
    analysis: Analysis,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    pool: list[Candidate],
    chosen: list[Candidate],
    sentence_vector: Callable[[Sentence], np.ndarray],
    words: WordVectors,
    policy: AnswerPolicy,
) -> Evidence:
    """The features of the answerability model: the search's scores of ``hits``, the chosen
    quote against the question, and the lead of the best sentence of the ``pool`` chosen
    from."""
    quote = " ".join(c.sentence.text for c in chosen)
    covered = coverage(analysis.focus, quote, words, policy.word_floor, analysis.unfamiliar)
    best = chosen[0].sentence
    missing = None if any(c.phrases for c in chosen) else analysis.wanted
    return Evidence(
        fused=hits[0].score,
        dense=hits[0].dense,
        lexical=hits[0].lexical,
        margin=_margin(hits, chosen),
        sentence=float(sentence_vector(best) @ query_vector),
        focus_mean=covered.mean,
        focus_weakest=covered.weakest,
        focus_unknown=analysis.focus_unknown,
        focus_absent=covered.absent,
        words_quoted=_words_quoted(analysis.asked, chosen, words),
        kind_missing=float(missing is not None and missing.typed),
        loose_kind_missing=float(missing is not None and not missing.typed and not missing.strict),
        strict_kind_missing=float(missing is not None and missing.strict),
        strict_kind_unknown=float(
            missing is not None and missing.strict and missing.noun in analysis.unfamiliar
        ),
        names_unquoted=_names_unquoted(analysis.names, quote),
        names_unknown=_share(len(analysis.unknown_names), len(analysis.names)),
        negation_mismatch=float(_negated(analysis.searched) and not _negated(quote)),
        number_missing=float(
            bool(_numbers(analysis.searched) - _numbers(hits[0].passage.text, spelled=True))
        ),
        cross_lingual=float(analysis.cross_lingual),
        foreign_article=float(analysis.foreign_article),
        question_words=float(len(analysis.asked)),
        sentence_lead=pool[0].score - pool[1].score if len(pool) > 1 else pool[0].score,
    )


def _share(unknown: int, known: int) -> float:
    return unknown / (unknown + known) if unknown else 0.0


def _names_unquoted(names: Sequence[str], quote: str) -> float:
    """The share of the question's names that the quote never writes in any form ("Iran" in
    "Iranian", "U.S." for "USA"): a quote about others seldom answers what was asked about
    these."""
    if not names:
        return 0.0
    written = words_of(quote)
    return sum(not any(is_form(name, w) for w in written) for name in names) / len(names)


def _words_quoted(asked: Sequence[str], chosen: list[Candidate], words: WordVectors) -> float:
    """The share of the question's content words (``asked``, names included) that the quote
    uses in some form. Written from the sentence it asks about, a question reuses its words;
    one that the sentence leaves several words short of often asks something a little
    different."""
    roots = {root(w) for w in asked}
    if not roots:
        return 1.0
    quoted = set().union(*(words.of_text(c.sentence.text).roots for c in chosen))
    return len(roots & quoted) / len(roots)


def _margin(hits: Sequence[Hit], chosen: Sequence[Candidate]) -> float:
    """How far the top passage leads the next one of its own article that doesn't hold the
    quote's first sentence: in a library, another article (or another edition of the same
    story) may hold a passage just as good; and a passage that overlaps the top one on the
    answer's sentence offers the same answer, not a rival one."""
    top = hits[0]
    article = top.passage.article_id
    answer = chosen[0].sentence if chosen[0].passage.article_id == article else None
    same = [
        h.score
        for h in hits[1:]
        if h.passage.article_id == article and answer not in h.passage.sentences
    ]
    return top.score - max(same) if same else top.score


def _negated(text: str) -> bool:
    """Whether the text says "not", "never", "least"...: a question that asks what did *not*
    happen is not answered by a sentence saying what did."""
    return bool(_NEGATION.search(_BOTH_WAYS.sub(" ", text)))


def _numbers(text: str, spelled: bool = False) -> set[str]:
    """The numbers of ``text`` in digits; with ``spelled``, a small one spelled out counts as
    its digits too: the passage's "two nations" has the question's "2 presidents"."""
    words = _NUMBER_WORD.findall(text) if spelled else []
    return set(_NUMBER.findall(text)) | {str(_SPELLED.index(w.lower())) for w in words}


def _highlight(chosen: list[Candidate]) -> Highlight | None:
    """The first phrase of the wanted kind in the best quoted sentence that holds one, at its
    offsets in the article: the best sentence is the likeliest answer, wherever it stands."""
    for candidate in chosen:
        if candidate.phrases:
            phrase, start = candidate.phrases[0], candidate.sentence.start
            return Highlight(phrase.text, start + phrase.start, start + phrase.end)
    return None


def sentence_candidates(
    analysis: Analysis,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentence_vector: Callable[[Sentence], np.ndarray],
    words: WordVectors,
    policy: AnswerPolicy,
    known_name: Callable[[str], bool],
) -> list[Candidate]:
    """Every sentence of ``hits`` as a candidate quote, best first (see
    :meth:`AnswerPolicy.sentence_score`)."""
    asked = analysis.asked
    best: dict[Sentence, Candidate] = {}  # by value: passages of two articles may share offsets
    for rank, hit in enumerate(hits):
        previous = np.zeros(len(asked))
        for sentence in hit.passage.sentences:
            own = soft(matches(asked, sentence.text, words), policy.paraphrase_floor)
            borrowed = np.maximum(previous - own, 0.0) * policy.context_discount
            overlap = float(own.sum() + borrowed.sum()) / max(1, len(asked))
            similarity = float(sentence_vector(sentence) @ query_vector)
            found = (
                tuple(phrases(sentence.text, analysis.wanted, analysis.searched, known_name))
                if analysis.wanted
                else ()
            )
            score = policy.sentence_score(similarity, overlap, rank, bool(found))
            alone = policy.sentence_score(
                similarity, float(own.sum()) / max(1, len(asked)), rank, bool(found)
            )
            candidate = Candidate(
                sentence, hit.passage, rank, similarity, overlap, found, score, alone
            )
            if sentence not in best or candidate.score > best[sentence].score:
                best[sentence] = candidate
            previous = own
    return sorted(best.values(), key=lambda c: c.score, reverse=True)


def _choose(candidates: list[Candidate], policy: AnswerPolicy) -> list[Candidate]:
    """The best sentence, plus one that scores nearly as well; a neighbour of the best needs
    less, since the two read as one quote (a claim and the sentence that explains it)."""
    best = candidates[0]
    chosen = [best]
    for other in candidates[1:]:
        if len(chosen) == policy.max_sentences:
            break
        ratio = policy.neighbour_ratio if _neighbours(best, other) else policy.second_ratio
        if other.score >= ratio * best.score and _quotable(chosen, other):
            chosen.append(other)
    # The sentence that scores higher on its own words opens the answer (a score may borrow
    # the overlap of the sentence before). Putting a sentence with a phrase of the asked kind
    # first instead opened fewer replies with the sentence that answers: of SQuAD's
    # two-sentence replies where only one sentence holds the answer, 692 against 716 of 849.
    return sorted(chosen, key=lambda c: -c.own_score)


def _neighbours(a: Candidate, b: Candidate) -> bool:
    starts = [s.start for s in a.passage.sentences]
    return (
        b.sentence.start in starts
        and abs(starts.index(b.sentence.start) - starts.index(a.sentence.start)) == 1
    )


def _quotable(chosen: list[Candidate], other: Candidate) -> bool:
    """A quote is one run of text: two sentences cited from one passage must be neighbours."""
    same = [c for c in chosen if c.hit_rank == other.hit_rank]
    sentences = [s.start for s in other.passage.sentences]
    position = sentences.index(other.sentence.start)
    return all(abs(sentences.index(c.sentence.start) - position) == 1 for c in same)


def _cite(
    question: str,
    chosen: list[Candidate],
    hits: Sequence[Hit],
    query_vector: np.ndarray,
    sentence_vector: Callable[[Sentence], np.ndarray],
    confidence: float,
) -> Answer:
    """Cite every hit in rank order. A hit no answer sentence came from quotes its best
    sentence that no other citation quotes yet (overlapping passages share sentences)."""
    citations: list[Citation] = []
    for rank, hit in enumerate(hits):
        quoted = sorted((c.sentence for c in chosen if c.hit_rank == rank), key=lambda s: s.start)
        if not quoted:
            taken = {c.start for c in citations} | {c.sentence.start for c in chosen}
            fresh = [s for s in hit.passage.sentences if s.start not in taken]
            quoted = [
                max(
                    fresh or hit.passage.sentences,
                    key=lambda s: float(sentence_vector(s) @ query_vector),
                )
            ]
        offset = hit.passage.start
        quote = hit.passage.text[quoted[0].start - offset : quoted[-1].end - offset]
        citations.append(
            Citation(rank + 1, hit.passage, quote, quoted[0].start, quoted[-1].end, hit.score)
        )
    text = " ".join(f"{c.sentence.text} [{c.hit_rank + 1}]" for c in chosen)
    return Answer(question, text, tuple(citations), confidence)
