"""Chat shorthand is spelled out word by word, never inside an initialism."""

import pytest

from retrieval.phrasing import standardise


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("whats the drone factory", "what is the drone factory"),
        ("wat did u say", "what did you say"),
        ("thank u.", "thank you."),
        ("Whos Peskov", "Who is Peskov"),
    ],
)
def test_shorthand_is_spelled_out(typed, standard):
    assert standardise(typed) == standard


@pytest.mark.parametrize(
    "typed",
    ["what did U.S. officials say", "what is the U.N. position, e.g. on drones", "u.k. too"],
)
def test_initialisms_survive(typed):
    assert standardise(typed) == typed
