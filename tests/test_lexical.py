"""BM25 over passages: an index extended by new documents scores as one built at once, and a
saved index keeps the documents that let it be extended after loading."""

from pathlib import Path

import bm25s
import numpy as np
import pytest

from retrieval.index.lexical import EMPTY_DOCUMENT, LexicalIndex, passage_tokens
from retrieval.text.words import tokenize

NORMANS = (Path(__file__).parent / "data" / "normans.txt").read_text(encoding="utf-8")
QUERIES = ["Who conquered England?", "Norman dukes of Normandy", "Rollo", "Viking settlers 911"]


@pytest.fixture(scope="module")
def documents(article_text) -> list[tuple[str, ...]]:
    """The paragraphs of the real article and of the Normans article, tokenized."""
    paragraphs = [p for p in f"{article_text}\n\n{NORMANS}".split("\n\n") if p.strip()]
    return [passage_tokens(None, p) for p in paragraphs] + [()]  # and an empty document


def scores(index: LexicalIndex) -> list[np.ndarray]:
    return [index.scores(tokenize(q)) for q in QUERIES]


def test_the_score_matrix_is_bm25s_own_bit_for_bit(documents):
    reference = bm25s.BM25()
    reference.index([list(d) or [EMPTY_DOCUMENT] for d in documents], show_progress=False)
    ours = LexicalIndex.from_tokens(documents)._bm25
    assert ours.scores["num_docs"] == reference.scores["num_docs"]
    for token, column in reference.vocab_dict.items():
        if not token:  # bm25s's empty token is added after its matrix, with no column
            continue
        mine = ours.vocab_dict[token]
        start, stop = reference.scores["indptr"][column : column + 2]
        begin, end = ours.scores["indptr"][mine : mine + 2]
        assert ours.scores["indices"][begin:end].tolist() == (
            reference.scores["indices"][start:stop].tolist()
        )
        assert ours.scores["data"][begin:end].tobytes() == (
            reference.scores["data"][start:stop].tobytes()
        )
    for query in QUERIES:
        known = [t for t in tokenize(query) if t in reference.vocab_dict]
        expected = reference.get_scores(known).astype(np.float32)
        assert np.array_equal(
            LexicalIndex.from_tokens(documents).scores(tokenize(query)), expected
        )


def test_an_extended_index_scores_exactly_as_one_built_at_once(documents):
    whole = LexicalIndex.from_tokens(documents)
    half = len(documents) // 2
    extended = LexicalIndex.from_tokens(documents[:half]).extended(documents[half:])
    assert extended.size == whole.size == len(documents)
    for built, grown in zip(scores(whole), scores(extended), strict=True):
        assert np.array_equal(built, grown) and built.max() > 0


def test_a_loaded_index_extends_like_the_one_saved(documents, tmp_path):
    first = LexicalIndex.from_tokens(documents[:-5])
    first.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert [s.tolist() for s in scores(loaded)] == [s.tolist() for s in scores(first)]
    grown, reference = loaded.extended(documents[-5:]), first.extended(documents[-5:])
    assert [s.tolist() for s in scores(grown)] == [s.tolist() for s in scores(reference)]


def test_documents_that_disagree_with_the_index_are_refused(documents, tmp_path):
    LexicalIndex.from_tokens(documents).save(tmp_path)
    np.save(tmp_path / "lengths.npy", np.ones(3, dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        LexicalIndex.load(tmp_path)


def test_article_scores_weigh_terms_by_that_article_alone(documents, article_text):
    """Over the whole index they are the library's scores; over the news article's rows, those
    of an index holding that article only."""
    whole = LexicalIndex.from_tokens(documents)
    everything = range(len(documents))
    news = len([p for p in article_text.split("\n\n") if p.strip()])
    alone = LexicalIndex.from_tokens(documents[:news])
    for query in [*QUERIES, "Which analyst from Chatham House is quoted?"]:
        tokens = tokenize(query)
        assert np.allclose(
            whole.article_scores(tokens, list(everything), everything), whole.scores(tokens)
        )
        local = whole.article_scores(tokens, list(range(news)), range(news))
        assert np.allclose(local, alone.scores(tokens))
    tokens = tokenize("Rollo and the Vikings")
    assert not whole.article_scores(tokens, list(range(news)), range(news)).any()


@pytest.mark.parametrize(
    ("text", "language", "tokens"),
    [
        ("Встреча прошла в Ашхабаде", "ru", ["встреч", "прошл", "ашхабад"]),
        ("Die Treffen fanden in Ashgabat statt", "de", ["treff", "fand", "ashgabat", "statt"]),
        ("普京见面", "zh", ["普京", "京见", "见面"]),
    ],
)
def test_other_languages_are_stemmed_or_split_in_their_own_way(text, language, tokens):
    """Russian and German by their Snowball stemmers and stop words; Chinese, written without
    spaces, by character bigrams."""
    assert tokenize(text, language) == tokens


def test_a_language_without_a_stemmer_keeps_its_words_as_written():
    assert tokenize("Зустріч відбулася в Ашгабаті", "uk") == ["зустріч", "відбулася", "ашгабаті"]


def test_a_russian_passage_is_found_by_a_russian_query():
    texts = ["Встреча президентов прошла в Ашхабаде.", "Иран поставляет беспилотники России."]
    index = LexicalIndex.from_tokens([passage_tokens(None, t, "ru") for t in texts])
    scores = index.scores(tokenize("Где проходила встреча?", "ru"))
    assert scores[0] > 0 and scores[1] == 0
