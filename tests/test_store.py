"""The on-disk index: round trip, atomic publishing, and rebuilding a corrupt or stale one."""

import dataclasses
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import stores

from retrieval import ArticleNotFound, IndexCorrupt, IndexStale, IndexUnavailable
from retrieval.index import store
from retrieval.library.catalog import text_sha256

pytestmark = stores.BOTH
NEW_PARAGRAPH = "Pezeshkian gave Putin a Persian carpet woven in Tabriz as a gift at the summit."


@pytest.fixture
def copied_index(engine, tmp_path) -> Path:
    """A copy of the shared engine's built index and of its library, in the default places of
    `engine_factory`."""
    target = tmp_path / "index"
    shutil.copytree(engine.settings.index_dir, target, symlinks=True)
    shutil.copytree(engine.settings.library_dir, tmp_path / "library", symlinks=True)
    return target


def all_vectors(vectors) -> np.ndarray:
    return vectors.vectors(range(vectors.size))


def rebuild_reasons(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "rebuilding the index" in r.getMessage()
    ]


def test_save_then_load_returns_the_same_index(engine, tmp_path):
    stored = engine.snapshot.stored
    build = store.save(stored, tmp_path)
    loaded = store.load(tmp_path, engine.vectors)
    assert (tmp_path / store.CURRENT).resolve() == build.resolve()
    assert loaded.manifest == stored.manifest
    assert loaded.passages == stored.passages
    assert loaded.sentences == stored.sentences
    assert np.array_equal(loaded.sentence_vectors, stored.sentence_vectors)
    assert np.array_equal(all_vectors(loaded.vectors), all_vectors(stored.vectors))


def test_publishing_a_build_swaps_current_and_leaves_exactly_one_build(engine, tmp_path):
    stored = engine.snapshot.stored
    store.save(stored, tmp_path)
    (tmp_path / ".staging-crashed").mkdir()
    second = dataclasses.replace(stored.manifest, build_id="second")
    store.save(dataclasses.replace(stored, manifest=second), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build-second", store.CURRENT]
    current = tmp_path / store.CURRENT
    assert current.is_symlink()
    assert current.readlink() == Path("build-second")
    assert store.load(tmp_path, engine.vectors).manifest.build_id == "second"


def test_a_current_index_is_loaded_without_rebuilding(
    engine, engine_factory, copied_index, caplog
):
    snapshot = engine_factory().load_or_build()
    assert snapshot.manifest.build_id == engine.snapshot.manifest.build_id
    assert rebuild_reasons(caplog) == []


def test_a_saved_index_still_serves_when_the_article_is_gone(
    engine_factory, article_text, tmp_path, caplog
):
    article = tmp_path / "article.txt"
    article.write_text(article_text, encoding="utf-8")
    built = engine_factory(article_path=article).load_or_build()
    article.unlink()
    caplog.clear()
    snapshot = engine_factory(article_path=article).load_or_build()
    assert snapshot.manifest == built.manifest
    assert rebuild_reasons(caplog) == []
    assert any(
        str(article) in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )


def test_a_missing_article_with_a_corrupt_index_is_rebuilt_from_the_library_copy(
    engine, engine_factory, copied_index, tmp_path, caplog
):
    (copied_index / store.CURRENT / "vectors.json").write_bytes(b"damaged")
    snapshot = engine_factory(article_path=tmp_path / "deleted-article.txt").load_or_build()
    assert snapshot.stored.passages == engine.snapshot.stored.passages
    assert len(rebuild_reasons(caplog)) == 1


def test_a_missing_article_with_an_empty_library_raises(engine_factory, tmp_path):
    with pytest.raises(ArticleNotFound):
        engine_factory(article_path=tmp_path / "deleted-article.txt").load_or_build()


def _halve(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _drop_last_line(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])


def _drop_model_field(data: bytes) -> bytes:
    manifest = json.loads(data)
    del manifest["model"]
    return json.dumps(manifest).encode()


CORRUPTIONS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "truncated faiss": ("passages.faiss", _halve),
    "garbage faiss": ("passages.faiss", lambda _: b"not a faiss index"),
    "garbage vector metadata": ("vectors.json", lambda _: b"{not json"),
    "truncated jsonl": ("passages.jsonl", _halve),
    "jsonl missing a passage": ("passages.jsonl", _drop_last_line),
    "truncated manifest": ("manifest.json", _halve),
    "manifest missing a field": ("manifest.json", _drop_model_field),
    "truncated sentence vectors": ("sentences.npy", _halve),
    "truncated sentence rows": ("sentence_rows.npy", _halve),
    "garbage names": ("names.json", lambda _: b"{not json"),
    "truncated BM25 documents": ("bm25/documents.npy", _halve),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_corrupt_index_raises_and_is_rebuilt_with_the_reason_logged(
    engine, engine_factory, copied_index, caplog, corruption, vector_store
):
    name, corrupt = corruption
    if name == "passages.faiss" and vector_store != "faiss":
        pytest.skip("only FAISS writes passages.faiss")
    path = copied_index / store.CURRENT / name
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(IndexCorrupt) as raised:
        stores.load(engine, copied_index)
    snapshot = engine_factory().load_or_build()
    assert rebuild_reasons(caplog) == [f"rebuilding the index in {copied_index}: {raised.value}"]
    assert snapshot.manifest.build_id != engine.snapshot.manifest.build_id
    assert stores.load(engine, copied_index).manifest == snapshot.manifest


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("model", "some-other-model", "built with model 'some-other-model'"),
        ("format_version", 0, "format version 0"),
    ],
)
def test_index_built_for_something_else_is_stale_and_rebuilt(
    engine, engine_factory, copied_index, caplog, field, value, reason
):
    path = copied_index / store.CURRENT / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), field: value}))
    embedder = engine.embedder
    with pytest.raises(IndexStale, match=reason):
        store.check_current(
            store.read_manifest(copied_index),
            model=embedder.name,
            dimension=embedder.dimension,
            fingerprint=engine.snapshot.manifest.library_fingerprint,
        )
    snapshot = engine_factory().load_or_build()
    (message,) = rebuild_reasons(caplog)
    assert reason in message
    assert (snapshot.manifest.model, snapshot.manifest.dimension) == (
        embedder.name,
        embedder.dimension,
    )


