"""``python bot.py bench [--quick]``: run every benchmark once and write the results.

A full run writes ``bench/results.json``, ``bench/results.md`` and
``bench/latency_vs_corpus.png``; a quick run (smaller sizes, fewer rounds) writes the same
files into ``bench/quick.tmp/`` so that it never overwrites the published figures.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from config import Settings
from retrieval import Engine
from retrieval.library.catalog import read_article

from . import report
from .ann import search_scaling
from .backends import compare_backends
from .build_rate import build_throughput
from .coldstart import cold_start, serving_probe
from .latency import answer_latency
from .plot import plot_latency
from .stats import timed
from .telegram_load import telegram_load
from .usage_db import usage_database
from .vectors import SyntheticCorpus
from .workload import bench_settings, dev_questions, dev_questions_path, real_articles

T = TypeVar("T")
BENCH_DIR = Path(__file__).resolve().parent
PACKAGES = ("torch", "onnxruntime", "faiss-cpu", "sentence-transformers", "python-telegram-bot")
OPTIONAL = ("matplotlib",)  # the `bench` extra of pyproject.toml
SEPARATE = ("scale", "multilingual")  # written by benchmarks of their own, kept across runs
OUTPUTS = ("results.json", "results.md", "latency_vs_corpus.png")


@dataclass(frozen=True, slots=True)
class Plan:
    """How much of everything one run measures."""

    rounds: int  # passes over the dev questions for warm latency and for backends
    cold_runs: int
    users: int
    questions_each: int
    build_articles: int  # the article, then the shared SQuAD articles
    sizes: tuple[int, ...]
    queries: int
    usage_rows: int  # questions in the usage database


FULL = Plan(20, 3, 50, 4, 5, (10_000, 100_000, 1_000_000), 200, 100_000)
QUICK = Plan(3, 1, 20, 3, 1, (10_000, 100_000), 50, 5_000)


class Steps:
    """Runs the benchmarks one by one, saying on stderr what runs; notes the load around each."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.loads: dict[str, dict[str, float]] = {}

    def run(self, name: str, call: Callable[[], T]) -> T:
        """Run one benchmark and return its result."""
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        before = os.getloadavg()[0]
        result, seconds = timed(call)
        self.loads[name] = {"before": round(before, 2), "after": round(os.getloadavg()[0], 2)}
        total = time.perf_counter() - self.started
        print(f"bench: {name} done in {seconds:.1f} s ({total:.0f} s in all)", file=sys.stderr)
        return result

    @property
    def elapsed(self) -> float:
        """Seconds since the first benchmark started."""
        return time.perf_counter() - self.started


def _versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in PACKAGES}


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def measure(settings: Settings, plan: Plan, work: Path) -> dict[str, Any]:
    """Every benchmark in turn, the heavy vector-search one last; the raw results."""
    steps = Steps()
    load_before = os.getloadavg()[0]
    questions = dev_questions()
    local = bench_settings(settings, work / "index", work / "models")
    engine = Engine(local)
    _, first_build = timed(lambda: engine.snapshot)  # builds the index (and exports the model)
    scaled = bench_settings(
        settings, work / "scaled-index", work / "models", article_path=work / "scaled.md"
    )
    results = {
        "latency": steps.run(
            "warm answer latency", lambda: answer_latency(engine, questions, plan.rounds)
        ),
        "embedding_backends": steps.run(
            "embedding backends",
            lambda: compare_backends(local, questions, plan.rounds, work / "backends"),
        ),
        "cold_start": steps.run(
            "cold start", lambda: cold_start(local, work / "cold", plan.cold_runs)
        ),
        "serving_probe": steps.run("peak RSS", lambda: serving_probe(local, plan.rounds)),
        "telegram": steps.run(
            "Telegram load",
            lambda: telegram_load(local, engine, questions, plan.users, plan.questions_each),
        ),
        "build": steps.run(
            "build throughput",
            lambda: build_throughput(
                real_articles(local.article_path)[: plan.build_articles], scaled, engine.embedder
            ),
        ),
        "usage_db": steps.run(
            "usage database",
            lambda: usage_database(_folder(work / "usage"), questions, plan.usage_rows),
        ),
    }
    corpus = SyntheticCorpus.from_text(
        engine.embedder, read_article(local.article_path), questions
    )
    results["ann"] = steps.run(
        "search vs corpus size", lambda: search_scaling(corpus, plan.sizes, plan.queries)
    )
    meta = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": plan == QUICK,
        "plan": asdict(plan),
        "total_seconds": round(steps.elapsed, 1),
        "first_build_seconds": round(first_build, 2),
        "dev_questions": str(dev_questions_path()),
        "article": str(local.article_path),
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "load_per_step": steps.loads,
        "versions": _versions(),
    }
    return {"meta": meta, **results}


def missing_dependencies() -> list[str]:
    """The optional packages the benchmark needs that cannot be imported."""
    missing = []
    for name in OPTIONAL:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def _kept(path: Path) -> dict[str, Any]:
    """The sections of an earlier ``results.json`` that other benchmarks wrote and this run
    does not measure (``python -m bench.scale`` merges its figures under "scale")."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: earlier[name] for name in SEPARATE if name in earlier}


def run_benchmarks(settings: Settings, quick: bool = False) -> int:
    """Run the benchmarks, then write the JSON, the Markdown table and the figure; 0 on
    success. The files are written only once everything has been measured and drawn."""
    missing = missing_dependencies()
    if missing:
        print(
            f"error: the benchmark needs {', '.join(missing)}: run `make bench`, or "
            f"`pip install -e '.[bench]'`",
            file=sys.stderr,
        )
        return 2
    out = BENCH_DIR / "quick.tmp" if quick else BENCH_DIR
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="article-bench-") as work:
        results = measure(settings, QUICK if quick else FULL, Path(work))
    results |= _kept(out / "results.json")
    rows = report.budget_rows(results)
    with tempfile.TemporaryDirectory(prefix=".results-", suffix=".tmp", dir=out) as staging:
        report.write(results, rows, Path(staging))
        plot_latency(results["ann"], Path(staging) / "latency_vs_corpus.png")
        for name in OUTPUTS:
            os.replace(Path(staging) / name, out / name)
    print(report.markdown(results, rows))
    print(f"wrote {out / 'results.json'}, results.md and latency_vs_corpus.png", file=sys.stderr)
    return 0
