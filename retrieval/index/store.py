"""The on-disk index of one library version, swapped in atomically.

Layout of ``INDEX_DIR``::

    current -> build-<id>/        a symlink, replaced atomically to publish a new build
    build-<id>/manifest.json      format, model, dimension, counts, library version, time
    build-<id>/articles.json      the articles indexed, each with its rows of passages
    build-<id>/passages.faiss     passage vectors (with vectors.json, see vectorstore.py);
                                  row i is line i of passages.jsonl. With Qdrant, only
                                  vectors.json, naming the build's collection
    qdrant/                       Qdrant's local mode, when no QDRANT_URL (QDRANT_PATH)
    build-<id>/passages.jsonl     one passage per line, grouped by article
    build-<id>/sentences.npy      one unit vector per distinct sentence, article by article,
    build-<id>/sentences-1.npy …  in segments (segments.py): an add links the earlier ones
                                  and writes its own; read by rows, for a question reads
                                  a few hundred
    build-<id>/sentence_rows.npy  passage after passage, the row of each of its sentences
    build-<id>/names.json         the words and capitalised names of the library (NameBook)
    build-<id>/bm25/              the BM25 index (bm25s, NumPy arrays and JSON) and its
                                  documents as token ids, so that an add extends it
    vectors/                      the per-article embedding cache (vectorcache.py)
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..core.errors import IndexCorrupt, IndexStale, IndexUnavailable
from ..core.settings import EngineSettings
from ..core.types import Passage, Sentence
from ..library.catalog import ArticleRecord, Library, read_article
from ..text.names import NameBook
from .lexical import LexicalIndex
from .segments import SegmentedMatrix
from .vectorcache import distinct_sentences
from .vectorstore import FaissBackend, VectorBackend, VectorStore

log = logging.getLogger(__name__)

FORMAT_VERSION = 7  # 2: initials ("W. E. B.") no longer end a sentence; 3: a library;
# 4: names, sentence rows and BM25 documents saved, so that loading and adding derive nothing;
# 5: a word that opens a sentence is no name for its capital alone; 6: an article's title
# line and its sentence-case headings are sections, not passages; 7: names keep how often
# they are capitalised and written in lower case
CURRENT = "current"
SENTENCES = "sentences"  # the sentence vectors' files: sentences.npy, sentences-1.npy, …


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
    library_version: int
    library_fingerprint: str
    articles: int
    title: str
    sections: tuple[str, ...]
    built_at: str
    build_seconds: float
    embedded_texts: int = 0


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """One article of an index and the rows of its passages (contiguous)."""

    record: ArticleRecord
    rows: range

    def to_record(self) -> dict[str, object]:
        """JSON-serialisable form."""
        return {"record": self.record.to_record(), "rows": [self.rows.start, self.rows.stop]}

    @classmethod
    def from_record(cls, data: dict) -> IndexedArticle:
        """Rebuild from :meth:`to_record` output."""
        start, stop = data["rows"]
        return cls(ArticleRecord.from_record(data["record"]), range(start, stop))


@dataclass(frozen=True, slots=True)
class StoredIndex:
    """Everything a build writes, in memory."""

    manifest: Manifest
    articles: tuple[IndexedArticle, ...]
    passages: tuple[Passage, ...]
    vectors: VectorStore
    sentences: tuple[Sentence, ...]
    sentence_vectors: SegmentedMatrix
    lexical: LexicalIndex
    names: NameBook
    sentence_rows: np.ndarray  # see HybridSearcher


def check_writable(index_dir: Path) -> None:
    """Fail early, before minutes of embedding, when the index folder can't be written."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=index_dir).close()
    except OSError as exc:
        raise IndexUnavailable(f"cannot write the index to {index_dir}: {exc}") from exc


def save(stored: StoredIndex, index_dir: Path, extends: Manifest | None = None) -> Path:
    """Write ``stored`` to a fresh build folder and publish it by an atomic symlink swap, its
    vector store just before (a Qdrant alias moved: if that fails, nothing is published).

    ``extends`` is the manifest of the published build whose passages ``stored`` begins with
    (an add): its passage lines are copied, not encoded again.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=index_dir))
        served = index_dir / f"build-{extends.build_id}" if extends else None
        kept = served / "passages.jsonl" if served else None
        _write_passages(stored, staging, kept if kept and kept.exists() else None, extends)
        _write_files(stored, staging, served)
        build = index_dir / f"build-{stored.manifest.build_id}"
        os.replace(staging, build)
        stored.vectors.publish()
        link = index_dir / f".{CURRENT}-{stored.manifest.build_id}"
        link.unlink(missing_ok=True)
        link.symlink_to(build.name)
        os.replace(link, index_dir / CURRENT)
    except OSError as exc:
        raise IndexUnavailable(f"cannot write the index to {index_dir}: {exc}") from exc
    _remove_old_builds(index_dir, keep=build.name)
    return build


def _write_passages(
    stored: StoredIndex, folder: Path, kept: Path | None, extends: Manifest | None
) -> None:
    """``passages.jsonl``: the lines of ``kept`` (the first passages of ``extends``), then
    the other passages. A copy that turns out wrong is caught by :func:`load`'s checks."""
    first = 0
    if kept is not None and extends is not None:
        shutil.copyfile(kept, folder / "passages.jsonl")
        first = extends.passages
    with (folder / "passages.jsonl").open("a", encoding="utf-8") as out:
        for passage in stored.passages[first:]:
            out.write(json.dumps(passage.to_record(), ensure_ascii=False) + "\n")


