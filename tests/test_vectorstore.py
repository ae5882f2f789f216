"""The FAISS vector store: exact or HNSW, stored vectors, filtered search, copies, save/load."""

import numpy as np
import pytest

from retrieval import IndexCorrupt
from retrieval.index.qdrant_connection import connect
from retrieval.index.qdrant_store import QdrantBackend
from retrieval.index.vectorstore import FaissStore, VectorLayout

# Two named vectors in Qdrant, whose dot products the store sums as FAISS's one.
TWO_BLOCKS = VectorLayout((("e5", 20), ("minilm", 12)))


@pytest.fixture(scope="module")
def unit_vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(400, 32)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def qdrant_backend(folder, layout: VectorLayout = TWO_BLOCKS) -> QdrantBackend:
    """Qdrant's local mode in ``folder``, for vectors of model "m" laid out as ``layout``."""
    return QdrantBackend(connect(None, None, folder / "qdrant"), "passages", layout, "m")


@pytest.fixture(params=["flat", "hnsw", "qdrant"])
def store(request, unit_vectors, tmp_path):
    if request.param == "qdrant":
        return qdrant_backend(tmp_path).build(unit_vectors, ["a"] * 100 + ["b"] * 300)
    limit = 10_000 if request.param == "flat" else 10
    built = FaissStore.build(unit_vectors, exact_limit=limit)
    assert built.kind == request.param
    return built


def test_every_row_finds_itself_and_its_stored_vector(store, unit_vectors):
    _, rows = store.search(unit_vectors[:50], 1)
    assert rows[:, 0].tolist() == list(range(50))
    assert np.array_equal(store.vectors([3, 399]), unit_vectors[[3, 399]])
    assert np.array_equal(store.vectors(range(10, 20)), unit_vectors[10:20])


@pytest.mark.parametrize("rows", [range(100, 140), range(0, 100)], ids=["some", "an article's"])
def test_a_search_within_rows_only_returns_those_rows_exactly(store, unit_vectors, rows):
    scores, found = store.search(unit_vectors[5], 5, rows)
    exact = unit_vectors[rows.start : rows.stop] @ unit_vectors[5]
    assert found[0].tolist() == (np.argsort(-exact)[:5] + rows.start).tolist()
    assert np.allclose(scores[0], np.sort(exact)[::-1][:5])


def test_qdrant_scores_every_row_as_faiss_does_constant_column_and_all(unit_vectors, tmp_path):
    """A stacked vector's constant last column (the calibration shifts) is no named vector:
    the score formula adds its product to the sum of the models' dot products."""
    stacked = np.hstack([unit_vectors, np.full((400, 1), 0.5, np.float32)])
    layout = VectorLayout(TWO_BLOCKS.blocks, constant=0.5)
    qdrant = qdrant_backend(tmp_path, layout).build(stacked, ["a"] * 400)
    queries = np.hstack([-unit_vectors[:4], np.full((4, 1), 0.3, np.float32)])
    qdrant_scores, qdrant_rows = qdrant.search(queries, 400)
    faiss_scores, faiss_rows = FaissStore.build(stacked).search(queries, 400)
    assert np.array_equal(qdrant_rows, faiss_rows)
    assert np.allclose(qdrant_scores, faiss_scores, atol=1e-6)
    assert np.array_equal(qdrant.vectors([7, 3]), stacked[[7, 3]])


def test_a_qdrant_build_is_loaded_once_its_alias_names_it(unit_vectors, tmp_path):
    backend = qdrant_backend(tmp_path)
    first = backend.build(unit_vectors, ["a"] * 400)
    first.save(tmp_path, {"model": "m"})
    with pytest.raises(IndexCorrupt, match="no alias 'passages'"):
        backend.load(tmp_path, {})
    first.publish()
    loaded = backend.load(tmp_path, {range(0, 400): "a"})
    assert (loaded.collection, loaded.size) == (first.collection, 400)
    assert loaded.search(unit_vectors[9], 1)[1][0, 0] == 9


def test_publishing_moves_the_alias_and_drops_the_builds_before_the_one_replaced(
    unit_vectors, tmp_path
):
    backend = qdrant_backend(tmp_path)
    published = []
    for _ in range(3):
        published.append(backend.build(unit_vectors[:50], ["a"] * 50))
        published[-1].publish()
    abandoned = backend.build(unit_vectors[:50], ["a"] * 50)  # a build that failed its gate
    newest = backend.build(unit_vectors[:50], ["a"] * 50)
    newest.publish()
    # The one replaced stays, as answers in flight may still be reading it.
    assert collections(backend) == {published[-1].collection, newest.collection}
    assert abandoned.collection not in collections(backend)
    newest.save(tmp_path, {"model": "m"})
    assert backend.load(tmp_path, {}).collection == newest.collection


def collections(backend: QdrantBackend) -> set[str]:
    listed = backend.connection.call("", lambda client: client.get_collections().collections)
    return {c.name for c in listed}


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


def test_save_and_load_round_trip_and_refuse_a_mismatch(unit_vectors, tmp_path):
    store = FaissStore.build(unit_vectors)
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
    assert store.search(-unit_vectors[2], 1)[1][0, 0] != 402
    assert extended.search(-unit_vectors[2], 1)[1][0, 0] == 402
    assert np.array_equal(extended.vectors(range(400)), unit_vectors)


def test_an_exact_store_extended_past_the_limit_becomes_hnsw(unit_vectors):
    exact = FaissStore.build(unit_vectors[:300], exact_limit=350)
    grown = exact.extended(unit_vectors[300:], exact_limit=350)
    assert (exact.kind, grown.kind, grown.size) == ("flat", "hnsw", 400)
    assert grown.search(unit_vectors[:50], 1)[1][:, 0].tolist() == list(range(50))


def test_a_row_read_with_the_one_before_scores_as_each_models_normalised_mean():
    """Stacked vectors hold each model's unit block scaled by the same factor, and perhaps a
    constant column: a row and the one before it score as the vector made of each block's
    normalised sum at that length, with the constant kept, for one query or several."""
    rng = np.random.default_rng(3)
    layout = VectorLayout(TWO_BLOCKS.blocks, constant=0.5)
    units = {name: rng.normal(size=(6, size)) for name, size in layout.blocks}
    units = {n: u / np.linalg.norm(u, axis=1, keepdims=True) for n, u in units.items()}
    rows = layout.join({n: u * 0.5 for n, u in units.items()})
    means = {n: u[1:] + u[:-1] for n, u in units.items()}
    pairs = layout.join(
        {n: 0.5 * m / np.linalg.norm(m, axis=1, keepdims=True) for n, m in means.items()}
    )
    queries = rng.normal(size=(3, layout.dimension)).astype(np.float32)
    alone, scores = layout.scores_and_windows(rows, queries)
    assert scores.shape == (6, 3) and np.all(np.isneginf(scores[0]))
    assert np.allclose(scores[1:], pairs @ queries.T, atol=1e-5)
    assert np.allclose(alone, rows @ queries.T, atol=1e-5)  # each row's own score beside it
    assert np.allclose(layout.scores_and_windows(rows, queries[0])[1], scores[:, 0])
    twice = np.repeat(rows[:1], 2, axis=0)  # a row read with itself is the row
    assert np.isclose(layout.scores_and_windows(twice, queries[0])[1][1], twice[0] @ queries[0])