def test_changed_article_makes_the_index_stale_and_is_reindexed(
    engine_factory, article_text, tmp_path, caplog
):
    article = tmp_path / "article.txt"
    article.write_text(article_text, encoding="utf-8")
    old = engine_factory(article_path=article).load_or_build()
    changed = f"{article_text}\n{NEW_PARAGRAPH}\n"
    article.write_text(changed, encoding="utf-8")
    caplog.clear()
    snapshot = engine_factory(article_path=article).load_or_build()
    (message,) = rebuild_reasons(caplog)
    assert "the library changed" in message
    (record,) = snapshot.articles
    assert (record.id, record.version, record.sha256) == (
        old.articles[0].id,
        2,
        text_sha256(changed),
    )
    assert snapshot.manifest.library_fingerprint != old.manifest.library_fingerprint
    assert any(p.text == NEW_PARAGRAPH for p in snapshot.stored.passages)


@pytest.fixture
def regular_file(tmp_path) -> Path:
    path = tmp_path / "not-a-folder"
    path.write_text("a regular file")
    return path


@pytest.mark.parametrize("below", [False, True], ids=["is a file", "is below a file"])
def test_saving_where_no_folder_can_be_made_raises_index_unavailable(engine, regular_file, below):
    with pytest.raises(IndexUnavailable):
        store.save(engine.snapshot.stored, regular_file / "index" if below else regular_file)
    assert regular_file.read_text() == "a regular file"


def test_engine_with_an_unwritable_index_dir_raises_index_unavailable(
    engine_factory, regular_file
):
    with pytest.raises(IndexUnavailable):
        engine_factory(index_dir=regular_file).load_or_build()