def _write_files(stored: StoredIndex, folder: Path, served: Path | None) -> None:
    stored.vectors.save(folder, {"model": stored.manifest.model})
    articles = [a.to_record() for a in stored.articles]
    (folder / "articles.json").write_text(json.dumps(articles, ensure_ascii=False))
    stored.sentence_vectors.save(folder, SENTENCES, linked_from=served)
    np.save(folder / "sentence_rows.npy", stored.sentence_rows, allow_pickle=False)
    (folder / "names.json").write_text(json.dumps(stored.names.to_record(), ensure_ascii=False))
    stored.lexical.save(folder / "bm25")
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
    manifest: Manifest, *, model: str, dimension: int, fingerprint: str | None
) -> None:
    """Raise :class:`IndexStale` when the index was built from something else (the library is
    not compared when ``fingerprint`` is None)."""
    _check_format(manifest)
    if manifest.model != model:
        raise IndexStale(f"built with model {manifest.model!r}, configured {model!r}")
    if manifest.dimension != dimension:
        raise IndexStale(f"dimension {manifest.dimension}, model gives {dimension}")
    if fingerprint is not None and manifest.library_fingerprint != fingerprint:
        raise IndexStale(
            "the library changed since the index was built "
            "(an article changed, was added or removed)"
        )


def _check_format(manifest: Manifest) -> None:
    if manifest.format_version != FORMAT_VERSION:
        raise IndexStale(f"format version {manifest.format_version}, expected {FORMAT_VERSION}")


def load(index_dir: Path, backend: VectorBackend | None = None) -> StoredIndex:
    """Read the published build back, its vectors from ``backend`` (FAISS unless given),
    checking that its parts agree with its manifest (an index of another format is
    :class:`IndexStale` before any of its files is read)."""
    manifest = read_manifest(index_dir)
    _check_format(manifest)
    folder = index_dir / CURRENT
    try:
        articles = tuple(
            IndexedArticle.from_record(a)
            for a in json.loads((folder / "articles.json").read_text(encoding="utf-8"))
        )
        spans = {a.rows: a.record.id for a in articles}
        vectors = (backend or FaissBackend()).load(folder, spans)
        with (folder / "passages.jsonl").open(encoding="utf-8") as lines, _collector_paused():
            passages = tuple(Passage.from_record(json.loads(line)) for line in lines)
        sentence_vectors = SegmentedMatrix.load(folder, SENTENCES)
        sentence_rows = np.load(folder / "sentence_rows.npy", allow_pickle=False)
        names = NameBook.from_record(json.loads((folder / "names.json").read_text("utf-8")))
        lexical = LexicalIndex.load(folder / "bm25")
    except (OSError, ValueError, RuntimeError, TypeError, KeyError) as exc:
        raise IndexCorrupt(f"unreadable index in {folder}: {exc}") from exc
    sentences = article_sentences(passages, articles)
    if not (
        vectors.size == len(passages) == manifest.passages == lexical.size
        and vectors.dimension == manifest.dimension
        and sentence_vectors.shape == (len(sentences), manifest.dimension)
        and sum(len(a.rows) for a in articles) == len(passages)
        and len(sentence_rows) == sum(len(p.sentences) for p in passages)
        and (
            not len(sentence_rows)
            or 0 <= sentence_rows.min() <= sentence_rows.max() < len(sentences)
        )
    ):
        raise IndexCorrupt(f"index files in {folder} disagree with the manifest")
    return StoredIndex(
        manifest,
        articles,
        passages,
        vectors,
        sentences,
        sentence_vectors,
        lexical,
        names,
        sentence_rows,
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the passages of a large library are hundreds of
    thousands of objects that all live on, and its passes over them while they are made
    cost a third of the load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def article_sentence_rows(passages: Sequence[Passage], first_row: int = 0) -> np.ndarray:
    """The rows of one article's passages' sentences among its distinct sentences (see
    :func:`~retrieval.index.vectorcache.distinct_sentences`), counted from ``first_row``."""
    order = {(s.start, s.end): i for i, s in enumerate(distinct_sentences(tuple(passages)))}
    rows = [first_row + order[(s.start, s.end)] for p in passages for s in p.sentences]
    return np.asarray(rows, dtype=np.int64)


def article_sentences(
    passages: tuple[Passage, ...], articles: tuple[IndexedArticle, ...]
) -> tuple[Sentence, ...]:
    """The distinct sentences of each article in turn: the rows of ``sentences.npy``."""
    return tuple(
        sentence
        for article in articles
        for sentence in distinct_sentences(passages[article.rows.start : article.rows.stop])
    )


def check_inputs(settings: EngineSettings) -> None:
    """Fail in milliseconds, before the model loads (or is exported), when the index folder
    is not a folder, or when there is neither an article (in the library or at
    ARTICLE_PATH) nor a saved index to serve."""
    index_dir = settings.index_dir
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexUnavailable(f"the index folder {index_dir} is not a folder")
    try:
        read_manifest(index_dir)
    except IndexCorrupt:
        if not Library(settings.library_dir).current().articles:
            read_article(settings.article_path)
