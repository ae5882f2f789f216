"""Embeddings cached per article, keyed by model and the article's sha256, so that a change to
the library embeds only the articles it brings in.

Layout of the cache folder (``INDEX_DIR/vectors``)::

    <model>/<sha256>/passages.jsonl   the article's passages, as chunked
    <model>/<sha256>/passages.npy     one unit vector per passage
    <model>/<sha256>/sentences.npy    one unit vector per distinct sentence, in source order
    <model>/<sha256>/tokens.json      the BM25 tokens of each passage
    <model>/<sha256>/entry.json       format, model, dimension, counts and the set of models
                                      the passages were cut to fit (written last)

``<model>`` is the model's folder name, followed by ``@`` and a short hash of the set of models
when the passages were cut to fit several (see :class:`~retrieval.index.fusion.FusedEmbedder`).
An entry is written to a temporary folder and renamed; one that can't be read back or
disagrees with itself counts as missing and is embedded again. Nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.types import Passage, Sentence
from ..library.catalog import text_sha256
from .embedding import model_slug

log = logging.getLogger(__name__)

# Bump whenever the chunker cuts differently (like store.FORMAT_VERSION); 4: title lines and
# sentence-case headings are sections, not passages.
CACHE_FORMAT = 4


@dataclass(frozen=True, slots=True)
class ArticleVectors:
    """One article chunked and embedded: what an index build needs from it."""

    passages: tuple[Passage, ...]
    passage_vectors: np.ndarray
    sentences: tuple[Sentence, ...]
    sentence_vectors: np.ndarray
    tokens: tuple[tuple[str, ...], ...]


def distinct_sentences(passages: tuple[Passage, ...]) -> tuple[Sentence, ...]:
    """Every sentence of one article once, in source order (overlapping passages share them)."""
    unique = {(s.start, s.end): s for p in passages for s in p.sentences}
    return tuple(unique[key] for key in sorted(unique))


class VectorCache:
    """Per-article vectors of one model on disk. ``chunked_for`` names the models whose
    token limits cut the passages: the same article is cut differently for another set."""

    def __init__(
        self, folder: Path, model: str, dimension: int, chunked_for: str | None = None
    ) -> None:
        self.model = model
        self.dimension = dimension
        self.chunked_for = chunked_for or model
        # Entries cut for a set of models sit apart, so switching sets back costs nothing.
        within = "" if self.chunked_for == model else f"@{text_sha256(self.chunked_for)[:8]}"
        self.folder = folder / f"{model_slug(model)}{within}"

    def get(self, sha256: str) -> ArticleVectors | None:
        """The cached vectors of the article with this text, or None (missing or unreadable)."""
        entry = self.folder / sha256
        if not (entry / "entry.json").exists():
            return None
        try:
            meta = json.loads((entry / "entry.json").read_text())
            with (entry / "passages.jsonl").open(encoding="utf-8") as lines:
                passages = tuple(Passage.from_record(json.loads(line)) for line in lines)
            passage_vectors = np.load(entry / "passages.npy", allow_pickle=False)
            sentence_vectors = np.load(entry / "sentences.npy", allow_pickle=False)
            tokens = tuple(tuple(t) for t in json.loads((entry / "tokens.json").read_text()))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring the unreadable vector cache entry %s: %s", entry, exc)
            return None
        sentences = distinct_sentences(passages)
        if not (
            meta.get("format") == CACHE_FORMAT
            and meta.get("model") == self.model
            and meta.get("chunked_for", self.model) == self.chunked_for
            and passage_vectors.shape == (len(passages), self.dimension)
            and sentence_vectors.shape == (len(sentences), self.dimension)
            and len(tokens) == len(passages)
        ):
            log.warning("ignoring the inconsistent vector cache entry %s", entry)
            return None
        return ArticleVectors(passages, passage_vectors, sentences, sentence_vectors, tokens)

    def put(self, sha256: str, vectors: ArticleVectors) -> None:
        """Store one article's vectors (best effort: a cache that can't be written is skipped)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".entry-", dir=self.folder))
            with (staging / "passages.jsonl").open("w", encoding="utf-8") as out:
                for passage in vectors.passages:
                    out.write(json.dumps(passage.to_record(), ensure_ascii=False) + "\n")
            np.save(staging / "passages.npy", vectors.passage_vectors, allow_pickle=False)
            np.save(staging / "sentences.npy", vectors.sentence_vectors, allow_pickle=False)
            (staging / "tokens.json").write_text(json.dumps(vectors.tokens, ensure_ascii=False))
            meta = {
                "format": CACHE_FORMAT,
                "model": self.model,
                "chunked_for": self.chunked_for,
                "dimension": self.dimension,
                "passages": len(vectors.passages),
                "sentences": len(vectors.sentences),
            }
            (staging / "entry.json").write_text(json.dumps(meta))
            target = self.folder / sha256
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        except OSError as exc:
            log.warning("cannot write the vector cache in %s: %s", self.folder, exc)
