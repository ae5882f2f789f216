"""The latent weight's choice, on made-up outcomes: (top citation right, keywords) per question."""

from tools.fit_latent import NEWS, best_weight, report

RIGHT, WRONG = (True, True), (False, False)


def test_the_weight_with_most_right_replies_wins_and_the_smallest_of_equals():
    found = {
        "a": {0.0: [WRONG, RIGHT], 1.0: [RIGHT, RIGHT], 2.0: [RIGHT, RIGHT]},
        "b": {0.0: [RIGHT], 1.0: [RIGHT], 2.0: [RIGHT]},
    }
    assert best_weight(found, ["a", "b"]) == 1.0
    assert best_weight(found, ["b"]) == 0.0


def test_each_article_is_measured_on_a_weight_chosen_without_it_and_never_on_the_news(capsys):
    """ "a" alone prefers 1.0 and "b" alone 0.0: left out, each gets the other's choice; the
    news article's outcomes choose nothing, though they would tip the total to 2.0."""
    found = {
        "a": {0.0: [WRONG], 1.0: [RIGHT], 2.0: [WRONG]},
        "b": {0.0: [RIGHT, RIGHT], 1.0: [WRONG, RIGHT], 2.0: [WRONG, WRONG]},
        NEWS: {0.0: [WRONG] * 5, 1.0: [WRONG] * 5, 2.0: [RIGHT] * 5},
    }
    assert report(found) == 0.0
    printed = capsys.readouterr().out
    assert "a  " in printed and "chosen without it: 0.0  hit@1 0/1" in printed
    assert "chosen without it: 1.0  hit@1 1/2" in printed
    assert "each left out hit@1 1/3, keywords 1/3" in printed
