"""The engine over a library: incremental embedding, changes with the sanity gate, filters."""

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import stores

from retrieval import ArticleUnknown, Engine, LibraryUnavailable, SanityCheckFailed
from retrieval.index import store
from retrieval.index.fusion import FusedEmbedder
from retrieval.library.catalog import Library
from retrieval.question.focus import content_words
from retrieval.question.overview import ABOUT_THE_ARTICLE, OVERVIEW
from retrieval.text.words import tokenize

NORMANS = (Path(__file__).parent / "data" / "normans.txt").read_text(encoding="utf-8")
_WORD = re.compile(r"\w+")
# Embedded once by every engine (retrieval/overview.py), whatever its library.
PROTOTYPES = {*OVERVIEW, *ABOUT_THE_ARTICLE}


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to encode (into ``seen``, which
    several may share)."""

    def __init__(self, inner, seen: list[str] | None = None) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.multilingual = inner.multilingual
        self.seen: list[str] = [] if seen is None else seen
        self.calls: list[list[str]] = []

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        self.calls.append(list(texts))
        return self.inner.encode(texts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        self.calls.append(list(texts))
        return self.inner.encode_queries(texts)


class HashedWords:
    """A fake model for pure logic at scale: a unit bag of hashed words (similar texts share
    words, so the sanity check behaves as with a real model)."""

    name, dimension, max_tokens, multilingual = "hashed-words", 1024, 256, False

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 1024] += 1
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


def small_article(n: int) -> str:
    return (
        f"# Report {n}\n\nThe depot {n} shipped {n * 7} crates of tea to harbour {n % 13}. "
        f"Workers at depot {n} counted them twice. Depot {n} closes in winter.\n\n"
        f"Its manager, number {n * 3}, keeps bees. The bees of depot {n} make honey.\n"
    )


def test_adding_one_article_to_a_thousand_embeds_only_that_article(settings_factory, tmp_path):
    counting = CountingEmbedder(HashedWords())
    settings = settings_factory(index_dir=tmp_path / "index", library_dir=tmp_path / "lib")
    library = Library(settings.library_dir)
    version = library.current()
    for n in range(1000):
        record = library.store(small_article(n), title=f"Report {n}", source=f"{n}.md")
        version = version.with_article(record, "bulk")
    library.publish(version)
    engine = Engine(settings, embedder=counting)
    assert engine.load_or_build().manifest.articles == 1000
    counting.calls.clear()
    change = engine.add_article(small_article(5000), source="5000.md")
    assert change.snapshot.manifest.articles == 1001
    chunked = change.snapshot.stored.passages[change.snapshot.rows[change.article.id].start :]
    texts = {p.text for p in chunked} | {s.text for p in chunked for s in p.sentences}
    (embedded, *later) = counting.calls
    assert sorted(embedded) == sorted(texts)  # the new article's texts, each once
    # Once it serves, its words not known yet, for the focus rules (one call, if any).
    words = set(content_words(small_article(5000)))
    learned = [call for call in later if call and set(call) <= words]
    assert len(learned) <= 1
    sanity_checks = [call for call in later if call not in learned]
    openings = {p.sentences[0].text for p in change.snapshot.stored.passages}
    assert all(set(queries) <= openings for queries in sanity_checks)
    assert sum(map(len, sanity_checks)) <= len(chunked) + 200  # the sanity gate is a sample


@pytest.fixture
def counting(embedder) -> FusedEmbedder:
    """The default models, each counted: ``seen`` holds what any of them encoded, ``calls``
    the first model's batches (every model embeds the same missing texts)."""
    seen: list[str] = []
    parts = {key: CountingEmbedder(part, seen) for key, part in embedder.parts.items()}
    fused = FusedEmbedder(parts, embedder.config)
    fused.seen, fused.calls = seen, next(iter(parts.values())).calls  # type: ignore[attr-defined]
    return fused


@pytest.fixture(scope="module")
def two_articles(settings_factory, embedder, tmp_path_factory) -> Path:
    """A folder with a library (the real article, then the Normans article) and its index."""
    folder = tmp_path_factory.mktemp("two-articles")
    settings = settings_factory(index_dir=folder / "index", library_dir=folder / "lib")
    engine = Engine(settings, embedder=embedder)
    engine.load_or_build()
    engine.add_article(NORMANS, source="normans.txt", added_by=42)
    return folder


@pytest.fixture
def library_engine(two_articles, settings_factory, counting, tmp_path) -> Engine:
    """A real engine on a copy of ``two_articles`` (loaded from disk, nothing embedded)."""
    shutil.copytree(two_articles, tmp_path / "copy", symlinks=True)
    settings = settings_factory(
        index_dir=tmp_path / "copy" / "index", library_dir=tmp_path / "copy" / "lib"
    )
    engine = Engine(settings, embedder=counting)
    engine.load_or_build()
    assert set(counting.seen) <= PROTOTYPES
    return engine


