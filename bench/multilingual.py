"""``python -m bench.multilingual``: what the second model (multilingual-e5) costs, measured
side by side with MiniLM alone in one run, and merged into ``bench/results.json``.

- warm answers (median, p95) with both models, for English questions and for questions in
  other languages, and with MiniLM alone (the ratio is of two figures of this run);
- the first answer to each question in another language, before the latent terms of the
  passages it meets are cached;
- each model's query encoding alone;
- cold start to the first answer (index on disk), both models, the median of three starts;
- adding a 1,000-word article until it serves;
- build throughput of each model on real text, in passages per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from config import Settings
from retrieval import Engine
from retrieval.evaluation import read_questions
from retrieval.index.embedders import load_embedders

from .build_rate import build_throughput
from .coldstart import median_of, time_ask
from .latency import answer_latency
from .stats import summary_ms, timed
from .workload import SHARED, bench_settings, dev_questions, merge_results, real_articles

ADDED_WORDS = 1000


def _words_of(path: Path, count: int) -> str:
    """The first ``count`` words of a real article, as paragraphs of 100 words."""
    words = path.read_text(encoding="utf-8").split()[:count]
    return "\n\n".join(" ".join(words[i : i + 100]) for i in range(0, len(words), 100))


def measure(settings: Settings, work: Path, rounds: int) -> dict[str, Any]:
    """Every figure of the module docstring."""
    english = dev_questions()
    others = [q.text for q in read_questions(SHARED / "dev_multilingual.jsonl")]
    both = bench_settings(settings, work / "both", work / "models", embedders=("e5", "minilm"))
    minilm = bench_settings(settings, work / "minilm", work / "models", embedders=("minilm",))
    engine = Engine(both)
    engine.load_or_build()
    alone = Engine(minilm)
    alone.load_or_build()
    # The first answer to each question in another language, before its passages' latent terms
    # are cached (the warm figures below are of cached ones).
    first = [timed(lambda q=q: engine.answer(q))[1] for q in others]
    figures: dict[str, Any] = {
        "both_other_languages_first": summary_ms(first),
        "both_english": answer_latency(engine, english, rounds),
        "both_other_languages": answer_latency(engine, others, rounds),
        "minilm_alone_english": answer_latency(alone, english, rounds),
    }
    figures["query_encoding"] = {
        key: summary_ms(
            [timed(lambda p=part, q=q: p.encode_queries([q]))[1] for q in english * rounds]
        )
        for key, part in engine.embedder.parts.items()
    }
    ratio = (
        figures["both_english"]["answer"]["median_ms"]
        / figures["minilm_alone_english"]["answer"]["median_ms"]
    )
    figures["both_over_minilm_alone_median"] = round(ratio, 2)
    # The median of three starts: the first after the runs above is often 0.5 s slower.
    figures["cold_start_both"] = median_of([time_ask(both) for _ in range(3)])
    text = _words_of(real_articles(settings.article_path)[-1], ADDED_WORDS)
    started = time.perf_counter()
    engine.add_article(text, source="bench-1000-words.txt")
    figures["add_1000_words_seconds"] = round(time.perf_counter() - started, 2)
    articles = real_articles(settings.article_path)[:3]
    embedders = load_embedders(both)
    figures["build"] = {
        key: build_throughput(
            articles,
            bench_settings(settings, work / f"build-{key}", work / "models",
                           article_path=work / f"build-{key}.md"),
            part,
        )
        for key, part in embedders.parts.items()
    }  # fmt: skip
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def main() -> int:
    """Run the benchmark and merge its figures into bench/results.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.multilingual")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="article-multilingual-") as work:
        figures = measure(settings, Path(work), args.rounds)
    figures["load_average_before"] = before
    merge_results("multilingual", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
