"""The FAISS vector store: exact or HNSW, stored vectors, filtered search, copies, save/load."""

import numpy as np
import pytest

from retrieval import IndexCorrupt
from retrieval.index.vectorstore import FaissStore


@pytest.fixture(scope="module")
def unit_vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(400, 32)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(params=["flat", "hnsw"])
def store(request, unit_vectors) -> FaissStore:
    limit = 10_000 if request.param == "flat" else 10
    built = FaissStore.build(unit_vectors, exact_limit=limit)
    assert built.kind == request.param
    return built


def test_every_row_finds_itself_and_its_stored_vector(store, unit_vectors):
    _, rows = store.search(unit_vectors[:50], 1)
    assert rows[:, 0].tolist() == list(range(50))
    assert np.array_equal(store.vectors([3, 399]), unit_vectors[[3, 399]])
    assert np.array_equal(store.vectors(range(10, 20)), unit_vectors[10:20])


def test_a_search_within_rows_only_returns_those_rows_exactly(store, unit_vectors):
    rows = range(100, 140)
    scores, found = store.search(unit_vectors[5], 5, rows)
    exact = unit_vectors[100:140] @ unit_vectors[5]
    assert found[0].tolist() == (np.argsort(-exact)[:5] + 100).tolist()
    assert np.allclose(scores[0], np.sort(exact)[::-1][:5])


def test_repeated_vectors_are_stored_once_and_found_at_every_row(unit_vectors):
    repeated = np.concatenate([unit_vectors, unit_vectors[:100], unit_vectors[:100]])
    store = FaissStore.build(repeated, exact_limit=10)
    assert (store.size, store.distinct) == (600, 400)
    _, found = store.search(unit_vectors[7], 3)
    assert sorted(found[0].tolist()) == [7, 407, 507]
    assert np.array_equal(store.vectors([507]), unit_vectors[[7]])


def test_a_copy_grows_without_changing_the_original(store, unit_vectors):
    copy = store.copy()
    copy.add(-unit_vectors[:3])
    assert (store.size, copy.size) == (400, 403)
    assert copy.search(-unit_vectors[1], 1)[1][0, 0] == 401


def test_save_and_load_round_trip_and_refuse_a_mismatch(store, unit_vectors, tmp_path):
    store.save(tmp_path, {"model": "m"})
    loaded, metadata = FaissStore.load(tmp_path)
    assert (loaded.kind, loaded.size, metadata["model"]) == (store.kind, 400, "m")
    assert np.array_equal(loaded.vectors(range(400)), unit_vectors)
    np.save(tmp_path / "rows.npy", np.arange(5))
    with pytest.raises(IndexCorrupt):
        FaissStore.load(tmp_path)


def test_an_extended_store_appends_and_leaves_the_original_alone(store, unit_vectors):
    extended = store.extended(-unit_vectors[:3])
    assert (store.size, extended.size, extended.kind) == (400, 403, store.kind)
    assert extended.search(-unit_vectors[2], 1)[1][0, 0] == 402
    assert np.array_equal(extended.vectors(range(400)), unit_vectors)


def test_an_exact_store_extended_past_the_limit_becomes_hnsw(unit_vectors):
    exact = FaissStore.build(unit_vectors[:300], exact_limit=350)
    grown = exact.extended(unit_vectors[300:], exact_limit=350)
    assert (exact.kind, grown.kind, grown.size) == ("flat", "hnsw", 400)
    assert grown.search(unit_vectors[:50], 1)[1][:, 0].tolist() == list(range(50))