@stores.BOTH
def test_answers_cite_the_article_they_come_from(library_engine, article_text):
    article, normans = library_engine.articles()
    assert normans.title == "Normans" and normans.added_by == 42
    answer = library_engine.answer("Who did the Normans conquer at the Battle of Hastings?")
    first = answer.citations[0]
    assert first.article.id == normans.id and first.article.title == "Normans"
    assert NORMANS[first.start : first.end] == first.quote
    answer = library_engine.answer("What weapons did Iran send Russia?")
    assert answer.citations[0].article.id == article.id
    assert article_text[answer.citations[0].start : answer.citations[0].end]


@stores.BOTH
def test_a_source_from_another_article_earns_its_place(library_engine, fixed_outcome_of):
    """ "how did raisi die" is about the news article: the Normans' passages that come next
    in the search are cited only if their own article would be relevant."""
    article, _ = library_engine.articles()
    answer = library_engine.answer("how did raisi die")
    assert answer.citations and {c.article.id for c in answer.citations} == {article.id}
    fixed_outcome_of(library_engine, "answered")  # every article relevant: all may be cited
    answer = library_engine.answer("how did raisi die")
    assert len({c.article.id for c in answer.citations}) == 2


@stores.BOTH
def test_a_word_of_another_article_is_still_foreign_to_the_one_answering(library_engine):
    """ "conquer" is the Normans' word: answered from the news article, the question's focus is
    one the article never uses, as the answerability model was fitted to see it."""
    article, normans = library_engine.articles()
    answer = library_engine.answer("What did Iran conquer?", article_id=article.id)
    assert answer.signals is not None and answer.signals.evidence.focus_unknown == 1.0
    answer = library_engine.answer("What did the Normans conquer?", article_id=normans.id)
    assert answer.signals is not None and answer.signals.evidence.focus_unknown == 0.0


@stores.BOTH
def test_a_question_limited_to_one_article_only_cites_it(library_engine):
    article, _ = library_engine.articles()
    rows = library_engine.snapshot.rows[article.id]
    answer = library_engine.answer("Who was William the Conqueror?", article_id=article.id)
    assert all(c.article.id == article.id for c in answer.citations)
    assert all(library_engine.snapshot.by_id[c.passage.id] for c in answer.citations)
    assert len(rows) < library_engine.snapshot.manifest.passages
    with pytest.raises(ArticleUnknown):
        library_engine.answer("Who?", article_id="nosuchid")


@stores.BOTH
def test_remove_and_rollback_reuse_the_cached_vectors(library_engine, counting):
    article, normans = library_engine.articles()
    counting.seen.clear()
    removed = library_engine.remove_article(normans.id)
    assert [a.id for a in removed.snapshot.articles] == [article.id]
    restored = library_engine.rollback()
    assert [a.id for a in restored.snapshot.articles] == [article.id, normans.id]
    sanity_only = {p.sentences[0].text for p in restored.snapshot.stored.passages}
    assert set(counting.seen) <= sanity_only | PROTOTYPES  # no passage embedded again
    library_engine.remove_article(normans.id)
    with pytest.raises(LibraryUnavailable, match="empty"):
        library_engine.remove_article(article.id)


@stores.BOTH
def test_a_crash_after_the_library_published_heals_on_the_next_start(
    library_engine, settings_factory, counting, monkeypatch
):
    def power_cut(*args):
        raise KeyboardInterrupt("power cut before the index was saved")

    article, normans = library_engine.articles()
    monkeypatch.setattr(store, "save", power_cut)
    with pytest.raises(KeyboardInterrupt):
        library_engine.remove_article(normans.id)
    monkeypatch.undo()
    restarted = Engine(library_engine.settings, embedder=counting)
    assert [a.id for a in restarted.load_or_build().articles] == [article.id]
    rolled = restarted.rollback()
    assert [a.id for a in rolled.snapshot.articles] == [article.id, normans.id]
    assert store.read_manifest(restarted.settings.index_dir) == rolled.snapshot.manifest


@stores.BOTH
def test_an_add_that_fails_the_sanity_check_leaves_library_and_index_as_they_were(
    library_engine, monkeypatch
):
    before = library_engine.snapshot
    versions = library_engine.library.versions()

    def failing(*args):
        raise SanityCheckFailed("only 10% of passages find themselves in the top 3")

    monkeypatch.setattr(library_engine.builder, "sanity_check", failing)
    with pytest.raises(SanityCheckFailed):
        library_engine.add_article("A third article. It is short.", source="three.txt")
    assert library_engine.snapshot is before
    assert library_engine.library.versions() == versions
    assert store.read_manifest(library_engine.settings.index_dir) == before.manifest


THIRD = (
    "# The lighthouse keepers\n\n"
    "The lighthouse on Skerry Point was lit for the first time in 1854 by keeper Ada Lamb. "
    "She kept its lamp burning for thirty-one winters.\n\n"
    "Her son Tobias Lamb took over the light in 1885 and wrote a log of every storm. "
    "The log is kept today in the harbour museum of Port Ellen.\n"
)


