"""The vector store at scale on distinct vectors: FAISS against Qdrant's local mode, one run.

``python -m bench.scale`` builds its library from five base texts, so its store holds a few
hundred distinct vectors and measures the bookkeeping, not the search. Here every passage
vector is distinct: drawn around real fused embeddings (e5 and MiniLM) of the shared
articles' text (``bench.vectors``), ten passages to an article, the article id as payload.
For each size and store, two fresh processes measure (merged under ``"distinct"`` in
``bench/results.json``, with the load average of the run):

- **build**: the store from every vector, written to disk; its peak RSS and disk;
- **serve**: start-up (the store read from disk, to the first search), warm searches (the
  engine's 100 candidates, over the whole store and filtered to one article), adding one
  article of ten passages, and the peak RSS.

This is the vector store alone: the passages' texts, BM25 and the name book are not in it
(see README, "Beyond one machine").

``python -m bench.distinct [--sizes 100000 1000000] [--stores faiss qdrant]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from config import Settings
from retrieval.index.backends import vector_backend
from retrieval.index.embedders import load_embedders
from retrieval.index.vectorstore import VectorBackend, VectorLayout

from .probe import high_water_kib
from .stats import summary_ms
from .vectors import SyntheticCorpus, seed_texts
from .workload import SHARED, merge_results, real_articles

PASSAGES_PER_ARTICLE = 10
CANDIDATES = 100  # the hybrid search's dense shortlist
QUERIES = 200
SEARCH_BUDGET = 60.0  # seconds of searches per figure: local mode takes seconds a query
SEED_FILE = "seed.npy"
SEED_TEXTS = 2000  # real texts embedded to draw around: enough for the covariance


def article_ids(first: int, count: int) -> list[str]:
    """The article of each passage row: ten rows to an article."""
    return [f"article-{row // PASSAGES_PER_ARTICLE}" for row in range(first, first + count)]


def seed_vectors(work: Path) -> np.ndarray:
    """Real fused embeddings of the shared articles' text, embedded once per run."""
    path = work / SEED_FILE
    if not path.exists():
        embedder = load_embedders(Settings(_env_file=None).engine)  # the default models
        articles = real_articles(SHARED / "article.txt")
        texts = [t for path in articles for t in seed_texts(path.read_text(), [])]
        texts = random.Random(0).sample(texts, min(SEED_TEXTS, len(texts)))
        np.save(path, embedder.encode(texts), allow_pickle=False)
    return np.load(path)


STORES = ("faiss", "qdrant")


def backend(store: str, work: Path, dimension: int) -> VectorBackend:
    """The engine's own backend for ``store`` (Qdrant in local mode, exact, under ``work``)."""
    settings = Settings(
        _env_file=None,
        vector_store=store,
        index_dir=work / "index",
        qdrant_path=work / "qdrant",
    ).engine
    layout = VectorLayout((("vectors", dimension),))
    return vector_backend(settings, layout, "synthetic")


def child(mode: str, store_name: str, size: int, work: Path) -> dict[str, Any]:
    """One measuring process (``mode`` build or serve); its figures as a dict."""
    seed = seed_vectors(work)
    store_backend = backend(store_name, work, seed.shape[1])
    corpus = SyntheticCorpus(seed, seed=size)
    folder = work / f"{store_name}-{size}"
    figures: dict[str, Any] = {}
    if mode == "build":
        vectors = corpus.draw(size)
        started = time.perf_counter()
        folder.mkdir(parents=True, exist_ok=True)
        built = store_backend.build(vectors, article_ids(0, size))
        built.save(folder, {})
        built.publish()
        figures["build_seconds"] = round(time.perf_counter() - started, 2)
        figures["disk_mb"] = round(_disk_bytes(folder) / 2**20, 1)
    else:
        queries = SyntheticCorpus(seed_vectors(work), seed=size + 1).draw(QUERIES + 1)
        started = time.perf_counter()
        articles = {
            range(r, r + PASSAGES_PER_ARTICLE): article_ids(r, 1)[0]
            for r in range(0, size, PASSAGES_PER_ARTICLE)
        }
        store = store_backend.load(folder, articles)
        store.search(queries[:1], CANDIDATES)
        figures["startup_seconds"] = round(time.perf_counter() - started, 3)
        figures["search"] = _timed(lambda q: store.search(q[None, :], CANDIDATES), queries[1:])
        one = range(size // 2, size // 2 + PASSAGES_PER_ARTICLE)
        figures["search_one_article"] = _timed(
            lambda q: store.search(q[None, :], CANDIDATES, one), queries[1:]
        )
        new = corpus.draw(PASSAGES_PER_ARTICLE)
        started = time.perf_counter()
        store.extended(new, article_ids(size, PASSAGES_PER_ARTICLE))
        figures["add_article_seconds"] = round(time.perf_counter() - started, 3)
    figures["peak_rss_mb"] = round(high_water_kib() / 1024, 1)
    return figures


def _timed(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> dict[str, float]:
    """The searches' times: every query, or as many as fit in ``SEARCH_BUDGET`` seconds."""
    times: list[float] = []
    for query in queries:
        if sum(times) > SEARCH_BUDGET:
            break
        started = time.perf_counter()
        search(query)
        times.append(time.perf_counter() - started)
    return summary_ms(times)


def _disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _run_child(mode: str, store: str, size: int, work: Path, timeout: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.distinct", "--child", mode, "--stores", store]
    command += ["--sizes", str(size), "--work", str(work)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"stopped": f"did not finish in {timeout:.0f} s"}
    if done.returncode != 0:
        return {"stopped": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Measure every store at every size, side by side, and merge the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.distinct")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--stores", nargs="+", default=list(STORES), choices=STORES)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per process")
    parser.add_argument(
        "--qdrant-up-to", type=int, default=100_000, help="largest size tried in local mode"
    )
    parser.add_argument("--child", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.stores[0], args.sizes[0], args.work)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-distinct-"))
    try:
        seed_vectors(work)
        load_before = os.getloadavg()
        figures: dict[str, Any] = {"sizes": {}}
        for size in args.sizes:
            row = figures["sizes"][str(size)] = {}
            for store in args.stores:
                if store == "qdrant" and size > args.qdrant_up_to:
                    row[store] = {"stopped": f"not tried above {args.qdrant_up_to} points"}
                    continue
                built = _run_child("build", store, size, work, args.timeout)
                served = (
                    {}
                    if "stopped" in built
                    else _run_child("serve", store, size, work, args.timeout)
                )
                row[store] = {"build": built, "serve": served}
                shutil.rmtree(work / f"{store}-{size}", ignore_errors=True)
                shutil.rmtree(work / "qdrant", ignore_errors=True)
        figures["load_average"] = {"before": load_before, "after": os.getloadavg()}
        figures["cores"] = os.cpu_count()
        merge_results("distinct", figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
