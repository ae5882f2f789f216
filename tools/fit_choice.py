"""Check the hand-chosen weights of how the answer's passage and sentences are chosen against
weights fitted leave one article out.

    python -m tools.fit_choice [--shared ../shared] [--candidates FILE]

Two choices, each a weighted sum with weights in ``retrieval/answer/tuning.json``:

- the passage cited first: the search's shortlist is re-ranked by its fused score plus
  ``rerank_weight`` times each passage's soft coverage of the question's words; it is right
  when it holds a gold fragment (hit@1, as ``bot.py eval`` counts it);
- the sentence quoted first: its cosine with the question, plus ``overlap_weight`` times its
  soft word overlap, less ``rank_weight`` per place of its passage, plus ``kind_weight`` when
  it holds a phrase of the kind asked for (:meth:`AnswerPolicy.sentence_score`); it is right
  when it holds the question's answer keywords (any of them, for SQuAD).

Every answerable tuning question (SQuAD's, translated or not, and the news article's) is asked
of its own article. Each weight is chosen on a grid for the most questions whose choice is
right; each article's questions are measured on weights chosen without them, beside the
weights of ``tuning.json``. Fitted so, neither choice did better out of sample than the hand-
chosen weights (see README, "Out of sample"), and whole replies did worse (the second
sentence is chosen by a ratio of scores), so nothing here writes ``tuning.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import numpy as np

from config import Settings
from retrieval.answer.rerank import coverage
from retrieval.answer.tuning import AnswerPolicy, Tuning, load_tuning
from retrieval.evaluation import Question

from .evidence import add_fitting_arguments, engine_for, tuning_sets
from .fit_answerability import _article

SENTENCE_GRID = {
    "overlap_weight": np.round(np.arange(0.0, 1.51, 0.1), 2),
    "rank_weight": np.round(np.arange(0.0, 0.151, 0.01), 2),
    "kind_weight": np.round(np.arange(0.0, 0.301, 0.05), 2),
}
RERANK_GRID = {"rerank_weight": np.round(np.arange(0.0, 1.51, 0.05), 2)}


def collect(shared: Path, index_root: Path, settings: Settings) -> list[dict]:
    """Each answerable question's shortlist and candidate sentences: what their scores weigh,
    and whether each holds the answer."""
    records = []
    engines = {}
    for name, (article, questions) in tuning_sets(shared).items():
        if name == "dev_followups":
            continue  # a follow-up needs its conversation; its choices are no different
        if article not in engines:
            engines[article] = engine_for(article, index_root / article.stem, settings)
            engines[article].load_or_build()
        for question in questions:
            if question.answerable and question.keywords:
                records.append(_record(name, engines[article], question))
    return records


def _record(name: str, engine, question: Question) -> dict:  # noqa: ANN001 (an Engine)
    pipeline, snapshot = engine.pipeline, engine.snapshot
    analysis, _ = pipeline.read(question.text, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    found = pipeline.search(snapshot, analysis, vector, None)
    floor = pipeline.tuning.answer.word_floor
    passages = [
        [
            hit.score,
            coverage(hit, analysis.asked, pipeline.words, floor) if analysis.asked else 0.0,
            float(any(fragment in hit.passage.text for fragment in question.gold)),
        ]
        for hit in found
    ]
    shortlist = pipeline.rerank(analysis, found)
    keywords = [k.lower() for k in question.keywords]
    sentences = []
    for c in pipeline.candidates(snapshot, analysis, vector, shortlist):
        text = c.sentence.text.lower()
        held = [k in text for k in keywords]
        right = any(held) if question.any_keyword else all(held)
        sentences.append([c.similarity, c.overlap, c.hit_rank, float(bool(c.phrases)), right])
    return {"set": name, "article": _article(name), "passages": passages, "sentences": sentences}


def padded(records: list[dict], part: str) -> np.ndarray:
    """One part of the records as one array, question by candidate by (features, right); a
    question's missing candidates score minus infinity."""
    width = max((len(r[part]) for r in records), default=0)
    columns = len(next((r[part][0] for r in records if r[part]), [0.0]))
    x = np.zeros((len(records), max(1, width), columns))
    x[:, :, 0] = -np.inf
    for i, record in enumerate(records):
        if record[part]:
            x[i, : len(record[part])] = record[part]
    return x