def test_an_add_links_the_served_sentence_vectors_and_writes_only_its_own(library_engine):
    index_dir = library_engine.settings.index_dir
    library_engine.rebuild()
    restarted = Engine(library_engine.settings, embedder=library_engine.embedder)
    before = restarted.snapshot.stored.sentence_vectors  # read from the build on disk
    served = (index_dir / store.CURRENT).resolve()
    inode = (served / "sentences.npy").stat().st_ino
    change = restarted.add_article(THIRD, source="lighthouse.md")
    grown = (index_dir / store.CURRENT).resolve()
    assert grown != served and not served.exists()
    assert (grown / "sentences.npy").stat().st_ino == inode  # linked, not written again
    added = np.load(grown / "sentences-1.npy")
    assert len(added) == len(change.snapshot.stored.sentence_vectors) - len(before) > 0
    loaded = np.asarray(stores.load(restarted).sentence_vectors)
    assert np.array_equal(loaded, np.vstack([np.asarray(before), added]))


@stores.BOTH
def test_an_add_extends_the_served_index_and_equals_a_full_build(
    library_engine, counting, settings_factory, tmp_path, monkeypatch
):
    read_from_cache = []
    cache = library_engine.builder.caches["minilm"]
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda sha: read_from_cache.append(sha) or get(sha))
    counting.calls.clear()
    change = library_engine.add_article(THIRD, source="lighthouse.md")
    assert read_from_cache == [change.article.sha256]  # the others come from the served index
    (embedded, *sanity_checks) = counting.calls
    assert embedded and all(text in THIRD for text in embedded)  # only the new article's
    assert not any(sanity_checks)  # the gate reads vectors embedded a moment ago or served
    monkeypatch.undo()
    settings = settings_factory(
        index_dir=tmp_path / "full", library_dir=library_engine.settings.library_dir
    )
    full = Engine(settings, embedder=counting).rebuild().stored
    grown = change.snapshot.stored
    assert grown.passages == full.passages and grown.articles == full.articles
    assert stores.load(library_engine).passages == grown.passages
    assert np.array_equal(grown.sentence_rows, full.sentence_rows)
    assert np.array_equal(grown.sentence_vectors, full.sentence_vectors)
    assert np.array_equal(
        grown.vectors.vectors(range(grown.vectors.size)),
        full.vectors.vectors(range(full.vectors.size)),
    )
    assert grown.names.to_record() == full.names.to_record()
    for question in ("Who lit the lighthouse on Skerry Point?", "Who did the Normans conquer?"):
        scores = grown.lexical.scores(tokenize(question))
        assert np.array_equal(scores, full.lexical.scores(tokenize(question))) and scores.max() > 0
    answer = library_engine.answer("Who lit the lighthouse on Skerry Point first?")
    assert answer.citations[0].article.id == change.article.id and "Ada Lamb" in answer.text


@stores.BOTH
@pytest.mark.parametrize(
    "damaged", ["names.json", "sentence_rows.npy", "bm25/documents.npy", "bm25/lengths.npy"]
)
def test_an_index_damaged_after_an_add_heals_on_the_next_start(
    library_engine, counting, caplog, damaged
):
    change = library_engine.add_article(THIRD, source="lighthouse.md")
    path = library_engine.settings.index_dir / store.CURRENT / damaged
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    restarted = Engine(library_engine.settings, embedder=counting)
    counting.seen.clear()
    snapshot = restarted.load_or_build()
    assert any("rebuilding the index" in r.getMessage() for r in caplog.records)
    assert snapshot.manifest.library_fingerprint == change.snapshot.manifest.library_fingerprint
    assert snapshot.stored.passages == change.snapshot.stored.passages
    answer = restarted.answer("Who took over the light in 1885?")
    assert answer.citations[0].article.id == change.article.id
    assert stores.load(restarted).manifest == snapshot.manifest


@stores.BOTH
def test_an_add_of_a_degenerate_article_fails_the_gate_and_changes_nothing(library_engine):
    before = library_engine.snapshot
    versions = library_engine.library.versions()
    with pytest.raises(SanityCheckFailed):
        library_engine.add_article(
            "The harbour is calm and the boats are in.\n\n" * 40, source="x"
        )
    assert library_engine.snapshot is before
    assert library_engine.library.versions() == versions
    assert store.read_manifest(library_engine.settings.index_dir) == before.manifest


@stores.BOTH
@pytest.mark.parametrize(
    "question",
    ["Which analyst from Chatham House is quoted?", "what is the range of the missiles"],
)
def test_a_quote_is_weighed_as_with_its_article_alone(library_engine, engine, question):
    """The model sees the same evidence whatever else the library holds: BM25 weighs terms by
    the answering article, and the margin is to its own runner-up, wherever that ranks."""
    alone, held = engine.answer(question), library_engine.answer(question)
    assert held.citations[0].article.id == library_engine.articles()[0].id
    assert alone.signals is not None and held.signals is not None
    assert np.allclose(held.signals.evidence.vector(), alone.signals.evidence.vector())
    assert held.outcome == alone.outcome
