"""The fitting script's thresholds: what each tuning set may lose, and what counts as lost."""

import numpy as np
import pytest

from retrieval.answer.answerability import FEATURES
from tools.evidence import Row
from tools.fit_answerability import (
    NEWS,
    _article,
    _concerns,
    _group,
    bold_threshold,
    fit,
    threshold,
)


@pytest.mark.parametrize(
    ("tuning_set", "group"),
    [
        ("squad/Force", "squad"),
        ("squad/Normans@library", "squad@library"),
        ("dev_natural", "dev_natural"),
        ("dev_natural@library", "dev_natural@library"),
    ],
)
def test_squad_articles_share_one_budget_alone_and_another_in_the_library(tuning_set, group):
    assert _group(tuning_set) == group


def test_a_question_declined_before_the_threshold_uses_up_the_budget():
    """One question may be lost; a decline (NaN) already is, so the weakest scored one stays."""
    scored = np.array([0.2, 0.5, 0.8])
    keep = np.ones(4, dtype=bool)
    against = np.zeros(4, dtype=bool)
    sets = ["dev_natural"] * 4
    assert threshold(np.append(scored, np.nan), keep, against, sets, 0.05, least=1) == 0.2
    alone = threshold(scored, keep[:3], against[:3], sets[:3], 0.05, least=1)
    assert alone == 0.5


def test_the_threshold_sits_halfway_in_log_odds_to_the_question_it_stops():
    probabilities = np.array([0.5, 0.8, 0.1])
    keep = np.array([True, True, False])
    sets = ["squad/Force"] * 3
    found = threshold(probabilities, keep, ~keep, sets, 0.0, least=0)
    assert found == pytest.approx(0.25)  # odds 1:3, between 1:1 (0.5) and 1:9 (0.1)


@pytest.mark.parametrize(
    ("tuning_set", "concerned"),
    [
        ("squad/Force", True),
        ("squad/Force@library", True),
        ("dev_natural@Force", True),  # news questions asked of it, as off-topic ones
        ("squad/Force@article", True),
        ("squad/Force:translated", True),
        ("squad/Force:translated@library", True),
        ("squad/Normans", False),
        ("dev_natural", False),
    ],
)
def test_leaving_an_article_out_leaves_out_every_question_asked_of_it(tuning_set, concerned):
    assert _concerns(tuning_set, "squad/Force") is concerned


@pytest.mark.parametrize(
    ("tuning_set", "concerned"),
    [
        ("dev_natural", True),
        ("dev_multilingual@library", True),
        ("dev_natural@Force", True),
        ("squad/Force@article", False),  # SQuAD's questions, asked of the news article
        ("squad/Force", False),
        ("foreign/Kazan_library", False),
        ("dev_natural@Kazan_library", True),
    ],
)
def test_leaving_the_news_article_out_leaves_out_its_sets(tuning_set, concerned):
    assert _concerns(tuning_set, NEWS) is concerned


def test_translated_questions_are_held_out_with_their_article():
    assert _article("squad/Force:translated") == _article("squad/Force") == "squad/Force"
    assert _article("dev_multilingual") == NEWS


def test_an_article_in_another_language_is_left_out_with_its_questions():
    assert _article("foreign/Kazan_library@library") == "foreign/Kazan_library"
    assert _concerns("dev_questions@Kazan_library", "foreign/Kazan_library")
    assert not _concerns("squad/Force", "foreign/Kazan_library")


def test_bold_needs_the_answerability_at_which_it_is_right_often_enough():
    probabilities = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    right = np.array([True, True, True, False, False])
    # From 0.6 bold would be right 3 times in 4 (short of 0.85); from 0.7, every time.
    assert bold_threshold(probabilities, right, least=0.5) == pytest.approx(0.7)
    assert bold_threshold(probabilities[:3], right[:3], least=0.5) == 0.5


def _rows(kinds: list[tuple[bool, bool, bool | None]], seed: int = 0) -> list[Row]:
    """Made-up evidence: on-topic questions score high on the first feature; answerable ones
    whose quote holds the answer on the second (the rest is noise)."""
    noise = np.random.default_rng(seed)
    rows = []
    for on_topic, answerable, quoted_right in kinds:
        features = noise.normal(0.0, 0.3, len(FEATURES))
        features[0] += 2.0 if on_topic else -2.0
        features[1] += 2.0 if quoted_right else -2.0
        rows.append(
            Row("squad/Force", tuple(features), on_topic, answerable, keywords=quoted_right)
        )
    return rows


def test_an_answerable_question_quoted_beside_the_point_teaches_nothing_but_counts_as_lost():
    """Its evidence looks like an unanswerable question's: the coefficients are those of the
    fit without it, while the threshold still counts it against the budget."""
    right = [(True, True, True)] * 40
    unanswerable = [(True, False, None)] * 40
    off = [(False, False, None)] * 40
    beside = _rows([(True, True, False)] * 4, seed=1)
    without = fit(_rows(right + unanswerable + off), 0.05)
    with_them = fit(_rows(right + unanswerable + off) + beside, 0.05)
    assert with_them.answerability.coef == pytest.approx(without.answerability.coef)
    assert with_them.answerability.threshold < without.answerability.threshold
