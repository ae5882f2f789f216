"""Index build throughput on real text: the article's paragraphs, shuffled and repeated."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Any

from retrieval import Engine, Settings
from retrieval.embedding import Embedder
from retrieval.library import read_article

HEADING_MAX_CHARS = 80  # the article's headings are short lines; its paragraphs are long


def write_scaled_article(source: Path, target: Path, copies: int, seed: int = 0) -> None:
    """``copies`` numbered parts, each the article's paragraphs in a fresh random order."""
    lines = [line.strip() for line in read_article(source).splitlines() if line.strip()]
    paragraphs = [line for line in lines if len(line) > HEADING_MAX_CHARS]
    rng = random.Random(seed)
    parts = []
    for part in range(1, copies + 1):
        rng.shuffle(paragraphs)
        parts.append(f"## Part {part}\n\n" + "\n\n".join(paragraphs))
    target.write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def build_throughput(
    article: Path, settings: Settings, embedder: Embedder, passages_per_copy: int, target: int
) -> dict[str, Any]:
    """Time ``Engine.build`` on ``article`` scaled to about ``target`` passages, by stage.

    The scaled article is written to ``settings.article_path``.
    """
    copies = math.ceil(target / passages_per_copy)
    write_scaled_article(article, settings.article_path, copies)
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
        "copies": copies,
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
