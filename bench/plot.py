"""The figure for the README: search latency against corpus size, per method, log-log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .report import hnsw_default, ivf_choice


def _series(ann: dict[str, Any]) -> dict[str, tuple[list[int], list[float]]]:
    """Median latency per method at every size where the method was measured."""
    series: dict[str, tuple[list[int], list[float]]] = {}

    def add(label: str, size: int, row: dict[str, Any]) -> None:
        sizes, medians = series.setdefault(label, ([], []))
        sizes.append(size)
        medians.append(row["search"]["median_ms"])

    for entry in ann["sizes"]:
        size, methods = entry["size"], entry["methods"]
        add("faiss IndexFlatIP (exact)", size, methods["faiss_flat"])
        add("sentence-transformers util.semantic_search (exact)", size, methods["semantic_search"])
        if "hnsw" in methods:
            hnsw = methods["hnsw"]
            label = (
                f"HNSW M={hnsw['M']}, efConstruction={hnsw['ef_construction']}, "
                f"efSearch={hnsw['ef_search_default']} (engine above 50k)"
            )
            add(label, size, hnsw_default(hnsw))
        add(
            "IVF-Flat, smallest nprobe with recall@10 ≥ 0.95",
            size,
            ivf_choice(methods["ivf_flat"]),
        )
    return series


def plot_latency(ann: dict[str, Any], path: Path) -> None:
    """Write a log-log PNG of median single-query search latency against corpus size."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=120)
    for label, (sizes, medians) in _series(ann).items():
        axes.plot(sizes, medians, marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("corpus size (vectors, 384-d)")
    axes.set_ylabel(f"median search latency, one query, k={ann['k']} (ms)")
    axes.set_title("Vector search latency vs corpus size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
