import numpy as np

from tools.fit_choice import RERANK_GRID, best_weights, padded, rerank_score, top_right


def _record(article: str, passages: list[list[float]]) -> dict:
    return {"set": article, "article": article, "passages": passages, "sentences": []}


def test_a_question_with_fewer_candidates_never_picks_a_missing_one():
    """Padding scores minus infinity: a question with one passage picks it."""
    x = padded(
        [_record("a", [[0.1, 0.0, 1.0]]), _record("a", [[0.9, 0.0, 0.0], [0.2, 0, 1]])], "passages"
    )
    assert top_right(x, {"rerank_weight": 0.0}, rerank_score).tolist() == [True, False]


def test_the_weight_that_puts_the_covered_passage_first_is_chosen():
    """The gold passage scores a little lower but covers the question's words: some weight of
    the coverage lifts it, and the grid finds one."""
    x = padded([_record("a", [[1.0, 0.0, 0.0], [0.9, 1.0, 1.0]])] * 3, "passages")
    weights = best_weights(x, RERANK_GRID, rerank_score)
    assert weights["rerank_weight"] > 0.1
    assert top_right(x, weights, rerank_score).all()
    assert not np.any(top_right(x, {"rerank_weight": 0.0}, rerank_score))
