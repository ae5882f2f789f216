"""A library of 1,000 articles on one machine: build, add one, start-up, latency and memory.

``python -m bench.scale [--articles N]`` makes the library from the shared article and the
four shared SQuAD articles (nothing is downloaded): article i is base text i mod 5 with its
paragraphs in a fresh random order under a numbered title, so every article has its own
sha256 and is chunked and embedded as its own (the build embeds each distinct text once, see
``retrieval/indexing.py``). It then measures, and merges into ``bench/results.json`` under
``"scale"``:

- the full build of the library (embedding, FAISS and BM25, sanity gate);
- adding one more article, never seen before, until it serves (its texts are embedded; the
  others come from the cache);
- start-up of ``bot.py ask`` with the library and index on disk, to the first answer;
- warm answer latency over the whole library, and filtered to one article;
- peak RSS of a serving process (``bench.probe``) over the library.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from config import Settings
from retrieval import Engine
from retrieval.evaluation import read_questions
from retrieval.index.embedders import load_embedders
from retrieval.library.catalog import Library

from .coldstart import serving_probe, time_ask
from .stats import summary_ms
from .workload import SHARED, bench_settings, dev_questions, merge_results, real_articles

BASES = real_articles(SHARED / "article.txt")
BUDGETS = {"answer_median_ms": 10, "answer_p95_ms": 25, "add_seconds": 10, "start_seconds": 3}
PEAK_RSS_BUDGET_MB = 1024


def variation(text: str, number: int) -> str:
    """The article's paragraphs in a random order (seeded by ``number``) under a new title."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = paragraphs[1:] if len(paragraphs[0]) < 100 else paragraphs  # drop a title line
    random.Random(number).shuffle(body)
    return f"# {paragraphs[0].strip()[:60]} (edition {number})\n\n" + "\n\n".join(body) + "\n"


def make_library(folder: Path, count: int) -> Library:
    """A library of ``count`` article variations, published as one version."""
    texts = [path.read_text(encoding="utf-8") for path in BASES]
    library = Library(folder)
    version = library.current()
    for number in range(count):
        text = variation(texts[number % len(texts)], number)
        record = library.store(text, title=text.splitlines()[0][2:], source=f"edition-{number}.md")
        version = version.with_article(record, "bench")
    library.publish(version)
    return library


def questions() -> list[str]:
    """The dev questions and the answerable SQuAD questions (every base has some)."""
    squad = [
        q.text
        for path in sorted((SHARED / "squad").glob("*.jsonl"))
        for q in read_questions(path)[:10]
    ]
    return dev_questions() + squad


def latency(engine: Engine, asked: list[str], rounds: int, article: str | None) -> dict:
    """Median and p95 of ``engine.answer`` over ``rounds`` passes, after a warm-up pass."""
    for question in asked:
        engine.answer(question, article_id=article)
    samples = []
    for _ in range(rounds):
        for question in asked:
            started = time.perf_counter()
            engine.answer(question, article_id=article)
            samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def measure(settings: Settings, work: Path, count: int, rounds: int) -> dict[str, Any]:
    """Every scale figure for a library of ``count`` articles built in ``work``."""
    load_at_start = os.getloadavg()[0]
    local = bench_settings(settings, work / "index", settings.model_cache_dir.resolve())
    make_library(local.library_dir, count)
    engine = Engine(local, embedder=load_embedders(local))
    started = time.perf_counter()
    snapshot = engine.load_or_build(progress=lambda line: print(line, file=sys.stderr))
    build_seconds = time.perf_counter() - started
    manifest = snapshot.manifest
    new = variation(BASES[1].read_text(encoding="utf-8"), count + 1)
    started = time.perf_counter()
    change = engine.add_article(new, source="new.md")
    add_seconds = time.perf_counter() - started
    added_rows = change.snapshot.rows[change.article.id]
    asked = questions()
    whole = latency(engine, asked, rounds, None)
    one = latency(engine, asked, rounds, change.article.id)
    starts = [time_ask(local) for _ in range(3)]
    probe = serving_probe(local, rounds=1)
    figures = {
        "articles": count + 1,
        "passages": change.snapshot.manifest.passages,
        "index_type": change.snapshot.manifest.index_type,
        "build": {
            "seconds": round(build_seconds, 1),
            "passages": manifest.passages,
            "texts_embedded": manifest.embedded_texts,
        },
        "add_one": {
            "seconds": round(add_seconds, 2),
            "passages": len(added_rows),
            "texts_embedded": change.snapshot.manifest.embedded_texts,
        },
        "answer_whole_library": whole,
        "answer_one_article": one,
        "questions": len(asked),
        "start_to_first_answer_seconds": round(
            statistics.median(s["to_answer_seconds"] for s in starts), 2
        ),
        "serving_probe": probe,
        "load_average_at_start": round(load_at_start, 2),
        "load_average": round(os.getloadavg()[0], 2),
    }
    figures["budgets"] = {
        "answer_median_ms": [whole["median_ms"], BUDGETS["answer_median_ms"]],
        "answer_p95_ms": [whole["p95_ms"], BUDGETS["answer_p95_ms"]],
        "add_seconds": [figures["add_one"]["seconds"], BUDGETS["add_seconds"]],
        "start_seconds": [figures["start_to_first_answer_seconds"], BUDGETS["start_seconds"]],
        "peak_rss_mb": [probe["peak_rss_mb"], PEAK_RSS_BUDGET_MB],
    }
    return figures


def main() -> int:
    """Run the scale benchmark and merge its figures into bench/results.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="article-scale-") as work:
        figures = measure(settings, Path(work), args.articles, args.rounds)
    merge_results("scale", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
