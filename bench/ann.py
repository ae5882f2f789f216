"""Vector search at scale: exact FAISS, the engine's HNSW, IVF and sentence-transformers' search.

Every method answers the same queries one at a time (as the bot does), k = 10; recall@10 is
measured against exact inner-product search (``IndexFlatIP``) on the same vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import faiss
import numpy as np

from retrieval.index import vectorstore

from .stats import summary_ms, timed
from .vectors import SyntheticCorpus

K = 10
EF_SEARCH = (16, 32, 64, 128, 256)
NPROBE = (8, 16, 32, 64, 128)
TARGET_RECALL = 0.95
TRAIN_PER_LIST = 40  # FAISS wants at least 39 training points per IVF list
KMEANS_ITERATIONS = 10
Search = Callable[[np.ndarray], np.ndarray]


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each query's exact top-k that ``found`` also returned."""
    hits = [len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True)]
    return round(float(np.mean(hits)) / exact.shape[1], 4)


def _search_each(search: Search, queries: np.ndarray, exact: np.ndarray) -> dict[str, Any]:
    """Latency of one query at a time, and recall@k of what came back."""
    search(queries[0])  # warm-up
    found, seconds = [], []
    for query in queries:
        ids, elapsed = timed(lambda q=query: search(q))
        found.append(ids)
        seconds.append(elapsed)
    return {"search": summary_ms(seconds), "recall_at_10": recall_at_k(np.stack(found), exact)}


def _faiss(index: faiss.Index) -> Search:
    return lambda query: index.search(query.reshape(1, -1), K)[1][0]


def _semantic_search(vectors: np.ndarray) -> Search:
    """``util.semantic_search`` over the corpus as a torch tensor (no copy), dot product."""
    import torch
    from sentence_transformers import util

    corpus = torch.from_numpy(vectors)

    def search(query: np.ndarray) -> np.ndarray:
        hits = util.semantic_search(
            torch.from_numpy(query).reshape(1, -1), corpus, top_k=K, score_function=util.dot_score
        )[0]
        return np.array([hit["corpus_id"] for hit in hits])

    return search


def ivf_lists(size: int) -> int:
    """IVF lists: the power of two nearest 4·√size (4096 at a million vectors), small enough
    that every list gets its training points."""
    rule = 2 ** round(math.log2(4 * math.sqrt(size)))
    return min(rule, 2 ** math.floor(math.log2(size / TRAIN_PER_LIST)))


def _build_ivf(vectors: np.ndarray, lists: int, rng: np.random.Generator) -> faiss.Index:
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], lists, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = KMEANS_ITERATIONS
    sample = rng.choice(
        len(vectors), size=min(len(vectors), TRAIN_PER_LIST * lists), replace=False
    )
    index.train(vectors[np.sort(sample)])
    index.add(vectors)
    return index


def smallest_meeting(sweep: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The first (cheapest) row of an ascending sweep whose recall@10 meets the target."""
    return next((row for row in sweep if row["recall_at_10"] >= TARGET_RECALL), None)


def _sweep(
    index: faiss.Index,
    knob: str,
    values: Sequence[int],
    set_knob: Callable[[int], None],
    queries: np.ndarray,
    exact: np.ndarray,
) -> list[dict[str, Any]]:
    rows = []
    for value in values:
        set_knob(value)
        rows.append({knob: value, **_search_each(_faiss(index), queries, exact)})
    return rows


def _exact(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def measure_size(corpus: SyntheticCorpus, size: int, queries: np.ndarray) -> dict[str, Any]:
    """Build every index over ``size`` fresh vectors and time the same queries on each."""
    vectors = corpus.draw(size)
    flat, flat_build = timed(lambda: _exact(vectors))
    exact = flat.search(queries, K)[1]
    methods: dict[str, Any] = {
        "faiss_flat": {"build_seconds": round(flat_build, 3)}
        | _search_each(_faiss(flat), queries, exact),
        "semantic_search": {"build_seconds": 0.0}
        | _search_each(_semantic_search(vectors), queries, exact),
    }
    del flat
    if size > vectorstore.EXACT_SEARCH_LIMIT:
        built, build = timed(lambda: vectorstore.FaissStore.build(vectors))
        assert built.kind == "hnsw", "the engine's store should be HNSW here"
        hnsw = built.index

        def set_ef(value: int) -> None:
            hnsw.hnsw.efSearch = value

        sweep = _sweep(hnsw, "ef_search", EF_SEARCH, set_ef, queries, exact)
        methods["hnsw"] = {
            "build_seconds": round(build, 2),
            "M": vectorstore.HNSW_NEIGHBOURS,
            "ef_construction": vectorstore.HNSW_EF_CONSTRUCTION,
            "ef_search_default": vectorstore.HNSW_EF_SEARCH,
            "sweep": sweep,
            "smallest_meeting_target": smallest_meeting(sweep),
        }
        del hnsw
    lists = ivf_lists(size)
    ivf, build = timed(lambda: _build_ivf(vectors, lists, corpus.rng))

    def set_probe(value: int) -> None:
        ivf.nprobe = value

    sweep = _sweep(ivf, "nprobe", [p for p in NPROBE if p <= lists], set_probe, queries, exact)
    methods["ivf_flat"] = {
        "build_seconds": round(build, 2),
        "nlist": lists,
        "train_points": min(size, TRAIN_PER_LIST * lists),
        "kmeans_iterations": KMEANS_ITERATIONS,
        "sweep": sweep,
        "smallest_meeting_target": smallest_meeting(sweep),
    }
    return {"size": size, "methods": methods}


def search_scaling(
    corpus: SyntheticCorpus, sizes: Sequence[int], query_count: int
) -> dict[str, Any]:
    """Every size in turn (one corpus in memory at a time), with one shared query set."""
    queries = corpus.draw(query_count)
    return {
        "k": K,
        "queries": query_count,
        "target_recall": TARGET_RECALL,
        "sizes": [measure_size(corpus, size, queries) for size in sizes],
    }
