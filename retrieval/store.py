"""The on-disk index: a FAISS file, passages as JSONL and a JSON manifest, swapped in atomically.

Layout of ``INDEX_DIR``::

    current -> build-<id>/        a symlink, replaced atomically to publish a new build
    build-<id>/manifest.json      format version, model, dimension, counts, source hash, time
    build-<id>/passages.faiss     passage vectors; FAISS id i is line i of passages.jsonl
    build-<id>/passages.jsonl     one passage per line
    build-<id>/sentences.npy      one unit vector per distinct sentence, in source order
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from .errors import IndexCorrupt, IndexStale, IndexUnavailable
from .types import Passage, Sentence

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: initials ("W. E. B.") no longer end a sentence
EXACT_SEARCH_LIMIT = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
CURRENT = "current"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an index was built from, checked before the index is trusted."""

    format_version: int
    build_id: str
    model: str
    dimension: int
    passages: int
    sentences: int
    index_type: str
    source_sha256: str
    source_path: str
    title: str
    sections: tuple[str, ...]
    built_at: str
    build_seconds: float


@dataclass(frozen=True, slots=True)
class StoredIndex:
    """Everything a build writes, in memory."""

    manifest: Manifest
    passages: tuple[Passage, ...]
    vectors: faiss.Index
    sentences: tuple[Sentence, ...]
    sentence_vectors: np.ndarray


def make_vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product up to ``EXACT_SEARCH_LIMIT`` vectors, HNSW above it."""
    dimension = vectors.shape[1]
    if len(vectors) <= EXACT_SEARCH_LIMIT:
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_type_name(index: faiss.Index) -> str:
    """A short name for the kind of FAISS index, recorded in the manifest."""
    return "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"


def check_writable(index_dir: Path) -> None:
    """Fail early, before minutes of embedding, when the index folder can't be written."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=index_dir).close()
    except OSError as exc:
        raise IndexUnavailable(f"cannot write the index to {index_dir}: {exc}") from exc


def save(stored: StoredIndex, index_dir: Path) -> Path:
    """Write ``stored`` to a fresh build folder and publish it by an atomic symlink swap."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=index_dir))
        _write_files(stored, staging)
        build = index_dir / f"build-{stored.manifest.build_id}"
        os.replace(staging, build)
        link = index_dir / f".{CURRENT}-{stored.manifest.build_id}"
        link.unlink(missing_ok=True)
        link.symlink_to(build.name)
        os.replace(link, index_dir / CURRENT)
    except OSError as exc:
        raise IndexUnavailable(f"cannot write the index to {index_dir}: {exc}") from exc
    _remove_old_builds(index_dir, keep=build.name)
    return build


def _write_files(stored: StoredIndex, folder: Path) -> None:
    faiss.write_index(stored.vectors, str(folder / "passages.faiss"))
    with (folder / "passages.jsonl").open("w", encoding="utf-8") as out:
        for passage in stored.passages:
            out.write(json.dumps(passage.to_record(), ensure_ascii=False) + "\n")
    np.save(folder / "sentences.npy", stored.sentence_vectors, allow_pickle=False)
    # The manifest goes last: a build folder without one is never trusted.
    (folder / "manifest.json").write_text(json.dumps(asdict(stored.manifest), indent=2))


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for child in index_dir.iterdir():
        if child.name != keep and child.name.startswith(("build-", ".staging-")):
            shutil.rmtree(child, ignore_errors=True)


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest of the published build, or :class:`IndexCorrupt` if it is unreadable."""
    path = index_dir / CURRENT / "manifest.json"
    if not path.exists():
        raise IndexCorrupt(f"no index in {index_dir}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["sections"] = tuple(data["sections"])
        return Manifest(**data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(f"unreadable manifest {path}: {exc}") from exc


def check_current(
    manifest: Manifest, *, model: str, dimension: int, source_sha256: str | None
) -> None:
    """Raise :class:`IndexStale` when the index was built from something else (the source is
    not compared when ``source_sha256`` is None: the article is gone)."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexStale(f"format version {manifest.format_version}, expected {FORMAT_VERSION}")
    if manifest.model != model:
        raise IndexStale(f"built with model {manifest.model!r}, configured {model!r}")
    if manifest.dimension != dimension:
        raise IndexStale(f"dimension {manifest.dimension}, model gives {dimension}")
    if source_sha256 is not None and manifest.source_sha256 != source_sha256:
        raise IndexStale("the article changed since the index was built")


def load(index_dir: Path) -> StoredIndex:
    """Read the published build back, checking that its parts agree with its manifest."""
    manifest = read_manifest(index_dir)
    folder = index_dir / CURRENT
    try:
        vectors = faiss.read_index(str(folder / "passages.faiss"))
        with (folder / "passages.jsonl").open(encoding="utf-8") as lines:
            passages = tuple(Passage.from_record(json.loads(line)) for line in lines)
        sentence_vectors = np.load(folder / "sentences.npy", allow_pickle=False)
    except (OSError, ValueError, RuntimeError, TypeError, KeyError) as exc:
        raise IndexCorrupt(f"unreadable index in {folder}: {exc}") from exc
    sentences = distinct_sentences(passages)
    if not (
        vectors.ntotal == len(passages) == manifest.passages
        and vectors.d == manifest.dimension
        and sentence_vectors.shape == (len(sentences), manifest.dimension)
    ):
        raise IndexCorrupt(f"index files in {folder} disagree with the manifest")
    return StoredIndex(manifest, passages, vectors, sentences, sentence_vectors)


def distinct_sentences(passages: tuple[Passage, ...]) -> tuple[Sentence, ...]:
    """Every sentence once, in source order (overlapping passages share sentences)."""
    unique = {(s.start, s.end): s for p in passages for s in p.sentences}
    return tuple(unique[key] for key in sorted(unique))
