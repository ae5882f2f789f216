"""The engine on Qdrant's local mode: FAISS's answers, and every bad state in one clear line
(the bot, which loses Qdrant, says so and answers again once it is back)."""

import logging

import numpy as np
import pytest
import stores
from qdrant_client import QdrantClient, models

from retrieval import Engine, IndexStale, VectorStoreUnavailable
from retrieval.core.errors import VectorStoreMismatch
from retrieval.index import store
from retrieval.index.qdrant_connection import connect
from retrieval.index.qdrant_store import QdrantBackend
from retrieval.index.vectorstore import VectorLayout
from tgbot.questions import SEARCH_UNAVAILABLE

SECRET = "s3cret-api-key"
QUESTION = "Who is the president of Iran?"


@pytest.fixture(scope="module")
def qdrant_engine(engine, settings_factory, embedder, tmp_path_factory) -> Engine:
    """An engine of the shared engine's library on Qdrant's local mode, its index built (the
    module's to share)."""
    folder = tmp_path_factory.mktemp("qdrant-engine")
    settings = settings_factory(
        vector_store="qdrant", index_dir=folder / "index", library_dir=engine.settings.library_dir
    )
    engine = Engine(settings, embedder=embedder)
    engine.load_or_build()
    return engine


def rebuild_reasons(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "rebuilding the index" in r.getMessage()
    ]


def test_qdrant_answers_the_dev_questions_exactly_as_faiss(engine, qdrant_engine, dev_questions):
    assert qdrant_engine.snapshot.manifest.index_type == "qdrant"
    assert engine.snapshot.manifest.index_type == "flat"
    questions = [q.text for q in dev_questions]
    pairs = zip(qdrant_engine.answer_many(questions), engine.answer_many(questions), strict=True)
    for qdrant, faiss in pairs:
        ours, theirs = qdrant.to_json(), faiss.to_json()
        assert ours == theirs, [(k, ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]]


def test_one_article_is_searched_by_its_id_in_the_payload(qdrant_engine):
    (article,) = qdrant_engine.articles()
    vectors = qdrant_engine.snapshot.stored.vectors
    rows = qdrant_engine.snapshot.rows[article.id]
    condition = vectors._filter(rows).must[0]
    assert (condition.key, condition.match.value) == ("article_id", article.id)
    answer = qdrant_engine.answer(QUESTION, article_id=article.id)
    assert answer.citations and {c.article.id for c in answer.citations} == {article.id}


def test_an_unreachable_server_is_one_line_before_anything_is_embedded(
    settings_factory, embedder, tmp_path
):
    settings = settings_factory(
        vector_store="qdrant",
        qdrant_url="http://127.0.0.1:9",
        qdrant_api_key=SECRET,
        index_dir=tmp_path / "index",
        library_dir=tmp_path / "library",
    )
    engine = Engine(settings, embedder=embedder)
    with pytest.raises(VectorStoreUnavailable) as raised:
        engine.load_or_build()
    message = str(raised.value)
    assert message.startswith("cannot reach Qdrant at http://127.0.0.1:9") and "\n" not in message
    assert SECRET not in message
    assert not (tmp_path / "index" / "vectors").exists()  # nothing was embedded


def test_a_missing_alias_is_rebuilt_with_the_reason_logged(
    qdrant_engine, settings_factory, embedder, tmp_path, caplog
):
    index_dir = tmp_path / "index"
    settings = settings_factory(vector_store="qdrant", index_dir=index_dir)
    built = Engine(settings, embedder=embedder)
    first = built.rebuild()
    unnamed = models.DeleteAliasOperation(
        delete_alias=models.DeleteAlias(alias_name=settings.qdrant_collection)
    )
    built.vectors.connection.call(
        "alias", lambda client: client.update_collection_aliases([unnamed])
    )
    caplog.clear()
    again = Engine(settings, embedder=embedder).load_or_build()
    (reason,) = rebuild_reasons(caplog)
    assert reason.endswith(f"Qdrant's local folder {index_dir / 'qdrant'} has no alias 'passages'")
    assert again.manifest.build_id != first.manifest.build_id


def test_a_faiss_index_is_rebuilt_in_qdrant_when_vector_store_changes(
    settings_factory, embedder, tmp_path, caplog
):
    folders = {"index_dir": tmp_path / "index", "library_dir": tmp_path / "library"}
    Engine(settings_factory(**folders), embedder=embedder).load_or_build()
    caplog.clear()
    moved = Engine(settings_factory(vector_store="qdrant", **folders), embedder=embedder)
    assert moved.load_or_build().manifest.index_type == "qdrant"
    (reason,) = rebuild_reasons(caplog)
    assert "built with FAISS, and VECTOR_STORE is qdrant" in reason
    with pytest.raises(IndexStale, match="built in Qdrant, and VECTOR_STORE is faiss"):
        store.load(folders["index_dir"])


@pytest.mark.parametrize(
    ("layout", "model", "reason"),
    [
        (VectorLayout((("e5", 4), ("minilm", 8))), "m", "the models give e5 of 4 dimensions"),
        (VectorLayout((("minilm", 8),)), "m", "the models give minilm of 8 dimensions"),
        (VectorLayout((("e5", 8), ("minilm", 8))), "other", "vectors of 'm', configured 'other'"),
    ],
    ids=["dimension", "model set", "model"],
)
def test_a_collection_of_another_model_or_dimension_is_refused(tmp_path, layout, model, reason):
    connection = connect(None, None, tmp_path / "qdrant")
    built = QdrantBackend(connection, "passages", VectorLayout((("e5", 8), ("minilm", 8))), "m")
    vectors = np.eye(16, dtype=np.float32)
    published = built.build(vectors, ["a"] * 16)
    published.save(tmp_path, {"model": "m"})
    published.publish()
    with pytest.raises(VectorStoreMismatch, match=reason):
        QdrantBackend(connection, "passages", layout, model).load(tmp_path, {})


def test_a_local_folder_in_use_elsewhere_is_one_line(settings_factory, embedder, tmp_path):
    rival = QdrantClient(path=str(tmp_path / "taken"))
    try:
        settings = settings_factory(
            vector_store="qdrant",
            qdrant_path=tmp_path / "taken",
            index_dir=tmp_path / "index",
            library_dir=tmp_path / "library",
        )
        with pytest.raises(VectorStoreUnavailable, match="already accessed") as raised:
            Engine(settings, embedder=embedder).load_or_build()
        assert "local mode serves one process at a time" in str(raised.value)
    finally:
        rival.close()


def test_an_engine_that_loses_qdrant_fails_each_answer_then_recovers(qdrant_engine):
    before = qdrant_engine.answer(QUESTION).to_json()
    with stores.qdrant_lost(qdrant_engine):
        for _ in range(2):
            with pytest.raises(VectorStoreUnavailable, match="already accessed"):
                qdrant_engine.answer(QUESTION)
    assert qdrant_engine.answer(QUESTION).to_json() == before


@pytest.mark.asyncio(loop_scope="session")
async def test_the_bot_says_search_is_unavailable_while_qdrant_is_gone_then_answers(
    bot_harness, qdrant_engine
):
    await bot_harness.start(engine=qdrant_engine)
    with stores.qdrant_lost(qdrant_engine):
        reply = await bot_harness.ask(2001, QUESTION)
        assert reply["text"] == SEARCH_UNAVAILABLE
    reply = await bot_harness.ask(2001, QUESTION)
    assert "Pezeshkian" in reply["text"] and reply["text"] != SEARCH_UNAVAILABLE
