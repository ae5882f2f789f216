"""Retrieval baselines beside the engine, on the same questions: ``python -m bench.baselines``.

For each question file (the dev questions and the held-out paraphrases) it prints hit@1 and
hit@3 of dense FAISS search over whole paragraphs, dense search over the engine's passages,
BM25 alone over those passages, and the engine's hybrid ranking.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np

from config import Settings
from retrieval import Engine
from retrieval.evaluation import Question, read_questions
from retrieval.index.lexical import LexicalIndex
from retrieval.library.catalog import read_article
from retrieval.library.chunking import iter_lines
from retrieval.text.words import tokenize

from .workload import ROOT, bench_settings, dev_questions_path

TOP = 3
Ranker = Callable[[Question, np.ndarray], list[int]]


def hit_rates(
    questions: Sequence[Question], vectors: np.ndarray, texts: Sequence[str], rank: Ranker
) -> tuple[float, float]:
    """hit@1 and hit@3: a hit is a ranked text holding one of the question's gold fragments."""
    firsts = []
    for question, vector in zip(questions, vectors, strict=True):
        ranked = rank(question, vector)[:TOP]
        found = [i for i, t in enumerate(ranked) if any(g in texts[t] for g in question.gold)]
        firsts.append(found[0] if found else None)
    return (
        sum(f == 0 for f in firsts) / len(firsts),
        sum(f is not None for f in firsts) / len(firsts),
    )


def dense_ranker(index: faiss.Index) -> Ranker:
    """Rank by inner product in a FAISS index."""
    return lambda _, vector: index.search(vector.reshape(1, -1), TOP)[1][0].tolist()


def bm25_ranker(texts: Sequence[str]) -> Ranker:
    """Rank by BM25 alone (bm25s, the engine's tokenizer)."""
    lexical = LexicalIndex(texts)
    return lambda q, _: np.argsort(-lexical.scores(tokenize(q.text)))[:TOP].tolist()


def compare(engine: Engine, questions: Sequence[Question]) -> dict[str, tuple[float, float]]:
    """hit@1 and hit@3 of each method on the answerable questions."""
    answerable = [q for q in questions if not q.offtopic]
    vectors = engine.embedder.encode_queries([q.text for q in answerable])
    snapshot = engine.snapshot
    passages = [p.text for p in snapshot.stored.passages]
    source = read_article(engine.settings.article_path)
    paragraphs = [line.text for line in iter_lines(source) if not line.is_heading]
    paragraph_index = faiss.IndexFlatIP(engine.embedder.dimension)
    paragraph_index.add(engine.embedder.encode(paragraphs))
    position = {p.id: i for i, p in enumerate(snapshot.stored.passages)}

    def hybrid(question: Question, vector: np.ndarray) -> list[int]:
        hits = snapshot.searcher.search(vector, question.text, TOP)
        return [position[h.passage.id] for h in hits]

    return {
        "dense, whole paragraphs": hit_rates(
            answerable, vectors, paragraphs, dense_ranker(paragraph_index)
        ),
        "dense, passages": hit_rates(
            answerable, vectors, passages, dense_ranker(snapshot.stored.vectors)
        ),
        "BM25, passages": hit_rates(answerable, vectors, passages, bm25_ranker(passages)),
        "engine (hybrid)": hit_rates(answerable, vectors, passages, hybrid),
    }


def main() -> None:
    """Print one Markdown table per question file."""
    with tempfile.TemporaryDirectory(prefix="article-baselines-") as work:
        settings = bench_settings(Settings(), Path(work) / "index", Path(work) / "models")
        engine = Engine(settings)
        engine.rebuild()
        for path in (dev_questions_path(), ROOT / "tests" / "data" / "heldout_questions.jsonl"):
            print(f"\n{path.name}\n\n| method | hit@1 | hit@3 |\n|---|---|---|")
            for method, (at_1, at_3) in compare(engine, read_questions(path)).items():
                print(f"| {method} | {at_1:.2f} | {at_3:.2f} |")


if __name__ == "__main__":
    main()
