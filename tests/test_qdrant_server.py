"""Against a live Qdrant server: runs when QDRANT_URL (and QDRANT_API_KEY, if it asks for one)
is set, and is skipped otherwise. Each run uses an alias of its own and drops it after."""

import os
import uuid

import pytest

from retrieval import Engine, VectorStoreUnavailable

URL = os.environ.get("QDRANT_URL")
pytestmark = pytest.mark.skipif(not URL, reason="QDRANT_URL is not set: no Qdrant server")
QUESTION = "Who is the president of Iran?"


@pytest.fixture
def server_settings(settings_factory, engine, tmp_path):
    """Settings on the server, sharing the shared engine's library, with a fresh alias."""

    def make(**overrides):
        return settings_factory(
            vector_store="qdrant",
            qdrant_url=URL,
            qdrant_api_key=os.environ.get("QDRANT_API_KEY") or None,
            qdrant_collection=f"test-{uuid.uuid4().hex[:8]}",
            index_dir=tmp_path / "index",
            library_dir=engine.settings.library_dir,
            **overrides,
        )

    return make


@pytest.fixture
def drop_collections():
    """Drops every collection of the engines a test made on the server."""
    made = []
    yield made.append
    for engine in made:
        alias = engine.settings.qdrant_collection
        engine.vectors.connection.call(
            "collections",
            lambda client, alias=alias: [
                client.delete_collection(c.name)
                for c in client.get_collections().collections
                if c.name.startswith(f"{alias}-")
            ],
        )


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "hnsw"])
def test_a_server_answers_as_faiss_and_reloads_by_its_alias(
    engine, embedder, server_settings, drop_collections, dev_questions, exact
):
    settings = server_settings(qdrant_exact=exact)
    built = Engine(settings, embedder=embedder)
    drop_collections(built)
    built.rebuild()
    questions = [q.text for q in dev_questions]
    expected = [a.to_json() for a in engine.answer_many(questions)]
    assert [a.to_json() for a in built.answer_many(questions)] == expected
    loaded = Engine(settings, embedder=embedder)
    assert loaded.load_or_build().manifest == built.snapshot.manifest


@pytest.mark.skipif(
    not os.environ.get("QDRANT_API_KEY"), reason="the server asks for no API key to refuse"
)
def test_a_wrong_api_key_is_one_line_without_the_key(embedder, server_settings):
    wrong = "not-the-key-" + uuid.uuid4().hex
    settings = server_settings(qdrant_api_key=wrong)
    with pytest.raises(VectorStoreUnavailable, match="refused the API key") as raised:
        Engine(settings, embedder=embedder).load_or_build()
    assert wrong not in str(raised.value)
