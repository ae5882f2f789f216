"""Fit how a passage in another language than the question's is scored (``cross_language``
in fusion.json) on SQuAD alone, and measure it on the articles in other languages.

    python -m tools.fit_cross_language            # fit, measure, write fusion.json
    python -m tools.fit_cross_language --dry-run  # fit and measure only

Such a passage has no BM25 or word match to show, and e5 scores a translation lower than
the same words (see :class:`CrossLanguage`). Its similarity is mapped onto the
same-language scale by the line through two points: the mean similarity of a question to
the passage that answers it and to the other passages of its article, over SQuAD's English
questions and over their hand translations (``tools/data/squad_translated``). The evidence
it lacks is two least-squares lines against the similarity, over the best passages of
SQuAD's English questions: BM25's part of the score, and the word matches' part.

Nothing is fitted on the articles in other languages (``tools/data/foreign``): their
English questions, asked of the library of all tuning articles, are the held-out measure,
beside SQuAD's and the news article's hit@1 in the same library, before and after.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from config import Settings
from retrieval import Engine
from retrieval.answer.rerank import coverage
from retrieval.evaluation import Question, evaluate
from retrieval.index.fusion import (
    FUSION_FILE,
    MULTILINGUAL,
    CrossLanguage,
    load_fusion,
    save_fusion,
)

from .evidence import TRANSLATION, add_data_arguments, library_engine, tuning_sets

CANDIDATES = 30  # per question: the passages a same-language search ranks first


@dataclasses.dataclass(frozen=True, slots=True)
class Similarities:
    """e5's similarities of questions to the passages of their articles."""

    answering: list[float]  # to the first passage (in rank order) holding a gold fragment
    others: list[float]  # to every passage holding none


def similarities(engine: Engine, questions: list[Question], article: range) -> Similarities:
    """e5's similarity of each question (in whatever language) to each passage of its
    article, weighed as a question in another language is (e5 alone)."""
    snapshot, pipeline = engine.snapshot, engine.pipeline
    vectors = pipeline.embedder.encode_queries(
        [q.text for q in questions], [MULTILINGUAL] * len(questions)
    )
    found = Similarities([], [])
    for question, vector in zip(questions, vectors, strict=True):
        hits = snapshot.searcher.search(vector, question.text, len(article), article, None)
        gold = [any(g in h.passage.text for g in question.gold) for h in hits]
        answering = [h.dense for h, g in zip(hits, gold, strict=True) if g]
        found.answering.extend(answering[:1])
        found.others.extend(h.dense for h, g in zip(hits, gold, strict=True) if not g)
    return found


def same_language_evidence(
    engine: Engine, questions: list[Question], article: range
) -> np.ndarray:
    """Rows of (similarity, BM25's part of the score, the word matches' part) of each
    question's best passages in its article, weighed as a question in another language."""
    snapshot, pipeline = engine.snapshot, engine.pipeline
    read = [pipeline.read(q.text, (), snapshot, engine.is_word)[0] for q in questions]
    vectors = pipeline.embedder.encode_queries(
        [a.searched for a in read], [MULTILINGUAL] * len(read)
    )
    searcher, tuning = snapshot.searcher, pipeline.tuning
    rows = []
    for analysis, vector in zip(read, vectors, strict=True):
        for hit in searcher.search(vector, analysis.searched, CANDIDATES, article, "en"):
            words = coverage(hit, analysis.asked, pipeline.words, tuning.answer.word_floor)
            rows.append(
                (
                    hit.dense,
                    searcher.lexical_weight * hit.lexical,
                    tuning.rerank_weight * (words if analysis.asked else 0.0),
                )
            )
    return np.array(rows)


def similarity_map(same: Similarities, crossing: Similarities) -> tuple[float, float]:
    """``scale`` and ``shift`` of the line that takes the mean similarity of crossing
    questions to their answering passages, and to the others, onto those of same-language
    ones: a translation loses more similarity to the passage that answers it than to an
    unrelated one."""
    same_others, same_answering = np.mean(same.others), np.mean(same.answering)
    cross_others, cross_answering = np.mean(crossing.others), np.mean(crossing.answering)
    scale = (same_answering - same_others) / (cross_answering - cross_others)
    return float(scale), float(same_others - scale * cross_others)


def fit(engine: Engine, shared: Path) -> CrossLanguage:
    """The similarity map and the evidence lines, from SQuAD's questions and translations."""
    rows = {Path(r.source).name: engine.snapshot.rows[r.id] for r in engine.articles()}
    english, translated = Similarities([], []), Similarities([], [])
    evidence = []
    for name, (path, questions) in tuning_sets(shared).items():
        if not name.startswith("squad/"):
            continue
        article = rows[path.name]
        answerable = [q for q in questions if q.gold]
        found = similarities(engine, answerable, article)
        into = translated if name.endswith(TRANSLATION) else english
        into.answering.extend(found.answering)
        into.others.extend(found.others)
        if not name.endswith(TRANSLATION):
            evidence.append(same_language_evidence(engine, questions, article))
    scale, shift = similarity_map(english, translated)
    table = np.concatenate(evidence)
    lexical_slope, lexical = np.polyfit(table[:, 0], table[:, 1], 1)
    words_slope, words = np.polyfit(table[:, 0], table[:, 2], 1)
    print(
        f"e5 similarity, English questions: answering {np.mean(english.answering):.3f},"
        f" other passages {np.mean(english.others):.3f} ({len(english.answering)} questions);"
        f" translated: {np.mean(translated.answering):.3f}, {np.mean(translated.others):.3f}"
        f" ({len(translated.answering)}); evidence of {len(table)} passages"
    )
    return CrossLanguage(
        *(round(float(v), 3) for v in (scale, shift, lexical, lexical_slope, words, words_slope))
    )


def measure(engine: Engine, shared: Path, label: str) -> None:
    """hit@1 of every tuning set asked of the library: the foreign articles' held out."""
    for name, (_, questions) in tuning_sets(shared).items():
        if name.endswith(TRANSLATION) or name == "dev_followups":
            continue
        for language in sorted({q.language or "en" for q in questions}):
            asked = [q for q in questions if (q.language or "en") == language]
            report = evaluate(engine, asked)
            if report.answerable:
                print(
                    f"{label:<7} {name:<34} {language}  answerable {report.answerable:>3}"
                    f"  hit@1 {report.hit_at_1:.3f}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fit_cross_language")
    add_data_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the figures only")
    args = parser.parse_args()
    articles = sorted({path for path, _ in tuning_sets(args.shared).values()})
    engine = library_engine(articles, args.index_root, Settings(_env_file=None))
    searcher = engine.snapshot.searcher
    searcher.cross_language = CrossLanguage()  # the library as it ranked before
    measure(engine, args.shared, "before")
    fitted = fit(engine, args.shared)
    print("fitted:", json.dumps(dataclasses.asdict(fitted)))
    searcher.cross_language = fitted
    measure(engine, args.shared, "after")
    if not args.dry_run:
        config = dataclasses.replace(load_fusion(), cross_language=fitted)
        save_fusion(config)
        print(f"wrote {FUSION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
