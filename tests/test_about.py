"""Questions about the article itself (who wrote it, when it was published): recognised by
meaning and answered from the article's record, never quoted from its text."""

from pathlib import Path

import pytest
from samples import ARTICLE, html_page

from retrieval.answer.about import NOT_RECORDED
from retrieval.answer.tuning import load_tuning
from retrieval.evaluation import read_questions
from retrieval.library.extract import extract_html
from retrieval.question.overview import OverviewRecognizer
from retrieval.text.language import detect_language
from wording import reply_text

DATA = Path(__file__).parent / "data"
AUTHOR_REQUESTS = [
    "who wrote this story?",
    "who's the author",
    "author?",
    "whose article is this",
    "by whom was this written",
    "Кто написал эту статью?",
    "кто автор",
    "نویسنده مقاله کیست",
]
DATE_REQUESTS = [
    "when was this published?",
    "what date is this article from",
    "publication date?",
    "when was it written",
    "Когда опубликована статья?",
]
ABOUT_THE_TEXT = [
    "who wrote the letter to Putin?",
    "who is the author of the sanctions",
    "when did the summit happen",
    "When did Pezeshkian win the election?",
    "when was the drone factory built?",
    "who reported the drone factory",
    "what did the article say about drones",
    "when did this happen",  # a follow-up, leaning on the answer before
    "коли це сталося",
    "who said it",
]


@pytest.fixture(scope="module")
def requests(embedder):
    tuning = load_tuning()
    recognizer = OverviewRecognizer(embedder, tuning.overview_threshold, tuning.fact_threshold)

    def of(questions: list[str]) -> list[str | None]:
        vectors = embedder.encode_queries(questions, [detect_language(q) for q in questions])
        return [recognizer.request(v) for v in vectors]

    return of


def test_questions_for_the_author_or_the_date_are_recognised_by_meaning(requests):
    assert requests(AUTHOR_REQUESTS) == ["author"] * len(AUTHOR_REQUESTS)
    assert requests(DATE_REQUESTS) == ["published"] * len(DATE_REQUESTS)


def test_questions_about_what_the_article_says_are_no_such_request(requests):
    assert requests(ABOUT_THE_TEXT) == [None] * len(ABOUT_THE_TEXT)


def test_no_tuning_or_held_out_question_asks_for_the_author_or_the_date(requests):
    paths = sorted([*DATA.glob("dev_*.jsonl"), *DATA.glob("heldout_*.jsonl")])
    questions = [q.text for path in paths for q in read_questions(path)]
    found = [(q, r) for q, r in zip(questions, requests(questions), strict=True) if r]
    assert all(r == "overview" for _, r in found), found


@pytest.fixture(scope="module")
def page_engine(settings_factory, embedder, tmp_path_factory):
    """An engine over the real article (a text: no author, no date) and a web page with both."""
    from retrieval import Engine

    folder = tmp_path_factory.mktemp("about")
    settings = settings_factory(index_dir=folder / "index", library_dir=folder / "library")
    engine = Engine(settings, embedder=embedder)
    engine.load_or_build()
    page = extract_html(html_page(ARTICLE))
    change = engine.add_article(
        page.text, source="lomira.html", title=page.title, author=page.author, published=page.date
    )
    return engine, change.article


def test_who_wrote_it_and_when_are_answered_from_the_pages_byline_and_meta_tags(page_engine):
    engine, page = page_engine
    author = engine.answer("who wrote this story?", article_id=page.id)
    assert author.answered and author.citations == () and author.text == "Jane Doe"
    assert reply_text(author) == "“The Lomira Timber Trade” was written by Jane Doe."
    published = engine.answer("When was this published?", article_id=page.id)
    assert published.answered and published.text == "2024-05-01"
    assert reply_text(published) == "“The Lomira Timber Trade” was published on 2024-05-01."
    fact = author.to_json(reply_text(author))["fact"]
    assert fact == {
        "field": "author",
        "value": "Jane Doe",
        "article": {"id": page.id, "title": "The Lomira Timber Trade"},
    }
    assert engine.answer("Кто написал эту статью?", article_id=page.id).text == "Jane Doe"


def test_an_article_that_does_not_say_who_wrote_it_declines_instead_of_quoting(page_engine):
    engine, _ = page_engine
    seeded = engine.articles()[0]
    answer = engine.answer("who wrote this story?", article_id=seeded.id)
    assert answer.outcome == "declined" and answer.reason == NOT_RECORDED
    assert answer.fact is not None and answer.fact.value is None
    assert reply_text(answer).endswith("doesn't say who wrote it.")
    assert answer.to_json()["citations"] == []


def test_a_question_about_the_text_is_still_answered_from_the_text(page_engine):
    engine, page = page_engine
    answer = engine.answer("How many crates of pinewood did Lomira ship?", article_id=page.id)
    assert answer.fact is None and "420 crates" in answer.text
