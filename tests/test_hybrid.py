"""Hybrid search over a library in two languages: a passage in another language than the
question's is found among the passages in its own, and weighed beside them (real models, on
both vector stores)."""

import pytest
import stores
from e2e_helpers import article_excerpt
from samples import ORCHARD_RU

from retrieval import Engine
from retrieval.search import hybrid

pytestmark = stores.BOTH


def two_languages(settings_factory, embedder, article_text, tmp_path) -> Engine:
    """An engine over a short English article and the Russian orchard article."""
    path = tmp_path / "article.txt"
    path.write_text(article_excerpt(article_text, 7), encoding="utf-8")
    folders = {"index_dir": tmp_path / "index", "library_dir": tmp_path / "library"}
    engine = Engine(settings_factory(article_path=path, **folders), embedder=embedder)
    engine.load_or_build()
    engine.add_article(ORCHARD_RU, source="sad.md")
    return engine


@pytest.fixture
def library(settings_factory, embedder, article_text, tmp_path) -> Engine:
    return two_languages(settings_factory, embedder, article_text, tmp_path)


def first_source(engine: Engine, question: str) -> str:
    """The title of the article the top passage of the search comes from."""
    snapshot, pipeline = engine.snapshot, engine.pipeline
    analysis, _ = pipeline.read(question, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], ["mul"])[0]
    [top] = snapshot.searcher.search(vector, analysis.searched, 1, None, analysis.language)
    return top.passage.article_title


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("How many quince trees grow in the orchard?", "Сад Вельдт"),
        ("Сколько деревьев айвы растёт в саду?", "Сад Вельдт"),
        ("Where did Putin and Pezeshkian meet?", "On Friday"),
    ],
)
def test_each_question_finds_its_article_whatever_the_language(library, question, title):
    assert first_source(library, question).startswith(title)


def test_a_passage_in_another_language_is_scored_from_its_similarity_alone(library):
    question = "How many quince trees grow in the orchard?"
    snapshot = library.snapshot
    vector = library.embedder.encode_queries([question], ["mul"])[0]
    hits = snapshot.searcher.search(vector, question, 20, None, "en")
    searcher = snapshot.searcher
    assert searcher.cross_language.active
    for hit in hits:
        if hit.passage.article_title.startswith("Сад"):
            expected = searcher.cross_language.score(hit.dense, reranked=True)
        else:
            expected = hit.dense + searcher.lexical_weight * hit.lexical
        assert hit.score == pytest.approx(expected)


@pytest.mark.parametrize(
    "question", ["summarize it", "what's on the agenda", "What is the weakest main interaction?"]
)
def test_an_overview_request_is_recognised_as_in_a_library_of_one_language(library, question):
    """In a library of two languages a question is searched by e5 alone, but whether it asks
    for an overview is judged on its own language's weighing, as the threshold was fitted."""
    own = library.embedder.encode_queries([question], ["en"])[0]
    expected = library.pipeline.overview.request(own) == "overview"
    assert library.answer(question).overview == expected


def test_a_language_with_more_passages_than_the_cap_is_not_searched_apart(library, monkeypatch):
    """Past ``MAX_SCANNED`` passages another language's part of the library only competes
    through the shortlist of the whole library: the orchard's two passages, capped at one,
    are no candidates of their own."""
    vector = library.embedder.encode_queries(["How many quince trees grow?"], ["mul"])[0]
    searcher = library.snapshot.searcher
    orchard = library.snapshot.rows[library.articles()[-1].id]
    monkeypatch.setattr(hybrid, "MAX_SCANNED", 2)
    assert set(searcher._best_of_other_languages(vector, "en", {})) == set(orchard)
    assert searcher._best_of_other_languages(vector, "ru", {}) == {}  # English: over 2
    monkeypatch.setattr(hybrid, "MAX_SCANNED", 1)
    assert searcher._best_of_other_languages(vector, "en", {}) == {}