@cache
def _policy() -> AnswerPolicy:
    """The answer policy of ``tuning.json``, read once: the grid replaces its weights."""
    return load_tuning().answer


def sentence_score(x: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    """:meth:`AnswerPolicy.sentence_score` of every candidate sentence at once, under the
    weights ``w`` (the policy's arithmetic holds for arrays)."""
    policy = dataclasses.replace(_policy(), **w)
    return policy.sentence_score(x[:, :, 0], x[:, :, 1], x[:, :, 2], x[:, :, 3])  # type: ignore[arg-type]


def rerank_score(x: np.ndarray, w: Mapping[str, float]) -> np.ndarray:
    """The re-ranked score of every shortlisted passage at once."""
    return x[:, :, 0] + w["rerank_weight"] * x[:, :, 1]


Score = Callable[[np.ndarray, Mapping[str, float]], np.ndarray]
CHOICES: dict[str, tuple[str, dict[str, np.ndarray], Score]] = {
    "passage": ("passages", RERANK_GRID, rerank_score),
    "sentence": ("sentences", SENTENCE_GRID, sentence_score),
}


def top_right(x: np.ndarray, weights: Mapping[str, float], score: Score) -> np.ndarray:
    """For each question (of :func:`padded`), whether its best-scored candidate is right."""
    best = np.argmax(score(x, weights), axis=1)
    return x[np.arange(len(x)), best, -1] > 0


def best_weights(x: np.ndarray, grid: dict[str, np.ndarray], score: Score) -> dict[str, float]:
    """The grid's weights with the most questions whose choice is right; among ties, the one
    nearest the grid's middle (a plateau's centre rather than its edge)."""
    middle = {k: float(np.median(v)) for k, v in grid.items()}
    best, best_key = {}, None
    for values in itertools.product(*grid.values()):
        weights = dict(zip(grid, map(float, values), strict=True))
        right = int(top_right(x, weights, score).sum())
        distance = sum(abs(weights[k] - middle[k]) / (grid[k][-1] or 1) for k in grid)
        if best_key is None or (right, -distance) > best_key:
            best, best_key = weights, (right, -distance)
    return best


def leave_one_out(records: list[dict], tuning: Tuning, choice: str) -> str:
    """Per article: its questions' choice right under the current weights and under weights
    chosen without it; then the totals of each kind of article (news, squad, foreign)."""
    part, grid, score = CHOICES[choice]
    weights = {**dataclasses.asdict(tuning.answer), "rerank_weight": tuning.rerank_weight}
    current = {k: weights[k] for k in grid}
    lines, totals = [f"{choice}: right first, now and held out"], {}
    for article in sorted({r["article"] for r in records}):
        held = padded([r for r in records if r["article"] == article], part)
        chosen = best_weights(
            padded([r for r in records if r["article"] != article], part), grid, score
        )
        now, fitted = top_right(held, current, score).sum(), top_right(held, chosen, score).sum()
        total = totals.setdefault(article.partition("/")[0], np.zeros(3, int))
        total += (now, fitted, len(held))
        lines.append(f"  {article:<38} {now}/{len(held)}  {fitted}/{len(held)}  {chosen}")
    for group, (now, fitted, count) in totals.items():
        lines.append(f"  {group + ', each left out':<38} {now / count:.3f}  {fitted / count:.3f}")
    return "\n".join(lines)


def main() -> int:
    """Collect (or read) the candidates and print the leave-one-out figures."""
    parser = argparse.ArgumentParser(prog="python -m tools.fit_choice")
    add_fitting_arguments(parser)
    parser.add_argument("--candidates", type=Path, help="JSONL: read when it exists, else written")
    args = parser.parse_args()
    if args.candidates and args.candidates.exists():
        lines = args.candidates.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
    else:
        records = collect(args.shared, args.index_root, Settings(_env_file=None))
        if args.candidates:
            text = "\n".join(json.dumps(r) for r in records) + "\n"
            args.candidates.write_text(text, encoding="utf-8")
    tuning = load_tuning()
    for choice in CHOICES:
        print(leave_one_out(records, tuning, choice))
    return 0


if __name__ == "__main__":
    sys.exit(main())
