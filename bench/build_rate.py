"""Index build throughput on real text: the article and the shared SQuAD articles, every
passage and sentence a distinct text (repeated text is embedded once, so copies of one
article would measure the cache, not the model)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from config import Settings
from retrieval import Engine
from retrieval.index.embedding import Embedder
from retrieval.library.catalog import read_article


def write_joined_articles(sources: Sequence[Path], target: Path) -> None:
    """The articles one after the other, each under a numbered heading."""
    parts = [f"## Article {n}\n\n{read_article(path)}" for n, path in enumerate(sources, 1)]
    target.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def build_throughput(
    articles: Sequence[Path], settings: Settings, embedder: Embedder
) -> dict[str, Any]:
    """Time ``Engine.build`` on ``articles`` joined into one, by stage.

    The joined article is written to ``settings.article_path``.
    """
    write_joined_articles(articles, settings.article_path)
    marks: dict[str, float] = {}  # build() reports "embedding ..." and then "indexed ..."
    started = time.perf_counter()
    stored = Engine(settings, embedder).build(
        lambda line: marks.setdefault(line.split()[0], time.perf_counter())
    )
    finished = time.perf_counter()
    read, embedded = marks.get("embedding", started), marks["indexed"]
    seconds = finished - started
    manifest = stored.manifest
    return {
        "articles": len(articles),
        "passages": manifest.passages,
        "sentences": manifest.sentences,
        "index_type": manifest.index_type,
        "seconds": round(seconds, 2),
        "cache_seconds": round(read - started, 2),
        "chunk_and_embed_seconds": round(embedded - read, 2),
        "index_seconds": round(finished - embedded, 2),
        "passages_per_second": round(manifest.passages / seconds, 1),
        "texts_embedded": manifest.embedded_texts,  # distinct texts: repeats embed once
        "texts_embedded_per_second": round(manifest.embedded_texts / (embedded - read), 1),
    }
